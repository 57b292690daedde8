"""Everything under tests/integration/ drives a real tool: it is marked `integration` here,
so `-m "not integration"` (make test-fast) leaves it out. The tools are checked at session
start by tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.server_common import serve, tls_files

# Fixtures the server's tests share with their unit half.
__all__ = ["serve", "tls_files"]

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before `-m` selects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.integration)
