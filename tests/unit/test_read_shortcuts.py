"""The live readers' shortcuts say exactly what reading every event in full says.

When no record is kept, an event whose every product is closed (an incident product's
`endedOn` passed, a maintenance over by its status) and in which nothing is odd is
skipped; every other event is read in full. Reading with `keep` always reads in full, so
the two readings of one payload must give the same Impacts and the same Anomalies, in
the same order.
"""

from __future__ import annotations

from typing import Any

import pytest

from exporter.model.impacts import read_incident, read_maintenance
from exporter.model.record import ProductRecord
from exporter.model.vocabulary import Anomaly, Impact, parse_time
from exporter.simulator import Scale, Simulator
from exporter.simulator.feed_snapshot import Filters
from exporter.sources.api.dto import read_events
from exporter.sources.feed.status_events import read_feed
from exporter.sources.reading import EventReader
from tests.support import payloads as p

FROZEN = 1_767_225_600.0  # 2026-01-01T00:00:00Z
ENDED = 1_767_000_000  # before FROZEN
LATER = 1_768_000_000  # after FROZEN


def both_ways(read: EventReader, event: dict[str, Any]) -> tuple[Any, Any]:
    """(impacts, anomalies) read live, and read in full with every record kept."""
    live: tuple[list[Impact], list[Anomaly]] = ([], [])
    full: tuple[list[Impact], list[Anomaly]] = ([], [])
    kept: list[ProductRecord] = []
    read(event, *live, FROZEN, None)
    read(event, *full, FROZEN, kept.append)
    return live, full


def closed_incident(**changes: Any) -> dict[str, Any]:
    product = p.incident_product(
        status="Resolved", history=[p.history_entry("Opened", "Major", ENDED)]
    )
    product["endedOn"] = ENDED
    event = p.incident(products=[product], regions=[p.region("EMEA")])
    event.update(changes)
    return event


def over_maintenance(**changes: Any) -> dict[str, Any]:
    event = p.maintenance(status="Completed", regions=[p.region("EMEA")])
    event.update(changes)
    return event


@pytest.mark.parametrize(
    "event",
    [
        closed_incident(),
        closed_incident(region=[p.region("EMEA"), "junk"]),  # an odd region
        closed_incident(clouds=None),
        closed_incident(clouds="junk"),
        closed_incident(id=""),
        closed_incident(products=[{"id": "", "endedOn": ENDED}]),  # a product without id
        closed_incident(products=[{"id": "1", "endedOn": ENDED, "history": [None, {}]}]),
        closed_incident(products=[{"id": "1", "endedOn": ENDED, "history": "junk"}]),
        closed_incident(products=[{"id": "1", "endedOn": LATER, "status": "Opened"}]),
        closed_incident(products=[{"id": "1", "endedOn": 0, "status": "Opened"}]),
        closed_incident(products=[{"id": "1", "endedOn": ENDED}, "junk"]),
        closed_incident(products={"1": {"id": "1", "endedOn": ENDED, "history": {"1": 2}}}),
        closed_incident(products=[]),
    ],
)
def test_an_incident_reads_alike_live_and_in_full(event: dict[str, Any]) -> None:
    live, full = both_ways(read_incident, event)
    assert live == full


@pytest.mark.parametrize(
    "event",
    [
        over_maintenance(),
        over_maintenance(status="Started", cmrStatus="Canceled"),
        over_maintenance(status="Started"),
        over_maintenance(status="Bogus"),
        over_maintenance(products=[{"id": "", "history": []}]),
        over_maintenance(products=[{"id": "1", "history": [3]}]),
        over_maintenance(region="junk"),
        over_maintenance(id=None),
    ],
)
def test_a_maintenance_reads_alike_live_and_in_full(event: dict[str, Any]) -> None:
    live, full = both_ways(read_maintenance, event)
    assert live == full


def test_odd_entries_of_closed_events_are_still_counted() -> None:
    event = closed_incident(products=[{"id": "1", "endedOn": ENDED, "history": [None]}])
    (impacts, anomalies), _ = both_ways(read_incident, event)
    assert impacts == []
    assert anomalies == [Anomaly("malformed_entry", "history")]


@pytest.mark.parametrize("seed", [1, 2])
def test_forty_days_of_events_read_alike_live_and_in_full(seed: int) -> None:
    """Through both readers: the API's lists and the feed's maps."""
    simulator = Simulator(seed=seed, scale=Scale.forty_day(), clock=lambda: FROZEN)
    for read, body in (
        (read_events, simulator.snapshot().events_body(Filters())),
        (read_feed, simulator.feed_events().body),
    ):
        live = read(body, now=FROZEN)
        full = read(body, now=FROZEN, keep=lambda record: None)
        assert live.impacts  # open events to compare
        assert (live.impacts, live.anomalies) == (full.impacts, full.anomalies)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2026-01-01T00:00:00Z", FROZEN),
        ("2026-01-01 00:00:00", FROZEN),
        ("1970-01-01T00:00:00Z", 0.0),  # a date, not an absent one
        ("1.2e-5", 1.2e-5),  # a number with a '-' where dates have theirs
        ("-1.e-5", None),
        ("20260101", 20260101.0),  # digits read as epoch seconds first
        ("1767225600000", FROZEN),
        ("2026-13-01", None),
        ("junk", None),
    ],
)
def test_times_read_as_numbers_or_dates(value: str, seconds: float | None) -> None:
    assert parse_time(value) == seconds
