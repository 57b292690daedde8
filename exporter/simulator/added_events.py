"""Events a test adds, changes and removes: the scenario-control half of `Simulator`.

Texts: `message` / `title` give an entry a custom text (English, `message_html` for its
HTML; default the text itself), under `message_token` / `title_token` or a token made from
the event id. A token given without a text names a text nobody has (canned tokens such as
``MNT_STARTED`` have theirs): a client must cope with it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace

from exporter.simulator.access import Clock
from exporter.simulator.canned_texts import Text
from exporter.simulator.catalog import REGIONS, Catalog
from exporter.simulator.plans import Kind, Member, Plan, Step, incident_id, maintenance_id
from exporter.simulator.scenario import HOUR, member

# Numbers of added events sit apart from generated ones (see `scenario.incident_id`).
_INCIDENT_BASE = 9000
_MAINTENANCE_BASE = 900_000_000


class AddedEvents:
    """Thread-safe store of added events and the custom texts they name."""

    def __init__(self, catalog: Catalog, clock: Clock) -> None:
        self.catalog = catalog
        self._clock = clock
        self._lock = threading.Lock()
        self._manual: dict[str, Plan] = {}
        self._texts: dict[str, dict[str, Text]] = {}
        self._version = 0
        self._next_id = 0

    def add_incident(
        self,
        product_id: str | Sequence[str],
        severity: str = "Major",
        status: str = "Opened",
        region_ids: Sequence[str] | None = None,
        started_at: float | None = None,
        *,
        product_regions: Mapping[str, Sequence[str]] | None = None,
        message: str | None = None,
        message_html: str | None = None,
        message_token: str = "",
        title: str | None = None,
        title_token: str = "",
    ) -> str:
        """Open an incident (any status other than Opened is added after an Opened entry).

        `product_regions` narrows what one product's own history names (product id ->
        regions), below the event's `region_ids`.
        """
        now = int(self._clock())
        if started_at is not None:
            start = int(started_at)
        else:
            # An incident added in another status opened a minute ago and got there now.
            start = now if status == "Opened" else now - 60
        steps = [Step(start, "Opened", severity)]
        if status != "Opened":
            steps.append(Step(max(now, start + 1), status, severity))
        return self._add(
            "incident",
            product_id,
            region_ids,
            steps,
            scheduled_start=0,
            product_regions=product_regions,
            texts=(message, message_html, message_token, title, title_token),
        )

    def update_incident(
        self,
        event_id: str,
        severity: str | None = None,
        status: str | None = None,
        *,
        message: str | None = None,
        message_html: str | None = None,
        message_token: str = "",
        message_type: str | None = None,
        cfs_url: str = "",
    ) -> None:
        """Add a history entry with a new severity and/or status (and text).

        A root-cause entry: ``status="Closed", message_type="CFS", cfs_url=...``.
        """
        with self._lock:
            plan = self._manual_plan(event_id, "incident")
            last = plan.steps[-1]
            step = Step(self._next_time(plan), status or last.status, severity or last.severity)
            step = self._with_text(plan, step, message, message_html, message_token, message_type)
            self._manual[event_id] = replace(
                plan, steps=(*plan.steps, replace(step, cfs_url=cfs_url))
            )
            self._version += 1

    def add_maintenance(
        self,
        product_id: str | Sequence[str],
        status: str = "Started",
        region_ids: Sequence[str] | None = None,
        start_at: float | None = None,
        maintenance_type: str = "Scheduled",
        *,
        product_regions: Mapping[str, Sequence[str]] | None = None,
        message: str | None = None,
        message_html: str | None = None,
        message_token: str = "",
        title: str | None = None,
        title_token: str = "",
    ) -> str:
        """Add a maintenance; Scheduled ones start in an hour unless `start_at` says."""
        now = int(self._clock())
        if status == "Scheduled":
            start = now + HOUR if start_at is None else int(start_at)
            steps = [Step(now, "Scheduled")]
        else:
            start = now if start_at is None else int(start_at)
            announced = min(now, start) - HOUR
            steps = [Step(announced, "Scheduled"), Step(max(start, announced + 1), status)]
        return self._add(
            "maintenance",
            product_id,
            region_ids,
            steps,
            start,
            maintenance_type=maintenance_type,
            product_regions=product_regions,
            texts=(message, message_html, message_token, title, title_token),
        )

    def update_maintenance(
        self,
        event_id: str,
        status: str,
        *,
        message: str | None = None,
        message_html: str | None = None,
        message_token: str = "",
        message_type: str | None = None,
    ) -> None:
        """Add a history entry with a new maintenance status (Reminder, Started, Completed ...)."""
        with self._lock:
            plan = self._manual_plan(event_id, "maintenance")
            step = Step(self._next_time(plan), status)
            step = self._with_text(plan, step, message, message_html, message_token, message_type)
            self._manual[event_id] = replace(plan, steps=(*plan.steps, step))
            self._version += 1

    def remove_event(self, event_id: str) -> None:
        """Remove an event added by `add_*` (KeyError when there is none)."""
        with self._lock:
            del self._manual[event_id]
            self._version += 1

    def event_kind(self, event_id: str) -> str:
        """The kind ("incident", "maintenance") of an event added by `add_*` (else KeyError)."""
        with self._lock:
            return self._manual[event_id].kind

    def clear_events(self) -> None:
        """Remove every event added by `add_*` (generated ones stay)."""
        with self._lock:
            self._manual.clear()
            self._version += 1

    def added(self) -> tuple[int, list[Plan], dict[str, dict[str, Text]]]:
        """The version, the added plans and the custom texts, read together."""
        with self._lock:
            return self._version, list(self._manual.values()), dict(self._texts)

    def _add(
        self,
        kind: Kind,
        product_id: str | Sequence[str],
        region_ids: Sequence[str] | None,
        steps: list[Step],
        scheduled_start: int,
        maintenance_type: str = "Normal",
        product_regions: Mapping[str, Sequence[str]] | None = None,
        texts: tuple[str | None, str | None, str, str | None, str] = (None, None, "", None, ""),
    ) -> str:
        product_ids = [product_id] if isinstance(product_id, str) else list(product_id)
        if not product_ids:
            raise ValueError("an event needs at least one product")
        for regions in (region_ids, *(product_regions or {}).values()):
            if regions is not None and isinstance(regions, str):
                raise TypeError("regions are a list of ids, not a string")
        own = product_regions or {}
        message, message_html, message_token, title, title_token = texts
        with self._lock:
            self._next_id += 1
            if kind == "incident":
                event_id = incident_id(steps[0].at, _INCIDENT_BASE + self._next_id)
            else:
                event_id = maintenance_id(_MAINTENANCE_BASE + self._next_id)
            plan = Plan(
                id=event_id,
                kind=kind,
                members=tuple(self._member(pid, own.get(pid)) for pid in product_ids),
                region_ids=None if region_ids is None else tuple(region_ids),
                steps=tuple(steps),
                static=True,
                maintenance_type=maintenance_type,
                scheduled_start=scheduled_start,
            )
            if title is not None:
                plan = replace(plan, title_token=title_token or f"{event_id}-TITLE")
                self._texts[plan.title_token] = {"en": Text(title, title)}
            elif title_token:
                plan = replace(plan, title_token=title_token)
            text_steps = [
                self._with_text(plan, step, message, message_html, message_token, None)
                for step in plan.steps
            ]
            self._manual[event_id] = replace(plan, steps=tuple(text_steps))
            self._version += 1
        return event_id

    def _with_text(
        self,
        plan: Plan,
        step: Step,
        message: str | None,
        html: str | None,
        token: str,
        message_type: str | None,
    ) -> Step:
        """`step` with its text: a custom one stored under its token (lock held)."""
        if message is not None:
            token = token or f"{plan.id}-{len(plan.steps)}-{step.at}"
            self._texts[token] = {"en": Text(message, html if html is not None else message)}
            step = replace(step, message_type="Custom", message_token=token)
        elif token:
            step = replace(step, message_token=token)
        return replace(step, message_type=message_type) if message_type else step

    def _member(self, product_id: str, regions: Sequence[str] | None) -> Member:
        named = None if regions is None else tuple(regions)
        product = self.catalog.product(product_id)
        if product is None:
            # Unknown products are allowed: clients must cope with registry drift.
            every = tuple(r.id for r in REGIONS)
            return Member(product_id, f"Product {product_id}", None, every, named)
        return replace(member(product), named_regions=named)

    def _manual_plan(self, event_id: str, kind: str) -> Plan:
        plan = self._manual[event_id]
        if plan.kind != kind:
            raise ValueError(f"event {event_id} is a {plan.kind}, not a {kind}")
        return plan

    def _next_time(self, plan: Plan) -> int:
        # Strictly after the last entry, so history order never depends on a tie.
        return max(int(self._clock()), plan.steps[-1].at + 1)
