"""The fault matrix: every way Adobe can fail, each over real HTTP.

Each case asserts the contract's failure rules: /metrics answers 200 within the scrape
timeout with an exposition promtool accepts, adobe_status_up and the error reason are
right, the exporter stays alive, and the next good answer brings it back.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import pytest

from exporter.simulator import Simulator
from tests.support.exporters import (
    ExporterFactory,
    FakeClock,
    RunningExporter,
    Samples,
    parse_samples,
    value,
)
from tests.support.prometheus import assert_metrics_clean, free_port

pytestmark = pytest.mark.integration

SCRAPE_TIMEOUT = 3.0
BIG_BODY = b'{"incidents": [' + b" " * (50 * 1024 * 1024) + b"]}"


@dataclass(frozen=True)
class Case:
    endpoint: str  # where the fault is injected
    fault: dict[str, Any]
    up: int
    reason: str | None  # expected adobe_status_upstream_errors_total reason on `endpoint`
    unknown: dict[str, int] = field(default_factory=dict)  # adobe_status_unknown_values floor


def body(text: str | bytes) -> dict[str, Any]:
    return {"status": 200, "body": text if isinstance(text, bytes) else text.encode()}


TOKEN_OK = '{"access_token": "tok-%s", "token_type": "bearer", "expires_in": %s}'
INCIDENT = '{"id": "X", "products": [{"id": "503467", "severity": %s, "status": %s}]}'

CASES: dict[str, Case] = {
    # --- Status API ---
    "api-401-once": Case("events", {"status": 401, "times": 1}, 1, None),
    "api-401-always": Case("events", {"status": 401, "times": None}, 0, "http"),
    "api-403": Case("events", {"status": 403}, 0, "http"),
    "api-404": Case("events", {"status": 404}, 0, "http"),
    "api-429-seconds": Case("events", {"status": 429, "retry_after": "30"}, 0, "throttled"),
    "api-429-http-date": Case(
        "events", {"status": 429, "retry_after": "Wed, 21 Oct 2099 07:28:00 GMT"}, 0, "throttled"
    ),
    "api-429-no-header": Case("events", {"status": 429}, 0, "throttled"),
    "api-500": Case("events", {"status": 500}, 0, "http"),
    "api-502-html": Case(
        "events",
        {
            "status": 502,
            "body": b"<html><h1>502 Bad Gateway</h1></html>",
            "content_type": "text/html",
        },
        0,
        "http",
    ),
    "api-503": Case("events", {"status": 503}, 0, "http"),
    "api-headers-slower-than-scrape": Case("events", {"delay": SCRAPE_TIMEOUT + 2}, 0, "timeout"),
    "api-body-slower-than-scrape": Case(
        "events", {"slow_body": True, "delay": SCRAPE_TIMEOUT + 3}, 0, "timeout"
    ),
    "api-connection-dropped": Case("events", {"drop": True}, 0, "connection"),
    "api-truncated-json": Case(
        "events", body('{"incidents": [{"id": "1", "prod'), 0, "invalid_response"
    ),
    "api-json-null": Case("events", body("null"), 0, "invalid_response"),
    "api-json-list": Case("events", body("[]"), 0, "invalid_response"),
    "api-json-string": Case("events", body('"incidents"'), 0, "invalid_response"),
    "api-json-number": Case("events", body("42"), 0, "invalid_response"),
    "api-invalid-utf8": Case(
        "events", body(b'{"incidents": [{"id": "\xff\xfe"}]}'), 0, "invalid_response"
    ),
    "api-50mb-body": Case("events", body(BIG_BODY), 0, "invalid_response"),
    # A failed registry refresh keeps the previous registry: the events are still good.
    "api-registry-json-object": Case("products", body('{"products": []}'), 1, "invalid_response"),
    "api-wrong-field-types": Case(
        "events",
        body(
            '{"incidents": [{"id": 5, "products": {"a": 3}, "region": "eu"}], "maintenances": [{"id": [], "status": 7}]}'
        ),
        1,
        None,
        {"malformed_entry": 1},
    ),
    "api-nulls-inside-lists": Case(
        "events",
        body('{"incidents": [null, {"id": "X", "products": [null]}], "maintenances": [null]}'),
        1,
        None,
        {"malformed_entry": 3},
    ),
    "api-unknown-enums": Case(
        "events",
        body('{"incidents": [' + INCIDENT % ('"Catastrophic"', '"Smouldering"') + "]}"),
        1,
        None,
        {"severity": 1, "incident_status": 1},
    ),
    # --- IMS ---
    "ims-500": Case("token", {"status": 500}, 0, "http"),
    "ims-400-invalid-client": Case(
        "token",
        {"status": 400, "body": b'{"error": "invalid_client", "error_description": "nope"}'},
        0,
        "http",
    ),
    "ims-401-invalid-client": Case(
        "token",
        {"status": 401, "body": b'{"error": "invalid_client", "error_description": "nope"}'},
        0,
        "http",
    ),
    "ims-200-without-token": Case(
        "token", body('{"token_type": "bearer", "expires_in": 86399}'), 0, "invalid_response"
    ),
    "ims-200-html": Case(
        "token",
        {"status": 200, "body": b"<html>sign in</html>", "content_type": "text/html"},
        0,
        "invalid_response",
    ),
    "ims-expires-in-missing": Case(
        "token", body('{"access_token": "abcdef", "token_type": "bearer"}'), 0, "invalid_response"
    ),
    "ims-expires-in-negative": Case(
        "token", body(TOKEN_OK % ("neg", "-60")), 0, "invalid_response"
    ),
    "ims-expires-in-string": Case(
        "token", body(TOKEN_OK % ("str", '"soon"')), 0, "invalid_response"
    ),
}


def scrape_within_timeout(exporter: RunningExporter) -> Samples:
    response = exporter.get(
        "/metrics",
        headers={"X-Prometheus-Scrape-Timeout-Seconds": str(SCRAPE_TIMEOUT)},
        timeout=SCRAPE_TIMEOUT,  # the answer must come within the scrape timeout
    )
    assert response.status_code == 200
    assert_metrics_clean(response.text)
    return parse_samples(response.text)


def errors(samples: Samples, endpoint: str, reason: str) -> float:
    return (
        value(samples, "adobe_status_upstream_errors_total", endpoint=endpoint, reason=reason)
        or 0.0
    )


@pytest.mark.parametrize("name", list(CASES))
def test_fault(
    name: str, simulator: Simulator, exporter: RunningExporter, clock: FakeClock
) -> None:
    case = CASES[name]
    before = scrape_within_timeout(exporter)
    assert value(before, "adobe_status_up") == 1
    if case.endpoint == "token":
        simulator.revoke_tokens()  # make the next scrape ask IMS
    simulator.inject(case.endpoint, **{"times": 1, **case.fault})
    if case.endpoint == "products":
        clock.advance(3601)  # past --registry-ttl, so the registry is asked again

    during = scrape_within_timeout(exporter)
    assert value(during, "adobe_status_up") == case.up
    if case.reason is not None:
        assert (
            errors(during, case.endpoint, case.reason)
            == errors(before, case.endpoint, case.reason) + 1
        )
    for reason in ("timeout", "connection", "http", "throttled", "invalid_response"):
        if reason != case.reason:
            assert errors(during, case.endpoint, reason) == errors(before, case.endpoint, reason), (
                reason
            )
    for unknown_field, floor in case.unknown.items():
        assert (value(during, "adobe_status_unknown_values", field=unknown_field) or 0) >= floor
    if case.up == 0:
        # The last good statuses are still served, within --max-stale.
        assert len([k for k in during if k[0] == "adobe_status_product_status"]) == 73
    assert exporter.get("/-/healthy").status_code == 200

    simulator.clear_faults()
    if case.reason == "throttled":
        clock.advance(120)  # past Retry-After (the HTTP-date case is capped at an hour)
        clock.advance(3600)
    after = scrape_within_timeout(exporter)
    assert value(after, "adobe_status_up") == 1, name


# --- faults the simulator cannot play: nobody listening, or nobody answering ----------


@contextmanager
def blackhole() -> Iterator[int]:
    """A port whose accept queue is full, so new connections hang in SYN: connect timeout."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield port
    finally:
        for sock in [*fillers, server]:
            sock.close()


def test_status_api_connection_refused(make_exporter: ExporterFactory) -> None:
    exporter = make_exporter(api_url=f"http://127.0.0.1:{free_port()}")
    samples = scrape_within_timeout(exporter)
    assert value(samples, "adobe_status_up") == 0
    assert errors(samples, "products", "connection") == 1


def test_ims_connection_refused(make_exporter: ExporterFactory) -> None:
    exporter = make_exporter(ims_token_url=f"http://127.0.0.1:{free_port()}/ims/token/v3")
    samples = scrape_within_timeout(exporter)
    assert value(samples, "adobe_status_up") == 0
    assert errors(samples, "token", "connection") == 1
    assert value(samples, "adobe_status_token_requests_total", result="failure") == 1


def test_status_api_connect_timeout(make_exporter: ExporterFactory) -> None:
    with blackhole() as port:
        exporter = make_exporter(api_url=f"http://127.0.0.1:{port}", timeout=1.0)
        samples = scrape_within_timeout(exporter)
    assert value(samples, "adobe_status_up") == 0
    assert errors(samples, "products", "timeout") == 1


def test_ims_connect_timeout(make_exporter: ExporterFactory) -> None:
    with blackhole() as port:
        exporter = make_exporter(ims_token_url=f"http://127.0.0.1:{port}/ims/token/v3", timeout=1.0)
        samples = scrape_within_timeout(exporter)
    assert value(samples, "adobe_status_up") == 0
    assert errors(samples, "token", "timeout") == 1


@pytest.mark.parametrize("lifetime", ["99999999999", "1" + "0" * 400])
def test_absurd_token_lifetime_is_capped_to_a_day(
    simulator: Simulator, make_exporter: ExporterFactory, clock: FakeClock, lifetime: str
) -> None:
    exporter = make_exporter(registry_ttl=7 * 86400)  # only the token is asked again
    scrape_within_timeout(exporter)  # registry and a first token in hand
    clock.advance(86399 - 100)  # inside the renewal margin: the next scrape asks IMS
    simulator.inject("token", **body(TOKEN_OK % ("huge", lifetime)))
    # The events answer 500 (not 401), so the odd token stays cached and shows its expiry.
    simulator.inject("events", status=500)
    samples = scrape_within_timeout(exporter)
    assert value(samples, "adobe_status_token_requests_total", result="success") == 2
    assert value(samples, "adobe_status_token_expiry_timestamp_seconds") == clock.now + 86400


class EndlessBody(threading.Thread):
    """An HTTP server whose body has no Content-Length and goes on for 64 MiB."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.port = self.server.getsockname()[1]
        self.sent = 0
        self.handled = threading.Event()

    def run(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
            )
            chunk = b" " * 65536
            try:
                for _ in range(1024):
                    conn.sendall(chunk)
                    self.sent += len(chunk)
            except OSError:
                pass  # the exporter hung up: what we want
        self.handled.set()


def test_body_without_length_is_cut_at_the_size_limit(make_exporter: ExporterFactory) -> None:
    endless = EndlessBody()
    endless.start()
    exporter = make_exporter(
        api_url=f"http://127.0.0.1:{endless.port}", max_response_bytes=1024 * 1024
    )
    samples = scrape_within_timeout(exporter)
    assert value(samples, "adobe_status_up") == 0
    assert errors(samples, "products", "invalid_response") == 1
    assert endless.handled.wait(10)
    assert endless.sent < 8 * 1024 * 1024  # stopped reading soon after the 1 MiB limit
