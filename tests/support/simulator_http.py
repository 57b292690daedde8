"""The simulator over real HTTP for its own tests (tests/unit/test_simulator*.py): a quiet
simulator on a fake clock, its server, and requests to its IMS and Status API.

The fixtures are imported by the test modules that use them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from exporter.simulator import API_KEY, Simulator, SimulatorServer

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
