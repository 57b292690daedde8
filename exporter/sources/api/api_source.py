"""The Status API source: the catalog (kept for --registry-ttl) and the open events.

Asks through the API client (which holds the token). The events come first: a catalog
refresh (once there is a catalog) and Adobe's texts for the open events are asked
afterwards, with what is left of the scrape's deadline, and never fail a collection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from exporter.config import CacheConfig
from exporter.deadline import Deadline
from exporter.errors import UpstreamError
from exporter.model.report import StatusReport, summarize
from exporter.model.texts import tokens_of
from exporter.model.vocabulary import ProductCatalog
from exporter.parse import ShapeError, parse_registry, read_events
from exporter.sources.api.client import StatusClient
from exporter.sources.api.messages import MessageCache
from exporter.sources.catalog_cache import CatalogCache, LogOnce
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
        texts: MessageCache | None = None,
    ) -> None:
        self._client = client
        self._texts = texts
        self._metrics = metrics
        self._clock = clock
        self._log_once = LogOnce(log)
        self._catalog = CatalogCache(
            self._fetch_catalog,
            config,
            self._log_once,
            unresolved="selection %r matches no product, cloud or region id or "
            "name in the registry; passing it on as an id",
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
        return self._with_texts(report, deadline)

    def close(self) -> None:
        self._client.close()

    def _with_texts(self, report: StatusReport, deadline: Deadline) -> StatusReport:
        """Adobe's texts for the open events, asked after them: they never fail a collection."""
        if self._texts is None:
            return report
        tokens = tokens_of(impact for impact, _ in report.events)
        try:
            return replace(report, messages=self._texts.texts(tokens, deadline))
        except Exception:  # the page then shows tokens; the statuses must still be served
            log.exception("could not look up the texts of the open events")
            return report

    def _fetch_catalog(self, deadline: Deadline) -> ProductCatalog:
        products = self._client.get("products", {}, deadline)
        clouds = self._client.get("clouds", {}, deadline)
        try:
            catalog, anomalies = parse_registry(products, clouds)
        except ShapeError as error:
            endpoint = "products" if str(error).startswith("products") else "clouds"
            self._metrics.count_error(endpoint, "invalid_response")
            raise UpstreamError(endpoint, "invalid_response", str(error)) from None
        self._log_once.malformed_entries(anomalies)
        return catalog
