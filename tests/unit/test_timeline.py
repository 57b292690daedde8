"""Adobe's record cut into what holds still: `may_touch`, `pieces` and `spans`, by hand."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from exporter.model.record import ProductRecord
from exporter.model.replay import impact_at
from exporter.model.timeline import INF, Piece, instants, may_touch, pieces, spans
from exporter.model.vocabulary import Impact, State
from tests.support import record_cases as case
from tests.support.impacts import an_impact
from tests.support.record_cases import MINUTE, NOW, entry, incident_product, kept_records

T = NOW - case.DAY


def incident_record(product: dict[str, Any]) -> ProductRecord:
    feed = {"incidentEvent": {"incidents": {"I": case.incident("I", {case.ANALYTICS: product})}}}
    (record,) = kept_records(feed, NOW)
    return record


def maintenance_record(entries: list[dict[str, Any]], **fields: Any) -> ProductRecord:
    event = case.maintenance("M", case.PHOTOSHOP, entries, **fields)
    (record,) = kept_records({"maintenanceEvent": {"maintenance": {"M": event}}}, NOW)
    return record


def escalated() -> ProductRecord:
    """Trivial at T, Major ten minutes later, still open when read at NOW."""
    product = incident_product(
        case.ANALYTICS, [entry("Opened", "Trivial", T), entry("Updated", "Major", T + 10 * MINUTE)]
    )
    return incident_record(product)


def closed_at(end: int) -> ProductRecord:
    product = incident_product(
        case.ANALYTICS, [entry("Opened", "Major", T), entry("Closed", "Major", end)], ended=end
    )
    return incident_record(product)


def completed_at(end: int) -> ProductRecord:
    entries = [
        entry("Scheduled", "None", T - case.DAY),
        entry("Started", "None", T),
        entry("Completed", "None", end),
    ]
    return maintenance_record(entries, status="Completed", startedOn=T, completedOn=end)


def impact(event_id: str, state: State = State.MAJOR) -> Impact:
    return an_impact(event_id, state=state)


# --- may_touch -----------------------------------------------------------------------


def test_an_incident_ended_by_an_instant_does_not_touch_what_follows_it() -> None:
    record = closed_at(T + 60 * MINUTE)
    assert may_touch(record, T + 60 * MINUTE - 1)
    assert not may_touch(record, T + 60 * MINUTE)  # [start, end): over at its end
    assert not may_touch(record, T + 60 * MINUTE + 1)


def test_a_maintenance_completed_by_an_instant_does_not_touch_what_follows_it() -> None:
    record = completed_at(T + 60 * MINUTE)
    assert may_touch(record, T + 60 * MINUTE - 1)
    assert not may_touch(record, T + 60 * MINUTE)
    assert not may_touch(record, T + 60 * MINUTE + 1)


def test_events_with_no_end_may_touch_any_instant() -> None:
    assert may_touch(escalated(), NOW + case.DAY)
    running = maintenance_record([entry("Started", "None", T)], status="Started", startedOn=T)
    assert may_touch(running, NOW + case.DAY)


# --- pieces --------------------------------------------------------------------------


def test_an_escalation_is_two_pieces_the_last_one_open_past_the_reading() -> None:
    record = escalated()
    got = [(p.start, p.end, p.impact.severity) for p in pieces(record)]
    assert got == [(T, T + 10 * MINUTE, "trivial"), (T + 10 * MINUTE, INF, "major")]


def test_a_closed_incident_is_one_piece_from_its_start_to_its_end() -> None:
    record = closed_at(T + 60 * MINUTE)
    got = [(p.start, p.end, p.impact.severity) for p in pieces(record)]
    assert got == [(T, T + 60 * MINUTE, "major")]
    later = [(p.start, p.end) for p in pieces(record, since=T + 30 * MINUTE)]
    assert later == [(T + 30 * MINUTE, T + 60 * MINUTE)]


def test_pieces_from_an_instant_the_record_names_start_there() -> None:
    record = escalated()
    got = [(p.start, p.end, p.impact.severity) for p in pieces(record, since=T + 10 * MINUTE)]
    assert got == [(T + 10 * MINUTE, INF, "major")]


def _updated_after_started() -> ProductRecord:
    """In progress when read; an `Updated` entry (new text) after its `Started` entry."""
    entries = [
        entry("Scheduled", "None", T - case.DAY, title="MNT_SCHEDULED"),
        entry("Started", "None", T, title="MNT_STARTED"),
        entry("Updated", "None", T + 10 * MINUTE, title="MNT_UPDATED"),
    ]
    return maintenance_record(entries, status="Started", scheduledDate=T, startedOn=T)


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(escalated(), id="escalated"),
        pytest.param(closed_at(T + 60 * MINUTE), id="closed"),
        pytest.param(completed_at(T + 60 * MINUTE), id="completed"),
        pytest.param(_updated_after_started(), id="updated-after-started"),
    ],
)
def test_the_replay_holds_still_between_the_instants_a_record_names(
    record: ProductRecord,
) -> None:
    points = sorted(instants(record))
    for start, end in pairwise(points):
        here = impact_at(record, start)
        assert impact_at(record, start + 1) == here, start - T
        assert impact_at(record, end - 1) == here, start - T


# --- spans ---------------------------------------------------------------------------


def test_a_piece_ending_at_until_closes_its_span_there() -> None:
    one = impact("I1")
    got = list(spans([Piece(10, 20, one)], since=0, until=20))
    assert got == [(0, 10, []), (10, 20, [one]), (20, INF, [])]


def test_a_piece_ending_at_since_is_not_in_any_span() -> None:
    before, after = impact("I1"), impact("I2", State.MINOR)
    got = list(spans([Piece(-5, 0, before), Piece(0, 10, after)], since=0, until=20))
    assert got == [(0, 10, [after]), (10, INF, [])]


def test_overlapping_pieces_share_the_spans_where_both_hold() -> None:
    a, b = impact("I1"), impact("I2", State.MINOR)
    got = list(spans([Piece(0, 20, a), Piece(10, 30, b)], since=0, until=40))
    assert got == [(0, 10, [a]), (10, 20, [a, b]), (20, 30, [b]), (30, INF, [])]
