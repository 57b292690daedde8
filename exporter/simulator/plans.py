"""The event model: a plan is one incident or maintenance with its whole timeline.

A plan is immutable. What the feed shows at time t is the plan cut at t: the steps whose
time has come (its *phase*). Generated plans are written in advance, so they open, change
severity and close by themselves as the clock moves; static plans (added by tests, or long
closed) show every step at once.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["incident", "maintenance"]


@dataclass(frozen=True)
class Member:
    """A product an event names, with what the registry knows of it."""

    id: str
    name: str
    cloud_id: str | None
    region_ids: tuple[str, ...]
    # The regions this product's own history entries name (None: the event's regions);
    # can be narrower than the event's, as in Adobe's feed.
    named_regions: tuple[str, ...] | None = None
    service_ids: tuple[str, ...] = ()
    offering_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One history entry: incidents carry a severity, maintenances leave it empty.

    `message_type` is Canned (a shared, translated text chosen by status), Custom (a
    text of this entry's own, `message_token` or one derived from the event id) or CFS
    (a root-cause entry pointing at `cfs_url`). Tokens left empty are chosen by `texts`.
    """

    at: int
    status: str
    severity: str = ""
    message_type: str = "Canned"
    message_token: str = ""
    title_token: str = ""
    cfs_url: str = ""


@dataclass(frozen=True)
class Plan:
    id: str
    kind: Kind
    members: tuple[Member, ...]
    # None: the event names no region, so it affects every region of its products.
    region_ids: tuple[str, ...] | None
    steps: tuple[Step, ...]
    visible_until: float = math.inf
    static: bool = False
    maintenance_type: str = "Normal"
    scheduled_start: int = 0
    # A title of the event's own (a custom text); empty: the canned title for its kind.
    title_token: str = ""
    # Filter keys, derived once.
    product_ids: frozenset[str] = field(init=False)
    cloud_ids: frozenset[str] = field(init=False)
    affected_region_ids: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a plan needs at least one step")
        affected = (
            self.region_ids
            if self.region_ids is not None
            else [region for member in self.members for region in member.region_ids]
        )
        object.__setattr__(self, "product_ids", frozenset(m.id for m in self.members))
        object.__setattr__(
            self, "cloud_ids", frozenset(m.cloud_id for m in self.members if m.cloud_id)
        )
        object.__setattr__(self, "affected_region_ids", frozenset(affected))

    def phase(self, now: float) -> int:
        """How many steps the feed shows at `now` (0: not announced yet)."""
        if self.static:
            return len(self.steps)
        return sum(1 for step in self.steps if step.at <= now)

    def visible(self, now: float) -> bool:
        return now < self.visible_until and self.phase(now) > 0


def incident_id(start: int, number: int) -> str:
    """`YYYYMMDD` of the start, then the number in at least four digits."""
    return f"{time.strftime('%Y%m%d', time.gmtime(start))}{number:04d}"


def maintenance_id(number: int) -> str:
    return f"CHG{number:09d}"
