"""The simulator of Adobe IMS and the Status API, exercised over real HTTP on loopback."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from exporter.simulator import API_KEY, Scale, Simulator, SimulatorServer, run_simulator

CLIENT_ID = "sim-test-client"
CLIENT_SECRET = "sim-test-secret-4d1c"
SCOPES = "openid,AdobeID,read_organizations"
T0 = 1_795_000_000.0  # a fixed instant, so scenario tests do not depend on today
ANALYTICS, AUDIENCE_MANAGER, PHOTOSHOP = "503467", "503486", "503493"
EXPERIENCE_CLOUD, CREATIVE_CLOUD = "503461", "503459"
TIMEOUT = 5


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def rate_clock() -> FakeClock:
    return FakeClock(1000.0)


@pytest.fixture
def quiet_sim(fake_clock: FakeClock, rate_clock: FakeClock) -> Simulator:
    """No generated events: only what a test adds."""
    return Simulator(
        seed=1,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        dynamic=False,
        clock=fake_clock,
        rate_clock=rate_clock,
    )


@pytest.fixture
def server(quiet_sim: Simulator) -> Iterator[SimulatorServer]:
    with SimulatorServer(quiet_sim, host="127.0.0.1", port=0) as running:
        yield running


def fetch_token(server: SimulatorServer, **form: str) -> requests.Response:
    data = {"client_secret": CLIENT_SECRET, "grant_type": "client_credentials", "scope": SCOPES}
    data.update(form)
    params = {"client_id": data.pop("client_id", CLIENT_ID)}
    return requests.post(server.ims_token_url, params=params, data=data, timeout=TIMEOUT)


def token_for(server: SimulatorServer) -> str:
    response = fetch_token(server)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def api_get(
    server: SimulatorServer,
    path: str,
    token: str | None,
    params: Any = None,
    api_key: str | None = API_KEY,
    **kwargs: Any,
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    query: list[tuple[str, str]] = list(params or [])
    if api_key is not None:
        query.append(("api_key", api_key))
    timeout = kwargs.pop("timeout", TIMEOUT)
    url = f"{server.api_url}{path}"
    return requests.get(url, params=query, headers=headers, timeout=timeout, **kwargs)


def event_ids(payload: dict[str, Any]) -> set[str]:
    return {event["id"] for event in payload["incidents"] + payload["maintenances"]}


def epoch(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


# IMS tokens.


def test_token_is_issued_with_client_id_in_the_query(server: SimulatorServer) -> None:
    response = fetch_token(server)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 86399
    assert isinstance(body["access_token"], str) and len(body["access_token"]) >= 32


def test_token_is_issued_with_client_id_in_the_body(server: SimulatorServer) -> None:
    data = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "grant_type": "client_credentials",
        "scope": SCOPES,
    }
    response = requests.post(server.ims_token_url, data=data, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json()["access_token"]


def test_each_token_is_a_new_random_string(server: SimulatorServer) -> None:
    assert len({token_for(server) for _ in range(3)}) == 3


def test_wrong_secret_is_invalid_client_401_without_the_secret(server: SimulatorServer) -> None:
    response = fetch_token(server, client_secret="guessed-secret-99")
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "invalid_client"
    assert body["error_description"]
    assert "guessed-secret-99" not in response.text
    assert CLIENT_SECRET not in response.text


def test_wrong_client_id_is_invalid_client_401(server: SimulatorServer) -> None:
    response = fetch_token(server, client_id="someone-else")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize("grant_type", ["", "password", "authorization_code"])
def test_other_grant_type_is_400_unsupported_grant_type(
    server: SimulatorServer, grant_type: str
) -> None:
    response = fetch_token(server, grant_type=grant_type)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_missing_scope_is_400_invalid_scope(server: SimulatorServer) -> None:
    response = fetch_token(server, scope="")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_json_token_request_is_400_invalid_request(server: SimulatorServer) -> None:
    payload = {"client_secret": CLIENT_SECRET, "grant_type": "client_credentials"}
    response = requests.post(
        server.ims_token_url, params={"client_id": CLIENT_ID}, json=payload, timeout=TIMEOUT
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_token_works_until_it_expires(
    server: SimulatorServer, quiet_sim: Simulator, fake_clock: FakeClock
) -> None:
    quiet_sim.set_expires_in(60)
    response = fetch_token(server)
    assert response.json()["expires_in"] == 60
    token = response.json()["access_token"]
    fake_clock.advance(59)
    assert api_get(server, "/api/v1/events", token).status_code == 200
    fake_clock.advance(1)
    assert api_get(server, "/api/v1/events", token).status_code == 401


def test_revoked_tokens_get_401_and_new_tokens_work(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    old = token_for(server)
    assert api_get(server, "/api/v1/events", old).status_code == 200
    quiet_sim.revoke_tokens()
    assert api_get(server, "/api/v1/events", old).status_code == 401
    assert api_get(server, "/api/v1/events", token_for(server)).status_code == 200


# Status API authentication.


def test_api_without_bearer_token_is_401_json(server: SimulatorServer) -> None:
    response = api_get(server, "/api/v1/events", None)
    assert response.status_code == 401
    assert response.json()["error_code"] == "401013"


@pytest.mark.parametrize("authorization", ["Bearer not-a-token", "Basic Zm9vOmJhcg==", "Bearer"])
def test_api_with_bad_authorization_is_401(server: SimulatorServer, authorization: str) -> None:
    response = requests.get(
        f"{server.api_url}/api/v1/products",
        params={"api_key": API_KEY},
        headers={"Authorization": authorization},
        timeout=TIMEOUT,
    )
    assert response.status_code == 401


@pytest.mark.parametrize("api_key", [None, "", "SomeOtherClient"])
def test_api_without_the_api_key_is_403(server: SimulatorServer, api_key: str | None) -> None:
    response = api_get(server, "/api/v1/events", token_for(server), api_key=api_key)
    assert response.status_code == 403
    assert response.json()["error_code"].startswith("403")


def test_api_key_in_x_api_key_header_is_accepted(server: SimulatorServer) -> None:
    response = requests.get(
        f"{server.api_url}/api/v1/clouds",
        headers={"Authorization": f"Bearer {token_for(server)}", "x-api-key": API_KEY},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert len(response.json()) == 5


def test_unknown_api_path_is_404(server: SimulatorServer) -> None:
    assert api_get(server, "/api/v1/nothing", token_for(server)).status_code == 404


# Throttling.


def test_51st_request_within_5_s_is_429_with_retry_after(
    server: SimulatorServer, rate_clock: FakeClock
) -> None:
    token, other = token_for(server), token_for(server)
    codes = [api_get(server, "/api/v1/events", token).status_code for _ in range(50)]
    assert codes == [200] * 50
    throttled = api_get(server, "/api/v1/events", token)
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "5"
    # The window is per token, and slides.
    assert api_get(server, "/api/v1/events", other).status_code == 200
    rate_clock.advance(3)
    assert api_get(server, "/api/v1/events", token).headers["Retry-After"] == "2"
    rate_clock.advance(2)
    assert api_get(server, "/api/v1/events", token).status_code == 200


def test_token_endpoint_is_throttled_per_client(server: SimulatorServer) -> None:
    codes = [fetch_token(server).status_code for _ in range(51)]
    assert codes[:50] == [200] * 50
    assert codes[50] == 429


def test_no_throttle_never_answers_429(fake_clock: FakeClock, rate_clock: FakeClock) -> None:
    sim = Simulator(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        throttle=False,
        dynamic=False,
        clock=fake_clock,
        rate_clock=rate_clock,
    )
    with SimulatorServer(sim) as running:
        token = token_for(running)
        codes = {api_get(running, "/api/v1/regions", token).status_code for _ in range(60)}
    assert codes == {200}


# Filters.


def test_events_filter_by_product_ids_repeated_or_comma_separated(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    analytics = quiet_sim.add_incident(ANALYTICS, severity="Major")
    audience = quiet_sim.add_maintenance(AUDIENCE_MANAGER, status="Started")
    quiet_sim.add_incident(PHOTOSHOP, severity="Minor")
    token = token_for(server)
    repeated = [("productIds", ANALYTICS), ("productIds", AUDIENCE_MANAGER)]
    comma = [("productIds", f"{ANALYTICS},{AUDIENCE_MANAGER}")]
    for params in (repeated, comma):
        body = api_get(server, "/api/v1/events", token, params).json()
        assert event_ids(body) == {analytics, audience}
    assert len(event_ids(api_get(server, "/api/v1/events", token).json())) == 3


def test_events_filter_by_cloud_ids(server: SimulatorServer, quiet_sim: Simulator) -> None:
    analytics = quiet_sim.add_incident(ANALYTICS)
    photoshop = quiet_sim.add_incident(PHOTOSHOP)
    token = token_for(server)
    body = api_get(server, "/api/v1/events", token, [("cloudIds", EXPERIENCE_CLOUD)]).json()
    assert event_ids(body) == {analytics}
    body = api_get(server, "/api/v1/events", token, [("cloudIds", CREATIVE_CLOUD)]).json()
    assert event_ids(body) == {photoshop}


def test_region_filter_keeps_events_that_name_no_region(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    regions = quiet_sim.catalog.product(ANALYTICS).region_ids  # type: ignore[union-attr]
    everywhere = quiet_sim.add_incident(ANALYTICS, region_ids=None)
    first_only = quiet_sim.add_incident(ANALYTICS, region_ids=[regions[0]])
    second_only = quiet_sim.add_incident(ANALYTICS, region_ids=[regions[1]])
    token = token_for(server)
    body = api_get(server, "/api/v1/events", token, [("regionIds", regions[0])]).json()
    assert event_ids(body) == {everywhere, first_only}
    assert second_only not in event_ids(body)


def test_registry_filters_by_product_and_cloud_id(server: SimulatorServer) -> None:
    token = token_for(server)
    products = api_get(server, "/api/v1/products", token, [("productId", ANALYTICS)]).json()
    assert [p["id"] for p in products] == [ANALYTICS]
    in_cloud = api_get(server, "/api/v1/products", token, [("cloudId", EXPERIENCE_CLOUD)]).json()
    assert len(in_cloud) == 21 and ANALYTICS in {p["id"] for p in in_cloud}
    clouds = api_get(server, "/api/v1/clouds", token, [("cloudId", EXPERIENCE_CLOUD)]).json()
    assert [c["id"] for c in clouds] == [EXPERIENCE_CLOUD]
    assert ANALYTICS in {p["id"] for p in clouds[0]["cloudProducts"]}
    assert len(api_get(server, "/api/v1/products", token).json()) == 73


def test_incident_maintenance_and_scheduled_endpoints_split_the_feed(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    incident = quiet_sim.add_incident(ANALYTICS)
    started = quiet_sim.add_maintenance(ANALYTICS, status="Started")
    scheduled = quiet_sim.add_maintenance(PHOTOSHOP, status="Scheduled")
    token = token_for(server)

    def ids(path: str) -> set[str]:
        return {event["id"] for event in api_get(server, path, token).json()}

    assert ids("/api/v1/events/incidents") == {incident}
    assert ids("/api/v1/events/maintenance") == {started}
    assert ids("/api/v1/events/scheduled") == {scheduled}


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


# Server lifecycle, control API and entry points.


def test_server_urls_and_idempotent_close(quiet_sim: Simulator) -> None:
    running = SimulatorServer(quiet_sim, host="127.0.0.1", port=0).start()
    assert running.url == f"http://127.0.0.1:{running.port}"
    assert running.ims_token_url == f"{running.url}/ims/token/v3"
    assert running.api_url == running.url
    assert fetch_token(running).status_code == 200
    running.close()
    running.close()
    with pytest.raises(requests.ConnectionError):
        fetch_token(running)


def test_control_api_drives_a_simulator_over_http(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    control = f"{server.url}/_sim"
    added = requests.post(
        f"{control}/incidents", json={"product_id": ANALYTICS, "severity": "Minor"}, timeout=TIMEOUT
    )
    assert added.status_code == 201
    event_id = added.json()["id"]
    patched = requests.patch(
        f"{control}/events/{event_id}", json={"severity": "Major"}, timeout=TIMEOUT
    )
    assert patched.status_code == 200
    assert quiet_sim.payload_events()["incidents"][0]["products"][0]["severity"] == "Major"
    maintenance = requests.post(
        f"{control}/maintenances", json={"product_id": PHOTOSHOP, "status": "Scheduled"}, timeout=5
    )
    assert maintenance.status_code == 201
    fault = {"endpoint": "events", "status": 200, "body_base64": "/w=="}
    assert requests.post(f"{control}/faults", json=fault, timeout=TIMEOUT).status_code == 200
    token = token_for(server)
    assert api_get(server, "/api/v1/events", token).content == b"\xff"
    stats = requests.get(f"{control}/stats", timeout=TIMEOUT).json()
    assert stats["requests"] == {"token": 1, "events": 1}
    assert stats["events"] == {"incidents": 1, "maintenances": 1}
    assert requests.post(f"{control}/revoke", timeout=TIMEOUT).status_code == 200
    assert api_get(server, "/api/v1/events", token).status_code == 401
    assert requests.post(f"{control}/reset", timeout=TIMEOUT).status_code == 200
    assert quiet_sim.requests("events") == 0
    assert requests.delete(f"{control}/events/{event_id}", timeout=TIMEOUT).status_code == 204
    assert requests.delete(f"{control}/events/{event_id}", timeout=TIMEOUT).status_code == 404
    bad = requests.post(f"{control}/incidents", data=b"{not json", timeout=TIMEOUT)
    assert bad.status_code == 400
    unknown = requests.post(f"{control}/faults", json={"endpoint": "nope"}, timeout=TIMEOUT)
    assert unknown.status_code == 400


def test_run_simulator_serves_until_stopped() -> None:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_simulator,
        args=("127.0.0.1", 0),
        kwargs={"seed": 3, "scale": "typical", "stop": stop},
        daemon=True,
    )
    thread.start()
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_simulate_command_logs_its_urls_and_exits_0_on_sigterm() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "exporter",
            "simulate",
            "--web.listen-address",
            "127.0.0.1:0",
            "--seed",
            "5",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        assert match, line
        assert "client_id=demo-client" in line and "/ims/token/v3" in line
        stats = requests.get(f"{match.group(1)}/_sim/stats", timeout=TIMEOUT).json()
        assert stats["seed"] == 5 and stats["scale"] == "typical"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()
