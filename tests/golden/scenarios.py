"""The fixed scenarios behind the golden expositions, each rendered as `normalise`d text.

Every scenario starts a fresh simulator (no generated events) and a fresh exporter over
loopback on one clock frozen at `FROZEN_NOW`, adds its events, scrapes /metrics and stops
both. Fresh ones each time: the self counters count this scenario's requests only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import requests

from exporter.config import CacheConfig, Selection
from exporter.simulator import Simulator, SimulatorServer
from exporter.web.server import ExporterHTTPServer
from exporter.wiring import build_service
from tests.golden import FROZEN_NOW, normalise
from tests.support.exporters import CLIENT_ID, CLIENT_SECRET, FakeClock, upstream_on

SEED = 7
MINUTE = 60.0
FEED_CACHE_TTL = 60.0  # --cache-ttl's default with --source feed

# Products of Adobe's catalog the scenarios name (id: name, cloud, the regions it serves).
ANALYTICS = "503467"  # Adobe Analytics, Experience Cloud, Americas EMEA APAC
AUDIENCE_MANAGER = "503486"  # Adobe Audience Manager, Experience Cloud, Americas only
ACROBAT = "512699"  # Adobe Acrobat, Document Cloud, Americas EMEA APAC
ACROBAT_SERVICES = "503500"  # Adobe Acrobat Services, Document Cloud, Americas EMEA APAC
ACROBAT_SIGN = "503494"  # Adobe Acrobat Sign, Document Cloud, Americas only
EXPRESS = "503465"  # Adobe Express, Creative Cloud, Americas EMEA APAC
AERO = "503511"  # Adobe Aero, Creative Cloud, Americas EMEA APAC
CC_APPLICATIONS = "503492"  # Adobe Creative Cloud Applications, Creative Cloud, all three
ALL_REGIONS = ["Americas", "EMEA", "APAC"]


@dataclass
class World:
    """The simulator, its clock and an exporter pointed at both."""

    clock: FakeClock
    simulator: Simulator
    url: str

    def scrape(self) -> str:
        """GET /metrics, the body as served."""
        response = requests.get(self.url + "/metrics", timeout=30)
        response.raise_for_status()
        return response.content.decode("utf-8")


@contextlib.contextmanager
def world(
    *,
    selection: Selection = Selection(),
    client_secret: str = CLIENT_SECRET,
    feed: bool = False,
) -> Iterator[World]:
    """A simulator and an exporter on a clock frozen at FROZEN_NOW; both stopped after.

    `feed`: the exporter reads the simulator's public feed (`--source feed`, its default
    --cache-ttl of 60 s) instead of the Status API.
    """
    clock = FakeClock()
    clock.now = FROZEN_NOW
    simulator = Simulator(
        seed=SEED, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, dynamic=False, clock=clock
    )
    with SimulatorServer(simulator, host="127.0.0.1", port=0) as sim_server:
        source = "feed" if feed else "api"
        upstream = upstream_on(sim_server, source, client_secret=client_secret)
        cache_config = CacheConfig(
            selection=selection, cache_ttl=FEED_CACHE_TTL if feed else 0.0, max_stale=300.0
        )
        service = build_service(upstream, cache_config, clock=clock)
        server = ExporterHTTPServer(service.app, "127.0.0.1:0")
        server.start_in_thread()
        try:
            yield World(clock, simulator, server.url)
        finally:
            server.shutdown()
            service.close()


def add_healthy_events(sim: Simulator) -> None:
    """One event of each kind the contract names, on fixed products and regions."""
    sim.add_incident(ANALYTICS, "Major", region_ids=["EMEA"], started_at=FROZEN_NOW - 20 * MINUTE)
    sim.add_incident(EXPRESS, "Minor", started_at=FROZEN_NOW - 5 * MINUTE)
    sim.add_incident(AUDIENCE_MANAGER, "Potential", started_at=FROZEN_NOW - 2 * MINUTE)
    sim.add_maintenance(ACROBAT, "Started", start_at=FROZEN_NOW - 30 * MINUTE)
    sim.add_maintenance(AERO, "Scheduled", start_at=FROZEN_NOW + 120 * MINUTE)
    # One maintenance, two products: the event names all three regions, the history of
    # Creative Cloud Applications names only APAC.
    sim.add_maintenance(
        [CC_APPLICATIONS, ACROBAT_SERVICES],
        "Started",
        region_ids=ALL_REGIONS,
        start_at=FROZEN_NOW - 10 * MINUTE,
        product_regions={CC_APPLICATIONS: ["APAC"]},
    )


def healthy() -> str:
    """Every product of the catalog, one good collection with one event of each kind:
    a major incident in one region, a minor and a potential one, a maintenance in progress,
    a scheduled one, and one whose product names fewer regions than the event."""
    with world() as w:
        add_healthy_events(w.simulator)
        return normalise(w.scrape())


def filtered() -> str:
    """--product (a name and an id) --cloud (a name) --region (a name): only EMEA of two
    Document Cloud products, with events inside and outside the selection."""
    selection = Selection(
        products=("Adobe Acrobat", ACROBAT_SERVICES),
        clouds=("Adobe Document Cloud",),
        regions=("EMEA",),
    )
    with world(selection=selection) as w:
        sim = w.simulator
        sim.add_incident(ACROBAT, "Minor", region_ids=["EMEA"], started_at=FROZEN_NOW - 15 * MINUTE)
        sim.add_maintenance(ACROBAT_SERVICES, "Started", start_at=FROZEN_NOW - 5 * MINUTE)
        # Outside the selection: another region, an unselected product, another cloud.
        sim.add_incident(ACROBAT, "Major", region_ids=["Americas"], started_at=FROZEN_NOW - MINUTE)
        sim.add_incident(ACROBAT_SIGN, "Major", started_at=FROZEN_NOW - MINUTE)
        sim.add_incident(ANALYTICS, "Major", started_at=FROZEN_NOW - MINUTE)
        return normalise(w.scrape())


def failing_stale() -> str:
    """A good collection, then IMS refuses the credentials a minute later (the secret was
    rotated and the Status API dropped the token): up 0, the last good statuses still served
    within --max-stale, the failure counted."""
    with world(selection=Selection(clouds=("Adobe Document Cloud",))) as w:
        w.simulator.add_incident(ACROBAT, "Major", started_at=FROZEN_NOW - 10 * MINUTE)
        w.scrape()
        w.simulator.set_client_secret("rotated-by-an-admin")
        w.simulator.revoke_tokens()
        w.clock.advance(MINUTE)
        return normalise(w.scrape())


def failing_never() -> str:
    """IMS refuses the exporter's secret from the start: no good collection at all, so only
    up 0 and the self metrics."""
    with world(client_secret="not-the-right-secret") as w:
        w.simulator.add_incident(ACROBAT, "Major")
        return normalise(w.scrape())


def feed() -> str:
    """--source feed, the healthy scenario's events and catalog: a first collection, then
    one after --cache-ttl that the feed answers 304 Not Modified (StatusEvents unchanged)."""
    with world(feed=True) as w:
        add_healthy_events(w.simulator)
        w.scrape()
        w.clock.advance(FEED_CACHE_TTL + MINUTE)
        return normalise(w.scrape())


SCENARIOS: dict[str, Callable[[], str]] = {
    "healthy": healthy,
    "filtered": filtered,
    "failing_stale": failing_stale,
    "failing_never": failing_never,
    "feed": feed,
}
