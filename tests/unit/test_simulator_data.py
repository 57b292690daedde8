"""The simulator's data looks like Adobe's real data (CONTRACT.md, "What real Adobe data
looks like"): regions, ids, the vocabulary of history entries, maintenance and incident
lifecycles, and a registry of real size."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from exporter.simulator import API_KEY, Scale, Simulator, SimulatorServer

T0 = 1_795_000_000.0
ADOBE_REGIONS = {"Americas", "EMEA", "APAC"}
ANALYTICS, AUDIENCE_MANAGER = "503467", "503486"
SEVERITIES = {"Major", "Minor", "Potential", "Trivial", "None"}
ENTRY_KEYS = {
    "status",
    "severity",
    "customerImpact",
    "operationsImpact",
    "messageType",
    "messageToken",
    "titleToken",
    "serviceImpact",
    "locationImpact",
}
FEED_ENTRY_KEYS = {"csoStatus", "previousStatus", "previousSeverity", "statusTime", "messageTime"}
DAY = 86400


def clock() -> float:
    return T0


@pytest.fixture(scope="module")
def forty_day() -> Simulator:
    return Simulator(seed=1, scale=Scale.forty_day(), clock=clock)


@pytest.fixture(scope="module")
def forty_day_feed(forty_day: Simulator) -> dict[str, Any]:
    return forty_day.payload_feed()


def histories(feed: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(kind, event, product) for every product of every event in a feed."""
    for incident in feed["incidentEvent"]["incidents"].values():
        for product in incident["products"].values():
            yield "incident", incident, product
    for maintenance in feed["maintenanceEvent"]["maintenance"].values():
        for product in maintenance["products"].values():
            yield "maintenance", maintenance, product


def entries(product: dict[str, Any]) -> list[dict[str, Any]]:
    return [product["history"][key] for key in sorted(product["history"], key=int)]


def test_regions_are_adobes_three_keyed_by_name_everywhere() -> None:
    sim = Simulator(seed=3, clock=clock, client_id="c", client_secret="s")
    with SimulatorServer(sim) as server, requests.Session() as session:
        token = session.post(
            server.ims_token_url,
            params={"client_id": "c"},
            data={"client_secret": "s", "grant_type": "client_credentials", "scope": "openid"},
            timeout=10,
        ).json()["access_token"]
        session.headers.update({"Authorization": f"Bearer {token}", "x-api-key": API_KEY})
        regions = session.get(f"{server.api_url}/api/v1/regions", timeout=10).json()
        products = session.get(f"{server.api_url}/api/v1/products", timeout=10).json()
        registry = session.get(f"{server.feed_url}/SnowServiceRegistry", timeout=10).json()
    assert regions == [{"id": name, "name": name} for name in ("Americas", "EMEA", "APAC")]
    for product in products:
        assert {(r["id"], r["name"]) for r in product["regions"]} <= {
            (name, name) for name in ADOBE_REGIONS
        }
        assert {r for env in product["environments"] for r in env["regionId"]} == {
            r["id"] for r in product["regions"]
        }
    assert {r for env in registry["environments"].values() for r in env["regionId"]} == (
        ADOBE_REGIONS
    )
    counts = [len(p["regions"]) for p in products]
    assert counts.count(3) > len(products) / 2 and min(counts) < 3
    for _, event, product in histories(sim.payload_feed()):
        assert set(event["regions"]) <= ADOBE_REGIONS
        for entry in entries(product):
            assert set(entry["locationImpact"]["serviceRegions"]) <= ADOBE_REGIONS


def test_forty_day_registry_holds_about_19000_environments(forty_day: Simulator) -> None:
    document = forty_day.feed_registry()
    registry = json.loads(document.body)
    assert 18_500 <= len(registry["environments"]) <= 19_500
    assert 2_000_000 <= len(document.body) <= 2_700_000
    assert len(registry["products"]) == 73 and len(registry["clouds"]) == 5
    per_product = sorted(
        sum(len(registry["services"][s]["serviceEnvironments"]) for s in p["productServices"])
        for p in registry["products"].values()
    )
    # A few products (one environment per customer instance) hold most of them.
    assert sum(per_product[-len(per_product) // 4 :]) > sum(per_product) / 2


def test_forty_day_feed_is_over_8_mib(forty_day: Simulator) -> None:
    assert 8 * 2**20 <= len(forty_day.feed_events().body) <= 12_000_000


def test_event_ids_look_like_adobes(forty_day_feed: dict[str, Any]) -> None:
    incidents = forty_day_feed["incidentEvent"]["incidents"]
    maintenances = forty_day_feed["maintenanceEvent"]["maintenance"]
    assert incidents and maintenances
    assert all(re.fullmatch(r"20\d{10}", event_id) for event_id in incidents)
    assert all(re.fullmatch(r"CHG\d{9}", event_id) for event_id in maintenances)
    typical = Simulator(seed=2, clock=clock).payload_feed()
    assert all(re.fullmatch(r"20\d{10}", i) for i in typical["incidentEvent"]["incidents"])


def test_every_history_entry_carries_adobes_vocabulary(forty_day_feed: dict[str, Any]) -> None:
    types = set()
    for kind, _, product in histories(forty_day_feed):
        for entry in entries(product):
            assert set(entry) >= ENTRY_KEYS | FEED_ENTRY_KEYS, (kind, entry)
            assert entry["severity"] in SEVERITIES
            assert set(entry["serviceImpact"]) >= {"productOfferings", "productServices"}
            assert set(entry["locationImpact"]) == {"serviceEnvironments", "serviceRegions"}
            types.add(entry["messageType"])
    assert types == {"Canned", "Custom", "CFS"}


def test_some_product_names_fewer_regions_than_its_event(
    forty_day_feed: dict[str, Any],
) -> None:
    narrower = [
        (event["id"], product["id"])
        for _, event, product in histories(forty_day_feed)
        if set(entries(product)[-1]["locationImpact"]["serviceRegions"]) < set(event["regions"])
    ]
    assert len(narrower) >= 10


def test_maintenances_run_scheduled_reminder_started_completed(
    forty_day_feed: dict[str, Any],
) -> None:
    paths = {
        tuple(dict.fromkeys(e["status"] for e in entries(product)))
        for kind, _, product in histories(forty_day_feed)
        if kind == "maintenance"
    }
    assert ("Scheduled", "Reminder", "Started", "Completed") in paths


def test_a_canceled_maintenance_says_completed_while_cmr_status_says_canceled(
    forty_day_feed: dict[str, Any],
) -> None:
    maintenances = forty_day_feed["maintenanceEvent"]["maintenance"].values()
    assert any(m["status"] == "Completed" and m["cmrStatus"] == "Canceled" for m in maintenances)


def test_incident_products_have_started_and_ended_on_in_epoch_seconds() -> None:
    sim = Simulator(seed=1, dynamic=False, clock=clock)
    open_id = sim.add_incident(ANALYTICS, severity="Minor")
    closed_id = sim.add_incident(ANALYTICS, severity="Minor", status="Closed")
    incidents = sim.payload_feed()["incidentEvent"]["incidents"]
    still_open = incidents[open_id]["products"][ANALYTICS]
    closed = incidents[closed_id]["products"][ANALYTICS]
    assert (still_open["startedOn"], still_open["endedOn"]) == (T0, 0)
    assert closed["startedOn"] == T0 - 60 and closed["endedOn"] == T0


def test_root_cause_entries_arrive_weeks_after_closure(forty_day_feed: dict[str, Any]) -> None:
    late = []
    for kind, _, product in histories(forty_day_feed):
        last = entries(product)[-1]
        if kind == "incident" and last["messageType"] == "CFS":
            assert last["status"] == "Closed" and last["cfsURL"].startswith("https://")
            late.append(last["messageTime"] - product["endedOn"])
    assert late and min(late) >= 7 * DAY


def test_an_added_event_can_name_fewer_regions_for_one_product() -> None:
    sim = Simulator(seed=1, dynamic=False, clock=clock)
    event_id = sim.add_maintenance(
        [ANALYTICS, AUDIENCE_MANAGER],
        region_ids=["Americas", "EMEA", "APAC"],
        product_regions={AUDIENCE_MANAGER: ["Americas"]},
    )
    maintenance = sim.payload_feed()["maintenanceEvent"]["maintenance"][event_id]
    assert set(maintenance["regions"]) == ADOBE_REGIONS
    named = {
        pid: entries(product)[-1]["locationImpact"]["serviceRegions"]
        for pid, product in maintenance["products"].items()
    }
    assert named == {ANALYTICS: ["Americas", "EMEA", "APAC"], AUDIENCE_MANAGER: ["Americas"]}
    (dto,) = sim.payload_events()["maintenances"]
    assert [p["history"][-1]["locationImpact"]["serviceRegions"] for p in dto["products"]] == [
        ["Americas", "EMEA", "APAC"],
        ["Americas"],
    ]
