"""The one back-off of auxiliary calls: 30 s after a failure, doubling up to --registry-ttl."""

from __future__ import annotations

import logging

import pytest

from exporter.errors import UpstreamError
from exporter.sources.backoff import FLOOR, Backoff
from tests.support.exporters import FakeClock

ERROR = UpstreamError("products", "http", "HTTP 500 from http://adobe.example/api/v1/products")
log = logging.getLogger("tests.backoff")


def waits(backoff: Backoff, clock: FakeClock, failures: int) -> list[float]:
    seen = []
    for _ in range(failures):
        backoff.failed(ERROR, "keeping what it has")
        seen.append(backoff.next_at - clock.now)
    return seen


def test_the_wait_starts_at_30_seconds_and_doubles_up_to_the_registry_ttl() -> None:
    clock = FakeClock()
    backoff = Backoff("catalog refresh", log, ceiling=300, clock=clock)
    assert waits(backoff, clock, 6) == [30, 60, 120, 240, 300, 300]


@pytest.mark.parametrize("ttl", [0, 1, 29])
def test_a_registry_ttl_under_30_seconds_still_waits_30_seconds(ttl: float) -> None:
    clock = FakeClock()
    backoff = Backoff("catalog refresh", log, ceiling=ttl, clock=clock)
    assert waits(backoff, clock, 3) == [FLOOR, FLOOR, FLOOR]


def test_due_only_once_the_wait_has_passed() -> None:
    clock = FakeClock()
    backoff = Backoff("texts", log, ceiling=3600, clock=clock)
    assert backoff.due()
    backoff.failed(ERROR, "showing tokens")
    clock.advance(FLOOR - 0.5)
    assert not backoff.due()
    clock.advance(0.5)
    assert backoff.due()


def test_one_warning_while_failing_and_one_line_on_recovery(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="tests.backoff")
    clock = FakeClock()
    backoff = Backoff("catalog refresh", log, ceiling=3600, clock=clock)
    backoff.succeeded()  # nothing to recover from: silent
    for _ in range(5):
        backoff.failed(ERROR, "keeping the catalog it has")
    backoff.succeeded()
    loud = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert [r.getMessage() for r in loud] == [
        "catalog refresh failed (products: http: HTTP 500 from "
        "http://adobe.example/api/v1/products); keeping the catalog it has; next try in 30s",
        "catalog refresh recovered after 5 failed attempt(s)",
    ]
    assert not backoff.failing and backoff.due()
    backoff.failed(ERROR, "keeping the catalog it has")
    assert backoff.next_at - clock.now == FLOOR  # a new outage starts again at 30 s


def test_thousands_of_failures_never_overflow_the_wait() -> None:
    clock = FakeClock()
    backoff = Backoff("texts", log, ceiling=3600, clock=clock)
    assert waits(backoff, clock, 2000)[-1] == 3600
