"""Shared fixtures: the simulator over real HTTP, and exporters pointed at it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exporter.config import ApiConfig, CacheConfig, Selection
from exporter.secret import Secret
from exporter.simulator import Simulator, SimulatorServer
from exporter.web.server import ExporterHTTPServer
from exporter.wiring import build_service
from tests.support.contract import CONTRACT_PATH
from tests.support.exporters import (
    CLIENT_ID,
    CLIENT_SECRET,
    ExporterFactory,
    FakeClock,
    RunningExporter,
)
from tests.support.tools import missing_tools, no_tool_runs, write_stand_ins

HERE = Path(__file__).resolve().parent


def pytest_collection_finish(session: pytest.Session) -> None:
    """When a selected test is marked `integration` (everything under tests/integration/, and
    the hand-marked tests at the top level), stop with one line if a tool is missing."""
    if session.config.option.collectonly:
        return
    if not any(item.get_closest_marker("integration") for item in session.items):
        return
    missing = missing_tools()
    if missing:
        pytest.exit(missing, returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture(scope="session")
def tool_stand_ins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_stand_ins(tmp_path_factory.mktemp("tool-stand-ins"))


@pytest.fixture(autouse=True)
def top_level_tests_unmarked_run_no_tool(
    request: pytest.FixtureRequest, tool_stand_ins: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """The files at tests/ top level mix both kinds until they are split: there, a test
    without the `integration` mark gets the unit tests' guard (tests/unit/conftest.py)."""
    if request.node.path.resolve().parent != HERE or request.node.get_closest_marker("integration"):
        yield
        return
    log = tmp_path_factory.mktemp("tool-guard") / "calls.log"
    with no_tool_runs(request.node.nodeid, tool_stand_ins, log):
        yield


# The contract copy check is for the project's developers, who have ../shared/CONTRACT.md
# beside the repository, and for CI; a clone from GitHub neither runs nor skips it.
_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
collect_ignore = [] if CONTRACT_PATH.is_file() or _CI else ["test_contract_copy.py"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def simulator(clock: FakeClock) -> Iterator[Simulator]:
    yield Simulator(
        seed=7, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, dynamic=False, clock=clock
    )


@pytest.fixture
def sim_server(simulator: Simulator) -> Iterator[SimulatorServer]:
    with SimulatorServer(simulator, host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def make_exporter(sim_server: SimulatorServer, clock: FakeClock) -> Iterator[ExporterFactory]:
    """Builds exporters against the simulator; keyword overrides go to the configs."""
    running: list[RunningExporter] = []

    def factory(
        *,
        selection: Selection = Selection(),
        cache_ttl: float = 0.0,
        registry_ttl: float = 3600.0,
        max_stale: float = 300.0,
        locale: str = "en",
        **upstream: Any,
    ) -> RunningExporter:
        values: dict[str, Any] = {
            "client_id": CLIENT_ID,
            "client_secret": Secret(CLIENT_SECRET),
            "ims_token_url": sim_server.ims_token_url,
            "api_url": sim_server.api_url,
            "timeout": 5.0,
            **upstream,
        }
        service = build_service(
            ApiConfig(**values),
            CacheConfig(
                selection=selection,
                cache_ttl=cache_ttl,
                registry_ttl=registry_ttl,
                max_stale=max_stale,
                locale=locale,
            ),
            clock=clock,
        )
        server = ExporterHTTPServer(service.app, "127.0.0.1:0")
        server.start_in_thread()
        exporter = RunningExporter(service, server)
        running.append(exporter)
        return exporter

    yield factory
    for exporter in running:
        exporter.server.shutdown()
        exporter.service.close()


@pytest.fixture
def exporter(make_exporter: ExporterFactory) -> RunningExporter:
    return make_exporter()
