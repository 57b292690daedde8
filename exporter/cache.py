"""What each scrape serves: a fresh collection, a shared one, or the last good one.

- Scrapes that arrive while a collection is in flight wait for it instead of starting
  their own, so concurrent scrapes (HA Prometheus pairs) never multiply upstream calls.
- With --cache-ttl, a collection younger than the TTL is served as is (up = 1).
- Inside a Retry-After window nothing is sent upstream.
- After a failure the last good collection keeps being served for --max-stale seconds
  (with up = 0), so alerts do not flap on a blip; after that it is dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from prometheus_client.metrics_core import Metric

from exporter.config import CacheConfig
from exporter.deadline import Deadline
from exporter.errors import UpstreamError
from exporter.model.report import StatusReport
from exporter.snapshot import Snapshot, View
from exporter.sources import Source

log = logging.getLogger(__name__)


class SnapshotCache:
    def __init__(
        self,
        source: Source,
        render: Callable[[StatusReport], Sequence[Metric]],
        config: CacheConfig,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._source = source
        self._render = render
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._inflight: Future[bool] | None = None
        self._snapshot: Snapshot | None = None
        self._error: str | None = None
        self.first_attempt_done = threading.Event()

    @property
    def latest(self) -> View:
        """The current state without asking upstream (for the status page)."""
        snapshot = self._snapshot
        now = self._clock()
        fresh = snapshot is not None and self._error is None
        return View(self._servable(snapshot, now), fresh, _taken(snapshot), 0.0, self._error)

    def view(self, deadline: Deadline) -> View:
        started = time.monotonic()
        snapshot = self._snapshot
        now = self._clock()
        cached = snapshot is not None and now - snapshot.taken_at < self._config.cache_ttl
        if cached:
            up = True
        elif now < self._source.retry_at:
            up = False  # Adobe asked us to wait; serve what we have
        else:
            up = self._collect_or_join(deadline)
        snapshot = self._snapshot
        return View(
            snapshot=snapshot if up else self._servable(snapshot, self._clock()),
            up=up,
            last_success=_taken(snapshot),
            duration=time.monotonic() - started,
            error=None if up else self._error,
        )

    def _collect_or_join(self, deadline: Deadline) -> bool:
        with self._lock:
            inflight = self._inflight
            if inflight is None:
                inflight = self._inflight = Future()
                leader = True
            else:
                leader = False
        if not leader:
            try:
                return inflight.result(timeout=deadline.remaining())
            except FutureTimeout:
                return False
        ok = False
        try:
            ok = self._collect(deadline)
        finally:
            with self._lock:
                self._inflight = None
            inflight.set_result(ok)
            self.first_attempt_done.set()
        return ok

    def _collect(self, deadline: Deadline) -> bool:
        try:
            report = self._source.collect(deadline)
            previous = self._snapshot
            if previous is not None and previous.report is report:
                # Upstream said "not modified": keep the families and their encodings.
                snapshot = previous.renewed(self._clock())
            else:
                snapshot = Snapshot(report, self._render(report), self._clock())
        except UpstreamError as error:
            # Say it loudly once when it starts; repeated failures only at debug level.
            level = logging.DEBUG if self._error else logging.WARNING
            log.log(level, "collection failed: %s", error)
            self._error = str(error)
            return False
        except Exception:  # a bug must not take the scrape (or the exporter) down
            log.exception("collection failed unexpectedly")
            self._error = "internal error while collecting; see the exporter's log"
            return False
        if self._error:
            log.info("collection recovered")
        self._snapshot = snapshot
        self._error = None
        return True

    def _servable(self, snapshot: Snapshot | None, now: float) -> Snapshot | None:
        if snapshot is None or now - snapshot.taken_at > self._config.max_stale:
            return None
        return snapshot


def _taken(snapshot: Snapshot | None) -> float | None:
    return None if snapshot is None else snapshot.taken_at
