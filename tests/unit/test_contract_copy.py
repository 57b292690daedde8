"""The copy of the contract's metrics table, used where ../shared is not checked out."""

from __future__ import annotations

import os

import pytest

from tests.support.contract import CONTRACT_PATH, FALLBACK_CONTRACT_METRICS, contract_metrics

if not CONTRACT_PATH.is_file():
    # As with Adobe's spec (tests/support/adobe_spec.py): a stranger's clone without ../shared has
    # nothing to compare the copy with; CI always has the contract, and must run this.
    message = f"the contract is not at {CONTRACT_PATH}"
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)


def test_the_fallback_table_equals_the_contracts_metrics_table() -> None:
    # A fallback that drifted from the contract would check a clone against old names.
    assert contract_metrics() == FALLBACK_CONTRACT_METRICS
