"""Adobe's record replayed over a window: a hand-made week with known minutes.

See tests/support/record_cases.py for what the week holds and the figures expected.
"""

from __future__ import annotations

import json

import pytest

from exporter.config import Selection
from exporter.model.replay import impact_at
from exporter.model.report import summarize
from exporter.model.vocabulary import State
from exporter.model.window import rows, totals
from exporter.sources.feed.status_events import read_feed
from tests.support import record_cases as case
from tests.support.record_cases import NOW, adobe_record


def test_an_escalation_reads_trivial_then_major_then_nothing_after_its_end() -> None:
    record = adobe_record()
    one = next(r for r in record.records if r.event.event_id == "I1")
    t1 = NOW - 2 * case.DAY
    states = [impact_at(one, t1 + minutes * 60) for minutes in (-1, 0, 29, 30, 89, 90, 2000)]
    assert [None if i is None else (i.state, i.severity) for i in states] == [
        None,
        (State.POTENTIAL, "trivial"),
        (State.POTENTIAL, "trivial"),
        (State.MAJOR, "major"),
        (State.MAJOR, "major"),
        None,
        None,  # the root-cause entry an hour ago does not reopen it
    ]


def test_each_product_of_one_event_keeps_its_own_regions() -> None:
    record = adobe_record()
    at = NOW - 3 * case.DAY + 60
    impacts = {r.product_id: impact_at(r, at) for r in record.records if r.event.event_id == "I2"}
    assert {pid: i.region_ids for pid, i in impacts.items() if i} == {
        case.ANALYTICS: ("EMEA",),
        case.AUDIENCE: ("Americas",),
    }
    report = summarize(record.catalog, [i for i in impacts.values() if i], record.scope)
    analytics = next(s for s in report.products if s.product.id == case.ANALYTICS)
    assert {rid: state for rid, (_, state) in analytics.regions.items()} == {
        "Americas": State.OPERATIONAL,
        "EMEA": State.MINOR,
    }


def test_maintenances_count_from_started_to_their_end_and_never_before_they_start() -> None:
    record = adobe_record()
    m1 = next(r for r in record.records if r.event.event_id == "M1")
    m2 = next(r for r in record.records if r.event.event_id == "M2")
    start = NOW - 4 * case.DAY
    assert impact_at(m2, start - 1).state == State.OPERATIONAL  # type: ignore[union-attr]
    assert impact_at(m2, start).state == State.MAINTENANCE  # type: ignore[union-attr]
    assert impact_at(m2, start + 40 * 60 - 1).state == State.MAINTENANCE  # type: ignore[union-attr]
    assert impact_at(m2, start + 40 * 60) is None
    seen = [impact_at(m1, start + minutes * 60) for minutes in range(0, 24 * 60, 10)]
    assert all(i is None or i.state == State.OPERATIONAL for i in seen)


def test_rows_hold_each_event_and_product_the_window_touches_with_its_seconds() -> None:
    record = adobe_record()
    found = rows(record, NOW - case.WINDOW)
    got = {(row.event_id, row.product_id): (row.severity, row.seconds) for row in found}
    assert got == case.EXPECTED_ROWS  # I3 ended before the window: left out
    open_row = next(row for row in found if row.event_id == "I4")
    assert open_row.end is None and open_row.as_dict()["end"] is None
    canceled = next(row for row in found if row.event_id == "M1")
    assert canceled.end == NOW - 3 * case.DAY - 12 * case.HOUR
    i1 = next(row for row in found if row.event_id == "I1").as_dict()
    assert i1["start"] == "2026-11-27T12:00:00Z"
    assert i1["end"] == "2026-11-27T13:30:00Z"
    assert i1["title"] == "Users may be unable to log in"
    assert i1["url"] == "https://status.adobe.com/products/503467/I1"
    assert i1["regions"] == ["Americas", "EMEA", "APAC"]  # the event's, none of its own


@pytest.mark.parametrize("product_id", [case.ANALYTICS, case.AUDIENCE, case.PHOTOSHOP])
def test_totals_give_the_minutes_at_each_state_and_the_availability(product_id: str) -> None:
    record = adobe_record()
    since = NOW - case.WINDOW
    per_product = {t.product.id: t for t in totals(record, since)}
    item = per_product[product_id]
    minutes = {
        "major": item.minutes(State.MAJOR),
        "minor": item.minutes(State.MINOR),
        "potential": item.minutes(State.POTENTIAL),
        "maintenance": item.minutes(State.MAINTENANCE),
    }
    assert minutes == pytest.approx(case.EXPECTED_MINUTES[product_id])
    assert item.incidents == case.EXPECTED_INCIDENTS[product_id]
    assert item.availability == pytest.approx(case.availability(product_id))


def test_a_region_selection_leaves_out_what_happened_only_elsewhere() -> None:
    record = adobe_record(Selection(regions=("Americas",)))
    since = NOW - case.WINDOW
    found = rows(record, since)
    assert ("I2", case.ANALYTICS) not in {(r.event_id, r.product_id) for r in found}
    analytics = next(t for t in totals(record, since) if t.product.id == case.ANALYTICS)
    assert analytics.minutes(State.MINOR) == pytest.approx(30)  # I6 only: I2 was EMEA


def test_the_replay_at_the_instant_of_reading_is_the_live_reading() -> None:
    record = adobe_record()
    events = read_feed(json.dumps(case.feed(NOW)).encode(), now=NOW)
    replayed = [i for r in record.records if (i := impact_at(r, NOW)) is not None]
    assert replayed == events.impacts
    assert [(i.event_id, i.product_id, i.state) for i in replayed] == [
        ("I4", case.AUDIENCE, State.MAJOR)
    ]


def test_an_event_begun_before_the_window_keeps_its_whole_row_and_counts_only_inside() -> None:
    record = adobe_record()
    t1 = NOW - 2 * case.DAY
    since = t1 + 40 * 60  # I1 was Trivial from t1, Major from t1 + 30 min
    i1 = next(row for row in rows(record, since) if row.event_id == "I1")
    assert (i1.start, i1.seconds, i1.severity) == (t1, 90 * 60, "major")
    analytics = next(t for t in totals(record, since) if t.product.id == case.ANALYTICS)
    assert analytics.minutes(State.POTENTIAL) == pytest.approx(0)
    assert analytics.minutes(State.MAJOR) == pytest.approx(50)
    assert analytics.window == NOW - since


def test_a_maintenance_canceled_while_it_ran_has_a_row_from_started_to_its_completed_on() -> None:
    # Its history stops at Started; only the event's own fields say it is over, and when.
    start = NOW - 2 * case.DAY
    entries = [
        case.entry("Scheduled", "None", start - case.DAY, title="MNT_TITLE"),
        case.entry("Started", "None", start, title="MNT_TITLE"),
    ]
    event = case.maintenance(
        "M3",
        case.PHOTOSHOP,
        entries,
        status="Completed",
        cmrStatus="Canceled",
        scheduledDate=start,
        startedOn=start,
        completedOn=start + 25 * case.MINUTE,
    )
    record = adobe_record(events_feed={"maintenanceEvent": {"maintenance": {"M3": event}}})
    (row,) = rows(record, NOW - case.WINDOW)
    assert (row.event_id, row.severity) == ("M3", "maintenance")
    assert (row.start, row.end, row.seconds) == (start, start + 25 * case.MINUTE, 25 * 60)
    photoshop = next(t for t in totals(record, NOW - case.WINDOW) if t.product.id == case.PHOTOSHOP)
    assert photoshop.minutes(State.MAINTENANCE) == pytest.approx(25)
