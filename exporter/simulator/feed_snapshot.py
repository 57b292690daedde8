"""The feed at one moment, with its JSON bodies assembled from cached per-event fragments.

Each event is serialized once per phase and kept; a body is a join of fragments, and each
body is kept for as long as the snapshot lives, so repeated scrapes cost a dict lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from exporter.simulator.plans import Plan

_MAX_CACHED_BODIES = 32


@dataclass(frozen=True)
class Filters:
    """Event filters from the query string: empty means no filter; kinds combine with AND."""

    product_ids: frozenset[str] = frozenset()
    cloud_ids: frozenset[str] = frozenset()
    region_ids: frozenset[str] = frozenset()
    search: str = ""

    def matches(self, plan: Plan) -> bool:
        return (
            (not self.product_ids or not self.product_ids.isdisjoint(plan.product_ids))
            and (not self.cloud_ids or not self.cloud_ids.isdisjoint(plan.cloud_ids))
            and (not self.region_ids or not self.region_ids.isdisjoint(plan.affected_region_ids))
            and (
                not self.search
                or any(self.search.casefold() in m.name.casefold() for m in plan.members)
            )
        )


@dataclass(frozen=True)
class Entry:
    plan: Plan
    phase: int
    fragment: bytes


class Snapshot:
    """Visible events at one tick; immutable apart from its body cache."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._bodies: dict[tuple[str, Filters], bytes] = {}

    def events_body(self, filters: Filters) -> bytes:
        """`Event`: {"incidents": [...], "maintenances": [...]}."""
        return self._cached(
            "events",
            filters,
            lambda: (
                b'{"incidents":'
                + self._array(filters, lambda e: e.plan.kind == "incident")
                + b',"maintenances":'
                + self._array(filters, lambda e: e.plan.kind == "maintenance")
                + b"}"
            ),
        )

    def list_body(self, what: str, filters: Filters, keep: Callable[[Entry], bool]) -> bytes:
        """A bare array of the matching events that `keep` accepts (`what` names the cache)."""
        return self._cached(what, filters, lambda: self._array(filters, keep))

    def _array(self, filters: Filters, keep: Callable[[Entry], bool]) -> bytes:
        chosen = [e.fragment for e in self.entries if keep(e) and filters.matches(e.plan)]
        return b"[" + b",".join(chosen) + b"]"

    def _cached(self, what: str, filters: Filters, build: Callable[[], bytes]) -> bytes:
        key = (what, filters)
        body = self._bodies.get(key)
        if body is None:
            if len(self._bodies) >= _MAX_CACHED_BODIES:
                self._bodies.clear()
            body = self._bodies[key] = build()
        return body

    def events_between(self, filters: Filters, start: float, end: float) -> bytes:
        """`Event` with the events whose time [first entry, end] meets [start, end): the
        API's `from`/`to` (closed events included, as the feed holds them)."""

        def keep(kind: str) -> Callable[[Entry], bool]:
            return lambda e: e.plan.kind == kind and _meets(e, start, end)

        return (
            b'{"incidents":'
            + self._array(filters, keep("incident"))
            + b',"maintenances":'
            + self._array(filters, keep("maintenance"))
            + b"}"
        )


_OVER = frozenset({"Closed", "Completed", "Canceled", "Cancelled"})


def _meets(entry: Entry, start: float, end: float) -> bool:
    steps = entry.plan.steps[: entry.phase]
    if not steps or steps[0].at >= end:
        return False
    over = next((step.at for step in steps if step.status in _OVER), None)
    return over is None or over >= start
