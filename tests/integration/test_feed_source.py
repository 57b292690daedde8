"""--source feed against the simulator's copy of the public feed, over real HTTP.

What a user without an Adobe credential relies on: the same families and labels as the
API source, no credential sent anywhere, conditional requests that make an unchanged
feed cheap (and still `up 1`), changes seen on the next scrape after the cache TTL, and
every kind of broken answer reported as an upstream failure, never as "healthy".
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from exporter import __version__
from exporter.config import CacheConfig, FeedConfig, Selection
from exporter.simulator import Simulator, SimulatorServer
from exporter.web.server import ExporterHTTPServer
from exporter.wiring import build_service
from tests.support.cli import run as run_cli
from tests.support.contract import STATUS_FAMILIES
from tests.support.exporters import FakeClock, RunningExporter, Samples, series, value
from tests.support.live import says
from tests.support.prometheus import run_prometheus

pytestmark = pytest.mark.integration

EVENTS, REGISTRY = "feed_events", "feed_registry"  # the simulator's names for the two
PRODUCT = "503467"  # Adobe Analytics in the real catalog


@pytest.fixture
def feed_exporter(sim_server: SimulatorServer, clock: FakeClock) -> Iterator[Any]:
    """Builds feed-mode exporters against the simulator's feed."""
    running: list[RunningExporter] = []

    def factory(
        *, cache_ttl: float = 0.0, selection: Selection = Selection(), locale: str = "en"
    ) -> RunningExporter:
        service = build_service(
            FeedConfig(feed_url=sim_server.feed_url, timeout=5.0),
            CacheConfig(selection=selection, cache_ttl=cache_ttl, locale=locale),
            clock=clock,
        )
        server = ExporterHTTPServer(service.app, "127.0.0.1:0")
        server.start_in_thread()
        running.append(RunningExporter(service, server))
        return running[-1]

    yield factory
    for exporter in running:
        exporter.server.shutdown()
        exporter.service.close()


def status_series(samples: Samples) -> Samples:
    return {key: v for key, v in samples.items() if key[0] in STATUS_FAMILIES}


def requests_total(samples: Samples, endpoint: str, code: str) -> float:
    return value(samples, "adobe_status_api_requests_total", endpoint=endpoint, code=code) or 0.0


def errors(samples: Samples, endpoint: str, reason: str) -> float | None:
    return value(samples, "adobe_status_upstream_errors_total", endpoint=endpoint, reason=reason)


# --- what is served -----------------------------------------------------------------------


def test_feed_mode_serves_statuses_with_no_token_family(
    simulator: Simulator, feed_exporter: Any
) -> None:
    simulator.add_incident(PRODUCT, severity="Major")
    samples = feed_exporter().scrape()
    assert value(samples, "adobe_status_up") == 1
    products = series(samples, "adobe_status_product_status")
    analytics = [labels for labels in products if labels["product_id"] == PRODUCT]
    assert len(products) == 73
    assert analytics == [
        {"cloud": "Adobe Experience Cloud", "product": "Adobe Analytics", "product_id": PRODUCT}
    ]
    assert value(samples, "adobe_status_product_status", **analytics[0]) == 4
    assert series(samples, "adobe_status_region_status")
    assert not [name for name, _ in samples if name.startswith("adobe_status_token_")]


def test_feed_endpoints_are_events_and_registry_with_zeroed_error_series(
    feed_exporter: Any,
) -> None:
    samples = feed_exporter().scrape()
    endpoints = {
        labels["endpoint"] for labels in series(samples, "adobe_status_upstream_errors_total")
    }
    assert endpoints == {"events", "registry"}
    for reason in ("timeout", "connection", "http", "throttled", "invalid_response"):
        assert errors(samples, "events", reason) == 0
        assert errors(samples, "registry", reason) == 0
    assert requests_total(samples, "events", "200") == 1
    assert requests_total(samples, "registry", "200") == 1


def test_no_credential_reaches_the_feed_and_the_exporter_says_who_it_is(
    simulator: Simulator, feed_exporter: Any
) -> None:
    exporter = feed_exporter()
    exporter.scrape()
    exporter.scrape()
    for endpoint in (EVENTS, REGISTRY):
        assert simulator.requests(endpoint) >= 1
        assert simulator.credentials_seen(endpoint) == {
            "authorization": 0,
            "x-api-key": 0,
            "api_key": 0,
        }
        agent = simulator.last_headers(endpoint)["user-agent"]
        assert agent.startswith(f"adobe-status-exporter/{__version__} (+http")
        assert "Mozilla" not in agent
    assert simulator.requests("token") == 0


def test_credentials_given_with_source_feed_are_ignored_and_said_so(
    simulator: Simulator, sim_server: SimulatorServer, capfd: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "check",
        "--source",
        "feed",
        "--feed-url",
        sim_server.feed_url,
        "--client-id",
        "someone",
        "--client-secret",
        "canary-s3cret-7f3a9c1e",
        "--api-key",
        "my-key",
        "--log.level",
        "warning",
    ]
    code, _, err = run_cli(argv, capfd)
    assert code == 0
    assert "ignoring --client-id, --client-secret, --api-key" in err
    assert "canary-s3cret-7f3a9c1e" not in err
    for endpoint in (EVENTS, REGISTRY):
        assert simulator.credentials_seen(endpoint) == {
            "authorization": 0,
            "x-api-key": 0,
            "api_key": 0,
        }
    assert simulator.requests("token") == 0


# --- conditional requests -----------------------------------------------------------------


def test_an_unchanged_feed_is_answered_304_by_etag_and_still_up(
    simulator: Simulator, feed_exporter: Any
) -> None:
    simulator.add_incident(PRODUCT, severity="Minor")
    exporter = feed_exporter()
    first = exporter.scrape()
    parsed = exporter.service.cache.latest.snapshot.report
    second = exporter.scrape()
    assert simulator.requests(EVENTS) == 2
    assert simulator.not_modified(EVENTS) == 1
    # Not parsed again: the very report of the first answer is served.
    assert exporter.service.cache.latest.snapshot.report is parsed
    assert "if-none-match" in simulator.last_headers(EVENTS)
    assert requests_total(second, "events", "304") == 1
    assert value(second, "adobe_status_up") == 1
    assert errors(second, "events", "http") == 0
    assert status_series(second) == status_series(first)


def test_an_unchanged_feed_is_answered_304_by_last_modified(
    simulator: Simulator, feed_exporter: Any
) -> None:
    simulator.add_incident(PRODUCT, severity="Minor")
    document = simulator.feed_events()
    # One answer with Last-Modified and no ETag, as some servers send.
    simulator.inject(
        EVENTS,
        status=200,
        body=document.body,
        headers={"Last-Modified": formatdate(document.last_modified, usegmt=True)},
    )
    exporter = feed_exporter()
    first = exporter.scrape()
    second = exporter.scrape()
    sent = simulator.last_headers(EVENTS)
    assert "if-modified-since" in sent
    assert "if-none-match" not in sent
    assert simulator.not_modified(EVENTS) == 1
    assert requests_total(second, "events", "304") == 1
    assert value(second, "adobe_status_up") == 1
    assert status_series(second) == status_series(first)


def test_a_changed_feed_is_read_on_the_next_scrape_after_the_cache_ttl(
    simulator: Simulator, feed_exporter: Any, clock: FakeClock
) -> None:
    exporter = feed_exporter(cache_ttl=60)
    before = exporter.scrape()
    assert value(before, "adobe_status_incidents_open", **_analytics("major")) == 0
    simulator.add_incident(PRODUCT, severity="Major")
    cached = exporter.scrape()
    assert simulator.requests(EVENTS) == 1  # inside the TTL nothing is asked
    assert status_series(cached) == status_series(before)
    clock.advance(61)
    after = exporter.scrape()
    assert simulator.requests(EVENTS) == 2
    assert simulator.not_modified(EVENTS) == 0  # the new document, read at once
    assert value(after, "adobe_status_incidents_open", **_analytics("major")) == 1
    assert simulator.requests(REGISTRY) == 1  # the registry keeps its own TTL


def test_validators_of_an_answer_that_failed_to_parse_are_not_reused(
    simulator: Simulator, feed_exporter: Any
) -> None:
    exporter = feed_exporter()
    exporter.scrape()
    document = simulator.feed_events()
    # A truncated body carrying the current document's ETag (a cut connection at a cache).
    simulator.inject(
        EVENTS,
        status=200,
        body=document.body[: len(document.body) // 2],
        headers={"ETag": document.etag},
    )
    broken = exporter.scrape()
    assert value(broken, "adobe_status_up") == 0
    assert errors(broken, "events", "invalid_response") == 1
    recovered = exporter.scrape()
    assert "if-none-match" not in simulator.last_headers(EVENTS)
    assert simulator.not_modified(EVENTS) == 0
    assert value(recovered, "adobe_status_up") == 1


def test_concurrent_scrapes_share_one_conditional_request(
    simulator: Simulator, feed_exporter: Any
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    exporter = feed_exporter()
    exporter.scrape()
    simulator.inject(EVENTS, delay=0.5)  # the request stays in flight while the others arrive
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: exporter.scrape(), range(8)))
    assert all(value(samples, "adobe_status_up") == 1 for samples in results)
    # The first scrape, the shared slow request, and at most one latecomer: never 9.
    assert simulator.requests(EVENTS) <= 3


def test_a_gzip_encoded_feed_is_read(simulator: Simulator, feed_exporter: Any) -> None:
    # A CDN compresses the 8 MB document: the exporter asks for it (Accept-Encoding) and
    # reads it decoded.
    simulator.add_incident(PRODUCT, severity="Major")
    plain = feed_exporter().scrape()
    document = simulator.feed_events()
    simulator.inject(
        EVENTS,
        status=200,
        body=gzip.compress(document.body),
        headers={"Content-Encoding": "gzip"},
    )
    compressed = feed_exporter().scrape()
    assert "gzip" in simulator.last_headers(EVENTS)["accept-encoding"]
    assert value(compressed, "adobe_status_up") == 1
    assert status_series(compressed) == status_series(plain)


# --- broken answers -----------------------------------------------------------------------

NO_KNOWN_KEY = b'{"status": "ok", "data": {}}'


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (
            {
                "status": 403,
                "body": "<html><body>Forbidden</body></html>",
                "content_type": "text/html",
            },
            "http",
        ),
        (
            {
                "status": 200,
                "body": "<!DOCTYPE html><html>Sign in</html>",
                "content_type": "text/html",
            },
            "invalid_response",
        ),
        (
            {"status": 200, "body": "  <html>Sign in</html>", "content_type": "application/json"},
            "invalid_response",
        ),
        (
            {"status": 200, "body": '{"incidentEvent": {}}', "content_type": "text/html"},
            "invalid_response",
        ),
        (
            {"status": 200, "body": '{"incidentEvent": {"incidents": {"1": {"id"'},
            "invalid_response",
        ),
        ({"status": 200, "body": NO_KNOWN_KEY}, "invalid_response"),
        ({"status": 200, "body": "[]"}, "invalid_response"),
        ({"status": 500}, "http"),
    ],
    ids=[
        "403",
        "html-200",
        "html-as-json",
        "json-as-html",
        "truncated",
        "no-known-key",
        "array",
        "500",
    ],
)
def test_a_broken_events_answer_is_an_upstream_failure(
    simulator: Simulator, feed_exporter: Any, fault: dict[str, Any], reason: str
) -> None:
    simulator.inject(EVENTS, **fault)
    samples = feed_exporter().scrape()
    assert value(samples, "adobe_status_up") == 0
    assert errors(samples, "events", reason) == 1
    # Nothing good yet: no statuses at all, never 73 products "operational".
    assert series(samples, "adobe_status_product_status") == []


def test_after_a_good_scrape_a_broken_answer_keeps_the_last_statuses_with_up_0(
    simulator: Simulator, feed_exporter: Any
) -> None:
    simulator.add_incident(PRODUCT, severity="Major")
    exporter = feed_exporter()
    good = exporter.scrape()
    simulator.inject(EVENTS, status=200, body=NO_KNOWN_KEY, headers={"ETag": '"new"'})
    broken = exporter.scrape()
    assert value(broken, "adobe_status_up") == 0
    assert status_series(broken) == status_series(good)


@pytest.mark.parametrize(
    ("body", "up"),
    [
        ({"clouds": {}, "products": "many"}, 0),
        ({"status": "ok"}, 0),
        ([], 0),
        (
            {
                "clouds": {"c": {"id": "c", "name": 5, "cloudProducts": "p"}},
                "products": {
                    "p": {"name": "Adobe Analytics", "productServices": [None, 3]},
                    "q": 7,
                },
                "services": {"3": {"id": 3, "serviceEnvironments": ["e", {}]}},
                "environments": {"e": {"regionId": ["EMEA", None]}},
            },
            1,
        ),
    ],
    ids=["wrong-type", "no-known-key", "array", "missing-fields"],
)
def test_a_broken_registry_fails_the_collection_and_a_drifted_one_is_read(
    simulator: Simulator, feed_exporter: Any, body: Any, up: int
) -> None:
    simulator.inject(REGISTRY, status=200, body=json.dumps(body))
    samples = feed_exporter().scrape()
    assert value(samples, "adobe_status_up") == up
    assert errors(samples, "registry", "invalid_response") == 1 - up
    if up:
        labels = {"cloud": "5", "product": "Adobe Analytics", "product_id": "p"}
        assert value(samples, "adobe_status_product_status", **labels) == 0
        assert series(samples, "adobe_status_region_status") == [
            {**labels, "region": "EMEA", "region_id": "EMEA"}
        ]


# --- a real Prometheus --------------------------------------------------------------------


def test_prometheus_scrapes_feed_mode(
    simulator: Simulator, feed_exporter: Any, tmp_path: Path
) -> None:
    simulator.add_incident(PRODUCT, severity="Major")
    exporter = feed_exporter(cache_ttl=60)
    target = exporter.url.removeprefix("http://").rstrip("/")
    configs = [{"job_name": "feed", "static_configs": [{"targets": [target]}]}]
    with run_prometheus(tmp_path, configs) as prometheus:
        prometheus.wait_for('adobe_status_up{job="feed"} == 1', lambda result: len(result) == 1)
        result = prometheus.wait_for(
            f'adobe_status_product_status{{job="feed",product_id="{PRODUCT}"}}',
            lambda result: len(result) == 1,
        )
        assert result[0]["value"][1] == "4"
        assert prometheus.query('{__name__=~"adobe_status_token_.*"}') == []
        endpoints = prometheus.query(
            'count by (endpoint) (adobe_status_upstream_errors_total{job="feed"})'
        )
        assert {item["metric"]["endpoint"] for item in endpoints} == {"events", "registry"}


def _analytics(severity: str) -> dict[str, str]:
    return {
        "cloud": "Adobe Experience Cloud",
        "product": "Adobe Analytics",
        "product_id": PRODUCT,
        "severity": severity,
    }


def test_feed_mode_shows_adobes_words_from_the_feed_in_the_chosen_locale(
    simulator: Simulator, feed_exporter: Any, clock: FakeClock
) -> None:
    """The feed carries its texts itself: the page shows them, placeholders filled, with
    no call to the Status API's /messages (the feed has no such endpoint)."""
    custom = simulator.add_incident(
        product_id=PRODUCT,
        title="Analytics reports delayed",
        message="<p>Delayed since {startDateTime}.</p>",
    )
    canned = simulator.add_maintenance(product_id=PRODUCT, status="Started")
    exporter = feed_exporter(locale="fr")
    assert value(exporter.scrape(), "adobe_status_up") == 1

    start = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(clock.now)))
    # A custom text exists in English only: French falls back to it.
    assert says(exporter, custom)[:2] == ("Analytics reports delayed", f"Delayed since {start}.")
    # A canned text has its French translation in the feed's messages.
    assert says(exporter, canned)[:2] == (
        "Maintenance planifiée",
        "Nous avons commencé une maintenance",
    )
    assert simulator.message_requests() == []
