"""The Status API source: the catalog (kept for --registry-ttl) and the open events.

Asks through the API client (which holds the token). The events come first: a catalog
refresh (once there is a catalog), the last 30 days of the record and Adobe's texts for the
open events are asked afterwards, with what is left of the scrape's deadline, and never
fail a collection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial

from exporter.config import CacheConfig
from exporter.deadline import Deadline
from exporter.errors import UpstreamError
from exporter.model.report import Scope, StatusReport, summarize
from exporter.model.texts import tokens_of
from exporter.model.vocabulary import ProductCatalog
from exporter.model.window import AdobeRecord
from exporter.sources.api.client import StatusClient
from exporter.sources.api.dto import parse_catalog, read_events
from exporter.sources.api.text_cache import TextCache
from exporter.sources.catalog_cache import MIN_TIME_LEFT, CatalogCache, LogOnce
from exporter.sources.past_keeper import PastKeeper, replaying
from exporter.sources.reading import ShapeError, keeping_records
from exporter.upstream_metrics import UpstreamMetrics

log = logging.getLogger(__name__)


class ApiSource:
    """Asks the Status API what is going on and summarises it."""

    def __init__(
        self,
        client: StatusClient,
        config: CacheConfig,
        metrics: UpstreamMetrics,
        *,
        clock: Callable[[], float] = time.time,
        texts: TextCache | None = None,
    ) -> None:
        self._client = client
        self._texts = texts
        self._metrics = metrics
        self._clock = clock
        self._locale = config.locale
        self._past = PastKeeper(config.registry_ttl, config.past_days, clock=clock)
        self._log_once = LogOnce(log)
        self._catalog = CatalogCache(
            self._fetch_catalog,
            config,
            self._log_once,
            unresolved="selection %r matches no product, cloud or region id or "
            "name in the catalog; passing it on as an id",
            clock=clock,
        )

    @property
    def retry_at(self) -> float:
        """Unix time before which no request may be sent (0 when not throttled)."""
        return self._client.retry_at

    def collect(self, deadline: Deadline) -> StatusReport:
        """One collection; raises UpstreamError when Adobe's answer cannot be used."""
        catalog, scope = self._catalog.current(deadline)
        # Decoded and read into the model in one pass, one event at a time: a 40-day feed
        # never exists as a whole JSON tree (see read_events).
        read = partial(read_events, now=self._clock())  # now: has an incident's end passed?
        events = self._client.get_decoded("events", scope.query_params(), deadline, read)
        # Only now, with the events read, may a catalog refresh spend what time is left.
        catalog, scope = self._catalog.refreshed(deadline)
        self._log_once.anomalies(events.anomalies)
        report = summarize(catalog, events.impacts, scope, events.anomalies)
        self._read_past(catalog, scope, deadline)
        report = replace(report, past=self._past.current)
        return self._with_texts(report, deadline)

    def _read_past(self, catalog: ProductCatalog, scope: Scope, deadline: Deadline) -> None:
        """The last 30 days, at most every --registry-ttl: `/events` with `from`/`to`. Like
        the catalog and the texts, it never fails a collection, takes only what is left of
        the scrape's deadline, and waits out the shared Backoff after a failure."""
        now = self._clock()
        left = deadline.remaining()
        if not self._past.due(now) or (left is not None and left < MIN_TIME_LEFT):
            return
        replays = self._past.keeper(now)
        params = {**scope.query_params(), "from": [_day(replays.since)], "to": [_day(now)]}
        read = partial(read_events, now=now, keep_events=replays)
        try:
            self._client.get_decoded("events", params, deadline, read, conditional=False)
        except Exception as error:  # the page keeps the last 30 days it had
            self._past.failed(error)
            return
        self._past.update(catalog, scope, replays, now)

    def record(
        self, deadline: Deadline, since: float, replay_from: float | None = None
    ) -> AdobeRecord:
        """Adobe's record since `since` (Unix seconds): `/api/v1/events` with `from`/`to`
        (dates, as the spec has them), read into records, with the titles' texts.

        `replay_from`: keep only each event's replay from then on (`backfill`), no texts.
        """
        catalog, scope = self._catalog.current(deadline)
        now = self._clock()
        params = {**scope.query_params(), "from": [_day(since)], "to": [_day(now)]}
        if replay_from is not None:
            keep, replayed = replaying(replay_from)
            read = partial(read_events, now=now, keep=keep)
            events = self._client.get_decoded("events", params, deadline, read, conditional=False)
            self._log_once.anomalies(events.anomalies)
            return AdobeRecord(catalog, scope, [], now, locale=self._locale, replayed=replayed)
        decode = keeping_records(read_events, now)
        events = self._client.get_decoded("events", params, deadline, decode, conditional=False)
        self._log_once.anomalies(events.anomalies)
        record = AdobeRecord(catalog, scope, events.records, now, locale=self._locale)
        if self._texts is None:
            return record
        latest = (one.history.latest() or {} for one in events.records)
        tokens = list(
            dict.fromkeys(t for entry in latest if (t := str(entry.get("titleToken") or "")))
        )
        try:
            return replace(record, texts=self._texts.texts(tokens, deadline))
        except Exception:  # the rows then show tokens; the record itself was read
            log.exception("could not look up the texts of the events")
            return record

    def close(self) -> None:
        self._client.close()

    def _with_texts(self, report: StatusReport, deadline: Deadline) -> StatusReport:
        """Adobe's texts for the open events, asked after them: they never fail a collection."""
        if self._texts is None:
            return report
        tokens = tokens_of(impact for impact, _ in report.events)
        try:
            return replace(report, texts=self._texts.texts(tokens, deadline))
        except Exception:  # the page then shows tokens; the statuses must still be served
            log.exception("could not look up the texts of the open events")
            return report

    def _fetch_catalog(self, deadline: Deadline) -> ProductCatalog:
        products = self._client.get("products", {}, deadline)
        clouds = self._client.get("clouds", {}, deadline)
        try:
            catalog, anomalies = parse_catalog(products, clouds)
        except ShapeError as error:
            endpoint = "products" if str(error).startswith("products") else "clouds"
            self._metrics.count_error(endpoint, "invalid_response")
            raise UpstreamError(endpoint, "invalid_response", str(error)) from None
        self._log_once.malformed_entries(anomalies)
        return catalog


def _day(epoch: float) -> str:
    """A date as the spec's `from` and `to` take it (yyyy-MM-dd, UTC)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")
