"""`impact_at(record, t)`: one event's effect on one product at an instant, by hand.

Each test reads a small hand-made feed (tests/support/record_cases.py builds its parts)
into records, as `history` and `backfill` do, and asks the replay at the instants where
the contract's rules turn: exactly at a start, an entry, an end, and a second either side.
"""

from __future__ import annotations

from typing import Any

from exporter.model.record import ProductRecord
from exporter.model.replay import impact_at
from exporter.model.vocabulary import Anomaly, Impact, State
from tests.support import record_cases as case
from tests.support.record_cases import MINUTE, NOW, entry, incident_product, kept_records

T = NOW - case.DAY  # the hand-made events happen around T; the record is read at NOW


def incident_record(product: dict[str, Any]) -> ProductRecord:
    """The record of one incident touching Adobe Analytics, read at NOW."""
    feed = {"incidentEvent": {"incidents": {"I": case.incident("I", {case.ANALYTICS: product})}}}
    (record,) = kept_records(feed, NOW)
    return record


def maintenance_record(
    entries: list[dict[str, Any]], history: object = None, **fields: Any
) -> ProductRecord:
    """The record of one maintenance of Adobe Photoshop (regions Americas and EMEA), read at
    NOW; `history`, when given, as the product's history instead of `entries` by time."""
    event = case.maintenance("M", case.PHOTOSHOP, entries, **fields)
    if history is not None:
        event["products"][case.PHOTOSHOP]["history"] = history
    event["regions"] = {name: {"id": name, "name": name} for name in ("Americas", "EMEA")}
    (record,) = kept_records({"maintenanceEvent": {"maintenance": {"M": event}}}, NOW)
    return record


def bare(at: int, **fields: Any) -> dict[str, Any]:
    """A history entry with nothing but its time and the given fields."""
    return {"messageType": "Canned", "messageTime": at, "statusTime": at, **fields}


def at(record: ProductRecord, t: float) -> Impact:
    impact = impact_at(record, t)
    assert impact is not None, f"nothing at {t - T:+}s from T"
    return impact


# --- incidents -----------------------------------------------------------------------


def test_an_incident_counts_from_its_started_on_before_its_first_entry_at_that_entry_s_severity() -> (
    None
):
    product = incident_product(
        case.ANALYTICS,
        [
            entry("Opened", "Minor", T, title="FIRST"),
            entry("Updated", "Major", T + 10 * MINUTE, title="SECOND"),
        ],
    )
    product["startedOn"] = T - 5 * MINUTE  # Adobe's start, before its first word
    record = incident_record(product)
    assert impact_at(record, T - 5 * MINUTE - 1) is None
    for t in (T - 5 * MINUTE, T - 1):
        impact = at(record, t)
        assert (impact.state, impact.severity, impact.status) == (State.MINOR, "minor", "opened")
        assert (impact.title_token, impact.message_token) == ("FIRST", "MSG_OPENED")
        assert (impact.start, impact.end) == (T - 5 * MINUTE, None)
    assert at(record, T).severity == "minor"
    assert at(record, T + 10 * MINUTE).severity == "major"


def test_an_incident_without_started_on_counts_from_its_first_entry() -> None:
    product = incident_product(
        case.ANALYTICS,
        [entry("Opened", "Minor", T), entry("Updated", "Major", T + 10 * MINUTE)],
    )
    del product["startedOn"]
    record = incident_record(product)
    assert impact_at(record, T - 1) is None
    first = at(record, T)
    assert (first.severity, first.status, first.start) == ("minor", "opened", T)
    assert at(record, T + 10 * MINUTE - 1).severity == "minor"
    assert at(record, T + 10 * MINUTE).severity == "major"


def test_an_incident_with_neither_start_nor_entries_is_nothing_before_it_was_read() -> None:
    product = {"id": case.ANALYTICS, "name": "Adobe Analytics", "status": "Opened"}
    product["severity"] = "Major"
    record = incident_record(product)
    assert impact_at(record, T) is None
    assert impact_at(record, NOW - 1) is None
    assert at(record, NOW).state == State.MAJOR  # read live: open


def test_an_incident_without_entries_counts_from_started_on_by_its_own_fields() -> None:
    product = {"id": case.ANALYTICS, "name": "Adobe Analytics", "startedOn": T}
    product.update(status="Opened", severity="Major", endedOn=0)
    record = incident_record(product)
    assert impact_at(record, T - 1) is None
    for t in (T, NOW - 1, NOW):
        impact = at(record, t)
        assert (impact.state, impact.status, impact.start, impact.end) == (
            State.MAJOR,
            "opened",
            T,
            None,
        )


def test_from_its_last_entry_on_an_incident_reads_as_its_own_fields_say() -> None:
    # Adobe raised it to Major and set its end without a history entry for either.
    product = incident_product(case.ANALYTICS, [entry("Opened", "Minor", T)], ended=T + 60 * MINUTE)
    product["severity"] = "Major"
    record = incident_record(product)
    for t in (T, T + 1, T + 60 * MINUTE - 1):
        impact = at(record, t)
        assert (impact.severity, impact.state, impact.end) == (
            "major",
            State.MAJOR,
            T + 60 * MINUTE,
        )
    assert impact_at(record, T + 60 * MINUTE) is None


def test_odd_values_are_reported_once_when_read_not_at_each_instant_replayed() -> None:
    product = incident_product(case.ANALYTICS, [entry("Investigating", "Major", T)])
    record = incident_record(product)
    anomalies: list[Anomaly] = []
    impact = impact_at(record, T + 1, anomalies)
    assert impact is not None and impact.status == "investigating"  # unknown: open
    assert anomalies == []
    impact_at(record, NOW, anomalies)
    assert anomalies == [Anomaly("incident_status", "investigating")]


def test_a_closing_entry_closes_an_incident_until_an_entry_reopens_it() -> None:
    product = incident_product(
        case.ANALYTICS,
        [
            entry("Opened", "Major", T),
            entry("Closed", "Major", T + 10 * MINUTE),
            entry("Reopened", "Major", T + 20 * MINUTE),
        ],
    )
    record = incident_record(product)
    assert at(record, T + 10 * MINUTE - 1).status == "opened"
    assert impact_at(record, T + 10 * MINUTE) is None
    assert impact_at(record, T + 20 * MINUTE - 1) is None
    assert at(record, T + 20 * MINUTE).status == "reopened"


def test_entries_without_status_or_severity_leave_them_to_the_product_s_own() -> None:
    product = incident_product(
        case.ANALYTICS, [entry("Opened", "Major", T), entry("Updated", "Major", T + 600)]
    )
    product["history"] = {str(x): bare(x, titleToken="T") for x in (T, T + 600)}
    product.update(status="Discovery", severity="Potential")
    record = incident_record(product)
    impact = at(record, T + 1)
    assert (impact.status, impact.severity, impact.state) == (
        "discovery",
        "potential",
        State.POTENTIAL,
    )


def test_an_incident_nobody_gave_a_status_counts_as_open_with_status_unknown() -> None:
    product = incident_product(
        case.ANALYTICS, [entry("Opened", "Major", T), entry("Updated", "Major", T + 600)]
    )
    product["history"] = {str(x): bare(x, severity="Major") for x in (T, T + 600)}
    del product["status"]
    record = incident_record(product)
    impact = at(record, T + 1)
    assert (impact.status, impact.state) == ("unknown", State.MAJOR)


def test_an_incident_s_texts_at_an_instant_are_its_latest_words_by_then_root_cause_included() -> (
    None
):
    product = incident_product(
        case.ANALYTICS,
        [
            entry("Opened", "Major", T, title="OPEN"),
            entry("Opened", "Major", T + 5 * MINUTE, cfs=True, title="CAUSE"),
            entry("Updated", "Major", T + 10 * MINUTE, title="UPDATE"),
        ],
    )
    record = incident_record(product)
    assert at(record, T + 5 * MINUTE - 1).title_token == "OPEN"
    assert at(record, T + 5 * MINUTE).title_token == "CAUSE"
    assert at(record, T + 10 * MINUTE - 1).title_token == "CAUSE"
    assert at(record, T + 10 * MINUTE).title_token == "UPDATE"


# --- maintenances --------------------------------------------------------------------


def test_a_maintenance_without_timed_entries_runs_from_started_on_to_completed_on() -> None:
    untimed: dict[str, Any] = {"status": "Started", "titleToken": "MNT_UNTIMED"}
    untimed["locationImpact"] = {"serviceRegions": ["EMEA"]}  # and no time at all
    start, end = T, T + 60 * MINUTE
    record = maintenance_record([], [untimed], status="Completed", startedOn=start, completedOn=end)
    assert impact_at(record, start - 1) is None
    for t in (start, end - 1):
        impact = at(record, t)
        assert (impact.status, impact.state, impact.severity) == (
            "in_progress",
            State.MAINTENANCE,
            "none",
        )
        assert (impact.region_ids, impact.title_token) == (("EMEA",), "MNT_UNTIMED")
        assert (impact.start, impact.end) == (start, None)
    assert impact_at(record, end) is None


def test_a_maintenance_without_timed_entries_or_started_on_never_ran_before_it_was_read() -> None:
    record = maintenance_record([], status="Scheduled", scheduledDate=T, completedOn=T + 600)
    assert impact_at(record, T) is None
    assert impact_at(record, T + 1) is None


def late_start() -> ProductRecord:
    """Scheduled a day ahead for T, started five minutes late, completed an hour after T."""
    entries = [
        entry("Scheduled", "None", T - case.DAY, title="MNT_SCHEDULED"),
        entry("Started", "None", T + 5 * MINUTE, title="MNT_STARTED"),
        entry("Completed", "None", T + 60 * MINUTE, title="MNT_COMPLETED"),
    ]
    return maintenance_record(
        entries,
        status="Completed",
        scheduledDate=T,
        startedOn=T + 5 * MINUTE,
        completedOn=T + 60 * MINUTE,
    )


def test_a_maintenance_is_scheduled_from_its_first_entry_until_started_with_its_scheduled_start() -> (
    None
):
    record = late_start()
    assert impact_at(record, T - case.DAY - 1) is None  # not announced yet
    for t in (T - case.DAY, T, T + 5 * MINUTE - 1):
        impact = at(record, t)
        assert (impact.status, impact.state) == ("scheduled", State.OPERATIONAL)
        assert (impact.start, impact.end, impact.title_token) == (T, None, "MNT_SCHEDULED")


def test_a_maintenance_runs_from_started_with_its_start_as_it_happened_until_completed() -> None:
    record = late_start()
    for t in (T + 5 * MINUTE, T + 5 * MINUTE + 1, T + 60 * MINUTE - 1):
        impact = at(record, t)
        assert (impact.status, impact.state) == ("in_progress", State.MAINTENANCE)
        assert (impact.start, impact.end, impact.title_token) == (
            T + 5 * MINUTE,
            None,
            "MNT_STARTED",
        )
    assert impact_at(record, T + 60 * MINUTE) is None


def test_a_maintenance_completed_before_its_closing_entry_knows_its_end_from_completed_on() -> None:
    entries = [
        entry("Scheduled", "None", T - case.DAY),
        entry("Started", "None", T),
        entry("Completed", "None", T + 70 * MINUTE),  # written ten minutes after the fact
    ]
    record = maintenance_record(
        entries, status="Completed", scheduledDate=T, startedOn=T, completedOn=T + 60 * MINUTE
    )
    assert at(record, T + 60 * MINUTE - 1).end is None
    for t in (T + 60 * MINUTE, T + 60 * MINUTE + 1):
        impact = at(record, t)
        assert (impact.status, impact.end) == ("in_progress", T + 60 * MINUTE)
    assert impact_at(record, T + 70 * MINUTE) is None


def test_a_maintenance_announced_without_a_status_reads_as_scheduled() -> None:
    entries = [bare(T - case.DAY, titleToken="MNT"), entry("Started", "None", T)]
    record = maintenance_record(entries, status="Started", scheduledDate=T, startedOn=T)
    impact = at(record, T - 1)
    assert (impact.status, impact.state) == ("scheduled", State.OPERATIONAL)
    assert at(record, T).status == "in_progress"


def test_an_unknown_maintenance_status_reads_as_scheduled_and_is_reported_once_when_read() -> None:
    entries = [entry("Scheduled", "None", T - case.DAY), entry("Postponed", "None", T)]
    record = maintenance_record(entries, status="Scheduled", scheduledDate=T + case.DAY)
    anomalies: list[Anomaly] = []
    impact = impact_at(record, T + 1, anomalies)
    assert impact is not None and impact.status == "scheduled"
    assert anomalies == []
    impact_at(record, NOW, anomalies)
    assert anomalies == [Anomaly("maintenance_status", "postponed")]


def test_a_maintenance_whose_own_status_says_completed_is_over_whatever_its_entries_say() -> None:
    entries = [entry("Scheduled", "None", T - case.DAY), entry("Started", "None", T)]
    record = maintenance_record(
        entries, status="Completed", cmrStatus="Approved", scheduledDate=T, startedOn=T
    )
    assert impact_at(record, NOW) is None


def ran_then_ended(**fields: Any) -> ProductRecord:
    """Scheduled a day ahead, started at T; its history stops there and only the event's
    own `status` (Completed) and `cmrStatus` (Canceled) say it is over, as Adobe's feed
    says for a maintenance canceled while it ran."""
    entries = [
        entry("Scheduled", "None", T - case.DAY, title="MNT_SCHEDULED"),
        entry("Started", "None", T, regions=["EMEA"], title="MNT_STARTED"),
    ]
    return maintenance_record(
        entries, status="Completed", cmrStatus="Canceled", scheduledDate=T, startedOn=T, **fields
    )


def test_a_maintenance_over_by_its_own_status_alone_ran_from_started_to_its_completed_on() -> None:
    record = ran_then_ended(completedOn=T + 40 * MINUTE)
    assert at(record, T - 1).status == "scheduled"
    for t in (T, T + 40 * MINUTE - 1):
        impact = at(record, t)
        assert (impact.status, impact.state) == ("in_progress", State.MAINTENANCE)
        assert (impact.start, impact.end, impact.title_token) == (T, None, "MNT_STARTED")
        assert impact.region_ids == ("EMEA",)
    for t in (T + 40 * MINUTE, NOW - 1, NOW):
        assert impact_at(record, t) is None


def test_a_maintenance_over_by_its_own_status_without_an_end_time_ran_until_it_was_read() -> None:
    record = ran_then_ended()  # no `completedOn`: the reading is the first word of its end
    for t in (T, NOW - 1):
        impact = at(record, t)
        assert (impact.status, impact.start, impact.end) == ("in_progress", T, None)
    assert impact_at(record, NOW) is None


def test_a_maintenance_canceled_before_it_started_never_runs_whatever_its_dates() -> None:
    entries = [entry("Scheduled", "None", T - case.DAY, title="MNT_SCHEDULED")]
    record = maintenance_record(
        entries, status="Completed", cmrStatus="Canceled", scheduledDate=T, completedOn=T + 600
    )
    for t in (T - case.DAY, T, T + 599, T + 600, NOW - 1, NOW):
        impact = impact_at(record, t)
        assert impact is None or impact.status == "scheduled"


def test_a_maintenance_update_speaks_from_its_own_time_not_from_the_start_before_it() -> None:
    entries = [
        entry("Scheduled", "None", T - case.DAY, title="MNT_SCHEDULED"),
        entry("Started", "None", T, regions=["Americas"], title="MNT_STARTED"),
        entry("Updated", "None", T + 10 * MINUTE, regions=["EMEA"], title="MNT_UPDATED"),
    ]
    record = maintenance_record(entries, status="Started", scheduledDate=T, startedOn=T)
    for t in (T, T + 10 * MINUTE - 1):
        impact = at(record, t)
        assert (impact.status, impact.title_token, impact.message_token) == (
            "in_progress",
            "MNT_STARTED",
            "MSG_STARTED",
        )
        assert impact.region_ids == ("Americas",)
    for t in (T + 10 * MINUTE, NOW - 1, NOW):
        impact = at(record, t)
        assert (impact.status, impact.title_token, impact.message_token) == (
            "in_progress",
            "MNT_UPDATED",
            "MSG_UPDATED",
        )
        assert impact.region_ids == ("EMEA",)


def test_a_maintenance_whose_entries_name_no_status_reads_as_its_own_from_its_last_entry() -> None:
    entries = [bare(T - case.DAY, titleToken="MNT"), bare(T, titleToken="MNT_NOW")]
    record = maintenance_record(entries, status="Started", scheduledDate=T, startedOn=T)
    assert at(record, T - 1).status == "scheduled"  # no word of a start yet
    for t in (T, NOW):
        impact = at(record, t)
        assert (impact.status, impact.title_token) == ("in_progress", "MNT_NOW")
