"""Adobe's record over a window (`exporter.model.window`), on small hand-made records.

The catalog knows one product (P1, in cloud CA); the events also name products it does not
know, as `history` meets them when Adobe adds a product before its catalog lists it. Every
figure below is counted by hand from the entries' times (NOW = 2026-11-29T12:00:00Z).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from exporter.config import Selection
from exporter.model.past import Totals
from exporter.model.report import resolve
from exporter.model.vocabulary import Product, ProductCatalog, Region, State
from exporter.model.window import AdobeRecord, Replayed, past, replay, rows, totals
from exporter.sources.feed.status_events import read_feed
from exporter.sources.reading import keeping_records
from tests.support.record_cases import DAY, HOUR, MINUTE, NOW, entry

P1 = Product("P1", "Catalog One", "Cloud A", "CA", (Region("Americas", "Americas"),))
CATALOG = ProductCatalog(products={"P1": P1}, clouds={"CA": "Cloud A", "CB": "Cloud B"})
TEXTS = {
    "en": {
        "INC_TITLE": {"textMessage": "Users may be unable to log in", "htmlMessage": ""},
        "RCA_TITLE": {"textMessage": "Root cause published", "htmlMessage": ""},
    }
}
# What the products the catalog does not know are, from their events alone.
X9 = Product("X9", "Uncatalogued Tool", "Cloud B", "CB")  # the catalog's name of CB
X8 = Product("X8", "No Cloud Tool", "unknown", "")  # its event names no cloud
X7 = Product("X7", "Zed Tool", "Cloud Z", "CZ")  # a cloud the catalog does not know


def product(product_id: str, name: str, entries: list[dict[str, Any]], ended: int = 0) -> Any:
    changes = [e for e in entries if e["messageType"] != "CFS"]
    return {
        "id": product_id,
        "name": name,
        "startedOn": changes[0]["messageTime"],
        "endedOn": ended,
        "status": changes[-1]["status"],
        "severity": changes[-1]["severity"],
        "history": {str(e["messageTime"]): e for e in entries},
    }


def incident(event_id: str, one: dict[str, Any], clouds: dict[str, str]) -> dict[str, Any]:
    return {
        "id": event_id,
        "products": {one["id"]: one},
        "clouds": {cloud_id: {"id": cloud_id, "name": name} for cloud_id, name in clouds.items()},
    }


def adobe_record(
    incidents: list[dict[str, Any]], selection: Selection | None = None
) -> AdobeRecord:
    feed = {
        "incidentEvent": {"incidents": {i["id"]: i for i in incidents}, "messages": TEXTS},
        "maintenanceEvent": {"maintenance": {}, "messages": {}},
    }
    events = keeping_records(read_feed, NOW)(json.dumps(feed).encode())
    scope = resolve(selection or Selection(), CATALOG)
    return AdobeRecord(CATALOG, scope, events.records, NOW, events.texts)


def e1() -> dict[str, Any]:
    """P1: minor 09:00-09:10, major to 10:00; a root cause (new title) at 11:30."""
    t = NOW - 3 * HOUR
    entries = [
        entry("Opened", "Minor", t),
        entry("Updated", "Major", t + 10 * MINUTE),
        entry("Closed", "Major", t + HOUR),
        entry("Closed", "Major", NOW - 30 * MINUTE, cfs=True, title="RCA_TITLE"),
    ]
    # The event names another cloud and another name: the catalog's product wins.
    return incident("E1", product("P1", "Event's name", entries, ended=t + HOUR), {"CB": "B"})


def e2() -> dict[str, Any]:
    """X9: minor since 10:00, still open; the event's first cloud is CB."""
    one = product("X9", "Uncatalogued Tool", [entry("Opened", "Minor", NOW - 2 * HOUR)])
    return incident("E2", one, {"CB": "Event's CB name", "CA": "Event's CA name"})


def e3() -> dict[str, Any]:
    """X8: major 11:10-11:40, no cloud."""
    entries = [
        entry("Opened", "Major", NOW - 50 * MINUTE),
        entry("Closed", "Major", NOW - 20 * MINUTE),
    ]
    return incident("E3", product("X8", "No Cloud Tool", entries, ended=NOW - 20 * MINUTE), {})


def e4() -> dict[str, Any]:
    """X7: trivial 06:00-07:00, in a cloud the catalog does not list."""
    entries = [
        entry("Opened", "Trivial", NOW - 6 * HOUR),
        entry("Closed", "Trivial", NOW - 5 * HOUR),
    ]
    return incident(
        "E4", product("X7", "Zed Tool", entries, ended=NOW - 5 * HOUR), {"CZ": "Cloud Z"}
    )


def expected(item: Product, window: float, incidents: int, **minutes: float) -> Totals:
    seconds = dict.fromkeys(State, 0.0)
    for state, value in minutes.items():
        seconds[State[state.upper()]] = value * 60
    return Totals(item, seconds, incidents, window)


def replays(record: AdobeRecord, since: float, *, keep: bool = True) -> list[Replayed]:
    """Each record replayed from `since` on; every one of them reaches past it."""
    out = [replay(one, since, keep=keep) for one in record.records]
    assert None not in out
    return [one for one in out if one is not None]


E1_ROW = {
    "event_id": "E1",
    "kind": "incident",
    "product_id": "P1",
    "product": "Catalog One",
    "cloud": "Cloud A",
    "severity": "major",
    "regions": ["Americas"],  # the entries name none: the catalog's regions of P1
    "start": "2026-11-29T09:00:00Z",
    "end": "2026-11-29T10:00:00Z",
    "seconds": 3600,
    "title": "Root cause published",  # Adobe's latest title, though it closed before
    "url": "https://status.adobe.com/products/P1/E1",
}


def test_a_row_holds_every_field_history_prints_for_a_catalog_product() -> None:
    found = rows(adobe_record([e1()]), NOW - DAY)
    assert [row.as_dict() for row in found] == [E1_ROW]


def test_products_the_catalog_does_not_know_are_named_and_clouded_by_their_event() -> None:
    found = rows(adobe_record([e1(), e2(), e3(), e4()]), NOW - DAY)
    got = {row.event_id: (row.product, row.cloud, row.severity) for row in found}
    assert got == {
        "E1": ("Catalog One", "Cloud A", "major"),
        "E2": ("Uncatalogued Tool", "Cloud B", "minor"),
        "E3": ("No Cloud Tool", "unknown", "major"),
        "E4": ("Zed Tool", "Cloud Z", "trivial"),
    }
    open_row = next(row for row in found if row.event_id == "E2").as_dict()
    assert (open_row["start"], open_row["end"], open_row["seconds"]) == (
        "2026-11-29T10:00:00Z",
        None,
        None,
    )


def test_totals_cover_the_catalog_then_each_product_only_the_events_name() -> None:
    since = NOW - DAY
    got = totals(adobe_record([e1(), e2(), e3(), e4()]), since)
    assert got == [
        expected(P1, DAY, 1, minor=10, major=50),
        expected(X9, DAY, 1, minor=120),
        expected(X8, DAY, 1, major=30),
        expected(X7, DAY, 1, potential=60),
    ]
    assert [item.availability for item in got] == pytest.approx(
        [1 - 60 / 1440, 1 - 120 / 1440, 1 - 30 / 1440, 1.0]
    )


def test_a_cloud_selection_keeps_the_products_of_that_cloud_catalogued_or_not() -> None:
    record = adobe_record([e1(), e2(), e3(), e4()], Selection(clouds=("CB",)))
    since = NOW - DAY
    assert [(row.event_id, row.product_id) for row in rows(record, since)] == [("E2", "X9")]
    assert totals(record, since) == [expected(X9, DAY, 1, minor=120)]


def test_one_second_of_an_incident_inside_the_window_counts() -> None:
    since = NOW - 20 * MINUTE - 1  # X8 was major until NOW - 20 min
    got = totals(adobe_record([e3()]), since)
    assert got == [expected(P1, 20 * MINUTE + 1, 0), expected(X8, 20 * MINUTE + 1, 1, major=1 / 60)]


@pytest.fixture
def local_time_five_hours_behind(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "EST+05")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("local_time_five_hours_behind")
def test_times_are_utc_whatever_the_local_time_zone() -> None:
    row = rows(adobe_record([e1()]), NOW - DAY)[0].as_dict()
    assert (row["start"], row["end"]) == ("2026-11-29T09:00:00Z", "2026-11-29T10:00:00Z")


def test_a_replay_kept_without_its_record_names_the_title_its_last_piece_had() -> None:
    since = NOW - DAY
    full = adobe_record([e1()])
    replayed = replays(full, since, keep=False)
    assert [one.record for one in replayed] == [None]  # the replay alone, as `serve` keeps it
    record = AdobeRecord(CATALOG, full.scope, [], NOW, full.texts, replayed=replayed)
    assert [row.as_dict() for row in rows(record, since)] == [
        {**E1_ROW, "title": "Users may be unable to log in"}  # the root cause came later
    ]


def closed_by_its_status() -> dict[str, Any]:
    """P1: major 07:00-08:00, closed by its status alone (no `endedOn`)."""
    entries = [entry("Opened", "Major", NOW - 5 * HOUR), entry("Closed", "Major", NOW - 4 * HOUR)]
    return incident("E5", product("P1", "Catalog One", entries), {"CA": "Cloud A"})


def test_an_incident_ending_as_the_window_begins_is_not_in_it() -> None:
    since = NOW - 4 * HOUR
    full = adobe_record([closed_by_its_status()])
    assert [replay(one, since) for one in full.records] == [None]
    assert [replay(one, since - 1) is not None for one in full.records] == [True]
    # Replayed from earlier on (as `serve` keeps it), then asked from `since`.
    replayed = replays(full, NOW - DAY)
    record = AdobeRecord(CATALOG, full.scope, [], NOW, full.texts, replayed=replayed)
    assert rows(record, since) == []
    assert totals(record, since) == [expected(P1, 4 * HOUR, 0)]
    assert [row.event_id for row in rows(record, since - 1)] == ["E5"]


def test_the_last_days_default_to_thirty_counted_back_from_the_reading() -> None:
    # P1 major from 31 days before NOW to 29.5 days before: 12 hours in the last 30 days.
    start, end = NOW - 31 * DAY, NOW - 29 * DAY - 12 * HOUR
    entries = [entry("Opened", "Major", start), entry("Closed", "Major", end)]
    old = incident("E6", product("P1", "Catalog One", entries, ended=end), {"CA": "Cloud A"})
    got = past(adobe_record([old]))
    assert (got.since, got.until) == (NOW - 30 * DAY, NOW)
    assert got.totals == (expected(P1, 30 * DAY, 1, major=12 * 60),)
