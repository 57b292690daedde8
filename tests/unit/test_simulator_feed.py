"""The simulator's copy of the public feed (StatusEvents, SnowServiceRegistry), over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

import pytest
import requests

from exporter.simulator import API_KEY, Simulator, SimulatorServer

T0 = 1_795_000_000.0
ANALYTICS, PHOTOSHOP = "503467", "503493"
TIMEOUT = 10
EVENTS, REGISTRY = "/StatusEvents", "/SnowServiceRegistry"


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def quiet_sim(clock: FakeClock) -> Simulator:
    return Simulator(seed=1, dynamic=False, clock=clock)


@pytest.fixture
def server(quiet_sim: Simulator) -> Iterator[SimulatorServer]:
    with SimulatorServer(quiet_sim) as running:
        yield running


def get(server: SimulatorServer, path: str, **headers: str) -> requests.Response:
    return requests.get(f"{server.feed_url}{path}", headers=headers, timeout=TIMEOUT)


def test_status_events_needs_no_credentials_and_holds_the_api_events(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    incident = quiet_sim.add_incident(ANALYTICS, severity="Major")
    maintenance = quiet_sim.add_maintenance(PHOTOSHOP, status="Started")
    response = get(server, EVENTS)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    feed = response.json()
    assert set(feed["incidentEvent"]["incidents"]) == {incident}
    assert set(feed["maintenanceEvent"]["maintenance"]) == {maintenance}
    product = feed["incidentEvent"]["incidents"][incident]["products"][ANALYTICS]
    assert product["startedOn"] == T0  # epoch seconds
    assert list(product["history"]) == [str(int(T0))]
    assert feed == quiet_sim.payload_feed()
    assert quiet_sim.credentials_seen("feed_events") == {
        "authorization": 0,
        "x-api-key": 0,
        "api_key": 0,
    }


def test_a_feed_request_carrying_credentials_is_answered_and_recorded(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    response = requests.get(
        f"{server.feed_url}{REGISTRY}",
        params={"api_key": API_KEY},
        headers={"Authorization": "Bearer secret-token", "x-api-key": API_KEY},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert quiet_sim.credentials_seen("feed_registry") == {
        "authorization": 1,
        "x-api-key": 1,
        "api_key": 1,
    }
    seen = quiet_sim.last_headers("feed_registry")
    assert "secret-token" not in str(seen) and seen["authorization"] == "<redacted>"
    assert quiet_sim.credentials_seen("feed_events")["authorization"] == 0


def test_registry_maps_products_through_services_to_environment_regions(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    registry: dict[str, Any] = get(server, REGISTRY).json()
    assert set(registry) == {"clouds", "products", "offerings", "services", "environments"}
    catalog = quiet_sim.catalog
    assert set(registry["products"]) == {p.id for p in catalog.products}
    assert set(registry["clouds"]) == {c.id for c in catalog.clouds}
    for cloud in registry["clouds"].values():
        assert set(cloud) == {"id", "name", "cloudProducts"}
        assert set(cloud["cloudProducts"]) <= set(registry["products"])
    for product_id, product in registry["products"].items():
        assert product["id"] == product_id and product["name"]
        assert set(product["productOfferings"]) <= set(registry["offerings"])
        envs = {
            env
            for service in product["productServices"]
            for env in registry["services"][service]["serviceEnvironments"]
        }
        regions = {r for env in envs for r in registry["environments"][env]["regionId"]}
        assert regions == set(catalog.product(product_id).region_ids)  # type: ignore[union-attr]
    for offering in registry["offerings"].values():
        assert set(offering["productServices"]) <= set(registry["services"])


def test_matching_etag_gets_304_without_a_body(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    quiet_sim.add_incident(ANALYTICS)
    for path, endpoint in ((EVENTS, "feed_events"), (REGISTRY, "feed_registry")):
        first = get(server, path)
        etag = first.headers["ETag"]
        assert etag.startswith('"') and etag.endswith('"')
        again = get(server, path, **{"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["ETag"] == etag
        assert get(server, path, **{"If-None-Match": f'"x", W/{etag}'}).status_code == 304
        assert get(server, path, **{"If-None-Match": '"other"'}).status_code == 200
        assert quiet_sim.requests(endpoint) == 4
        assert quiet_sim.not_modified(endpoint) == 2


def test_a_fault_that_spoils_the_body_answers_a_conditional_request_with_a_body(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    etag = get(server, REGISTRY).headers["ETag"]
    quiet_sim.inject("feed_registry", body=b'{"services": {"trunc')
    spoiled = get(server, REGISTRY, **{"If-None-Match": etag})
    assert (spoiled.status_code, spoiled.content) == (200, b'{"services": {"trunc')
    quiet_sim.inject("feed_registry", slow_body=True, delay=0.2)
    slow = get(server, REGISTRY, **{"If-None-Match": etag})
    assert slow.status_code == 200 and slow.json()["services"]
    assert get(server, REGISTRY, **{"If-None-Match": etag}).status_code == 304


def test_if_modified_since_gets_304_unless_the_document_is_newer(
    server: SimulatorServer, clock: FakeClock
) -> None:
    for path in (EVENTS, REGISTRY):
        first = get(server, path)
        modified = first.headers["Last-Modified"]
        assert parsedate_to_datetime(modified).timestamp() == T0
        assert get(server, path, **{"If-Modified-Since": modified}).status_code == 304
        later = formatdate(T0 + 3600, usegmt=True)
        assert get(server, path, **{"If-Modified-Since": later}).status_code == 304
        earlier = formatdate(T0 - 1, usegmt=True)
        assert get(server, path, **{"If-Modified-Since": earlier}).status_code == 200
        assert get(server, path, **{"If-Modified-Since": "not a date"}).status_code == 200
        # If-None-Match wins over If-Modified-Since.
        both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
        assert get(server, path, **both).status_code == 200


def test_etag_and_last_modified_change_exactly_when_an_event_changes(
    server: SimulatorServer, quiet_sim: Simulator, clock: FakeClock
) -> None:
    incident = quiet_sim.add_incident(ANALYTICS, severity="Minor")
    first = get(server, EVENTS)
    clock.now += 3600  # time passing changes nothing in a static feed
    assert get(server, EVENTS).headers["ETag"] == first.headers["ETag"]
    quiet_sim.update_incident(incident, severity="Major")
    changed = get(server, EVENTS, **{"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert changed.json() != first.json()
    old, new = (parsedate_to_datetime(r.headers["Last-Modified"]) for r in (first, changed))
    assert new > old
    stale = get(server, EVENTS, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert stale.status_code == 200
    # The registry did not change.
    assert get(server, REGISTRY).headers["ETag"] == get(server, REGISTRY).headers["ETag"]


def test_a_change_within_the_same_second_still_moves_last_modified(
    server: SimulatorServer, quiet_sim: Simulator
) -> None:
    first = get(server, EVENTS)
    quiet_sim.add_incident(ANALYTICS)  # the fake clock stands still
    changed = get(server, EVENTS, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert changed.status_code == 200
    assert changed.headers["Last-Modified"] != first.headers["Last-Modified"]


def test_head_answers_the_validators_without_a_body(server: SimulatorServer) -> None:
    response = requests.head(f"{server.feed_url}{EVENTS}", timeout=TIMEOUT)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["ETag"] == get(server, EVENTS).headers["ETag"]


def test_faults_spoil_the_feed_endpoints(server: SimulatorServer, quiet_sim: Simulator) -> None:
    html = "<html><body>Access Denied</body></html>"
    quiet_sim.inject("feed_events", status=403, body=html, content_type="text/html")
    refused = get(server, EVENTS)
    assert refused.status_code == 403 and refused.text == html
    assert get(server, EVENTS).status_code == 200
    quiet_sim.inject("feed_registry", status=None, body="{not json")
    assert get(server, REGISTRY).text == "{not json"
    quiet_sim.inject("feed_registry", status=503, times=None)
    assert {get(server, REGISTRY).status_code for _ in range(3)} == {503}
    quiet_sim.clear_faults()
    assert get(server, REGISTRY).status_code == 200


def test_stats_report_feed_requests_304s_and_credentials(server: SimulatorServer) -> None:
    etag = get(server, EVENTS).headers["ETag"]
    get(server, EVENTS, **{"If-None-Match": etag})
    stats = requests.get(f"{server.url}/_sim/stats", timeout=TIMEOUT).json()
    assert stats["requests"]["feed_events"] == 2
    assert stats["not_modified"] == {"feed_events": 1}
    assert stats["credentials"]["feed_events"] == {
        "authorization": 0,
        "x-api-key": 0,
        "api_key": 0,
    }
    assert stats["last_headers"]["feed_events"]["if-none-match"] == etag


def test_other_methods_are_refused(server: SimulatorServer) -> None:
    response = requests.post(f"{server.feed_url}{EVENTS}", timeout=TIMEOUT)
    assert response.status_code == 405


def test_status_events_follow_the_scenario_as_time_moves(clock: FakeClock) -> None:
    sim = Simulator(seed=4, clock=clock)
    etags = set()
    with SimulatorServer(sim) as running:
        for _ in range(6):
            response = get(running, EVENTS)
            assert response.json() == sim.payload_feed()
            etags.add(response.headers["ETag"])
            clock.now += 300
    assert len(etags) == 6
