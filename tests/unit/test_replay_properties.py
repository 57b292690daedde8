"""The replay of Adobe's record and the live collector are one code path.

Two properties over generated scenarios:

- At the instant of reading, the records the readers keep, replayed by `impact_at`, give
  exactly the live statuses (payloads drawn from Adobe's own spec, both shapes).
- Before it, the record read later and replayed to an earlier instant gives what a live
  collection at that instant gave (the simulator's scenario, which moves through time:
  escalations, closures, maintenances started and completed, root-cause entries).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporter.config import Selection
from exporter.model.record import ProductRecord
from exporter.model.replay import impact_at
from exporter.model.report import StatusReport, resolve, summarize
from exporter.model.vocabulary import Impact
from exporter.simulator import Simulator
from exporter.simulator.feed_snapshot import Filters
from exporter.simulator.scale import Scale
from exporter.sources.api.dto import parse_catalog, read_events
from exporter.sources.feed.status_events import read_feed
from tests.support import payloads as p
from tests.support.adobe_spec import require_spec
from tests.support.spec_strategies import Spec, World, twin_worlds, worlds

SPEC = Spec.load(require_spec("generate payloads from it"))
PROFILE = settings(deadline=None, suppress_health_check=list(HealthCheck), max_examples=80)


def statuses(report: StatusReport) -> dict[str, object]:
    """Every series the four status families carry, as plain values."""
    return {
        status.product.id: (
            status.state,
            {rid: state for rid, (_, state) in status.regions.items()},
            dict(status.incidents),
            dict(status.maintenances),
        )
        for status in report.products
    }


def live_and_records(world: World, now: float) -> tuple[StatusReport, StatusReport]:
    try:
        registry, _ = parse_catalog(world.products, world.clouds)
    except ValueError:
        registry, _ = parse_catalog(p.products_payload(), p.clouds_payload())
    scope = resolve(Selection(), registry)
    body = json.dumps(world.events).encode()
    kept: list[ProductRecord] = []
    read = read_feed if world.feed else read_events
    events = read(body, now=now, keep=kept.append)
    live = summarize(registry, events.impacts, scope)
    impacts = [impact for record in kept if (impact := impact_at(record, now)) is not None]
    return live, summarize(registry, impacts, scope)


@PROFILE
@given(
    worlds(SPEC) | twin_worlds(SPEC).map(lambda twins: twins[0]), st.sampled_from([p.NOW, 1.5e9])
)
def test_records_replayed_at_the_instant_of_reading_give_the_live_statuses(
    world: World, now: float
) -> None:
    live, replayed = live_and_records(world, now)
    assert statuses(replayed) == statuses(live)
    assert sorted(map(repr, (i for i, _ in replayed.events))) == sorted(
        map(repr, (i for i, _ in live.events))
    )


# --- the simulator's world, read later and replayed to earlier instants -----------------

START = 1_767_225_600  # 2026-01-01T00:00:00Z
CATALOG_SIM = Simulator(dynamic=False)


def shown(impact: Impact) -> tuple[object, ...]:
    """What an impact does to the status series (texts and known end times aside)."""
    return (
        impact.event_id,
        impact.kind,
        impact.product_id,
        impact.severity,
        impact.state,
        impact.region_ids,
        impact.status if impact.kind == "maintenance" else "",
    )


def simulator_at(seed: int, clock: list[float]) -> Simulator:
    return Simulator(seed=seed, scale=Scale.typical(), throttle=False, clock=lambda: clock[0])


def read_simulator(
    sim: Simulator, feed: bool, now: float, keep: list[ProductRecord] | None
) -> list[Impact]:
    if feed:
        events = read_feed(
            sim.feed_events().body, now=now, keep=None if keep is None else keep.append
        )
    else:
        body = sim.snapshot().events_body(Filters())
        events = read_events(body, now=now, keep=None if keep is None else keep.append)
    return events.impacts


@settings(deadline=None, max_examples=25, suppress_health_check=list(HealthCheck))
@given(
    seed=st.integers(1, 10_000),
    later=st.integers(0, 7 * 86400 // 10).map(lambda ticks: START + ticks * 10),
    feed=st.booleans(),
    back=st.lists(st.integers(1, 12 * 360), min_size=1, max_size=6),
)
def test_the_record_read_later_replays_what_the_live_collector_said_then(
    seed: int, later: int, feed: bool, back: list[int]
) -> None:
    clock = [float(later)]
    sim = simulator_at(seed, clock)
    kept: list[ProductRecord] = []
    read_simulator(sim, feed, later, kept)
    known = {(record.event.event_id, record.product_id) for record in kept}
    for ticks in back:
        earlier = later - ticks * 10
        clock[0] = float(earlier)
        then: list[ProductRecord] = []
        live = read_simulator(sim, feed, earlier, then)
        # The simulator shows a lane's event only during its slot (a maintenance appears
        # already announced, an event vanishes a little after it closed): compare the
        # events both readings hold.
        both = known & {(record.event.event_id, record.product_id) for record in then}
        expected = sorted(shown(i) for i in live if (i.event_id, i.product_id) in both)
        replayed = [
            impact_at(record, earlier)
            for record in kept
            if (record.event.event_id, record.product_id) in both
        ]
        got = sorted(shown(i) for i in replayed if i is not None)
        assert got == expected, f"at {earlier} (read at {later})"


@pytest.mark.parametrize("feed", [False, True])
def test_the_replay_is_not_the_present_before_the_instant_of_reading(feed: bool) -> None:
    """A check that the previous test can fail: the present differs from the past."""
    clock = [float(START + 86400)]
    sim = simulator_at(7, clock)
    kept: list[ProductRecord] = []
    now_impacts = read_simulator(sim, feed, clock[0], kept)
    earlier = clock[0] - 6 * 3600
    replayed = [i for record in kept if (i := impact_at(record, earlier)) is not None]
    assert sorted(map(shown, replayed)) != sorted(map(shown, now_impacts))
