"""The contract's status rules, on payloads shaped like Adobe's spec (both shapes)."""

from __future__ import annotations

from typing import Any

import pytest

from exporter.config import Selection
from exporter.model.report import StatusReport, resolve, summarize
from exporter.model.vocabulary import State, Text, parse_time, severity_label
from exporter.sources.api.dto import parse_catalog, parse_events
from exporter.sources.feed.status_events import parse_feed
from exporter.sources.reading import ShapeError
from tests.support import payloads as p
from tests.support.payloads import NOW


def summary_of(
    payload: dict[str, Any], selection: Selection = Selection(), feed: bool = False
) -> StatusReport:
    registry, _ = parse_catalog(p.products_payload(), p.clouds_payload())
    events = parse_feed(payload, now=NOW) if feed else parse_events(payload, now=NOW)
    return summarize(registry, events.impacts, resolve(selection, registry), events.anomalies)


def product_state(summary: StatusReport, product_id: str) -> State:
    return next(s.state for s in summary.products if s.product.id == product_id)


def region_states(summary: StatusReport, product_id: str) -> dict[str, State]:
    status = next(s for s in summary.products if s.product.id == product_id)
    return {region.name: state for region, state in status.regions.values()}


@pytest.mark.parametrize(
    ("severity", "state"),
    [("Major", 4), ("Minor", 3), ("Potential", 2), ("Trivial", 2), ("MAJOR", 4), ("minor", 3)],
)
def test_incident_severity_sets_product_state(severity: str, state: int) -> None:
    summary = summary_of(p.events([p.incident(products=[p.incident_product(severity=severity)])]))
    assert product_state(summary, "503467") == state


@pytest.mark.parametrize("severity", [None, "", "None", "Catastrophic"])
def test_missing_or_unknown_severity_counts_as_minor_and_unknown(severity: str | None) -> None:
    summary = summary_of(p.events([p.incident(products=[p.incident_product(severity=severity)])]))
    status = next(s for s in summary.products if s.product.id == "503467")
    assert status.state == State.MINOR
    assert status.incidents["unknown"] == 1
    assert sum(status.incidents.values()) == 1


def test_only_unrecognised_severity_is_reported_as_anomaly() -> None:
    assert severity_label("Catastrophic")[1] is not None
    assert severity_label("None")[1] is None
    assert severity_label(None)[1] is None


def test_products_without_events_are_zero_filled() -> None:
    summary = summary_of(p.events())
    assert {s.product.id: s.state for s in summary.products} == {
        "503467": 0,
        "503486": 0,
        "503493": 0,
    }
    assert region_states(summary, "503467") == {"Americas": 0, "EMEA": 0}


@pytest.mark.parametrize(
    "status", ["Closed", "Dismissed", "Canceled", "Cancelled", "Completed", "Resolved", "closed"]
)
def test_closed_incident_does_not_count(status: str) -> None:
    summary = summary_of(p.events([p.incident(products=[p.incident_product(status=status)])]))
    assert product_state(summary, "503467") == State.OPERATIONAL
    assert summary.events == []


@pytest.mark.parametrize("status", ["Opened", "Discovery", "Reopened", "Updated", "OPENED"])
def test_open_statuses_count(status: str) -> None:
    summary = summary_of(p.events([p.incident(products=[p.incident_product(status=status)])]))
    assert product_state(summary, "503467") == State.MAJOR


def test_unknown_incident_status_counts_as_open_and_is_reported() -> None:
    summary = summary_of(
        p.events([p.incident(products=[p.incident_product(status="Smouldering")])])
    )
    assert product_state(summary, "503467") == State.MAJOR
    assert [(a.field, a.value) for a in summary.anomalies] == [("incident_status", "smouldering")]


def test_latest_history_entry_decides_when_product_has_no_status() -> None:
    history = [
        p.history_entry("Closed", "Minor", "2026-11-28T11:00:00Z"),
        p.history_entry("Opened", "Major", "2026-11-28T09:00:00Z"),
    ]
    product = p.incident_product(status=None, severity=None, history=history)
    summary = summary_of(p.events([p.incident(products=[product])]))
    # History is ordered by time, not by list position: the 11:00 entry closed it.
    assert product_state(summary, "503467") == State.OPERATIONAL


def test_history_severity_used_when_product_severity_is_none() -> None:
    history = [p.history_entry("Opened", "Potential", "2026-11-28T09:00:00Z")]
    product = p.incident_product(severity="None", history=history)
    summary = summary_of(p.events([p.incident(products=[product])]))
    assert product_state(summary, "503467") == State.POTENTIAL


def test_worst_event_wins_for_product() -> None:
    payload = p.events(
        [
            p.incident("A", [p.incident_product(severity="Minor")]),
            p.incident("B", [p.incident_product(severity="Major")]),
        ],
        [p.maintenance()],
    )
    summary = summary_of(payload)
    status = next(s for s in summary.products if s.product.id == "503467")
    assert status.state == State.MAJOR
    assert status.incidents == {"major": 1, "minor": 1, "potential": 0, "trivial": 0, "unknown": 0}
    assert status.maintenances == {"in_progress": 1, "scheduled": 0}


def test_event_without_region_affects_every_region_of_the_product() -> None:
    summary = summary_of(p.events([p.incident(regions=[])]))
    assert region_states(summary, "503467") == {"Americas": 4, "EMEA": 4}


def test_event_naming_a_region_affects_only_that_region() -> None:
    summary = summary_of(p.events([p.incident(regions=[p.region("EMEA")])]))
    assert region_states(summary, "503467") == {"Americas": 0, "EMEA": 4}
    assert product_state(summary, "503467") == State.MAJOR


def test_event_region_unknown_to_registry_is_added() -> None:
    summary = summary_of(p.events([p.incident(regions=[p.region("APAC")])]))
    assert region_states(summary, "503467") == {"Americas": 0, "EMEA": 0, "APAC": 4}


def test_maintenance_started_sets_state_1_and_scheduled_only_counts() -> None:
    payload = p.events(
        maintenances=[
            p.maintenance("M1", status="Started"),
            p.maintenance(
                "M2", status="Scheduled", product_id="503486", name="Adobe Audience Manager"
            ),
        ]
    )
    summary = summary_of(payload)
    assert product_state(summary, "503467") == State.MAINTENANCE
    assert product_state(summary, "503486") == State.OPERATIONAL
    manager = next(s for s in summary.products if s.product.id == "503486")
    assert manager.maintenances == {"in_progress": 0, "scheduled": 1}


@pytest.mark.parametrize("status", ["Completed", "Canceled", "Cancelled"])
def test_finished_maintenance_is_ignored(status: str) -> None:
    summary = summary_of(p.events(maintenances=[p.maintenance(status=status)]))
    assert product_state(summary, "503467") == State.OPERATIONAL
    assert summary.events == []


def test_maintenance_start_is_scheduled_date_when_not_started() -> None:
    summary = summary_of(
        p.events(maintenances=[p.maintenance(status="Scheduled", scheduled="2026-12-01T00:00:00Z")])
    )
    ((impact, _),) = summary.events
    assert impact.start == parse_time("2026-12-01T00:00:00Z") == 1796083200.0


def test_incident_for_product_missing_from_registry_is_still_reported() -> None:
    product = p.incident_product("999", "Adobe Newthing")
    summary = summary_of(p.events([p.incident(products=[product])]))
    status = next(s for s in summary.products if s.product.id == "999")
    assert (status.product.name, status.product.cloud, status.state) == (
        "Adobe Newthing",
        "Adobe Experience Cloud",
        4,
    )


def test_selection_by_name_and_id_limits_products() -> None:
    payload = p.events([p.incident(products=[p.incident_product("503493", "Adobe Photoshop")])])
    summary = summary_of(payload, Selection(products=("Adobe Analytics", "503486")))
    assert sorted(s.product.id for s in summary.products) == ["503467", "503486"]
    assert summary.events == []


def test_selection_by_cloud_name() -> None:
    summary = summary_of(p.events(), Selection(clouds=("Adobe Creative Cloud",)))
    assert [s.product.id for s in summary.products] == ["503493"]


def test_region_selection_ignores_events_only_elsewhere() -> None:
    payload = p.events([p.incident(regions=[p.region("EMEA")])])
    summary = summary_of(payload, Selection(regions=("Americas",)))
    assert product_state(summary, "503467") == State.OPERATIONAL
    assert region_states(summary, "503467") == {"Americas": 0}


def test_unknown_selection_value_is_kept_as_id_and_never_widens() -> None:
    registry, _ = parse_catalog(p.products_payload(), p.clouds_payload())
    scope = resolve(Selection(products=("No Such Product",)), registry)
    assert scope.query_params() == {"productIds": ["No Such Product"]}
    assert scope.unresolved == ("No Such Product",)


def test_query_params_use_resolved_ids() -> None:
    registry, _ = parse_catalog(p.products_payload(), p.clouds_payload())
    scope = resolve(
        Selection(products=("Adobe Analytics",), clouds=("503461",), regions=("EMEA",)), registry
    )
    assert scope.query_params() == {
        "productIds": ["503467"],
        "cloudIds": ["503461"],
        "regionIds": ["EMEA"],
    }


# --- the `Events` feed shape ------------------------------------------------------------


def test_feed_shape_uses_latest_history_by_epoch_key_seconds() -> None:
    history = {
        "1764324000": p.history_entry("Opened", "Minor", 1764324000),
        "1764327600": p.history_entry("Opened", "Major", 1764327600),
    }
    summary = summary_of(
        p.feed({"202608040124": p.feed_incident("202608040124", "503467", history)}), feed=True
    )
    assert product_state(summary, "503467") == State.MAJOR


def test_feed_shape_history_keys_in_milliseconds_order_correctly() -> None:
    history = {
        # Millisecond keys; lexical order would put the closed entry first.
        "1764327600000": p.history_entry("Closed", "Major", 1764327600000),
        "999999999999": p.history_entry("Opened", "Major", 999999999999),
    }
    summary = summary_of(
        p.feed({"202608040124": p.feed_incident("202608040124", "503467", history)}), feed=True
    )
    assert product_state(summary, "503467") == State.OPERATIONAL


def test_feed_shape_maintenance_map() -> None:
    maintenance = {
        "id": "CHG005822158",
        "status": "Started",
        "cmrStatus": "Started",
        "type": "Normal",
        "startedOn": 1764320400000,
        "products": {"503486": {"id": "503486", "name": "Adobe Audience Manager", "history": {}}},
        "regions": {"Americas": {"id": "Americas", "name": "Americas"}},
    }
    summary = summary_of(p.feed(maintenances={"CHG005822158": maintenance}), feed=True)
    assert product_state(summary, "503486") == State.MAINTENANCE
    ((impact, _),) = summary.events
    assert impact.start == 1764320400.0


def test_dto_and_feed_shapes_agree() -> None:
    dto = p.events(
        [p.incident("202608040123", [p.incident_product(severity="Minor", started="1764324000")])]
    )
    feed_history = {"1764324000": p.history_entry("Opened", "Minor", 1764324000)}
    feed = p.feed(
        {
            "202608040123": p.feed_incident(
                "202608040123", "503467", feed_history, started=1764324000
            )
        }
    )
    from_dto, from_feed = summary_of(dto), summary_of(feed, feed=True)
    assert [(s.product.id, s.state) for s in from_dto.products] == [
        (s.product.id, s.state) for s in from_feed.products
    ]
    assert [(i.event_id, i.severity, i.start) for i, _ in from_dto.events] == [
        (i.event_id, i.severity, i.start) for i, _ in from_feed.events
    ]


# --- drift and junk never raise --------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        "events",
        42,
        {"incidents": "x"},
        {"maintenances": 3},
        # None of the keys the exporter knows: a renamed key must not read as "all clear".
        {},
        {"data": [p.incident()]},
        {"Incidents": [p.incident()], "Maintenances": []},
        # Events listed, none with the keys an event is read by (id, products).
        {"incidents": [{"eventId": "202608040123", "products": []}], "maintenances": []},
        {"incidents": [{"id": "202608040123", "affectedProducts": []}, None]},
    ],
)
def test_unreadable_top_level_is_a_shape_error(payload: Any) -> None:
    with pytest.raises(ShapeError):
        parse_events(payload, now=NOW)


@pytest.mark.parametrize(
    "payload",
    [
        {"incidents": None, "maintenances": None},
        {"maintenances": []},
        {"incidents": [None, 3, "x", {}], "maintenances": [None, {"id": 5, "products": []}]},
        {
            "incidents": [
                {
                    "id": "I",
                    "products": [None, {"id": None}, {"id": 7, "severity": 3, "status": []}],
                }
            ]
        },
        {"incidents": [{"id": "I", "products": [{"id": "503467", "history": "nope"}]}]},
        {
            "incidents": [
                {"id": "I", "products": [{"id": "503467", "history": [None, {"status": 1}]}]}
            ]
        },
        {
            "incidents": [
                {
                    "id": "I",
                    "region": [None, {"id": 1}],
                    "clouds": "x",
                    "products": {"a": {"id": "503467"}},
                }
            ]
        },
    ],
)
def test_malformed_entries_are_skipped_without_raising(payload: Any) -> None:
    summary = summary_of(payload)
    assert len([s for s in summary.products if s.product.id in ("503467", "503486", "503493")]) == 3


def test_integer_ids_are_read_as_text() -> None:
    payload = {
        "incidents": [
            {"id": 12, "products": [{"id": 503467, "severity": "Major", "status": "Opened"}]}
        ]
    }
    summary = summary_of(payload)
    assert product_state(summary, "503467") == State.MAJOR


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-28T12:00:00Z", 1795867200.0),
        ("2026-11-28T12:00:00+00:00", 1795867200.0),
        ("2026-11-28 12:00:00", 1795867200.0),
        ("1764331200", 1764331200.0),
        ("1764331200000", 1764331200.0),
        (1764331200000, 1764331200.0),
        (1764331200, 1764331200.0),
        ("not a date", None),
        (None, None),
        (True, None),
        (-5, None),
        (float("nan"), None),
    ],
)
def test_parse_time_reads_seconds_milliseconds_and_iso(value: Any, expected: float | None) -> None:
    assert parse_time(value) == expected


def test_registry_maps_products_to_their_cloud_names() -> None:
    registry, anomalies = parse_catalog(p.products_payload(), p.clouds_payload())
    assert {pid: prod.cloud for pid, prod in registry.products.items()} == {
        "503467": "Adobe Experience Cloud",
        "503486": "Adobe Experience Cloud",
        "503493": "Adobe Creative Cloud",
    }
    assert anomalies == []


@pytest.mark.parametrize(("products", "clouds"), [(None, []), ({}, []), ([], "x"), ("x", [])])
def test_unreadable_registry_is_a_shape_error(products: Any, clouds: Any) -> None:
    with pytest.raises(ShapeError):
        parse_catalog(products, clouds)


def test_huge_integer_time_is_not_a_time() -> None:
    assert parse_time(10**400) is None


def test_lone_surrogates_in_names_become_encodable_text() -> None:
    payload = {
        "incidents": [
            {
                "id": "I\udbd7",
                "products": [
                    {"id": "503467", "name": "x", "severity": "Major", "status": "Opened\ud800"}
                ],
            }
        ]
    }
    summary = summary_of(payload)
    ((impact, _),) = summary.events
    impact.event_id.encode("utf-8")
    impact.status.encode("utf-8")
    assert impact.event_id == "I?"


def test_feed_maintenance_with_empty_status_falls_back_to_cmr_status() -> None:
    maintenance = {
        "id": "CHG005822159",
        "status": "Empty",
        "cmrStatus": "Started",
        "type": "Normal",
        "products": {"503486": {"id": "503486", "name": "Adobe Audience Manager", "history": {}}},
    }
    summary = summary_of(p.feed(maintenances={"CHG005822159": maintenance}), feed=True)
    assert product_state(summary, "503486") == State.MAINTENANCE


# --- real data: regions from the product's own history ---------------------------------


def located(status: str, when: str, regions: Any, severity: str = "Major") -> dict[str, Any]:
    """A history entry naming `regions` in locationImpact.serviceRegions, as given."""
    entry = p.history_entry(status, severity, when)
    entry["locationImpact"] = {"serviceEnvironments": [], "serviceRegions": regions}
    return entry


ALL_THREE = [p.region(name) for name in p.REGIONS]


@pytest.mark.parametrize(
    "service_regions",
    [
        ["EMEA"],  # the spec: ids (Adobe's ids are the names)
        [{"id": "EMEA", "name": "EMEA"}],  # objects
        {"EMEA": {"id": "EMEA", "name": "EMEA"}},  # a map keyed by id (feed)
        {"EMEA": "EMEA"},
    ],
)
def test_product_regions_come_from_its_latest_history_entry(service_regions: Any) -> None:
    history = [
        located("Opened", "2026-11-28T09:00:00Z", ["Americas", "EMEA", "APAC"]),
        located("Updated", "2026-11-28T10:00:00Z", service_regions),
    ]
    payload = p.events(
        [p.incident(products=[p.incident_product(history=history)], regions=ALL_THREE)]
    )
    summary = summary_of(payload)
    assert region_states(summary, "503467") == {"Americas": 0, "EMEA": 4}
    ((impact, _),) = summary.events
    assert (impact.region_ids, impact.region_names) == (("EMEA",), ("EMEA",))


def test_product_regions_fall_back_to_the_events_then_to_all_of_the_products() -> None:
    silent = [located("Opened", "2026-11-28T09:00:00Z", [])]
    product = p.incident_product(history=silent)
    named = summary_of(p.events([p.incident(products=[product], regions=[p.region("EMEA")])]))
    assert region_states(named, "503467") == {"Americas": 0, "EMEA": 4}
    unnamed = summary_of(p.events([p.incident(products=[product], regions=[])]))
    assert region_states(unnamed, "503467") == {"Americas": 4, "EMEA": 4}


def test_a_history_region_named_by_name_keeps_the_events_id() -> None:
    # Ids and names differ here (they do not at Adobe): a name still finds its region.
    history = [located("Opened", "2026-11-28T09:00:00Z", ["Europe"])]
    payload = p.events(
        [
            p.incident(
                products=[p.incident_product(history=history)],
                regions=[p.region("Europe", "EMEA"), p.region("Americas")],
            )
        ]
    )
    ((impact, _),) = summary_of(payload).events
    assert (impact.region_ids, impact.region_names) == (("EMEA",), ("Europe",))


def test_maintenance_regions_are_per_product_in_the_feed_shape_too() -> None:
    def product(product_id: str, regions: list[str]) -> dict[str, Any]:
        entry = {
            "status": "Started",
            "messageType": "Canned",
            "messageTime": 1795942800,
            "locationImpact": {"serviceRegions": regions},
        }
        return {"id": product_id, "history": {"1795942800": entry}}

    maintenance = {
        "id": "CHG005822158",
        "status": "Started",
        "cmrStatus": "Started",
        "type": "Normal",
        "regions": {name: p.region(name) for name in p.REGIONS},
        "products": {"503467": product("503467", ["Americas"]), "503486": product("503486", [])},
    }
    summary = summary_of(p.feed(maintenances={"CHG005822158": maintenance}), feed=True)
    assert region_states(summary, "503467") == {"Americas": 1, "EMEA": 0}
    # Audience Manager's entry names none: the event's three regions (APAC is new to it).
    assert region_states(summary, "503486") == {"Americas": 1, "APAC": 1, "EMEA": 1}


# --- real data: Adobe's maintenance vocabulary ------------------------------------------


def feed_maintenance(status: str, cmr: str, *history: str) -> dict[str, Any]:
    entries = {
        str(1795900000 + 3600 * index): {
            "status": step,
            "messageType": "Canned",
            "messageTime": 1795900000 + 3600 * index,
        }
        for index, step in enumerate(history)
    }
    return {
        "id": "CHG005822158",
        "status": status,
        "cmrStatus": cmr,
        "type": "Normal",
        "products": {"503467": {"id": "503467", "name": "Adobe Analytics", "history": entries}},
    }


@pytest.mark.parametrize(
    ("status", "cmr", "history", "counted"),
    [
        ("Scheduled", "Scheduled", ("Scheduled", "Reminder"), {"scheduled": 1}),
        ("Scheduled", "Scheduled", ("Scheduled", "REMINDER"), {"scheduled": 1}),
        ("Started", "Started", ("Scheduled", "Reminder", "Started"), {"in_progress": 1}),
        ("Started", "Started", ("Scheduled", "Started", "Updated"), {"in_progress": 1}),
        ("Completed", "Canceled", ("Scheduled", "Reminder"), {}),
        ("Scheduled", "Canceled", ("Scheduled",), {}),
        ("Started", "Completed", ("Started",), {}),
        ("Started", "Started", ("Started", "Completed"), {}),
        ("Started", "Started", ("Started", "Closed"), {}),
        ("Scheduled", "Scheduled", ("Scheduled", "Cancelled"), {}),
        ("Closed", "Empty", ("Scheduled",), {}),
        ("Empty", "Started", (), {"in_progress": 1}),
    ],
)
def test_adobes_maintenance_vocabulary(
    status: str, cmr: str, history: tuple[str, ...], counted: dict[str, int]
) -> None:
    payload = p.feed(maintenances={"CHG005822158": feed_maintenance(status, cmr, *history)})
    summary = summary_of(payload, feed=True)
    analytics = next(s for s in summary.products if s.product.id == "503467")
    assert {state: n for state, n in analytics.maintenances.items() if n} == counted
    assert analytics.state == (State.MAINTENANCE if "in_progress" in counted else 0)
    assert summary.anomalies == ()


def test_unknown_maintenance_status_counts_as_scheduled_and_is_reported() -> None:
    payload = p.feed(
        maintenances={"CHG005822158": feed_maintenance("Started", "Started", "Postponed")}
    )
    summary = summary_of(payload, feed=True)
    analytics = next(s for s in summary.products if s.product.id == "503467")
    assert analytics.maintenances == {"in_progress": 0, "scheduled": 1}
    assert [(a.field, a.value) for a in summary.anomalies] == [("maintenance_status", "postponed")]


# --- real data: incidents that ended, and late root-cause entries -----------------------


def test_incident_whose_end_has_passed_is_closed_whatever_its_status() -> None:
    product = p.incident_product(status="Opened")
    product["endedOn"] = "2026-11-29T11:59:59Z"
    assert summary_of(p.events([p.incident(products=[product])])).events == []
    product["endedOn"] = "2026-11-29T12:00:01Z"  # after NOW: still open
    assert product_state(summary_of(p.events([p.incident(products=[product])])), "503467") == 4


@pytest.mark.parametrize("ended", [0, "0", None])
def test_incident_with_end_zero_is_open(ended: Any) -> None:
    history = {"1795939200": p.history_entry("Opened", "Minor", 1795939200)}
    incident = p.feed_incident("202608040123", "503467", history, started=1795939200)
    incident["products"]["503467"]["endedOn"] = ended
    summary = summary_of(p.feed({"202608040123": incident}), feed=True)
    assert product_state(summary, "503467") == State.MINOR


def root_caused(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Photoshop's incident, closed in July, its root cause published weeks later."""
    opened = p.history_entry("Opened", "Major", 1784124000)
    closed = p.history_entry("Closed", "Major", 1784131200)
    cfs = {
        **p.history_entry("Closed", "None", 1785837600),
        "messageType": "CFS",
        "titleToken": "incident.title.cfs",
        "messageToken": "incident.cfs.canned",
        **(extra or {}),
    }
    history = {"1784124000": opened, "1784131200": closed, "1785837600": cfs}
    incident = p.feed_incident("202607150042", "503467", history, started=1784124000)
    incident["products"]["503467"]["endedOn"] = 1784131200
    return incident


@pytest.mark.parametrize("cfs_status", ["Closed", "Opened", "RootCause"])
def test_late_root_cause_entry_neither_reopens_nor_counts_as_drift(cfs_status: str) -> None:
    incident = root_caused({"status": cfs_status})
    incident["products"]["503467"]["endedOn"] = 0  # even without its end time
    summary = summary_of(p.feed({"202607150042": incident}), feed=True)
    assert summary.events == []
    assert summary.anomalies == ()


def test_root_cause_entry_changes_no_start_or_severity_but_gives_the_latest_words() -> None:
    # Still open by its own status (the DTO's), with a root cause already out.
    history = [
        {**p.history_entry("Opened", "Minor", "2026-11-29T08:00:00Z"), "titleToken": "t1"},
        {
            **p.history_entry("Closed", "Major", "2026-11-29T10:00:00Z"),
            "messageType": "CFS",
            "titleToken": "incident.title.cfs",
            "messageToken": "incident.cfs.canned",
            "cfsURL": "https://status.adobe.com/cfs/202608040123",
        },
        {**p.history_entry("Opened", "Minor", "2026-11-29T09:00:00Z"), "titleToken": "t2"},
    ]
    product = p.incident_product(status=None, severity=None, started=None, history=history)
    ((impact, _),) = summary_of(p.events([p.incident(products=[product])])).events
    assert (impact.severity, impact.start) == ("minor", parse_time("2026-11-29T08:00:00Z"))
    assert (impact.title_token, impact.message_token, impact.cfs_url) == (
        "incident.title.cfs",
        "incident.cfs.canned",
        "https://status.adobe.com/cfs/202608040123",
    )


# --- real data: the feed's texts ---------------------------------------------------------


def test_feed_texts_are_read_by_locale_and_token_and_junk_is_counted() -> None:
    payload = p.feed()
    payload["incidentEvent"]["messages"] = {
        "en": {
            "t": {"token": "t", "textMessage": "Opened {startDateTime}", "htmlMessage": "<p>O</p>"},
            "bad": "not a message",
        },
        "de": "not a map",
    }
    payload["maintenanceEvent"]["messages"] = {
        "en": {"t": {"textMessage": "maintenance text"}, "m": {"textMessage": ["not text"]}}
    }
    events = parse_feed(payload, now=NOW)
    assert events.texts == {
        "en": {
            "t": Text("Opened {startDateTime}", "<p>O</p>"),  # the incident's keeps the token
            "m": Text("", ""),
        }
    }
    assert [a.value for a in events.anomalies] == ["messages", "messages"]


# --- drift: nothing the exporter knows is not "all operational" -------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"data": {}},
        {"incidentEvent": {}, "maintenanceEvent": {}},
        {"incidentEvent": {"messages": {}}, "maintenanceEvent": None},
        {"incidentEvent": {"Incidents": {}}, "maintenanceEvent": {"maintenances": {}}},
        {"incidentEvent": [], "maintenanceEvent": {}},
        [],
        {"incidentEvent": {"incidents": {"202608040123": {"eventId": "202608040123"}}}},
    ],
)
def test_feed_without_its_events_maps_is_a_shape_error(payload: Any) -> None:
    with pytest.raises(ShapeError):
        parse_feed(payload, now=NOW)


@pytest.mark.parametrize(
    "payload",
    [
        {"incidentEvent": {"incidents": {}}},
        {"maintenanceEvent": {"maintenance": None}},
        {"incidentEvent": {"incidents": {}}, "maintenanceEvent": {"maintenance": {}}},
    ],
)
def test_feed_with_one_events_map_is_read(payload: Any) -> None:
    assert parse_feed(payload, now=NOW).impacts == []


@pytest.mark.parametrize(
    ("products", "clouds", "blamed"),
    [
        ([], p.clouds_payload(), "products"),
        (
            [{"productId": "503467", "productName": "Adobe Analytics"}],
            p.clouds_payload(),
            "products",
        ),
        ([None, {"id": ""}], p.clouds_payload(), "products"),
        (p.products_payload(), [], "clouds"),
        (p.products_payload(), [{"cloudId": "503461", "cloudProducts": []}], "clouds"),
        # Clouds whose product lists were renamed: every product would lose its cloud.
        (p.products_payload(), [{"id": "503461", "name": "x", "products": []}], "clouds"),
    ],
)
def test_registry_with_nothing_to_read_is_a_shape_error_naming_its_endpoint(
    products: Any, clouds: Any, blamed: str
) -> None:
    with pytest.raises(ShapeError, match=f"^{blamed}:"):
        parse_catalog(products, clouds)


def test_cloud_products_may_be_bare_ids() -> None:
    clouds = [{"id": "503461", "name": "Adobe Experience Cloud", "cloudProducts": ["503467"]}]
    registry, anomalies = parse_catalog(p.products_payload(), clouds)
    assert registry.products["503467"].cloud == "Adobe Experience Cloud"
    assert anomalies == []
