"""Adobe's record through both sources: the API's `from`/`to` and the feed's 40 days.

One simulated world (escalated and closed incidents, one older than the window, one
open): `history` reads the same rows through either source; through the API the events
come from `/api/v1/events` with `from`/`to`, and an event that ended before the window is
not even sent.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from exporter.config import CacheConfig
from exporter.deadline import Deadline
from exporter.model.window import AdobeRecord, rows
from exporter.simulator import Simulator, SimulatorServer
from exporter.wiring import build_service
from tests.support.exporters import CLIENT_ID, CLIENT_SECRET, upstream_on
from tests.support.simulator_api import api_session

pytestmark = pytest.mark.integration

NOW = 1_767_225_600  # 2026-01-01T00:00:00Z
DAY = 86400
ANALYTICS, TARGET, PHOTOSHOP = "503467", "503470", "503493"
World = tuple[Simulator, SimulatorServer, requests.Session, dict[str, str]]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    clock = [float(NOW - 10 * DAY)]
    sim = Simulator(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        dynamic=False,
        throttle=False,
        clock=lambda: clock[0],
    )
    old = sim.add_incident(PHOTOSHOP, "Major")
    clock[0] += 3600
    sim.update_incident(old, status="Closed")
    clock[0] = NOW - 3 * DAY
    escalated = sim.add_incident(ANALYTICS, "Minor", region_ids=["EMEA"])
    clock[0] += 600
    sim.update_incident(escalated, severity="Major")
    clock[0] += 1200
    sim.update_incident(escalated, status="Closed")
    clock[0] = NOW - 3600
    still_open = sim.add_incident(TARGET, "Minor")
    clock[0] = NOW
    with api_session(sim, CLIENT_ID, CLIENT_SECRET) as (server, session):
        yield sim, server, session, {"old": old, "escalated": escalated, "open": still_open}


def read(server: SimulatorServer, source: str) -> AdobeRecord:
    config = upstream_on(server, source)
    service = build_service(config, CacheConfig(), clock=lambda: float(NOW))
    try:
        assert service.record is not None
        return service.record(Deadline(), NOW - 7 * DAY, None)
    finally:
        service.close()


def record_rows(server: SimulatorServer, source: str) -> list[dict[str, object]]:
    return [row.as_dict() for row in rows(read(server, source), NOW - 7 * DAY)]


def test_both_sources_give_the_same_rows_of_the_window(world: World) -> None:
    _, server, _, ids = world
    api, feed = record_rows(server, "api"), record_rows(server, "feed")
    assert api == feed
    got = {row["event_id"]: (row["severity"], row["seconds"], row["regions"]) for row in api}
    assert got == {
        ids["escalated"]: ("major", 1800, ["EMEA"]),
        ids["open"]: ("minor", None, got[ids["open"]][2]),
    }


def test_the_api_is_asked_with_from_and_to_and_sends_only_the_window(world: World) -> None:
    _, server, session, ids = world
    read_ids = {
        source: {r.event.event_id for r in read(server, source).records}
        for source in ("api", "feed")
    }
    assert read_ids == {"api": {ids["escalated"], ids["open"]}, "feed": set(ids.values())}
    everything = session.get(f"{server.api_url}/api/v1/events", timeout=10).json()
    window = session.get(
        f"{server.api_url}/api/v1/events",
        params={"from": "2025-12-25", "to": "2026-01-01"},
        timeout=10,
    ).json()
    refused = session.get(
        f"{server.api_url}/api/v1/events", params={"from": "last week"}, timeout=10
    )
    listed = {event["id"] for event in everything["incidents"]}
    sent = {event["id"] for event in window["incidents"]}
    assert listed == set(ids.values())
    assert sent == {ids["escalated"], ids["open"]}  # the old one ended before `from`
    assert refused.status_code == 400
