"""The simulator of Adobe IMS and the Status API, exercised over real HTTP on loopback:
tokens, authentication, throttling, filters, the server's lifecycle and entry points.
Events, faults and the generated scenario are in test_simulator_events.py."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

import pytest
import requests

from exporter.simulator import API_KEY, Simulator, SimulatorServer, run_simulator
from tests.support.simulator_http import (
    ANALYTICS,
    AUDIENCE_MANAGER,
    CLIENT_ID,
    CLIENT_SECRET,
    CREATIVE_CLOUD,
    EXPERIENCE_CLOUD,
    PHOTOSHOP,
    SCOPES,
    TIMEOUT,
    FakeClock,
    api_get,
    event_ids,
    fetch_token,
    token_for,
)

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
