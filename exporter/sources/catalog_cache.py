"""What both sources share: the product catalog kept for --registry-ttl, and log-once.

The catalog (products, clouds, regions) changes rarely, so it is asked for again only
after --registry-ttl, and a failed refresh keeps the previous one: an old catalog beats
no statuses at all. The selection (--product, --cloud, --region) is resolved against each
new catalog.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from exporter.config import CacheConfig
from exporter.deadline import Deadline
from exporter.errors import UpstreamError
from exporter.model.report import Scope, resolve
from exporter.model.vocabulary import Anomaly, ProductCatalog

# Distinct odd values remembered for log-once; a hostile upstream cannot grow it forever.
MAX_LOGGED_VALUES = 1000


class LogOnce:
    """Warns once per distinct key (an odd upstream value, an unmatched selection)."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log  # for what is logged every time
        self._logged: set[Anomaly | str] = set()
        self._lock = threading.Lock()

    def warning(self, key: Anomaly | str, message: str, *args: object) -> None:
        with self._lock:
            if key in self._logged or len(self._logged) >= MAX_LOGGED_VALUES:
                return
            self._logged.add(key)
        self.log.warning(message, *args)

    def anomalies(self, anomalies: Iterable[Anomaly]) -> None:
        """Each unrecognised value of an event, once."""
        for anomaly in anomalies:
            self.warning(
                anomaly,
                "unrecognised upstream value %s=%r, using its fallback",
                anomaly.field,
                anomaly.value,
            )

    def malformed_entries(self, anomalies: Iterable[Anomaly]) -> None:
        """Each catalog entry that could not be read, once."""
        for anomaly in anomalies:
            self.warning(anomaly, "skipped a malformed registry entry (%s)", anomaly.value)


class CatalogCache:
    """The current catalog and the selection resolved against it."""

    def __init__(
        self,
        fetch: Callable[[Deadline], ProductCatalog],
        config: CacheConfig,
        log_once: LogOnce,
        *,
        unresolved: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`fetch` logs its own malformed entries; `unresolved` (a log message with one %r)
        says what becomes of a selection value the catalog does not know."""
        self._fetch = fetch
        self._selection = config.selection
        self._ttl = config.registry_ttl
        self._log_once = log_once
        self._unresolved = unresolved
        self._clock = clock
        self._current: tuple[ProductCatalog, Scope] | None = None
        self._fetched_at = 0.0

    def current(self, deadline: Deadline) -> tuple[ProductCatalog, Scope]:
        """The catalog and scope; raises UpstreamError only when there never was one."""
        fresh = self._clock() - self._fetched_at < self._ttl
        if self._current is not None and fresh:
            return self._current
        try:
            catalog = self._fetch(deadline)
        except UpstreamError as error:
            if self._current is None:
                raise
            self._log_once.log.warning(
                "registry refresh failed (%s); keeping the previous one", error
            )
            return self._current
        scope = resolve(self._selection, catalog)
        for value in scope.unresolved:
            self._log_once.warning(value, self._unresolved, value)
        self._current, self._fetched_at = (catalog, scope), self._clock()
        return self._current
