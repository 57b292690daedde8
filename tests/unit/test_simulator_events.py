"""The simulator's events over real HTTP on loopback: events added by tests, injected
faults, request counts, the generated scenario, the catalog and the scales."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from exporter.simulator import Scale, Simulator, SimulatorServer
from tests.support.simulator_http import (
    ANALYTICS,
    CLIENT_ID,
    CLIENT_SECRET,
    EXPERIENCE_CLOUD,
    PHOTOSHOP,
    T0,
    FakeClock,
    api_get,
    epoch,
    event_ids,
    fetch_token,
    token_for,
)

# Events added by tests.


def test_added_incident_shows_its_history_and_updates(
    quiet_sim: Simulator, fake_clock: FakeClock
) -> None:
    event_id = quiet_sim.add_incident(ANALYTICS, severity="Minor", region_ids=["EMEA"])
    fake_clock.advance(60)
    quiet_sim.update_incident(event_id, severity="Major")
    quiet_sim.update_incident(event_id, status="Closed")
    (incident,) = quiet_sim.payload_events()["incidents"]
    (product,) = incident["products"]
    assert product["id"] == ANALYTICS and product["name"] == "Adobe Analytics"
    assert (product["status"], product["severity"]) == ("Closed", "Major")
    assert [(h["status"], h["severity"]) for h in product["history"]] == [
        ("Opened", "Minor"),
        ("Opened", "Major"),
        ("Closed", "Major"),
    ]
    times = [epoch(h["messageTime"]) for h in product["history"]]
    assert times == sorted(times) and len(set(times)) == 3
    assert incident["region"] == [{"id": "EMEA", "name": "EMEA"}]
    assert incident["clouds"][0]["id"] == EXPERIENCE_CLOUD


def test_incident_without_regions_names_no_region(quiet_sim: Simulator) -> None:
    quiet_sim.add_incident(ANALYTICS, region_ids=None)
    assert quiet_sim.payload_events()["incidents"][0]["region"] == []


def test_scheduled_maintenance_starts_in_an_hour_by_default(quiet_sim: Simulator) -> None:
    quiet_sim.add_maintenance(ANALYTICS, status="Scheduled")
    (maintenance,) = quiet_sim.payload_events()["maintenances"]
    assert maintenance["status"] == "Scheduled"
    assert epoch(maintenance["scheduledDate"]) == T0 + 3600
    assert "startedOn" not in maintenance


def test_removed_and_cleared_events_leave_the_feed(quiet_sim: Simulator) -> None:
    first = quiet_sim.add_incident(ANALYTICS)
    quiet_sim.add_maintenance(PHOTOSHOP)
    quiet_sim.remove_event(first)
    assert first not in event_ids(quiet_sim.payload_events())
    quiet_sim.clear_events()
    assert event_ids(quiet_sim.payload_events()) == set()
    with pytest.raises(KeyError):
        quiet_sim.remove_event(first)


def test_static_simulator_generates_no_events(quiet_sim: Simulator, fake_clock: FakeClock) -> None:
    for _ in range(5):
        assert quiet_sim.payload_events() == {"incidents": [], "maintenances": []}
        fake_clock.advance(3600)


# Faults.


def test_injected_status_answers_once_then_normal_answers_return(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    token = token_for(server)
    quiet_sim.inject("events", status=503)
    failed = api_get(server, "/api/v1/events", token)
    assert failed.status_code == 503
    assert failed.json()["error_code"] == "503"
    assert api_get(server, "/api/v1/events", token).status_code == 200


def test_injected_status_answers_even_without_credentials(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    quiet_sim.inject("token", status=500)
    assert fetch_token(server, client_secret="wrong").status_code == 500


def test_injected_body_replaces_the_normal_body(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    token = token_for(server)
    quiet_sim.inject("events", body=b'{"incidents": [', content_type="application/json")
    response = api_get(server, "/api/v1/events", token)
    assert response.status_code == 200
    assert response.content == b'{"incidents": ['
    quiet_sim.inject("products", status=200, body=b"\xff\xfe not utf-8", content_type="text/plain")
    response = api_get(server, "/api/v1/products", token)
    assert response.content == b"\xff\xfe not utf-8"
    assert response.headers["Content-Type"] == "text/plain"


def test_fault_with_times_n_answers_n_requests(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    token = token_for(server)
    quiet_sim.inject("clouds", status=502, times=2)
    codes = [api_get(server, "/api/v1/clouds", token).status_code for _ in range(3)]
    assert codes == [502, 502, 200]


def test_fault_with_times_none_lasts_until_cleared(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    token = token_for(server)
    quiet_sim.inject("events", status=500, times=None)
    codes = [api_get(server, "/api/v1/events", token).status_code for _ in range(5)]
    assert codes == [500] * 5
    quiet_sim.clear_faults()
    assert api_get(server, "/api/v1/events", token).status_code == 200


def test_injected_429_carries_retry_after_and_extra_headers(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    token = token_for(server)
    quiet_sim.inject("events", status=429, retry_after=30, headers={"X-Trace": "abc"})
    response = api_get(server, "/api/v1/events", token)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert response.headers["X-Trace"] == "abc"


def test_delay_without_status_gives_the_normal_answer_late(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    token = token_for(server)
    quiet_sim.inject("events", delay=0.3)
    started = time.monotonic()
    response = api_get(server, "/api/v1/events", token)
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200
    assert response.json() == {"incidents": [], "maintenances": []}


def test_delay_longer_than_the_client_timeout_times_out(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    token = token_for(server)
    quiet_sim.inject("events", delay=2.0)
    with pytest.raises(requests.Timeout):
        api_get(server, "/api/v1/events", token, timeout=0.2)


def test_drop_closes_the_connection_without_an_answer(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    token = token_for(server)
    quiet_sim.inject("events", drop=True)
    with pytest.raises(requests.ConnectionError):
        api_get(server, "/api/v1/events", token)
    assert api_get(server, "/api/v1/events", token).status_code == 200


def test_slow_body_sends_headers_at_once_and_trickles_the_body(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    token = token_for(server)
    quiet_sim.inject("events", slow_body=True, delay=1.0)
    started = time.monotonic()
    # A per-read timeout well below the body's duration never fires: only a deadline helps.
    response = api_get(server, "/api/v1/events", token, timeout=0.5, stream=True)
    headers_after = time.monotonic() - started
    body = response.content
    assert headers_after < 0.5
    assert time.monotonic() - started >= 0.9
    assert json.loads(body) == {"incidents": [], "maintenances": []}


def test_close_does_not_wait_for_a_trickling_body(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    token = token_for(server)
    quiet_sim.inject("events", slow_body=True, delay=30)
    response = api_get(server, "/api/v1/events", token, stream=True)
    assert response.status_code == 200
    started = time.monotonic()
    server.close()
    assert time.monotonic() - started < 2
    with pytest.raises(requests.RequestException):
        _ = response.content


def test_inject_rejects_unknown_endpoints_and_statuses(quiet_sim: Simulator) -> None:
    with pytest.raises(ValueError, match="endpoint"):
        quiet_sim.inject("metrics", status=500)
    with pytest.raises(ValueError, match="status"):
        quiet_sim.inject("events", status=1000)
    with pytest.raises(ValueError, match="times"):
        quiet_sim.inject("events", status=500, times=0)


# Counts.


def test_requests_are_counted_per_endpoint_faulted_or_not(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    token = token_for(server)
    quiet_sim.inject("events", status=500)
    api_get(server, "/api/v1/events", token)
    api_get(server, "/api/v1/events", None)
    api_get(server, "/api/v1/products", token)
    assert quiet_sim.requests("token") == 1
    assert quiet_sim.requests("events") == 2
    assert quiet_sim.requests("products") == 1
    assert quiet_sim.requests("clouds") == 0
    quiet_sim.reset_counts()
    assert quiet_sim.requests("events") == 0


# The generated scenario.


def product_states(payload: dict[str, Any]) -> dict[str, int]:
    """The dashboard view: worst state per product (4 major, 3 minor, 2 lesser, 1 maint.)."""
    rank = {"Major": 4, "Minor": 3, "Potential": 2, "Trivial": 2}
    states: dict[str, int] = {}
    for incident in payload["incidents"]:
        for product in incident["products"]:
            if product["status"] == "Opened":
                state = rank.get(product["severity"], 3)
                states[product["id"]] = max(states.get(product["id"], 0), state)
    for maintenance in payload["maintenances"]:
        if maintenance["status"] == "Started":
            for product in maintenance["products"]:
                states[product["id"]] = max(states.get(product["id"], 0), 1)
    return states


def test_demo_shows_major_minor_and_maintenance_from_its_first_minute() -> None:
    for seed in (1, 2, 3):
        clock = FakeClock()
        sim = Simulator(seed=seed, clock=clock)
        for _ in range(7):
            states = set(product_states(sim.payload_events()).values())
            assert {4, 3, 1} <= states, (seed, clock.now - T0)
            clock.advance(10)


def test_scenario_always_has_major_minor_in_progress_and_upcoming_maintenance() -> None:
    for seed in (1, 5, 42):
        clock = FakeClock()
        sim = Simulator(seed=seed, clock=clock)
        for _ in range(150):  # about 2 days, at odd intervals
            payload = sim.payload_events()
            assert {4, 3, 1} <= set(product_states(payload).values())
            ahead = [
                epoch(m["scheduledDate"]) - clock.now
                for m in payload["maintenances"]
                if m["status"] == "Scheduled"
            ]
            assert any(0 < s <= 3600 for s in ahead), (seed, clock.now - T0)
            assert any(3600 < s <= 86400 for s in ahead), (seed, clock.now - T0)
            clock.advance(1189)


def test_typical_scale_keeps_about_20_events_in_the_feed() -> None:
    clock = FakeClock()
    sim = Simulator(seed=9, clock=clock)
    counts = []
    for _ in range(200):
        counts.append(len(event_ids(sim.payload_events())))
        clock.advance(611)
    assert min(counts) >= 8 and max(counts) <= 35
    assert 15 <= sum(counts) / len(counts) <= 25


def test_incidents_open_change_severity_close_linger_and_go() -> None:
    """Follow every generated incident for an hour, tick by tick."""
    clock = FakeClock()
    sim = Simulator(seed=4, clock=clock)
    at_start = {i["id"] for i in sim.payload_events()["incidents"]}
    lives: dict[str, list[tuple[str, str]]] = {}
    last_seen: dict[str, int] = {}
    for tick in range(360):
        for incident in sim.payload_events()["incidents"]:
            product = incident["products"][0]
            life = lives.setdefault(incident["id"], [])
            if not life or life[-1] != (product["status"], product["severity"]):
                life.append((product["status"], product["severity"]))
            last_seen[incident["id"]] = tick
        clock.advance(10)
    born = {eid: life for eid, life in lives.items() if eid not in at_start}
    assert len(born) >= 20
    assert all(life[0][0] == "Opened" for life in born.values())
    assert any(len({severity for _, severity in life}) >= 2 for life in born.values())
    # Closed incidents stay a while with status Closed, then leave the feed.
    gone = [eid for eid, life in born.items() if life[-1][0] == "Closed" and last_seen[eid] < 359]
    assert len(gone) >= 10


def test_generated_incidents_last_3_to_15_minutes() -> None:
    clock = FakeClock()
    sim = Simulator(seed=6, clock=clock)
    durations: dict[str, float] = {}
    for _ in range(240):
        for incident in sim.payload_events()["incidents"]:
            for product in incident["products"]:
                if product["status"] == "Closed":
                    durations[incident["id"]] = epoch(product["endedOn"]) - epoch(
                        product["startedOn"]
                    )
        clock.advance(30)
    assert len(durations) >= 20
    assert all(3 * 60 <= d <= 15 * 60 for d in durations.values()), sorted(durations.values())


def test_same_seed_and_time_give_the_same_feed() -> None:
    first = Simulator(seed=11, clock=FakeClock()).payload_events()
    again = Simulator(seed=11, clock=FakeClock()).payload_events()
    other = Simulator(seed=12, clock=FakeClock()).payload_events()
    assert first == again
    assert first != other


def test_feed_payload_has_epoch_seconds_or_milliseconds(quiet_sim: Simulator) -> None:
    event_id = quiet_sim.add_incident(ANALYTICS, severity="Minor")
    seconds = quiet_sim.payload_feed()
    millis = quiet_sim.payload_feed(epoch_ms=True)
    product = seconds["incidentEvent"]["incidents"][event_id]["products"][ANALYTICS]
    product_ms = millis["incidentEvent"]["incidents"][event_id]["products"][ANALYTICS]
    assert product["startedOn"] == T0
    assert product_ms["startedOn"] == T0 * 1000
    assert list(product["history"]) == [str(int(T0))]
    assert list(product_ms["history"]) == [str(int(T0) * 1000)]


def test_feed_payload_holds_the_same_events_as_the_dto() -> None:
    sim = Simulator(seed=2, clock=FakeClock())
    feed = sim.payload_feed()
    feed_ids = set(feed["incidentEvent"]["incidents"]) | set(
        feed["maintenanceEvent"]["maintenance"]
    )
    assert feed_ids == event_ids(sim.payload_events())


# Catalog and scales.


def test_real_catalog_products_get_stable_subsets_of_adobes_three_regions() -> None:
    one = Simulator(seed=1, dynamic=False).catalog
    other = Simulator(seed=2, dynamic=False).catalog
    assert len(one.clouds) == 5 and len(one.products) == 73
    assert [(r.id, r.name) for r in one.regions] == [
        ("Americas", "Americas"),
        ("EMEA", "EMEA"),
        ("APAC", "APAC"),
    ]
    for product in one.products:
        assert product.region_ids and set(product.region_ids) <= {"Americas", "EMEA", "APAC"}
        assert product.region_ids == other.product(product.id).region_ids  # type: ignore[union-attr]
    everywhere = [p for p in one.products if len(p.region_ids) == 3]
    assert len(everywhere) > len(one.products) / 2  # most, not all
    assert len({p.region_ids for p in one.products}) >= 3


def test_forty_day_events_body_is_5_to_8_mb_mostly_closed() -> None:
    sim = Simulator(
        seed=1, scale=Scale.forty_day(), client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    with SimulatorServer(sim) as running:
        response = api_get(running, "/api/v1/events", token_for(running))
    assert 5_000_000 <= len(response.content) <= 8_000_000
    body = response.json()
    events = body["incidents"] + body["maintenances"]
    assert 2200 <= len(events) <= 2600
    closed = [p for i in body["incidents"] for p in i["products"] if p["status"] == "Closed"]
    assert len(closed) > 0.7 * len(body["incidents"])
    # Five entries each, a sixth for those whose root cause analysis has come.
    assert sum(len(p["history"]) in (5, 6) for p in closed) > 0.95 * len(closed)


def test_stress_scale_has_1000_products_in_3_regions_and_5000_events() -> None:
    sim = Simulator(seed=1, scale=Scale.stress(), client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    with SimulatorServer(sim) as running:
        token = token_for(running)
        products = api_get(running, "/api/v1/products", token).json()
        events = api_get(running, "/api/v1/events", token).json()
    assert len(products) == 1000
    assert all(len(product["regions"]) == 3 for product in products)
    assert 4900 <= len(events["incidents"]) + len(events["maintenances"]) <= 5000
    real_ids = {p.id for p in Simulator(dynamic=False).catalog.products}
    real_names = {p.name for p in Simulator(dynamic=False).catalog.products}
    assert not real_ids & {p["id"] for p in products}
    assert not real_names & {p["name"] for p in products}


def test_scale_presets_are_named() -> None:
    assert Scale.named("forty-day") == Scale.forty_day()
    assert Scale.named("stress").synthetic_products == 1000
    with pytest.raises(ValueError, match="unknown scale"):
        Scale.named("huge")
