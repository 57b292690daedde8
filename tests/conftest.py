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
from tests.support.tools import missing_tools

HERE = Path(__file__).resolve().parent


def pytest_collection_finish(session: pytest.Session) -> None:
    """When a selected test is marked `integration` (everything under tests/integration/),
    stop with one line if a tool is missing."""
    if session.config.option.collectonly:
        return
    if not any(item.get_closest_marker("integration") for item in session.items):
        return
    missing = missing_tools()
    if missing:
        pytest.exit(missing, returncode=pytest.ExitCode.USAGE_ERROR)


# The contract copy check is for the project's developers, who have ../shared/CONTRACT.md
# beside the repository, and for CI; a clone from GitHub neither runs nor skips it.
_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
collect_ignore = [] if CONTRACT_PATH.is_file() or _CI else ["unit/test_contract_copy.py"]


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
