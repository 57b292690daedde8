"""Replays reused between readings of Adobe's record (exporter/model/replay_cache.py).

What a user sees must not change: the status page's last days computed from a reading
that reused the last reading's replays equal those of a reading that replayed every
event. Reuse is only a saving: most events of a 40-day record are read again unchanged.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporter.config import Selection
from exporter.model.impacts import Keep
from exporter.model.past import Past
from exporter.model.replay_cache import ReplayCache, ReplayRound
from exporter.model.report import resolve
from exporter.model.vocabulary import State
from exporter.model.window import AdobeRecord, past
from exporter.simulator import Simulator
from exporter.simulator.feed_snapshot import Filters
from exporter.simulator.scale import Scale
from exporter.sources.api.dto import parse_catalog, read_events
from exporter.sources.feed.status_events import read_feed
from tests.support import payloads
from tests.support import record_cases as week

DAYS = 7
HOUR = 3600
START = 1_767_225_600  # 2026-01-01T00:00:00Z
CATALOG, _ = parse_catalog(payloads.products_payload(), payloads.clouds_payload())
SCOPE = resolve(Selection(), CATALOG)


class Counted:
    """A reading's round, counting the events the reader showed it and those it reused."""

    texts = True

    def __init__(self, cache: ReplayCache, since: float) -> None:
        self.round: ReplayRound = cache.round(since)
        self.asked = self.reused = 0

    def event(self, what: str, raw: str | None) -> Keep | None:
        keep = self.round.event(what, raw)
        self.asked += 1
        self.reused += keep is None
        return keep


def reading(
    body: bytes, now: float, cache: ReplayCache, *, feed: bool = True, days: float = DAYS
) -> tuple[Past, Counted]:
    """One reading of the record as `serve` makes it: the page's last days, and the round."""
    replays = Counted(cache, now - days * 86400)
    read = read_feed if feed else read_events
    read(body, now=now, keep_events=replays)
    cache.commit(replays.round)
    record = AdobeRecord(CATALOG, SCOPE, [], now, replayed=replays.round.kept)
    return past(record, days), replays


def figures(shown: Past) -> dict[str, tuple[object, ...]]:
    return {t.product.id: (tuple(t.seconds.items()), t.incidents, t.window) for t in shown.totals}


def body_of(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


def test_an_unchanged_record_read_again_reuses_every_closed_event_and_shows_the_same() -> None:
    body = body_of(week.feed(week.NOW))
    cache = ReplayCache()
    first, first_round = reading(body, week.NOW, cache)
    later = week.NOW + HOUR
    again, second_round = reading(body, later, cache)
    fresh, _ = reading(body, later, ReplayCache())
    assert first_round.reused == 0
    # Every event of the week but I4, still open, is over and reused.
    assert second_round.reused == second_round.asked - 1
    assert figures(again) == figures(fresh)
    # I4 (Major, open) was replayed anew: an hour more of Major than at the first reading.
    audience = {t.product.id: t for t in again.totals}[week.AUDIENCE]
    assert audience.minutes(State.MAJOR) == 120 + 60
    assert {t.product.id: t for t in first.totals}[week.AUDIENCE].minutes(State.MAJOR) == 120


def test_an_event_adobe_rewrote_is_replayed_anew() -> None:
    now = week.NOW
    document = week.feed(now)
    cache = ReplayCache()
    reading(body_of(document), now, cache)
    changed = copy.deepcopy(document)
    i2 = changed["incidentEvent"]["incidents"]["I2"]["products"][week.AUDIENCE]
    for entry in i2["history"].values():
        entry["severity"] = "Major"  # Adobe corrects the severity of a closed incident
    i2["severity"] = "Major"
    again, second_round = reading(body_of(changed), now + HOUR, cache)
    fresh, _ = reading(body_of(changed), now + HOUR, ReplayCache())
    assert figures(again) == figures(fresh)
    assert second_round.reused == second_round.asked - 2  # I2 and I4 replayed
    audience = {t.product.id: t for t in again.totals}[week.AUDIENCE]
    assert audience.minutes(State.MINOR) == 0
    assert audience.minutes(State.MAJOR) == 45 + 120 + 60


def test_a_failed_reading_leaves_the_last_good_one_to_reuse() -> None:
    body = body_of(week.feed(week.NOW))
    cache = ReplayCache()
    reading(body, week.NOW, cache)
    abandoned = Counted(cache, week.NOW - DAYS * 86400)
    abandoned.event("incident", '{"id": "elsewhere"}')  # read, then the reading failed
    _, after = reading(body, week.NOW + HOUR, cache)
    assert after.reused == after.asked - 1


def test_the_same_text_in_the_other_section_is_not_taken_for_it() -> None:
    cache = ReplayCache()
    one = cache.round(0.0)
    keep = one.event("incident", "{}")
    assert keep is not None
    cache.commit(one)
    other = cache.round(0.0)
    assert other.event("maintenance", "{}") is not None
    assert other.event("incident", "{}") is None


# --- the simulator's world, moving between two readings ----------------------------------


def simulator_body(sim: Simulator, feed: bool) -> bytes:
    if feed:
        return bytes(sim.feed_events().body)
    return bytes(sim.snapshot().events_body(Filters()))


@settings(deadline=None, max_examples=20, suppress_health_check=list(HealthCheck))
@given(
    seed=st.integers(1, 10_000),
    first=st.integers(0, 7 * 86400 // 60).map(lambda ticks: START + ticks * 60),
    gaps=st.lists(st.integers(1, 6 * 60), min_size=1, max_size=4),
    feed=st.booleans(),
)
def test_readings_that_reuse_replays_show_what_readings_from_scratch_show(
    seed: int, first: int, gaps: list[int], feed: bool
) -> None:
    """Escalations, closures, maintenances started and completed, root-cause entries: at
    every later reading the page's last days equal those of a reading from scratch."""
    clock = [float(first)]
    sim = Simulator(seed=seed, scale=Scale.typical(), throttle=False, clock=lambda: clock[0])
    cache = ReplayCache()
    reading(simulator_body(sim, feed), clock[0], cache, feed=feed, days=2)
    for gap in gaps:
        clock[0] += gap * 60
        body = simulator_body(sim, feed)
        reused, _ = reading(body, clock[0], cache, feed=feed, days=2)
        fresh, _ = reading(body, clock[0], ReplayCache(), feed=feed, days=2)
        assert figures(reused) == figures(fresh), f"read at {clock[0]}"


def maintenance_feed(entries: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    event = week.maintenance("MX", week.PHOTOSHOP, entries, **fields)
    return {"maintenanceEvent": {"maintenance": {"MX": event}}, "incidentEvent": {}}


def maintenance_minutes(shown: Past) -> float:
    return {t.product.id: t for t in shown.totals}[week.PHOTOSHOP].minutes(State.MAINTENANCE)


def test_a_maintenance_over_without_an_end_is_replayed_up_to_each_reading() -> None:
    """Adobe says Completed, but no entry or field says when: it counts up to the
    reading, so each reading must replay it again."""
    now = week.NOW
    entries = [
        week.entry("Scheduled", "", now - 3 * HOUR),
        week.entry("Started", "", now - 2 * HOUR),
    ]
    body = body_of(maintenance_feed(entries, status="Completed"))
    cache = ReplayCache()
    first, _ = reading(body, now, cache)
    again, _ = reading(body, now + HOUR, cache)
    fresh, _ = reading(body, now + HOUR, ReplayCache())
    assert maintenance_minutes(first) == 120
    assert maintenance_minutes(again) == maintenance_minutes(fresh) == 180


def test_entries_written_ahead_of_the_reading_are_replayed_once_their_time_has_come() -> None:
    """Adobe's clock ahead of ours: two entries timed after the first reading (the live
    rule says "over" then) replay as a maintenance that ran for an hour once passed."""
    now = week.NOW
    entries = [
        week.entry("Scheduled", "", now - 3 * HOUR),
        week.entry("Started", "", now - 2 * HOUR),
        week.entry("Completed", "", now - HOUR),
        week.entry("Started", "", now + HOUR),
        week.entry("Completed", "", now + 2 * HOUR),
    ]
    body = body_of(maintenance_feed(entries, status="Completed"))
    cache = ReplayCache()
    first, _ = reading(body, now, cache)
    again, _ = reading(body, now + 3 * HOUR, cache)
    fresh, _ = reading(body, now + 3 * HOUR, ReplayCache())
    assert maintenance_minutes(first) == 60
    assert maintenance_minutes(again) == maintenance_minutes(fresh) == 120


def test_an_event_reused_once_is_reused_again_at_the_next_reading() -> None:
    body = body_of(week.feed(week.NOW))
    cache = ReplayCache()
    reading(body, week.NOW, cache)
    reading(body, week.NOW + HOUR, cache)
    third, third_round = reading(body, week.NOW + 2 * HOUR, cache)
    fresh, _ = reading(body, week.NOW + 2 * HOUR, ReplayCache())
    assert third_round.reused == third_round.asked - 1
    assert figures(third) == figures(fresh)


def test_only_replays_are_kept_between_readings_never_the_events() -> None:
    body = body_of(week.feed(week.NOW))
    cache = ReplayCache()
    _, first_round = reading(body, week.NOW, cache)
    _, second_round = reading(body, week.NOW + HOUR, cache)
    assert first_round.round.kept
    assert all(one.record is None for one in first_round.round.kept)
    assert all(one.record is None for one in second_round.round.kept)


def test_events_read_whole_rather_than_streamed_are_replayed_every_time() -> None:
    """A section whose events come as a list, not a map, is decoded whole: no event's
    text is at hand, so nothing is reused, and the figures are still right."""
    document = week.feed(week.NOW)
    incidents = document["incidentEvent"]["incidents"]
    document["incidentEvent"]["incidents"] = list(incidents.values())
    body = body_of(document)
    cache = ReplayCache()
    reading(body, week.NOW, cache)
    again, second_round = reading(body, week.NOW + HOUR, cache)
    fresh, _ = reading(body, week.NOW + HOUR, ReplayCache())
    maintenances = len(document["maintenanceEvent"]["maintenance"])
    assert second_round.reused == maintenances
    assert figures(again) == figures(fresh)
