"""The simulated world: catalog, events, tokens, throttle, faults and request counts.

Everything here is thread-safe: the HTTP layer calls it from one thread per connection
while a test changes the scenario; a change shows on the next request.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from exporter.simulator import registry, render
from exporter.simulator.auth import Clock, RateLimiter, TokenStore
from exporter.simulator.catalog import REGIONS, Catalog
from exporter.simulator.counts import RequestLog
from exporter.simulator.faults import Fault, FaultBook
from exporter.simulator.plans import Kind, Member, Plan, Step
from exporter.simulator.public import Document, Versions
from exporter.simulator.scale import Scale
from exporter.simulator.scenario import HOUR, TICK, Scenario
from exporter.simulator.snapshot import Entry, Filters, Snapshot

API_KEY = "StatusAdobeIOClient"
THROTTLE_LIMIT = 50
THROTTLE_WINDOW = 5.0
_MAX_FRAGMENTS = 100_000


class Simulator:
    """Adobe IMS and the Status API, minus the network (see `SimulatorServer` for that).

    `clock` is the simulated wall clock (epoch seconds): it drives the scenario and token
    expiry. The throttle counts real request rate on `rate_clock`, so a frozen fake clock
    does not turn every test into a throttling test.
    """

    def __init__(
        self,
        seed: int = 1,
        client_id: str = "demo-client",
        client_secret: str = "demo-secret",  # noqa: S107 (the demo's made-up credentials)
        expires_in: int = 86399,
        scale: Scale | None = None,
        throttle: bool = True,
        dynamic: bool = True,
        clock: Clock = time.time,
        *,
        api_key: str = API_KEY,
        rate_clock: Clock = time.monotonic,
    ) -> None:
        self.seed = seed
        self.client_id = client_id
        self.api_key = api_key
        self.scale = scale if scale is not None else Scale.typical()
        self.throttle = throttle
        self.dynamic = dynamic
        self.catalog = Catalog.for_scale(self.scale)
        self._client_secret = client_secret
        self._clock = clock
        self._tokens = TokenStore(clock, expires_in)
        self._limiter = RateLimiter(rate_clock, THROTTLE_LIMIT, THROTTLE_WINDOW)
        self._faults = FaultBook()
        self._log = RequestLog()
        self._scenario = Scenario(seed, self.scale, self.catalog) if dynamic else None
        self._lock = threading.Lock()
        self._manual: dict[str, Plan] = {}
        self._version = 0
        self._next_id = 0
        # Snapshot building is serialized: the scenario's caches are not thread-safe.
        self._snapshot_lock = threading.Lock()
        self._snapshot_key: tuple[int, int] | None = None
        self._snapshot = Snapshot([])
        self._fragments: dict[tuple[str, int, int], bytes] = {}
        self._registry_bodies: dict[str, bytes] = {}
        # The public feed's two documents, each rebuilt only when its source changed.
        self._feed_lock = threading.Lock()
        self._feed_snapshot: Snapshot | None = None
        self._feed_events = Versions()
        self._feed_registry = Versions()
        self._feed_events_doc: Document | None = None
        self._feed_registry_doc: Document | None = None

    # Scenario control.

    def add_incident(
        self,
        product_id: str | Sequence[str],
        severity: str = "Major",
        status: str = "Opened",
        region_ids: Sequence[str] | None = None,
        started_at: float | None = None,
    ) -> str:
        """Open an incident (any status other than Opened is added after an Opened entry)."""
        now = int(self._clock())
        if started_at is not None:
            start = int(started_at)
        else:
            # An incident added in another status opened a minute ago and got there now.
            start = now if status == "Opened" else now - 60
        steps = [Step(start, "Opened", severity)]
        if status != "Opened":
            steps.append(Step(max(now, start + 1), status, severity))
        return self._add("incident", product_id, region_ids, steps, scheduled_start=0)

    def update_incident(
        self, event_id: str, severity: str | None = None, status: str | None = None
    ) -> None:
        """Add a history entry with a new severity and/or status."""
        with self._lock:
            plan = self._manual_plan(event_id, "incident")
            last = plan.steps[-1]
            step = Step(self._next_time(plan), status or last.status, severity or last.severity)
            self._manual[event_id] = replace(plan, steps=(*plan.steps, step))
            self._version += 1

    def add_maintenance(
        self,
        product_id: str | Sequence[str],
        status: str = "Started",
        region_ids: Sequence[str] | None = None,
        start_at: float | None = None,
        maintenance_type: str = "Scheduled",
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
            "maintenance", product_id, region_ids, steps, start, maintenance_type=maintenance_type
        )

    def update_maintenance(self, event_id: str, status: str) -> None:
        """Add a history entry with a new maintenance status (Started, Completed ...)."""
        with self._lock:
            plan = self._manual_plan(event_id, "maintenance")
            step = Step(self._next_time(plan), status)
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

    def _add(
        self,
        kind: Kind,
        product_id: str | Sequence[str],
        region_ids: Sequence[str] | None,
        steps: list[Step],
        scheduled_start: int,
        maintenance_type: str = "Normal",
    ) -> str:
        product_ids = [product_id] if isinstance(product_id, str) else list(product_id)
        if not product_ids:
            raise ValueError("an event needs at least one product")
        if region_ids is not None and isinstance(region_ids, str):
            raise TypeError("region_ids is a list of ids, not a string")
        with self._lock:
            self._next_id += 1
            event_id = f"9{self._next_id:09d}"
            self._manual[event_id] = Plan(
                id=event_id,
                kind=kind,
                members=tuple(self._member(pid) for pid in product_ids),
                region_ids=None if region_ids is None else tuple(region_ids),
                steps=tuple(steps),
                static=True,
                maintenance_type=maintenance_type,
                scheduled_start=scheduled_start,
            )
            self._version += 1
        return event_id

    def _member(self, product_id: str) -> Member:
        product = self.catalog.product(product_id)
        if product is None:
            # Unknown products are allowed: clients must cope with registry drift.
            return Member(product_id, f"Product {product_id}", None, tuple(r.id for r in REGIONS))
        return Member(product.id, product.name, product.cloud_id, product.region_ids)

    def _manual_plan(self, event_id: str, kind: str) -> Plan:
        plan = self._manual[event_id]
        if plan.kind != kind:
            raise ValueError(f"event {event_id} is a {plan.kind}, not a {kind}")
        return plan

    def _next_time(self, plan: Plan) -> int:
        # Strictly after the last entry, so history order never depends on a tie.
        return max(int(self._clock()), plan.steps[-1].at + 1)

    # Faults, tokens and counts.

    def inject(
        self,
        endpoint: str,
        status: int | None = None,
        body: bytes | str | None = None,
        content_type: str = "application/json",
        delay: float = 0.0,
        retry_after: int | str | None = None,
        times: int | None = 1,
        headers: Mapping[str, str] | None = None,
        *,
        slow_body: bool = False,
        drop: bool = False,
    ) -> None:
        """Spoil the next `times` answers of `endpoint` (None: all of them until cleared)."""
        fault = Fault(
            status=status,
            body=body.encode() if isinstance(body, str) else body,
            content_type=content_type,
            delay=float(delay),
            retry_after=retry_after,
            headers=dict(headers or {}),
            slow_body=slow_body,
            drop=drop,
        )
        self._faults.add(endpoint, fault, times)

    def clear_faults(self) -> None:
        self._faults.clear()

    def take_fault(self, endpoint: str) -> Fault | None:
        return self._faults.take(endpoint)

    def revoke_tokens(self) -> None:
        """Every token issued so far now gets 401 from the Status API."""
        self._tokens.revoke_all()

    def set_expires_in(self, seconds: int) -> None:
        """Lifetime of the tokens issued from now on."""
        self._tokens.expires_in = seconds

    def set_client_secret(self, client_secret: str) -> None:
        """Rotate the client secret, as an admin does in the Developer Console."""
        with self._lock:
            self._client_secret = client_secret

    def check_client(self, client_id: str, client_secret: str) -> str | None:
        """None for the right credentials, else which one is wrong (never its value)."""
        if not secrets.compare_digest(client_id.encode(), self.client_id.encode()):
            return "client_id"
        if not secrets.compare_digest(client_secret.encode(), self._client_secret.encode()):
            return "client_secret"
        return None

    def issue_token(self) -> tuple[str, int]:
        return self._tokens.issue()

    def token_valid(self, token: str) -> bool:
        return self._tokens.valid(token)

    def throttled(self, key: str) -> int | None:
        """Retry-After seconds when `key` is over the limit, else None (request counted)."""
        return self._limiter.check(key) if self.throttle else None

    def count(
        self,
        endpoint: str,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Count a request to `endpoint`, noting which credentials it carried."""
        self._log.record(endpoint, headers, query)

    def count_not_modified(self, endpoint: str) -> None:
        self._log.record_not_modified(endpoint)

    def requests(self, endpoint: str) -> int:
        """How many requests reached `endpoint` (faulted, throttled and refused ones too)."""
        return self._log.requests(endpoint)

    def not_modified(self, endpoint: str) -> int:
        """How many requests to `endpoint` were answered 304 Not Modified."""
        return self._log.not_modified(endpoint)

    def credentials_seen(self, endpoint: str) -> dict[str, int]:
        """Requests to `endpoint` that carried `authorization`, `x-api-key`, `api_key`."""
        return self._log.credentials(endpoint)

    def last_headers(self, endpoint: str) -> dict[str, str]:
        """Headers of the last request to `endpoint` (lower-case; credentials redacted)."""
        return self._log.last_headers(endpoint)

    def reset_counts(self) -> None:
        """Forget request counts and throttle windows."""
        self._log.reset()
        self._limiter.reset()

    def stats(self) -> dict[str, Any]:
        snapshot = self.snapshot()
        kinds = Counter(entry.plan.kind for entry in snapshot.entries)
        return {
            **self._log.stats(),
            "tokens_issued": self._tokens.issued,
            "events": {"incidents": kinds["incident"], "maintenances": kinds["maintenance"]},
            "scale": self.scale.name,
            "seed": self.seed,
        }

    # What the API serves.

    def snapshot(self) -> Snapshot:
        """The feed now; rebuilt when the clock crosses a tick or an event is changed."""
        now = int(self._clock()) // TICK * TICK
        with self._lock:
            version, manual = self._version, list(self._manual.values())
        key = (now, version)
        with self._snapshot_lock:
            if key != self._snapshot_key:
                plans = self._scenario.plans(now) if self._scenario else []
                self._snapshot = Snapshot([self._entry(plan, now) for plan in plans + manual])
                self._snapshot_key = key
            return self._snapshot

    def _entry(self, plan: Plan, now: int) -> Entry:
        phase = plan.phase(now)
        # Events only ever gain steps, so id, phase and step count name one rendering.
        key = (plan.id, phase, len(plan.steps))
        fragment = self._fragments.get(key)
        if fragment is None:
            if len(self._fragments) >= _MAX_FRAGMENTS:
                self._fragments.clear()
            fragment = render.to_bytes(render.dto(plan, phase, self.catalog))
            self._fragments[key] = fragment
        return Entry(plan, phase, fragment)

    def registry_body(self, what: str, filters: Mapping[str, Sequence[str]]) -> bytes:
        """`products`, `clouds` or `regions`; unfiltered answers are built once."""
        ids = {
            name: split_values(values) for name, values in filters.items() if name.endswith("Id")
        }
        names = {name: values[0] for name, values in filters.items() if name.endswith("Name")}
        if not ids and not any(names.values()):
            body = self._registry_bodies.get(what)
            if body is None:
                body = self._registry_bodies[what] = self._registry(what, {}, {})
            return body
        return self._registry(what, ids, names)

    def _registry(
        self, what: str, ids: Mapping[str, frozenset[str]], names: Mapping[str, str]
    ) -> bytes:
        if what == "products":
            payload = registry.products(
                self.catalog,
                ids.get("productId", frozenset()),
                ids.get("cloudId", frozenset()),
                names.get("productName", ""),
            )
        elif what == "clouds":
            payload = registry.clouds(
                self.catalog, ids.get("cloudId", frozenset()), names.get("cloudName", "")
            )
        else:
            payload = registry.regions(self.catalog)
        return render.to_bytes(payload)

    def payload_events(self) -> dict[str, Any]:
        """What an unfiltered GET /api/v1/events answers now (`Event`)."""
        body: dict[str, Any] = json.loads(self.snapshot().events_body(Filters()))
        return body

    def payload_feed(self, epoch_ms: bool = False) -> dict[str, Any]:
        """The same events in the spec's `Events` map shape, epochs in s (or ms)."""
        entries = [(entry.plan, entry.phase) for entry in self.snapshot().entries]
        return render.feed(entries, self.catalog, epoch_ms=epoch_ms)

    def feed_events(self) -> Document:
        """StatusEvents now: the feed in the `Events` map shape, epoch seconds."""
        snapshot = self.snapshot()
        with self._feed_lock:
            if self._feed_events_doc is None or self._feed_snapshot is not snapshot:
                entries = [(entry.plan, entry.phase) for entry in snapshot.entries]
                body = render.to_bytes(render.feed(entries, self.catalog))
                self._feed_events_doc = self._feed_events.update(body, self._clock())
                self._feed_snapshot = snapshot
            return self._feed_events_doc

    def feed_registry(self) -> Document:
        """SnowServiceRegistry: the catalog as maps keyed by id (it never changes)."""
        with self._feed_lock:
            if self._feed_registry_doc is None:
                body = render.to_bytes(registry.feed_registry(self.catalog))
                self._feed_registry_doc = self._feed_registry.update(body, self._clock())
            return self._feed_registry_doc

    @staticmethod
    def filters(query: Mapping[str, Sequence[str]]) -> Filters:
        """Event filters from a parsed query string (repeated or comma-separated values)."""

        search = query.get("search", [""])
        return Filters(
            split_values(query.get("productIds", ())),
            split_values(query.get("cloudIds", ())),
            split_values(query.get("regionIds", ())),
            search[0].strip(),
        )


def split_values(values: Sequence[str]) -> frozenset[str]:
    """Query values given repeated (`a=1&a=2`) or comma-separated (`a=1,2`)."""
    return frozenset(v.strip() for value in values for v in value.split(",") if v.strip())
