"""One collection from the public feed that status.adobe.com reads: no credential at all.

Two documents under --feed-url: SnowServiceRegistry (cached for --registry-ttl) and
StatusEvents. The feed takes no query, so --product, --cloud and --region filter here,
with the API source's semantics (`resolve` and `summarize`). Both documents are asked for
conditionally: when nothing changed, Adobe answers 304 and the last parsed result is
reused.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from exporter.config import CacheConfig, FeedConfig
from exporter.deadline import Deadline
from exporter.errors import UpstreamError
from exporter.feed_events import read_feed
from exporter.feed_registry import parse_service_registry
from exporter.fetch import Body, Fetcher
from exporter.model import Anomaly, ProductCatalog
from exporter.parse import Events
from exporter.report import Scope, StatusReport, resolve, summarize
from exporter.texts import needed
from exporter.upstream_metrics import UpstreamMetrics

log = logging.getLogger(__name__)

# Distinct odd values remembered for log-once; a hostile upstream cannot grow it forever.
MAX_LOGGED_VALUES = 1000


def read_registry(body: Body) -> tuple[ProductCatalog, list[Anomaly]]:
    """A SnowServiceRegistry body decoded and read (2.3 MB: json.loads is fine here)."""
    return parse_service_registry(json.loads(body))


class AdobeFeed:
    """Reads the public feed and summarises it, as `AdobeStatus` does the Status API."""

    def __init__(
        self,
        feed: FeedConfig,
        config: CacheConfig,
        metrics: UpstreamMetrics,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._feed = feed
        self._config = config
        self._clock = clock
        # No credential, header or query of any kind: the feed is public.
        self._fetcher = Fetcher(
            metrics,
            timeout=feed.timeout,
            max_response_bytes=feed.max_response_bytes,
            clock=clock,
        )
        self._registry: ProductCatalog | None = None
        self._scope: Scope | None = None
        self._registry_at = 0.0
        self._logged: set[Anomaly | str] = set()
        self._log_lock = threading.Lock()
        # What the last collection summarised, and its report (collections never overlap:
        # the cache runs one at a time).
        self._last: tuple[Events, ProductCatalog, Scope, StatusReport] | None = None

    @property
    def retry_at(self) -> float:
        """Unix time before which no request may be sent (0 when not throttled)."""
        return self._fetcher.retry_at

    def collect(self, deadline: Deadline) -> StatusReport:
        """One collection; raises UpstreamError when the feed's answer cannot be used."""
        self._fetcher.check_throttle("events")
        registry, scope = self._current_registry(deadline)
        read = partial(read_feed, now=self._clock())  # now: has an incident's end passed?
        events = self._fetcher.get("events", self._feed.events_url, deadline, read)
        last = self._last
        if last is not None and last[0] is events and last[1] is registry and last[2] is scope:
            # Both documents answered 304: the same report, so the cache can reuse its
            # families and their encoding too (a 304 scrape then costs little more than
            # the request).
            return last[3]
        for anomaly in events.anomalies:
            self._log_once(
                anomaly,
                "unrecognised upstream value %s=%r, using its fallback",
                anomaly.field,
                anomaly.value,
            )
        report = summarize(registry, events.impacts, scope, events.anomalies)
        # The feed carries 40 days of texts; keep only what the open events can show.
        impacts = [impact for impact, _ in report.events]
        report = replace(report, messages=needed(events.messages, impacts, self._config.locale))
        self._last = (events, registry, scope, report)
        return report

    def close(self) -> None:
        self._fetcher.close()

    def _current_registry(self, deadline: Deadline) -> tuple[ProductCatalog, Scope]:
        fresh = self._clock() - self._registry_at < self._config.registry_ttl
        if self._registry is not None and self._scope is not None and fresh:
            return self._registry, self._scope
        try:
            registry, anomalies = self._fetcher.get(
                "registry", self._feed.registry_url, deadline, read_registry
            )
        except UpstreamError as error:
            if self._registry is None or self._scope is None:
                raise
            # The registry changes rarely: an old one beats no statuses at all.
            log.warning("registry refresh failed (%s); keeping the previous one", error)
            return self._registry, self._scope
        for anomaly in anomalies:
            self._log_once(anomaly, "skipped a malformed registry entry (%s)", anomaly.value)
        scope = resolve(self._config.selection, registry)
        for value in scope.unresolved:
            self._log_once(
                value,
                "selection %r matches no product, cloud or region id or name in the registry",
                value,
            )
        self._registry, self._scope, self._registry_at = registry, scope, self._clock()
        return registry, scope

    def _log_once(self, key: Anomaly | str, message: str, *args: object) -> None:
        with self._log_lock:
            if key in self._logged or len(self._logged) >= MAX_LOGGED_VALUES:
                return
            self._logged.add(key)
        log.warning(message, *args)
