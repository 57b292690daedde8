"""The OAuth token: cached, renewed before expiry, renewed once after a 401, never duplicated."""

from __future__ import annotations

import logging
import threading

import pytest

from exporter.simulator import Simulator
from tests.support.exporters import (
    ExporterFactory,
    FakeClock,
    RunningExporter,
    parse_samples,
    value,
)

pytestmark = pytest.mark.integration


def test_token_is_cached_across_scrapes(simulator: Simulator, exporter: RunningExporter) -> None:
    for _ in range(5):
        assert value(exporter.scrape(), "adobe_status_up") == 1
    assert simulator.requests("token") == 1


def test_token_renewed_refresh_margin_before_expiry(
    simulator: Simulator, make_exporter: ExporterFactory, clock: FakeClock
) -> None:
    simulator.set_expires_in(3600)
    exporter = make_exporter(token_refresh_margin=300)
    first = exporter.scrape()
    clock.advance(3600 - 301)
    exporter.scrape()
    assert simulator.requests("token") == 1
    clock.advance(2)  # now inside the margin, token still valid upstream
    second = exporter.scrape()
    assert simulator.requests("token") == 2
    assert value(second, "adobe_status_token_expiry_timestamp_seconds") > value(  # type: ignore[operator]
        first, "adobe_status_token_expiry_timestamp_seconds"
    )


def test_short_token_lifetime_renews_at_half_life_not_every_scrape(
    simulator: Simulator, make_exporter: ExporterFactory, clock: FakeClock
) -> None:
    simulator.set_expires_in(20)  # shorter than the 300 s margin
    exporter = make_exporter()
    exporter.scrape()
    clock.advance(9)
    exporter.scrape()
    assert simulator.requests("token") == 1
    clock.advance(2)
    assert value(exporter.scrape(), "adobe_status_up") == 1
    assert simulator.requests("token") == 2


def test_expired_token_is_replaced(
    simulator: Simulator, make_exporter: ExporterFactory, clock: FakeClock
) -> None:
    simulator.set_expires_in(60)
    exporter = make_exporter()
    exporter.scrape()
    clock.advance(120)
    assert value(exporter.scrape(), "adobe_status_up") == 1
    assert simulator.requests("token") == 2


def test_revoked_token_gets_one_new_token_and_one_retry(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    exporter.scrape()
    simulator.reset_counts()
    simulator.revoke_tokens()
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 1
    assert simulator.requests("token") == 1
    assert simulator.requests("events") == 2
    assert value(samples, "adobe_status_api_requests_total", endpoint="events", code="401") == 1


def test_persistent_401_fails_after_one_retry(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    simulator.inject("events", status=401, times=None)
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 0
    assert simulator.requests("token") == 2
    assert simulator.requests("events") == 2
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="events", reason="http") == 1
    )


def test_parallel_scrapes_after_expiry_send_one_token_request(
    simulator: Simulator, make_exporter: ExporterFactory, clock: FakeClock
) -> None:
    simulator.set_expires_in(60)
    exporter = make_exporter()
    exporter.scrape()
    clock.advance(120)
    simulator.reset_counts()
    simulator.inject("token", delay=0.5)  # keep the token request in flight while others arrive
    ups: list[float | None] = []
    threads = [
        threading.Thread(target=lambda: ups.append(value(exporter.scrape(), "adobe_status_up")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert simulator.requests("token") == 1
    assert simulator.requests("events") <= 2
    assert len(ups) == 8


def test_invalid_client_is_counted_as_token_failure(
    simulator: Simulator, make_exporter: ExporterFactory
) -> None:
    from exporter.secret import Secret

    exporter = make_exporter(client_secret=Secret("wrong-secret"))
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 0
    assert value(samples, "adobe_status_token_requests_total", result="failure") == 1
    assert value(samples, "adobe_status_api_requests_total", endpoint="token", code="401") == 1
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="token", reason="http") == 1
    )
    assert value(samples, "adobe_status_token_expiry_timestamp_seconds") is None


def test_a_refused_secret_is_warned_about_once_however_many_scrapes_fail(
    make_exporter: ExporterFactory, caplog: pytest.LogCaptureFixture
) -> None:
    from exporter.secret import Secret

    exporter = make_exporter(client_secret=Secret("wrong-secret"))
    with caplog.at_level(logging.DEBUG, logger="exporter"):
        for _ in range(3):
            assert value(exporter.scrape(), "adobe_status_up") == 0
    loud = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and "invalid_client" in r.getMessage()
    ]
    assert loud == ["collection failed: token: http: IMS refused: invalid_client"]
    # The rest stays within reach at debug level.
    assert any(
        r.levelno == logging.DEBUG and "token request" in r.getMessage() for r in caplog.records
    )


def test_a_token_answer_trickling_past_the_scrape_deadline_is_cut_as_a_timeout(
    simulator: Simulator, make_exporter: ExporterFactory
) -> None:
    exporter = make_exporter(timeout=10)
    simulator.inject("token", slow_body=True, delay=6)
    # requests' own timeout holds the scrape to its deadline: the body is read under it.
    response = exporter.get(
        "/metrics", headers={"X-Prometheus-Scrape-Timeout-Seconds": "2"}, timeout=2
    )
    samples = parse_samples(response.text)
    assert value(samples, "adobe_status_up") == 0
    assert value(samples, "adobe_status_token_requests_total", result="failure") == 1
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="token", reason="timeout")
        == 1
    )
    assert value(exporter.scrape(), "adobe_status_up") == 1  # the next token arrives whole


def test_a_token_answer_over_the_size_cap_is_refused_unread(
    simulator: Simulator, make_exporter: ExporterFactory
) -> None:
    exporter = make_exporter(max_response_bytes=4096)
    padding = " " * 8192
    simulator.inject(
        "token",
        status=200,
        body=f'{{"access_token": "abc", "expires_in": 86399,{padding}"token_type": "bearer"}}',
    )
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 0
    assert (
        value(
            samples,
            "adobe_status_upstream_errors_total",
            endpoint="token",
            reason="invalid_response",
        )
        == 1
    )
    assert value(samples, "adobe_status_token_requests_total", result="failure") == 1
