"""An hour of one auxiliary Adobe endpoint failing, compressed with a fake clock.

The contract (Failures): a failing catalog call (`products`, `clouds`, the feed's registry)
or `messages` call never hides fresh events. Each case holds one endpoint failing (500,
503 with an HTML page, a hang, a trickling body) for an hour of scrapes, two minutes apart,
each with a short scrape deadline, for both sources, and asserts what users see: `up 1`
and the fresh statuses on every scrape, a handful of requests to the failing endpoint
(no sooner than 30 s after a failure, the wait doubling up to --registry-ttl), one
warning, one "recovered" line, and the next refresh on schedule after recovery.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from exporter.config import CacheConfig
from exporter.simulator import Simulator, SimulatorServer
from exporter.sources.backoff import FLOOR
from exporter.web.server import ExporterHTTPServer
from exporter.wiring import build_service
from tests.support.exporters import (
    FakeClock,
    RunningExporter,
    Samples,
    parse_samples,
    upstream_on,
    value,
)

pytestmark = pytest.mark.integration

HOUR = 3600.0
SCRAPE_EVERY = 120.0
SCRAPE_TIMEOUT = 2.0  # what Prometheus would send in X-Prometheus-Scrape-Timeout-Seconds
HANG = SCRAPE_TIMEOUT + 1.0  # longer than the whole scrape may take
ANALYTICS = "503467"
PRODUCT = {"cloud": "Adobe Experience Cloud", "product": "Adobe Analytics"}

FAULTS: dict[str, dict[str, Any]] = {
    "500": {"status": 500},
    "html-503": {
        "status": 503,
        "body": b"<html><body><h1>Service Unavailable</h1></body></html>",
        "content_type": "text/html",
    },
    "hang": {"delay": HANG},
    "trickle": {"slow_body": True, "delay": HANG},
}


@dataclass(frozen=True)
class Endpoint:
    source: str  # "api" or "feed"
    simulated: str  # the simulator's name for it
    label: str  # its `endpoint` label
    words: str  # what its log lines name


ENDPOINTS = {
    "api-products": Endpoint("api", "products", "products", "catalog refresh"),
    "api-clouds": Endpoint("api", "clouds", "clouds", "catalog refresh"),
    "api-messages": Endpoint("api", "messages", "messages", "texts"),
    "feed-registry": Endpoint("feed", "feed_registry", "registry", "catalog refresh"),
}


def attempts_within(span: float, every: float, ceiling: float) -> int:
    """How many requests the contract's rule allows in `span` seconds of scrapes `every`
    seconds apart: the first at once, then each no sooner than 30 s after a failure, the
    wait doubling up to max(ceiling, 30 s)."""
    attempts, wait, next_at, now = 0, FLOOR, 0.0, 0.0
    while now < span:
        if now >= next_at:
            attempts += 1
            next_at = now + wait
            wait = min(wait * 2, max(ceiling, FLOOR))
        now += every
    return attempts


@pytest.fixture
def start(sim_server: SimulatorServer, clock: FakeClock) -> Iterator[Any]:
    """Starts an exporter of either source against the simulator."""
    running: list[RunningExporter] = []

    def factory(source: str, registry_ttl: float = HOUR) -> RunningExporter:
        upstream = upstream_on(sim_server, source, timeout=5.0)
        cache = CacheConfig(registry_ttl=registry_ttl, max_stale=HOUR * 2)
        service = build_service(upstream, cache, clock=clock)
        server = ExporterHTTPServer(service.app, "127.0.0.1:0")
        server.start_in_thread()
        running.append(RunningExporter(service, server))
        return running[-1]

    yield factory
    for exporter in running:
        exporter.server.shutdown()
        exporter.service.close()


def scrape(exporter: RunningExporter) -> Samples:
    """One scrape as Prometheus sends it; requests' own timeout holds it to the deadline."""
    response = exporter.get(
        "/metrics",
        headers={"X-Prometheus-Scrape-Timeout-Seconds": str(SCRAPE_TIMEOUT)},
        timeout=SCRAPE_TIMEOUT,
    )
    assert response.status_code == 200
    return parse_samples(response.text)


def errors(samples: Samples, label: str) -> float:
    return sum(
        v
        for (name, labels), v in samples.items()
        if name == "adobe_status_upstream_errors_total" and ("endpoint", label) in labels
    )


def lines(caplog: pytest.LogCaptureFixture, words: str, what: str) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.getMessage().startswith(f"{words} {what}") and record.levelno >= logging.INFO
    ]


@pytest.mark.parametrize("fault", FAULTS.keys())
@pytest.mark.parametrize("where", ENDPOINTS.keys())
def test_an_hour_of_a_failing_auxiliary_endpoint_costs_a_handful_of_requests_and_one_warning(
    simulator: Simulator,
    start: Any,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    where: str,
    fault: str,
) -> None:
    caplog.set_level(logging.INFO, logger="exporter")
    simulator.throttle = False  # an hour of scrapes in seconds is no real request rate
    endpoint = ENDPOINTS[where]
    exporter = start(endpoint.source)
    assert value(scrape(exporter), "adobe_status_up") == 1
    clock.advance(HOUR)  # the catalog is due for its refresh
    before = simulator.requests(endpoint.simulated)
    simulator.inject(endpoint.simulated, times=None, **FAULTS[fault])
    if endpoint.simulated == "messages":  # texts are asked only for open events' tokens
        simulator.add_incident(product_id=ANALYTICS, severity="Minor", title="T", message="M")

    scrapes = int(HOUR / SCRAPE_EVERY)
    event = None
    for index in range(scrapes):
        if index == scrapes // 2:  # fresh events keep arriving while the endpoint fails
            event = simulator.add_incident(product_id=ANALYTICS, severity="Major", title="X")
        samples = scrape(exporter)
        assert value(samples, "adobe_status_up") == 1
        expected = 4 if event is not None else (3 if endpoint.simulated == "messages" else 0)
        assert value(samples, "adobe_status_product_status", **PRODUCT, product_id=ANALYTICS) == (
            expected
        )
        clock.advance(SCRAPE_EVERY)

    allowed = attempts_within(HOUR, SCRAPE_EVERY, HOUR)
    assert simulator.requests(endpoint.simulated) - before == allowed
    assert errors(samples, endpoint.label) == allowed
    failed = lines(caplog, endpoint.words, "failed")
    assert [record.levelno for record in failed] == [logging.WARNING]
    assert endpoint.label in failed[0].getMessage()

    # Recovery: the next try after the last wait succeeds, says so once, and from then on
    # the catalog is refreshed on its --registry-ttl schedule again.
    simulator.clear_faults()
    clock.advance(HOUR)
    assert value(scrape(exporter), "adobe_status_up") == 1
    assert len(lines(caplog, endpoint.words, "recovered")) == 1
    asked = simulator.requests(endpoint.simulated)
    assert asked == before + allowed + 1
    if endpoint.simulated != "messages":  # the texts, once known, are never asked again
        clock.advance(HOUR - 1)
        scrape(exporter)
        assert simulator.requests(endpoint.simulated) == asked
        clock.advance(1)
        scrape(exporter)
        assert simulator.requests(endpoint.simulated) == asked + 1
    assert len(lines(caplog, endpoint.words, "failed")) == 1


@pytest.mark.parametrize("source", ["api", "feed"])
def test_a_short_registry_ttl_still_waits_30_seconds_after_a_failure(
    simulator: Simulator, start: Any, clock: FakeClock, source: str
) -> None:
    catalog = "products" if source == "api" else "feed_registry"
    simulator.throttle = False
    exporter = start(source, registry_ttl=1)
    scrape(exporter)
    clock.advance(1)
    before = simulator.requests(catalog)
    simulator.inject(catalog, status=500, times=None)
    for _ in range(30):  # five minutes of scrapes ten seconds apart
        assert value(scrape(exporter), "adobe_status_up") == 1
        clock.advance(10)
    assert simulator.requests(catalog) - before == attempts_within(300, 10, 1) == 10


@pytest.mark.parametrize("source", ["api", "feed"])
def test_a_hanging_catalog_on_the_first_failing_scrape_leaves_the_events_their_budget(
    simulator: Simulator, start: Any, clock: FakeClock, source: str
) -> None:
    catalog = "products" if source == "api" else "feed_registry"
    exporter = start(source)
    scrape(exporter)
    clock.advance(HOUR)
    simulator.inject(catalog, delay=HANG, times=None)
    simulator.add_incident(product_id=ANALYTICS, severity="Major", title="X")
    samples = scrape(exporter)  # the first scrape that meets the hang
    assert value(samples, "adobe_status_up") == 1
    assert value(samples, "adobe_status_product_status", **PRODUCT, product_id=ANALYTICS) == 4
    label = "products" if source == "api" else "registry"
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint=label, reason="timeout") == 1
    )


@pytest.mark.parametrize("fault", ["hang", "trickle"])
@pytest.mark.parametrize("source", ["api", "feed"])
def test_events_hanging_or_trickling_past_the_deadline_end_the_scrape_in_time(
    simulator: Simulator, start: Any, source: str, fault: str
) -> None:
    exporter = start(source)
    scrape(exporter)
    simulator.inject("events" if source == "api" else "feed_events", **FAULTS[fault])
    samples = scrape(exporter)  # requests' timeout: the whole answer within the deadline
    assert value(samples, "adobe_status_up") == 0
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="events", reason="timeout")
        == 1
    )
    assert value(scrape(exporter), "adobe_status_up") == 1
