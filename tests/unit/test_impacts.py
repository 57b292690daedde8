"""One incident or maintenance, in either of Adobe's shapes (DTO lists, feed maps), read into
Impacts (exporter/model/impacts.py): a product's own words first, then its latest history
entry, then the event's; odd values counted as anomalies, never raised."""

from __future__ import annotations

from typing import Any

import pytest

from exporter.model.impacts import read_incident, read_maintenance
from exporter.model.record import ProductRecord
from exporter.model.replay import impact_at
from exporter.model.vocabulary import Anomaly, Impact, State, parse_time

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z
HOUR = 3600.0
EMEA = {"id": "EMEA", "name": "EMEA"}
AMERICAS = {"id": "Americas", "name": "Americas"}


def entry(status: str, at: float, **fields: Any) -> dict[str, Any]:
    return {"status": status, "messageTime": int(at * 1000), **fields}


def incident(*products: object, **fields: Any) -> dict[str, Any]:
    return {"id": "INC1", "region": [EMEA, AMERICAS], "products": list(products), **fields}


def product(**fields: Any) -> dict[str, Any]:
    return {"id": "p1", "name": "Analytics", **fields}


def incidents(event: dict[str, Any], now: float = NOW) -> tuple[list[Impact], list[Anomaly]]:
    impacts: list[Impact] = []
    anomalies: list[Anomaly] = []
    read_incident(event, impacts, anomalies, now)
    return impacts, anomalies


def maintenances(event: dict[str, Any]) -> tuple[list[Impact], list[Anomaly]]:
    impacts: list[Impact] = []
    anomalies: list[Anomaly] = []
    read_maintenance(event, impacts, anomalies, NOW)
    return impacts, anomalies


def as_feed(event: dict[str, Any]) -> dict[str, Any]:
    """The feed's shape of a DTO event: maps keyed by id, histories keyed by time."""
    feed = dict(event)
    feed["products"] = {
        item["id"]: {
            **item,
            "history": {str(e["messageTime"]): e for e in item.get("history", [])},
        }
        for item in event["products"]
    }
    return feed


# --- incidents ----------------------------------------------------------------------------


def test_an_open_incident_reads_into_one_impact_per_product() -> None:
    event = incident(
        product(status="Opened", severity="Major", startedOn=NOW - HOUR),
        product(id="p2", name="Photoshop", status="Updated", severity="Minor"),
        clouds=[{"id": "c1", "name": "Experience Cloud"}],
    )
    (first, second), anomalies = incidents(event)
    assert (first.event_id, first.kind, first.product_id, first.product_name) == (
        "INC1",
        "incident",
        "p1",
        "Analytics",
    )
    assert (first.severity, first.status, first.state, first.start) == (
        "major",
        "opened",
        State.MAJOR,
        NOW - HOUR,
    )
    assert (second.product_id, second.severity, second.state) == ("p2", "minor", State.MINOR)
    assert first.region_ids == ("EMEA", "Americas")
    assert first.clouds == (("c1", "Experience Cloud"),)
    assert anomalies == []


@pytest.mark.parametrize("status", ["Closed", "Resolved", "Dismissed", "Canceled"])
def test_a_closed_product_makes_no_impact(status: str) -> None:
    assert incidents(incident(product(status=status, severity="Major"))) == ([], [])


def test_an_end_time_passed_closes_the_product_whatever_its_status() -> None:
    ended = product(status="Opened", severity="Major", endedOn=NOW - 1)
    assert incidents(incident(ended)) == ([], [])
    running = product(status="Opened", severity="Major", endedOn=NOW + HOUR)
    (impact,), _ = incidents(incident(running))
    assert impact.end == NOW + HOUR


def test_without_its_own_status_and_severity_a_product_takes_its_latest_history() -> None:
    history = [
        entry("Opened", NOW - 3 * HOUR, severity="Minor"),
        entry("Updated", NOW - HOUR, severity="Major", titleToken="t2", messageToken="m2"),
    ]
    for shape in (incident(product(history=history)), as_feed(incident(product(history=history)))):
        (impact,), anomalies = incidents(shape)
        assert (impact.status, impact.severity, impact.state) == ("updated", "major", State.MAJOR)
        assert (impact.title_token, impact.message_token) == ("t2", "m2")
        assert impact.start == NOW - 3 * HOUR  # the first history entry, without startedOn
        assert anomalies == []


def test_history_is_read_oldest_first_however_it_is_listed() -> None:
    history = [
        entry("Closed", NOW - HOUR, severity="Major"),
        entry("Opened", NOW - 2 * HOUR, severity="Minor"),
    ]
    assert incidents(incident(product(history=history))) == ([], [])


def test_a_root_cause_report_neither_reopens_nor_changes_an_incident() -> None:
    history = [
        entry("Closed", NOW - 2 * HOUR, severity="Minor"),
        entry("Opened", NOW - HOUR, severity="Major", messageType="CFS", cfsURL="https://x/cfs"),
    ]
    assert incidents(incident(product(history=history))) == ([], [])


def test_the_latest_history_entry_names_the_products_regions() -> None:
    history = [
        entry("Opened", NOW - HOUR, severity="Minor", locationImpact={"serviceRegions": ["EMEA"]})
    ]
    (impact,), _ = incidents(incident(product(history=history)))
    assert (impact.region_ids, impact.region_names) == (("EMEA",), ("EMEA",))


def test_an_unknown_severity_counts_as_minor_and_is_reported() -> None:
    (impact,), anomalies = incidents(incident(product(status="Opened", severity="Catastrophic")))
    assert (impact.severity, impact.state) == ("unknown", State.MINOR)
    assert anomalies == [Anomaly("severity", "Catastrophic")]


def test_an_unknown_or_missing_status_counts_as_open_and_is_reported() -> None:
    (impact,), anomalies = incidents(incident(product(status="Investigating", severity="Minor")))
    assert impact.status == "investigating"
    assert anomalies == [Anomaly("incident_status", "investigating")]
    (impact,), anomalies = incidents(incident(product(severity="Minor")))
    assert impact.status == "unknown"
    assert anomalies == [Anomaly("incident_status", "<missing>")]


@pytest.mark.parametrize(
    ("event", "where"),
    [
        ({"products": [product(status="Opened")]}, "incident"),
        (incident({"name": "no id", "status": "Opened"}), "incident product"),
        (incident("not an object"), "incident product"),
    ],
)
def test_an_incident_or_product_without_an_id_is_skipped_and_reported(
    event: dict[str, Any], where: str
) -> None:
    impacts, anomalies = incidents(event)
    assert impacts == []
    assert anomalies == [Anomaly("malformed_entry", where)]


def test_a_malformed_history_entry_is_reported_and_the_rest_read() -> None:
    history = ["junk", entry("Opened", NOW - HOUR, severity="Major")]
    (impact,), anomalies = incidents(incident(product(history=history)))
    assert impact.severity == "major"
    assert anomalies == [Anomaly("malformed_entry", "history")]


# --- maintenances --------------------------------------------------------------------------


def maintenance(*products: object, **fields: Any) -> dict[str, Any]:
    return {
        "id": "MNT1",
        "region": [AMERICAS],
        "scheduledDate": NOW + HOUR,
        "products": list(products),
        **fields,
    }


@pytest.mark.parametrize(
    ("status", "state", "as_state"),
    [
        ("Started", "in_progress", State.MAINTENANCE),
        ("Scheduled", "scheduled", State.OPERATIONAL),
        ("Reminder", "scheduled", State.OPERATIONAL),
    ],
)
def test_a_maintenance_is_running_or_upcoming_by_its_latest_status(
    status: str, state: str, as_state: State
) -> None:
    history = [entry("Scheduled", NOW - 2 * HOUR), entry(status, NOW - HOUR)]
    (impact,), anomalies = maintenances(maintenance(product(history=history)))
    assert (impact.kind, impact.severity, impact.status, impact.state) == (
        "maintenance",
        "none",
        state,
        as_state,
    )
    assert impact.start == NOW + HOUR
    assert anomalies == []


@pytest.mark.parametrize(("field", "value"), [("status", "Completed"), ("cmrStatus", "Canceled")])
def test_a_maintenance_the_event_says_is_over_makes_no_impact(field: str, value: str) -> None:
    history = [entry("Started", NOW - HOUR)]
    event = maintenance(product(history=history), **{field: value})
    assert maintenances(event) == ([], [])


def test_a_maintenance_without_product_history_takes_the_events_status() -> None:
    (impact,), _ = maintenances(maintenance(product(), status="Started"))
    assert impact.status == "in_progress"
    (impact,), _ = maintenances(maintenance(product(), status="", cmrStatus="Started"))
    assert impact.status == "in_progress"
    (impact,), _ = maintenances(maintenance(product()))
    assert impact.status == "scheduled"


def test_an_updated_entry_changes_a_maintenances_text_not_its_state() -> None:
    history = [
        entry("Started", NOW - 2 * HOUR),
        entry("Updated", NOW - HOUR, titleToken="new title"),
    ]
    (impact,), _ = maintenances(maintenance(product(history=history)))
    assert (impact.status, impact.title_token) == ("in_progress", "new title")


def test_an_unknown_maintenance_status_reads_as_scheduled_and_is_reported() -> None:
    (impact,), anomalies = maintenances(maintenance(product(history=[entry("Paused", NOW)])))
    assert impact.status == "scheduled"
    assert anomalies == [Anomaly("maintenance_status", "paused")]


def test_a_maintenance_without_an_id_is_skipped_and_reported() -> None:
    event = maintenance(product())
    del event["id"]
    assert maintenances(event) == ([], [Anomaly("malformed_entry", "maintenance")])


# --- regions named by the latest history entry --------------------------------------------


def named_regions(service_regions: object, event_regions: list[Any]) -> list[tuple[str, str]]:
    history = [
        entry("Opened", NOW, severity="Minor", locationImpact={"serviceRegions": service_regions})
    ]
    (impact,), _ = incidents(incident(product(history=history), region=event_regions))
    return list(zip(impact.region_ids, impact.region_names, strict=True))


EUROPE = {"id": "r-eu", "name": "Europe"}


@pytest.mark.parametrize(
    ("service_regions", "named"),
    [
        (["r-eu"], [("r-eu", "Europe")]),  # an event region by its id
        (["Europe"], [("r-eu", "Europe")]),  # an event region by its name
        (["APAC"], [("APAC", "APAC")]),  # one the event does not name: its id as name
        (["r-eu", "Europe", "APAC", "APAC"], [("r-eu", "Europe"), ("APAC", "APAC")]),
        ([{"id": "AU", "name": "Australia"}], [("AU", "Australia")]),
        ([{"id": "r-eu", "name": "ignored"}], [("r-eu", "Europe")]),
        ({"AU": {"name": "Australia"}}, [("AU", "Australia")]),  # a map keyed by id
        ({"x": {"id": "AU", "name": "Australia"}}, [("AU", "Australia")]),
        ({"AU": "Australia"}, [("AU", "Australia")]),  # id -> name
        ({"AU": ""}, [("AU", "AU")]),
        (["", {"name": "no id"}], [("r-eu", "Europe")]),  # nothing usable: the event's
    ],
)
def test_the_latest_entry_names_regions_in_any_of_adobes_forms(
    service_regions: object, named: list[tuple[str, str]]
) -> None:
    assert named_regions(service_regions, [EUROPE]) == named


# --- maintenances, product by product ------------------------------------------------------


def test_a_malformed_maintenance_product_is_reported_and_the_next_read() -> None:
    event = maintenance("junk", {"name": "no id"}, product(history=[entry("Started", NOW)]))
    (impact,), anomalies = maintenances(event)
    assert impact.status == "in_progress"
    assert anomalies == [Anomaly("malformed_entry", "maintenance product")] * 2


def test_malformed_products_and_history_of_an_ended_maintenance_are_still_reported() -> None:
    event = maintenance(product(), {"name": "no id"}, product(id="p2", history="junk"))
    event["status"] = "Completed"
    assert maintenances(event) == (
        [],
        [Anomaly("malformed_entry", "maintenance product"), Anomaly("malformed_entry", "history")],
    )


def test_a_product_whose_maintenance_is_over_does_not_end_the_others() -> None:
    done = product(history=[entry("Started", NOW - HOUR), entry("Completed", NOW)])
    running = product(id="p2", history=[entry("Started", NOW)])
    (impact,), _ = maintenances(maintenance(done, running))
    assert impact.product_id == "p2"


@pytest.mark.parametrize("status", [None, "", "None", "null"])
def test_a_maintenance_saying_nothing_of_its_status_is_scheduled_without_an_anomaly(
    status: str | None,
) -> None:
    (impact,), anomalies = maintenances(maintenance(product(), status=status))
    assert impact.status == "scheduled"
    assert anomalies == []


def test_a_maintenance_names_its_clouds() -> None:
    event = maintenance(product(), clouds=[{"id": "c1", "name": "Experience Cloud"}])
    (impact,), _ = maintenances(event)
    assert impact.clouds == (("c1", "Experience Cloud"),)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(1, 1.0), (0.5, 0.5), (0, None), (-5, None), (1_767_225_600_000, 1_767_225_600.0)],
)
def test_any_positive_epoch_is_a_time_in_seconds_or_milliseconds(
    value: float, seconds: float | None
) -> None:
    assert parse_time(value) == seconds


# --- the history's order, and products one by one --------------------------------------------


def test_a_feed_history_is_ordered_by_its_time_keys() -> None:
    history = {
        str(int(NOW * 1000)): {"status": "Closed"},
        str(int((NOW - HOUR) * 1000)): {"status": "Opened", "severity": "Major"},
    }
    assert incidents(incident(product(history=history))) == ([], [])


def test_an_entry_without_message_time_is_ordered_by_its_status_time() -> None:
    history = [
        {"status": "Closed", "statusTime": int(NOW * 1000)},
        {"status": "Opened", "severity": "Major", "statusTime": int((NOW - HOUR) * 1000)},
    ]
    assert incidents(incident(product(history=history))) == ([], [])


def test_an_entry_without_any_time_counts_as_the_oldest() -> None:
    history = [entry("Closed", NOW), {"status": "Opened", "severity": "Major"}]
    assert incidents(incident(product(history=history))) == ([], [])


def test_entries_at_the_same_time_keep_their_listed_order() -> None:
    history = [entry("Opened", NOW, severity="Major"), entry("Closed", NOW)]
    assert incidents(incident(product(history=history))) == ([], [])


def test_an_absent_word_for_a_status_falls_back_to_the_history() -> None:
    history = [entry("Opened", NOW, severity="Minor")]
    (impact,), anomalies = incidents(incident(product(status="None", history=history)))
    assert impact.status == "opened"
    assert anomalies == []


def test_each_incident_product_is_read_whatever_the_one_before_it() -> None:
    event = incident(
        {"name": "no id"},
        product(id="ended", status="Opened", severity="Major", endedOn=NOW - 1),
        product(id="closed", status="Closed", severity="Major"),
        product(id="open", status="Opened", severity="Major"),
    )
    (impact,), anomalies = incidents(event)
    assert impact.product_id == "open"
    assert anomalies == [Anomaly("malformed_entry", "incident product")]


@pytest.mark.parametrize(
    ("field", "where"),
    [("products", "incident product"), ("clouds", "cloud"), ("region", "region")],
)
def test_a_list_that_is_neither_list_nor_map_is_reported(field: str, where: str) -> None:
    event = incident(product(status="Opened", severity="Major"))
    event[field] = "junk"
    _, anomalies = incidents(event)
    assert anomalies == [Anomaly("malformed_entry", where)]


def test_an_absent_word_in_the_latest_entry_falls_back_to_an_earlier_one() -> None:
    history = [
        entry("Opened", NOW - 2 * HOUR, severity="Major"),
        entry("", NOW - HOUR, severity="none"),
    ]
    (impact,), anomalies = incidents(incident(product(history=history)))
    assert (impact.status, impact.severity) == ("opened", "major")
    assert anomalies == []


def test_an_absent_word_in_cmr_status_is_no_status() -> None:
    (impact,), anomalies = maintenances(maintenance(product(), status="", cmrStatus="None"))
    assert impact.status == "scheduled"
    assert anomalies == []


# --- a maintenance's record, replayed before the reading ------------------------------------


def kept_maintenance(event: dict[str, Any]) -> ProductRecord:
    kept: list[ProductRecord] = []
    read_maintenance(event, [], [], NOW, kept.append)
    (record,) = kept
    return record


def completed_maintenance(**fields: Any) -> dict[str, Any]:
    """Scheduled for NOW-5h, started NOW-4h, completed NOW-2h."""
    return {
        "id": "M1",
        "status": "Completed",
        "products": [product()],
        "scheduledDate": NOW - 5 * HOUR,
        "startedOn": NOW - 4 * HOUR,
        "completedOn": NOW - 2 * HOUR,
        **fields,
    }


def test_a_maintenance_without_history_was_in_progress_from_its_start_to_its_completion() -> None:
    record = kept_maintenance(completed_maintenance())
    seen = [impact_at(record, NOW - hours * HOUR) for hours in (4.5, 4, 3, 2)]
    assert [(i.state, i.start, i.end) if i else None for i in seen] == [
        None,  # scheduled but not started: a timeline of its own would say "scheduled"
        (State.MAINTENANCE, NOW - 4 * HOUR, None),
        (State.MAINTENANCE, NOW - 4 * HOUR, None),
        None,
    ]


def test_a_maintenance_announced_before_its_start_was_known_to_start_when_scheduled() -> None:
    history = [
        entry("Scheduled", NOW - 10 * HOUR),
        entry("Started", NOW - 4 * HOUR),
        entry("Completed", NOW - 2 * HOUR),
    ]
    record = kept_maintenance(completed_maintenance(products=[product(history=history)]))
    before, during = impact_at(record, NOW - 6 * HOUR), impact_at(record, NOW - 3 * HOUR)
    assert before is not None and during is not None
    assert (before.status, before.state, before.start) == (
        "scheduled",
        State.OPERATIONAL,
        NOW - 5 * HOUR,
    )
    assert (during.status, during.state, during.start) == (
        "in_progress",
        State.MAINTENANCE,
        NOW - 4 * HOUR,
    )
