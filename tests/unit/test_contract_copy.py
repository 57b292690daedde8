"""The copy of the contract's metrics table, used where ../shared is not checked out.

A development-only check: tests/conftest.py collects this module only where the contract is
checked out beside the repository, or in CI (where a missing contract fails here).
"""

from __future__ import annotations

from tests.support.contract import CONTRACT_PATH, FALLBACK_CONTRACT_METRICS, contract_metrics


def test_the_contract_is_checked_out() -> None:
    assert CONTRACT_PATH.is_file(), f"the contract is not at {CONTRACT_PATH}"


def test_the_fallback_table_equals_the_contracts_metrics_table() -> None:
    # A fallback that drifted from the contract would check a clone against old names.
    assert contract_metrics() == FALLBACK_CONTRACT_METRICS
