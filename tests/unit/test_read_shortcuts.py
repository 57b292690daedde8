"""The live readers' shortcuts say exactly what reading every event in full says.

When no record is kept, an event whose every product is closed (an incident product's
`endedOn` passed, a maintenance over by its status) and in which nothing is odd is
skipped; every other event is read in full. Reading with `keep` always reads in full, so
the two readings of one payload must give the same Impacts and the same Anomalies, in
the same order; a skipped event is not replayed at all, and with `keep` every product's
record is kept, whichever reader and shape (lists or maps) it comes through.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from exporter.model import impacts
from exporter.model.impacts import read_incident, read_maintenance
from exporter.model.record import ProductRecord
from exporter.model.replay import impact_at
from exporter.model.vocabulary import Anomaly, Impact, parse_time
from exporter.simulator import Scale, Simulator
from exporter.simulator.feed_snapshot import Filters
from exporter.sources.api.dto import parse_events, read_events
from exporter.sources.feed.status_events import parse_feed, read_feed
from exporter.sources.reading import EventReader, Events
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


def regions_named(event: dict[str, Any], value: object) -> dict[str, Any]:
    """The event with its regions under `regions` (as some of Adobe's shapes name them)."""
    del event["region"]
    event["regions"] = value
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
        regions_named(closed_incident(), [p.region("EMEA"), "junk"]),
        regions_named(closed_incident(), "junk"),
        regions_named(closed_incident(), [p.region("EMEA")]),
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
        regions_named(over_maintenance(), {"EMEA": p.region("EMEA"), "x": 1}),
    ],
)
def test_a_maintenance_reads_alike_live_and_in_full(event: dict[str, Any]) -> None:
    live, full = both_ways(read_maintenance, event)
    assert live == full


@pytest.fixture
def replayed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(event id, product id) of each product the readers replay, in order."""
    seen: list[tuple[str, str]] = []

    def recording(
        record: ProductRecord, t: float, anomalies: list[Anomaly] | None = None
    ) -> Impact | None:
        seen.append((record.event.event_id, record.product_id))
        return impact_at(record, t, anomalies)

    monkeypatch.setattr(impacts, "impact_at", recording)
    return seen


def feed_products(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its products in a map keyed by id, as the feed lists them."""
    event["products"] = {product["id"]: product for product in event["products"]}
    return event


@pytest.mark.parametrize(
    ("read", "event"),
    [
        (read_incident, closed_incident()),
        (read_incident, feed_products(closed_incident())),
        (read_incident, regions_named(closed_incident(), {"EMEA": p.region("EMEA")})),
        # ended this very second: an end at or before the reading closes it
        (read_incident, closed_incident(products=[{"id": "1", "endedOn": int(FROZEN)}])),
        (read_incident, closed_incident(products=[{"id": "1", "endedOn": "2025-12-31T00:00Z"}])),
        (read_maintenance, over_maintenance()),  # by its status alone
        (read_maintenance, over_maintenance(status="Canceled")),
        (read_maintenance, over_maintenance(status="Started", cmrStatus="Canceled")),
        (read_maintenance, over_maintenance(status=None, cmrStatus="Completed")),
        (read_maintenance, feed_products(over_maintenance())),
    ],
)
def test_a_plainly_closed_event_is_skipped_live_and_replayed_when_kept(
    read: EventReader, event: dict[str, Any], replayed: list[tuple[str, str]]
) -> None:
    """Nothing of it is replayed live; read with `keep`, each of its products is."""
    products = event["products"]
    ids = [
        product["id"] for product in (products.values() if isinstance(products, dict) else products)
    ]
    live, full = both_ways(read, event)
    assert live == full == ([], [])
    assert replayed == [(event["id"], product_id) for product_id in ids]  # the full reading's


@pytest.mark.parametrize(
    ("read", "event"),
    [
        (read_incident, closed_incident(products=[{"id": "1", "endedOn": LATER}])),
        (read_incident, closed_incident(products=[{"id": "1", "endedOn": int(FROZEN) + 1}])),
        (read_incident, closed_incident(products=[{"id": "1"}])),  # open: no end yet
        (read_maintenance, over_maintenance(status="Started")),
        (read_maintenance, over_maintenance(status="Started", cmrStatus="Scheduled")),
    ],
)
def test_an_event_not_plainly_closed_is_replayed_live(
    read: EventReader, event: dict[str, Any], replayed: list[tuple[str, str]]
) -> None:
    read(event, [], [], FROZEN, None)
    assert replayed == [(event["id"], product["id"]) for product in event["products"]]


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


def dto_body(arrays: Callable[[list[Any]], object]) -> dict[str, Any]:
    return {"incidents": arrays([closed_incident()]), "maintenances": arrays([p.maintenance()])}


def feed_body(maps: Callable[[list[Any]], object]) -> dict[str, Any]:
    return {
        "incidentEvent": {"incidents": maps([closed_incident()])},
        "maintenanceEvent": {"maintenance": maps([p.maintenance()])},
    }


def as_list(events: list[Any]) -> object:
    return events


def as_map(events: list[Any]) -> object:
    return {event["id"]: event for event in events}


def tree(parse: Callable[..., Events]) -> Callable[..., Events]:
    return lambda payload, **options: parse(payload, **options)


def streamed(read: Callable[..., Events]) -> Callable[..., Events]:
    return lambda payload, **options: read(json.dumps(payload).encode(), **options)


@pytest.mark.parametrize(
    ("read", "payload"),
    [
        (tree(parse_events), dto_body(as_list)),
        (tree(parse_events), dto_body(as_map)),
        (streamed(read_events), dto_body(as_list)),
        (streamed(read_events), dto_body(as_map)),
        (tree(parse_feed), feed_body(as_map)),
        (tree(parse_feed), feed_body(as_list)),
        (streamed(read_feed), feed_body(as_map)),
        (streamed(read_feed), feed_body(as_list)),
    ],
)
def test_every_product_record_is_kept_in_either_shape_closed_events_too(
    read: Callable[..., Events], payload: dict[str, Any]
) -> None:
    kept: list[ProductRecord] = []
    events = read(payload, now=FROZEN, keep=kept.append)
    assert [(r.event.event_id, r.event.kind, r.product_id) for r in kept] == [
        ("202608040123", "incident", "503467"),  # closed: no Impact, but its record
        ("CHG005822158", "maintenance", "503467"),
    ]
    assert [impact.event_id for impact in events.impacts] == ["CHG005822158"]
