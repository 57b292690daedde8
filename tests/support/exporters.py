"""What tests read and drive: exporters served over real HTTP, their samples, a clock.

The fixtures that build these live in tests/conftest.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from prometheus_client.parser import text_string_to_metric_families

from exporter.config import ApiConfig, FeedConfig
from exporter.secret import Secret
from exporter.simulator import SimulatorServer
from exporter.web.server import ExporterHTTPServer
from exporter.wiring import Service

CLIENT_ID = "test-client"
CLIENT_SECRET = "canary-s3cret-7f3a9c1e"  # also the canary the secret-hygiene tests look for


def upstream_on(
    sim_server: SimulatorServer,
    source: str,
    *,
    timeout: float = 10.0,
    client_secret: str = CLIENT_SECRET,
) -> ApiConfig | FeedConfig:
    """`source` ("api" or "feed") on the simulator, with the suite's canary credentials."""
    if source == "feed":
        return FeedConfig(feed_url=sim_server.feed_url, timeout=timeout)
    return ApiConfig(
        client_id=CLIENT_ID,
        client_secret=Secret(client_secret),
        ims_token_url=sim_server.ims_token_url,
        api_url=sim_server.api_url,
        timeout=timeout,
    )


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
