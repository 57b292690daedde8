# The scenario must be reproducible from its seed: `random` is the point, not a weakness.
# ruff: noqa: S311
"""The generated scenario: which events exist at time t, deterministic from seed and time.

Events run on *lanes*. A lane has a fixed period and phase; in each period (a *slot*) it
carries at most one event, drawn from a random generator seeded by (seed, lane, slot), so
the event at any instant is found in O(1) without replaying the past. Within its slot an
event idles, opens, changes severity, closes and lingers a little as Closed, then
vanishes when the slot ends.

Anchor lanes keep the demo from ever looking empty: one lane always carries a Major
incident and one a Minor incident (on products that no other lane touches, so those
products show exactly that state), one always carries a maintenance in progress, a pair
always has a maintenance scheduled within the hour and another pair one between 1 and
24 hours out. The other lanes are random.

Scales with a backlog add closed events over the past days, generated per hour of history;
some closed incidents get a root-cause (CFS) entry weeks after closure, when its time comes.
Every generated time is a multiple of TICK, so the feed only changes on ticks.

Ids look like Adobe's: incidents `YYYYMMDD` of their start plus a number (`202608040123`;
four digits except at stress scale), maintenances `CHG` plus nine or more digits.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from exporter.simulator.catalog import Catalog, Product
from exporter.simulator.plans import Kind, Member, Plan, Step, incident_id, maintenance_id
from exporter.simulator.scale import Scale

TICK = 10
MINUTE = 60
HOUR = 3600

# Severity paths of the random incidents, as their history will show them.
_PATHS: tuple[tuple[str, ...], ...] = (
    ("Minor",),
    ("Minor",),
    ("Potential", "Minor"),
    ("Minor", "Major", "Minor"),
    ("Major", "Minor"),
    ("Major",),
    ("Potential",),
    ("Trivial",),
    ("Potential", "Minor", "Major"),
    ("Minor", "Potential"),
)
_BACKLOG_SEVERITIES = ("Potential", "Minor", "Minor", "Major", "Trivial")
# Number ranges inside an incident id's day: backlog hour*100+n below 2400, lanes above,
# events added by tests from 9000 (see `incident_id`).
_LANE_BASE = 2400
_LANE_SLOTS = 150  # more slots than any incident lane has in a day
_MANUAL_BASE = 9000


@dataclass(frozen=True)
class _Lane:
    number: int
    role: str
    period: int
    offset: int
    pool: tuple[Product, ...]


def _ticks(rng: random.Random, low: int, high: int) -> int:
    """A random duration in [low, high] seconds, as a whole number of ticks."""
    return rng.randint(low // TICK, max(low, high) // TICK) * TICK


def member(product: Product) -> Member:
    """What an event needs to know of a product it names."""
    return Member(
        product.id,
        product.name,
        product.cloud_id,
        product.region_ids,
        service_ids=tuple(service.id for service in product.services),
        offering_ids=tuple(offering.id for offering in product.offerings),
    )


def _lane_number(lane: int, slot: int) -> int:
    number = _LANE_BASE + lane * _LANE_SLOTS + slot % _LANE_SLOTS
    # Stress scale has thousands of lanes: past the manual range, the numbers grow longer.
    return number if number < _MANUAL_BASE else 1_000_000 + number


class Scenario:
    """Generated plans for one seed, scale and catalog.

    Not thread-safe: its caches are filled as time moves, so callers serialize calls.
    """

    def __init__(self, seed: int, scale: Scale, catalog: Catalog) -> None:
        self._seed = seed
        self._scale = scale
        self._products = catalog.products
        self._clouds = {cloud.id: cloud.product_ids for cloud in catalog.clouds}
        self._lanes = self._build_lanes() if catalog.products else []
        self._memo: dict[int, tuple[int, Plan | None]] = {}
        self._buckets: dict[int, tuple[Plan, ...]] = {}

    def plans(self, now: int) -> list[Plan]:
        """Every generated plan the feed shows at `now` (epoch seconds)."""
        shown = [plan for lane in self._lanes if (plan := self._lane_plan(lane, now))]
        shown.extend(self._backlog(now))
        return shown

    # Lanes.

    def _build_lanes(self) -> list[_Lane]:
        scale, products = self._scale, list(self._products)
        random.Random(f"{self._seed}:pools").shuffle(products)
        size = max(1, min(6, len(products) // 8))
        major, minor, hold = (
            products[:size],
            products[size : 2 * size],
            products[2 * size : 3 * size],
        )
        rest = tuple(products[3 * size :]) or tuple(products)
        lo, hi = scale.incident_minutes[0] * MINUTE, scale.incident_minutes[1] * MINUTE
        linger_hi = scale.closed_linger_minutes[1] * MINUTE
        specs: list[tuple[str, tuple[int, int], tuple[Product, ...]]] = [
            ("major", (10 * MINUTE, 15 * MINUTE), tuple(major)),
            ("minor", (10 * MINUTE, 15 * MINUTE), tuple(minor)),
            ("hold", (30 * MINUTE, 60 * MINUTE), tuple(hold)),
            ("soon", (50 * MINUTE, 50 * MINUTE), rest),
            ("day", (24 * HOUR, 24 * HOUR), rest),
        ]
        specs += [("incident", (lo + linger_hi + 4 * MINUTE, hi + linger_hi), rest)] * (
            scale.incident_lanes
        )
        specs += [("maintenance", (6 * HOUR, 30 * HOUR), rest)] * scale.maintenance_lanes
        lanes: list[_Lane] = []
        for number, (role, (p_lo, p_hi), pool) in enumerate(specs):
            rng = random.Random(f"{self._seed}:lane:{number}")
            period = _ticks(rng, p_lo, p_hi)
            lanes.append(_Lane(number, role, period, _ticks(rng, 0, period - TICK), pool))
        # The pairs run half a period apart, so one of each pair is always ahead of its start.
        for role in ("soon", "day"):
            first = next(lane for lane in lanes if lane.role == role)
            lanes.append(
                _Lane(len(lanes), role, first.period, first.offset + first.period // 2, rest)
            )
        return lanes

    def _lane_plan(self, lane: _Lane, now: int) -> Plan | None:
        slot = (now - lane.offset) // lane.period
        memo = self._memo.get(lane.number)
        if memo is None or memo[0] != slot:
            memo = (slot, self._slot_plan(lane, slot))
            self._memo[lane.number] = memo
        plan = memo[1]
        return plan if plan is not None and plan.visible(now) else None

    def _slot_plan(self, lane: _Lane, slot: int) -> Plan | None:
        if not lane.pool:
            return None
        rng = random.Random(f"{self._seed}:slot:{lane.number}:{slot}")
        start = lane.offset + slot * lane.period
        end = start + lane.period
        if lane.role in ("major", "minor"):
            severity = "Major" if lane.role == "major" else "Minor"
            return self._incident(lane, slot, rng, [Step(start, "Opened", severity)], end)
        if lane.role == "incident":
            return self._random_incident(lane, slot, rng, start)
        return self._maintenance(lane, slot, rng, start, end)

    def _random_incident(self, lane: _Lane, slot: int, rng: random.Random, start: int) -> Plan:
        scale = self._scale
        linger_lo, linger_hi = scale.closed_linger_minutes
        linger = _ticks(rng, linger_lo * MINUTE, linger_hi * MINUTE)
        low = scale.incident_minutes[0] * MINUTE
        duration = _ticks(rng, low, min(scale.incident_minutes[1] * MINUTE, lane.period - linger))
        if scale.fill_lanes:
            linger = lane.period - duration
        opened = start + lane.period - duration - linger
        path = rng.choice(_PATHS)
        steps = [
            Step(opened + (i * duration // len(path)) // TICK * TICK, "Opened", severity)
            for i, severity in enumerate(path)
        ]
        if len(path) > 1 and rng.random() < 0.3:
            steps[0] = Step(steps[0].at, "Discovery", steps[0].severity)
        steps.append(Step(opened + duration, "Closed", path[-1]))
        return self._incident(lane, slot, rng, steps, start + lane.period)

    def _incident(
        self, lane: _Lane, slot: int, rng: random.Random, steps: list[Step], until: int
    ) -> Plan:
        regions, members = _pick_regions(rng, self._pick_members(rng, lane.pool))
        return Plan(
            id=incident_id(steps[0].at, _lane_number(lane.number, slot)),
            kind="incident",
            members=members,
            region_ids=regions,
            steps=tuple(_customize(rng, steps)),
            visible_until=until,
        )

    def _maintenance(
        self, lane: _Lane, slot: int, rng: random.Random, start: int, end: int
    ) -> Plan:
        kind = "Scheduled"
        if lane.role == "hold":
            steps = [
                Step(start - 24 * HOUR, "Scheduled"),
                Step(start - HOUR, "Reminder"),
                Step(start, "Started"),
            ]
            begins, until = start, end
        elif lane.role == "soon":
            begins = start + 30 * MINUTE
            steps = [
                Step(start, "Scheduled"),
                Step(begins, "Started"),
                Step(begins + 15 * MINUTE, "Completed"),
            ]
            until = end
        elif lane.role == "day":
            begins = start + 20 * HOUR
            steps = [
                Step(start, "Scheduled"),
                Step(begins - 2 * HOUR, "Reminder"),
                Step(begins, "Started"),
                Step(begins + 2 * HOUR, "Completed"),
            ]
            until = begins + 2 * HOUR + 15 * MINUTE
        else:
            steps, begins, until, kind = self._random_maintenance(lane, rng, start, end)
        regions, members = _pick_regions(rng, self._pick_members(rng, lane.pool))
        return Plan(
            id=maintenance_id(lane.number * 10_000 + slot % 10_000),
            kind="maintenance",
            members=members,
            region_ids=regions,
            steps=tuple(steps),
            visible_until=until,
            maintenance_type=kind,
            scheduled_start=begins,
        )

    def _random_maintenance(
        self, lane: _Lane, rng: random.Random, start: int, end: int
    ) -> tuple[list[Step], int, int, str]:
        duration = _ticks(rng, 30 * MINUTE, 3 * HOUR)
        linger = _ticks(rng, 5 * MINUTE, 15 * MINUTE)
        lead = _ticks(rng, 1 * HOUR, min(24 * HOUR, lane.period - duration - linger))
        kind = "Urgent" if lead < 2 * HOUR else rng.choice(("Normal", "Scheduled"))
        announced = start if self._scale.fill_lanes else end - linger - duration - lead
        begins = announced + lead
        steps = [Step(announced, "Scheduled")]
        if lead >= 2 * HOUR:
            steps.append(Step(begins - HOUR, "Reminder"))
        if rng.random() < 0.1:
            canceled = begins - 30 * MINUTE
            until = end if self._scale.fill_lanes else canceled + linger
            return [*steps, Step(canceled, "Cancelled")], begins, until, kind
        steps += [Step(begins, "Started"), Step(begins + duration, "Completed")]
        return steps, begins, end if self._scale.fill_lanes else begins + duration + linger, kind

    def _pick_members(self, rng: random.Random, pool: Sequence[Product]) -> tuple[Member, ...]:
        first = rng.choice(pool)
        if rng.random() < 0.15:
            siblings = [p for p in pool if p.cloud_id == first.cloud_id and p.id != first.id]
            if siblings:
                return (member(first), member(rng.choice(siblings)))
        return (member(first),)

    # Backlog.

    def _backlog(self, now: int) -> list[Plan]:
        scale = self._scale
        if not scale.backlog_events or not self._products:
            return []
        # Hours old enough that everything in them has closed.
        last = now // HOUR - 7
        first = last - scale.backlog_days * 24
        for hour in [h for h in self._buckets if h < first]:
            del self._buckets[hour]
        if len(self._buckets) > 2 * (last - first):
            self._buckets.clear()  # the clock went back a long way: start afresh
        shown: list[Plan] = []
        for hour in range(first, last):
            bucket = self._buckets.get(hour)
            if bucket is None:
                bucket = self._buckets[hour] = self._bucket(hour)
            shown.extend(bucket)
        return shown

    def _bucket(self, hour: int) -> tuple[Plan, ...]:
        scale = self._scale
        rng = random.Random(f"{self._seed}:backlog:{hour}")
        mean = scale.backlog_events / (scale.backlog_days * 24)
        count = math.floor(mean) + (rng.random() < mean - math.floor(mean))
        plans: list[Plan] = []
        for n in range(count):
            kind: Kind
            start = hour * HOUR + _ticks(rng, 0, HOUR - TICK)
            regions, members = _pick_regions(rng, self._pick_members(rng, self._products))
            history = max(4, scale.backlog_history)
            if rng.random() < 0.8:
                steps = _customize(rng, self._closed_incident_steps(rng, start, history))
                if rng.random() < 0.15:
                    # Root cause analysis, weeks later: it shows once its time has come.
                    steps.append(_root_cause(rng, steps[-1]))
                kind, maintenance_type, begins = "incident", "Normal", 0
                event_id = incident_id(start, hour % 24 * 100 + n)
            else:
                steps = self._completed_maintenance_steps(rng, start, history)
                kind, maintenance_type, begins = "maintenance", "Scheduled", start
                event_id = maintenance_id(100_000_000 + hour % 1_000_000 * 100 + n)
            plans.append(
                Plan(
                    id=event_id,
                    kind=kind,
                    members=members,
                    region_ids=regions,
                    steps=tuple(steps),
                    maintenance_type=maintenance_type,
                    scheduled_start=begins,
                )
            )
        return tuple(plans)

    @staticmethod
    def _closed_incident_steps(rng: random.Random, start: int, history: int) -> list[Step]:
        duration = _ticks(rng, 20 * MINUTE, 6 * HOUR)
        severities = [rng.choice(_BACKLOG_SEVERITIES) for _ in range(history - 1)]
        steps = [
            Step(start + (i * duration // (history - 1)) // TICK * TICK, "Opened", severity)
            for i, severity in enumerate(severities)
        ]
        return [*steps, Step(start + duration, "Closed", severities[-1])]

    @staticmethod
    def _completed_maintenance_steps(rng: random.Random, start: int, history: int) -> list[Step]:
        """Scheduled, Reminder(s), Started, Completed; now and then canceled instead."""
        lead = _ticks(rng, 2 * HOUR, 24 * HOUR)
        duration = _ticks(rng, 30 * MINUTE, 4 * HOUR)
        reminders = [
            Step(start - lead + (i + 1) * lead // (history - 2) // TICK * TICK, "Reminder")
            for i in range(history - 3)
        ]
        steps = [Step(start - lead, "Scheduled"), *reminders]
        if rng.random() < 0.05:
            return [*steps, Step(start - TICK, "Cancelled")]
        return [*steps, Step(start, "Started"), Step(start + duration, "Completed")]


def _pick_regions(
    rng: random.Random, members: tuple[Member, ...]
) -> tuple[tuple[str, ...] | None, tuple[Member, ...]]:
    """The event's regions (None: it names none) and its members with their own regions.

    A product's own history can name fewer regions than the event: a maintenance on all
    three regions whose second product names only Americas.
    """
    offered = sorted({region for m in members for region in m.region_ids})
    if rng.random() < 0.3 or not offered:
        return None, members
    regions = tuple(sorted(rng.sample(offered, rng.randint(1, len(offered)))))
    named: list[Member] = []
    for m in members:
        own = [region for region in regions if region in m.region_ids] or list(m.region_ids[:1])
        if len(own) > 1 and rng.random() < 0.3:
            own = sorted(rng.sample(own, rng.randint(1, len(own) - 1)))
        named.append(replace(m, named_regions=tuple(own)))
    return regions, tuple(named)


def _customize(rng: random.Random, steps: list[Step]) -> list[Step]:
    """Now and then an entry with a custom text rather than a canned one."""
    return [replace(step, message_type="Custom") if rng.random() < 0.2 else step for step in steps]


def _root_cause(rng: random.Random, closed: Step) -> Step:
    at = closed.at + _ticks(rng, 7 * 24 * HOUR, 28 * 24 * HOUR)
    cfs = f"CFS{rng.randint(100_000, 999_999)}"
    return Step(
        at,
        "Closed",
        closed.severity,
        message_type="CFS",
        cfs_url=f"https://status.adobe.com/cfs/{cfs}",
    )
