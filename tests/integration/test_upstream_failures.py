"""The contract's failure rules, each over real HTTP against the simulator."""

from __future__ import annotations

import email.utils

import pytest

from exporter.simulator import Simulator
from tests.support.exporters import ExporterFactory, FakeClock, RunningExporter, series, value

pytestmark = pytest.mark.integration


def states(samples: dict) -> int:  # type: ignore[type-arg]
    return len(series(samples, "adobe_status_product_status"))


@pytest.mark.parametrize("status", [500, 502, 503, 403, 404])
def test_http_error_gives_up_0_with_reason_http_and_keeps_last_good_state(
    simulator: Simulator, exporter: RunningExporter, status: int
) -> None:
    assert states(exporter.scrape()) == 73
    simulator.inject(
        "events", status=status, body=b"<html>bad gateway</html>", content_type="text/html"
    )
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 0
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="events", reason="http") == 1
    )
    assert (
        value(samples, "adobe_status_api_requests_total", endpoint="events", code=str(status)) == 1
    )
    assert states(samples) == 73  # the last good state, within --max-stale
    assert value(exporter.scrape(), "adobe_status_up") == 1  # recovery on the next good answer


def test_stale_state_dropped_after_max_stale(
    simulator: Simulator, make_exporter: ExporterFactory, clock: FakeClock
) -> None:
    exporter = make_exporter(max_stale=300)
    exporter.scrape()
    simulator.inject("events", status=500, times=None)
    clock.advance(299)
    assert states(exporter.scrape()) == 73
    clock.advance(2)
    samples = exporter.scrape()
    assert states(samples) == 0
    assert value(samples, "adobe_status_up") == 0
    assert value(samples, "adobe_status_last_success_timestamp_seconds") is not None


@pytest.mark.parametrize(
    "body",
    [b'{"incidents": [', b"not json at all", b"\xff\xfe\xfa", b"null", b"[]", b'"text"', b"42"],
)
def test_unreadable_events_body_is_invalid_response(
    simulator: Simulator, exporter: RunningExporter, body: bytes
) -> None:
    simulator.inject("events", status=200, body=body)
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 0
    assert (
        value(
            samples,
            "adobe_status_upstream_errors_total",
            endpoint="events",
            reason="invalid_response",
        )
        == 1
    )
    assert value(exporter.scrape(), "adobe_status_up") == 1


def test_nulls_and_wrong_types_inside_events_are_read_around(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    body = b'{"incidents": [null, 5, {"id": "X", "products": [null, {"id": "503467", "severity": "Major", "status": "Opened"}]}], "maintenances": "odd"}'
    simulator.inject("events", status=200, body=body)
    samples = exporter.scrape()
    # "maintenances" being a string is a shape the spec does not allow: not readable.
    assert value(samples, "adobe_status_up") == 0
    body = b'{"incidents": [null, 5, {"id": "X", "products": [null, {"id": "503467", "severity": "Major", "status": "Opened"}]}], "maintenances": [null]}'
    simulator.inject("events", status=200, body=body)
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 1
    assert value(samples, "adobe_status_unknown_values", field="malformed_entry") == 4


def test_throttled_429_with_seconds_blocks_requests_until_retry_after(
    simulator: Simulator, exporter: RunningExporter, clock: FakeClock
) -> None:
    exporter.scrape()
    simulator.inject("events", status=429, retry_after="30")
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 0
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="events", reason="throttled")
        == 1
    )
    before = simulator.requests("events")
    clock.advance(29)
    samples = exporter.scrape()
    assert simulator.requests("events") == before  # nothing sent inside the window
    assert value(samples, "adobe_status_up") == 0
    assert states(samples) == 73  # cache served
    clock.advance(2)
    assert value(exporter.scrape(), "adobe_status_up") == 1
    assert simulator.requests("events") == before + 1


def test_throttled_429_with_http_date(
    simulator: Simulator, exporter: RunningExporter, clock: FakeClock
) -> None:
    exporter.scrape()
    when = email.utils.formatdate(clock.now + 120, usegmt=True)
    simulator.inject("events", status=429, retry_after=when)
    exporter.scrape()
    before = simulator.requests("events")
    clock.advance(100)
    exporter.scrape()
    assert simulator.requests("events") == before
    clock.advance(25)
    assert value(exporter.scrape(), "adobe_status_up") == 1


def test_slow_upstream_is_cut_at_scrape_timeout(
    simulator: Simulator, make_exporter: ExporterFactory
) -> None:
    exporter = make_exporter(timeout=10)
    exporter.scrape()
    simulator.inject("events", delay=5.0)
    # requests' own timeout enforces the contract: the answer must come within the scrape timeout.
    response = exporter.get(
        "/metrics", headers={"X-Prometheus-Scrape-Timeout-Seconds": "1.5"}, timeout=1.5
    )
    assert response.status_code == 200
    from tests.support.exporters import parse_samples

    samples = parse_samples(response.text)
    assert value(samples, "adobe_status_up") == 0
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="events", reason="timeout")
        == 1
    )


def test_body_slower_than_scrape_timeout_is_cut(
    simulator: Simulator, make_exporter: ExporterFactory
) -> None:
    exporter = make_exporter(timeout=10)
    exporter.scrape()
    simulator.inject("events", slow_body=True)
    response = exporter.get(
        "/metrics", headers={"X-Prometheus-Scrape-Timeout-Seconds": "2"}, timeout=2
    )
    from tests.support.exporters import parse_samples

    samples = parse_samples(response.text)
    assert value(samples, "adobe_status_up") == 0
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="events", reason="timeout")
        == 1
    )


def test_connection_dropped_is_reason_connection(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    exporter.scrape()
    simulator.inject("events", drop=True)
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 0
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="events", reason="connection")
        == 1
    )
    assert value(samples, "adobe_status_api_requests_total", endpoint="events", code="error") == 1


def test_connection_refused_is_reason_connection(make_exporter: ExporterFactory) -> None:
    from tests.support.prometheus import free_port

    port = free_port()
    exporter = make_exporter(
        api_url=f"http://127.0.0.1:{port}", ims_token_url=f"http://127.0.0.1:{port}/ims/token/v3"
    )
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 0
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="token", reason="connection")
        == 1
    )
    assert value(samples, "adobe_status_token_requests_total", result="failure") == 1


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (500, b"oops", "http"),
        (400, b'{"error": "invalid_scope", "error_description": "bad scope"}', "http"),
        (200, b'{"token_type": "bearer", "expires_in": 86399}', "invalid_response"),
        (200, b"<html>login</html>", "invalid_response"),
        (200, b'{"access_token": "abc", "token_type": "bearer"}', "invalid_response"),
        (
            200,
            b'{"access_token": "abc", "token_type": "bearer", "expires_in": -5}',
            "invalid_response",
        ),
    ],
)
def test_ims_failures_give_up_0_and_token_failure(
    simulator: Simulator, exporter: RunningExporter, status: int, body: bytes, reason: str
) -> None:
    simulator.inject("token", status=status, body=body)
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 0
    assert value(samples, "adobe_status_token_requests_total", result="failure") == 1
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="token", reason=reason) == 1
    )
    assert value(exporter.scrape(), "adobe_status_up") == 1


def test_catalog_failure_without_previous_catalog_is_up_0(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    simulator.inject("products", status=500)
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 0
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="products", reason="http")
        == 1
    )
    assert value(exporter.scrape(), "adobe_status_up") == 1
