"""The copy of the contract's metrics table, used where ../shared is not checked out."""

from __future__ import annotations

from tests.contract import CONTRACT_PATH, FALLBACK_CONTRACT_METRICS, contract_metrics


def test_the_fallback_table_equals_the_contracts_metrics_table() -> None:
    # Beside the repository (always in this workplace and its CI) the contract is read;
    # a fallback that drifted from it would check a stranger's clone against old names.
    assert CONTRACT_PATH.is_file(), f"the contract is not at {CONTRACT_PATH}"
    assert contract_metrics() == FALLBACK_CONTRACT_METRICS
