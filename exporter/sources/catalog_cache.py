"""What both sources share: the product catalog kept for --registry-ttl, and log-once.

The catalog (products, clouds, regions) changes rarely, so it is asked for again only
after --registry-ttl, and a failed refresh keeps the previous one: an old catalog beats
no statuses at all. The selection (--product, --cloud, --region) is resolved against each
new catalog.

Only the first catalog is read before the events (they cannot be summarised without
one). Once there is a catalog, its refresh runs after the events were read, with what is
left of the scrape's deadline: a hanging or trickling catalog call can then never eat
the events' budget, and its failure waits out a `Backoff` instead of being retried on
every scrape. The events of that scrape were asked with the selection resolved against
the catalog before the refresh; a changed selection reaches the next scrape's query.
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
from exporter.sources.backoff import Backoff

# Distinct odd values remembered for log-once; a hostile upstream cannot grow it forever.
MAX_LOGGED_VALUES = 1000
# Below this much time left in the scrape, a refresh would only time out: leave it to the
# next scrape rather than count a failure that is not upstream's.
MIN_TIME_LEFT = 0.1


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
            self.warning(anomaly, "skipped a malformed catalog entry (%s)", anomaly.value)


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
        self._backoff = Backoff("catalog refresh", log_once.log, ceiling=self._ttl, clock=clock)

    def current(self, deadline: Deadline) -> tuple[ProductCatalog, Scope]:
        """The catalog and scope to read the events with: asked for now only when there is
        none yet, and then an upstream failure raises (UpstreamError)."""
        current = self._current
        return self._fetch_now(deadline) if current is None else current

    def refreshed(self, deadline: Deadline) -> tuple[ProductCatalog, Scope]:
        """After the events were read: the catalog, renewed when --registry-ttl has passed
        and no back-off holds; a failed renewal keeps the one there is."""
        current = self._current
        if current is None:
            return self._fetch_now(deadline)
        if self._clock() - self._fetched_at < self._ttl or not self._backoff.due():
            return current
        left = deadline.remaining()
        if left is not None and left < MIN_TIME_LEFT:
            return current
        try:
            return self._fetch_now(deadline)
        except UpstreamError as error:
            self._backoff.failed(error, "keeping the catalog it has")
            return current

    def _fetch_now(self, deadline: Deadline) -> tuple[ProductCatalog, Scope]:
        catalog = self._fetch(deadline)
        scope = resolve(self._selection, catalog)
        for value in scope.unresolved:
            self._log_once.warning(value, self._unresolved, value)
        self._current, self._fetched_at = (catalog, scope), self._clock()
        self._backoff.succeeded()
        return self._current
