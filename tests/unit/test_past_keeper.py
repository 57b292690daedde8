"""The last 30 days of Adobe's record: read at most every --registry-ttl, and after a failed
reading (the API's extra /events?from&to) the one shared back-off, never every scrape."""

from __future__ import annotations

import logging

import pytest

from exporter.config import Selection
from exporter.errors import UpstreamError
from exporter.model.report import Scope, resolve
from exporter.model.vocabulary import ProductCatalog
from exporter.sources.api.dto import parse_catalog
from exporter.sources.past_keeper import PastKeeper
from tests.support import payloads
from tests.support.exporters import FakeClock

ERROR = UpstreamError("events", "http", "HTTP 503 from http://adobe.example/api/v1/events")
HOUR = 3600.0


def catalog_and_scope() -> tuple[ProductCatalog, Scope]:
    catalog, _ = parse_catalog(payloads.products_payload(), payloads.clouds_payload())
    return catalog, resolve(Selection(), catalog)


def test_a_reading_failing_for_an_hour_is_tried_a_handful_of_times_and_warned_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    keeper = PastKeeper(HOUR, 30, clock=clock)
    tries = 0
    with caplog.at_level(logging.DEBUG, logger="exporter.sources.past_keeper"):
        for _ in range(3600):  # one scrape a second for an hour
            if keeper.due(clock.now):
                tries += 1
                keeper.failed(ERROR)
            clock.advance(1)
    # 30 s, then doubling: tries at 0, 30, 90, 210, 450, 930 and 1890 s.
    assert tries == 7
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "last 30 days of events failed" in warnings[0].getMessage()


def test_the_reading_after_recovery_says_so_once_and_waits_the_registry_ttl(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    keeper = PastKeeper(HOUR, 30, clock=clock)
    keeper.failed(ERROR)
    clock.advance(30)
    assert keeper.due(clock.now)
    catalog, scope = catalog_and_scope()
    with caplog.at_level(logging.INFO, logger="exporter.sources.past_keeper"):
        keeper.update(catalog, scope, keeper.keeper(clock.now), clock.now)
    assert [r.getMessage() for r in caplog.records if "recovered" in r.getMessage()] == [
        "the last 30 days of events recovered after 1 failed attempt(s)"
    ]
    assert keeper.current is not None
    clock.advance(HOUR - 1)
    assert not keeper.due(clock.now)
    clock.advance(1)
    assert keeper.due(clock.now)


def test_zero_days_is_never_due() -> None:
    clock = FakeClock()
    assert not PastKeeper(HOUR, 0, clock=clock).due(clock.now)
