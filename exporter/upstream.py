"""One collection from Adobe: the registry (cached for --registry-ttl) and the open events."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from exporter.client import StatusClient
from exporter.config import CacheConfig
from exporter.deadline import Deadline
from exporter.errors import UpstreamError
from exporter.messages import MessageCache
from exporter.model import Anomaly, ProductCatalog
from exporter.parse import ShapeError, parse_registry, read_events
from exporter.report import Scope, StatusReport, resolve, summarize
from exporter.texts import tokens_of
from exporter.upstream_metrics import UpstreamMetrics

log = logging.getLogger(__name__)

# Distinct odd values remembered for log-once; a hostile upstream cannot grow it forever.
MAX_LOGGED_VALUES = 1000


class AdobeStatus:
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
        self._config = config
        self._metrics = metrics
        self._clock = clock
        self._registry: ProductCatalog | None = None
        self._scope: Scope | None = None
        self._registry_at = 0.0
        self._logged: set[Anomaly | str] = set()
        self._log_lock = threading.Lock()

    def collect(self, deadline: Deadline) -> StatusReport:
        """One collection; raises UpstreamError when Adobe's answer cannot be used."""
        registry, scope = self._current_registry(deadline)
        # Decoded and read into the model in one pass, one event at a time: a 40-day feed
        # never exists as a whole JSON tree (see read_events).
        read = partial(read_events, now=self._clock())  # now: has an incident's end passed?
        events = self._client.get_decoded("events", scope.query_params(), deadline, read)
        for anomaly in events.anomalies:
            self._log_once(
                anomaly,
                "unrecognised upstream value %s=%r, using its fallback",
                anomaly.field,
                anomaly.value,
            )
        report = summarize(registry, events.impacts, scope, events.anomalies)
        return self._with_texts(report, deadline)

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

    def _current_registry(self, deadline: Deadline) -> tuple[ProductCatalog, Scope]:
        fresh = self._clock() - self._registry_at < self._config.registry_ttl
        if self._registry is not None and self._scope is not None and fresh:
            return self._registry, self._scope
        try:
            registry = self._fetch_registry(deadline)
        except UpstreamError as error:
            if self._registry is None or self._scope is None:
                raise
            # The registry changes rarely: an old one beats no statuses at all.
            log.warning("registry refresh failed (%s); keeping the previous one", error)
            return self._registry, self._scope
        scope = resolve(self._config.selection, registry)
        for value in scope.unresolved:
            self._log_once(
                value,
                "selection %r matches no product, cloud or region id or "
                "name in the registry; passing it on as an id",
                value,
            )
        self._registry, self._scope, self._registry_at = registry, scope, self._clock()
        return registry, scope

    def _fetch_registry(self, deadline: Deadline) -> ProductCatalog:
        products = self._client.get("products", {}, deadline)
        clouds = self._client.get("clouds", {}, deadline)
        try:
            registry, anomalies = parse_registry(products, clouds)
        except ShapeError as error:
            endpoint = "products" if str(error).startswith("products") else "clouds"
            self._metrics.count_error(endpoint, "invalid_response")
            raise UpstreamError(endpoint, "invalid_response", str(error)) from None
        for anomaly in anomalies:
            self._log_once(anomaly, "skipped a malformed registry entry (%s)", anomaly.value)
        return registry

    def _log_once(self, key: Anomaly | str, message: str, *args: object) -> None:
        with self._log_lock:
            if key in self._logged or len(self._logged) >= MAX_LOGGED_VALUES:
                return
            self._logged.add(key)
        log.warning(message, *args)
