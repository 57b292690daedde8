"""Unit tests run no external tool: while each runs, PATH starts with stand-ins for every tool
(tests/support/tools.py), and a test that runs one
fails naming it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server_common import serve, tls_files
from tests.support.simulator_http import fake_clock, quiet_sim, rate_clock, server
from tests.support.tools import no_tool_runs, write_stand_ins

# The simulator's own tests (test_simulator*.py) share its fixtures; the server's tests
# share theirs with their integration half.
__all__ = ["fake_clock", "quiet_sim", "rate_clock", "serve", "server", "tls_files"]


@pytest.fixture(scope="session")
def tool_stand_ins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_stand_ins(tmp_path_factory.mktemp("tool-stand-ins"))


@pytest.fixture(autouse=True)
def no_external_tools(
    request: pytest.FixtureRequest, tool_stand_ins: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    log = tmp_path_factory.mktemp("tool-guard") / "calls.log"
    with no_tool_runs(request.node.nodeid, tool_stand_ins, log):
        yield
