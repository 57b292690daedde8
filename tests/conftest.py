"""Shared fixtures: the simulator over real HTTP, and exporters pointed at it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from exporter.config import CacheConfig, Selection, UpstreamConfig
from exporter.secret import Secret
from exporter.simulator import Simulator, SimulatorServer
from exporter.web.server import ExporterHTTPServer
from exporter.wiring import Service, build_service

# Tests that drive external tools are marked `integration` automatically, and the tools are
# checked only when such a test is selected: see tests/tool_marks.py.
from tests.tool_marks import (
    pytest_collection_finish,
    pytest_collection_modifyitems,
    tool_stand_ins,
    tools_only_in_integration_tests,
)

__all__ = [
    "pytest_collection_finish",
    "pytest_collection_modifyitems",
    "tool_stand_ins",
    "tools_only_in_integration_tests",
]

CLIENT_ID = "test-client"
CLIENT_SECRET = "canary-s3cret-7f3a9c1e"  # also the canary the secret-hygiene tests look for

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse_samples(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def series(samples: Samples, name: str) -> list[dict[str, str]]:
    return [dict(labels) for (sample_name, labels) in samples if sample_name == name]


class FakeClock:
    """Wall-clock time that only moves when a test says so (shared by simulator and exporter)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


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


@dataclass
class RunningExporter:
    service: Service
    server: ExporterHTTPServer

    @property
    def url(self) -> str:
        return self.server.url

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return requests.get(self.url + path, **kwargs)  # noqa: S113 - timeout set above

    def scrape(self, scrape_timeout: float | None = None) -> Samples:
        headers = {}
        if scrape_timeout is not None:
            headers["X-Prometheus-Scrape-Timeout-Seconds"] = str(scrape_timeout)
        response = self.get("/metrics", headers=headers)
        assert response.status_code == 200, response.text
        return parse_samples(response.text)


ExporterFactory = Callable[..., RunningExporter]


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
            UpstreamConfig(**values),
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
