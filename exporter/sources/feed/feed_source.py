"""The public feed source (the one status.adobe.com reads): no credential at all.

Two documents under --feed-url: SnowServiceRegistry (the catalog, kept for
--registry-ttl) and StatusEvents. The feed takes no query, so --product, --cloud and
--region filter here, with the API source's semantics (`resolve` and `summarize`). Once
there is a catalog, StatusEvents is read first and the catalog's refresh gets what is
left of the scrape's deadline (see `CatalogCache`). Both documents are asked for
conditionally: when nothing changed, Adobe answers 304 and the last parsed result is
reused.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from exporter.config import CacheConfig, FeedConfig
from exporter.deadline import Deadline
from exporter.model.report import Scope, StatusReport, summarize
from exporter.model.texts import needed
from exporter.model.vocabulary import Anomaly, ProductCatalog
from exporter.model.window import AdobeRecord, Replayed
from exporter.sources.catalog_cache import CatalogCache, LogOnce
from exporter.sources.feed.service_registry import parse_service_registry
from exporter.sources.feed.status_events import read_feed
from exporter.sources.fetch import Body, Fetcher
from exporter.sources.past_keeper import PastKeeper, replaying
from exporter.sources.reading import Events, keeping_records
from exporter.upstream_metrics import UpstreamMetrics

log = logging.getLogger(__name__)


def read_service_registry(body: Body) -> tuple[ProductCatalog, list[Anomaly]]:
    """A SnowServiceRegistry body decoded and read (2.3 MB: json.loads is fine here)."""
    return parse_service_registry(json.loads(body))


class FeedSource:
    """Reads the public feed and summarises it, as `ApiSource` does the Status API."""

    def __init__(
        self,
        feed: FeedConfig,
        config: CacheConfig,
        metrics: UpstreamMetrics,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._feed = feed
        self._locale = config.locale
        self._clock = clock
        # No credential, header or query of any kind: the feed is public.
        self._fetcher = Fetcher(
            metrics,
            timeout=feed.timeout,
            max_response_bytes=feed.max_response_bytes,
            url_option="--feed-url",
            clock=clock,
        )
        self._log_once = LogOnce(log)
        self._catalog = CatalogCache(
            self._fetch_catalog,
            config,
            self._log_once,
            unresolved="selection %r matches no product, cloud or region id or name in the catalog",
            clock=clock,
        )
        self._past = PastKeeper(config.registry_ttl, config.past_days, clock=clock)
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
        catalog, scope = self._catalog.current(deadline)
        now = self._clock()  # has an incident's end passed?
        # At most every --registry-ttl, the same document also gives the last 30 days; it is
        # then read whole (a 304 would hand back the last reading, replayed for nothing).
        due = self._past.due(now)
        replays = self._past.keeper(now) if due else None
        read = partial(read_feed, now=now, keep_events=replays)
        url = self._feed.events_url
        events = self._fetcher.get("events", url, deadline, read, conditional=not due)
        if replays is not None:
            self._past.update(catalog, scope, replays, now)
        # Only now, with the events read, may a catalog refresh spend what time is left.
        catalog, scope = self._catalog.refreshed(deadline)
        last = self._last
        if last is not None and last[0] is events and last[1] is catalog and last[2] is scope:
            # Both documents answered 304: the same report, so the cache can reuse its
            # families and their encoding too (a 304 scrape then costs little more than
            # the request).
            return last[3]
        self._log_once.anomalies(events.anomalies)
        report = summarize(catalog, events.impacts, scope, events.anomalies)
        # The feed carries 40 days of texts; keep only what the open events can show.
        impacts = [impact for impact, _ in report.events]
        texts = needed(events.texts, impacts, self._locale)
        report = replace(report, texts=texts, past=self._past.current)
        self._last = (events, catalog, scope, report)
        return report

    def record(
        self, deadline: Deadline, since: float, replay_from: float | None = None
    ) -> AdobeRecord:
        """Adobe's record: every event the feed holds (about 40 days, whatever `since`).

        `replay_from`: keep only each event's replay from then on (`backfill`).
        """
        del since  # the feed takes no query
        self._fetcher.check_throttle("events")
        catalog, scope = self._catalog.current(deadline)
        now = self._clock()
        replayed: list[Replayed] | None = None
        if replay_from is None:
            read = keeping_records(read_feed, now)
        else:
            keep, replayed = replaying(replay_from)
            read = partial(read_feed, now=now, keep=keep)
        # Unconditional: a 304 would hand back the last collection, read without records.
        url = self._feed.events_url
        events = self._fetcher.get("events", url, deadline, read, conditional=False)
        self._log_once.anomalies(events.anomalies)
        return AdobeRecord(
            catalog, scope, events.records, now, events.texts, self._locale, replayed
        )

    def close(self) -> None:
        self._fetcher.close()

    def _fetch_catalog(self, deadline: Deadline) -> ProductCatalog:
        catalog, anomalies = self._fetcher.get(
            "registry", self._feed.registry_url, deadline, read_service_registry
        )
        self._log_once.malformed_entries(anomalies)
        return catalog
