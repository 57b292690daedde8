"""The last 30 days of Adobe's record for the status page, refreshed at most every
--registry-ttl: a collection that is due keeps each event's replay (never the events
themselves) as its reader streams them, and sums them up per product. A failed reading
(the API's extra `/events?from&to`) waits out the shared `Backoff`, as the catalog and
the texts do.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from exporter.model.impacts import Keep
from exporter.model.past import Past
from exporter.model.record import ProductRecord
from exporter.model.replay_cache import ReplayCache, ReplayRound
from exporter.model.report import Scope
from exporter.model.vocabulary import ProductCatalog
from exporter.model.window import AdobeRecord, Replayed, past, replay
from exporter.sources.backoff import Backoff

log = logging.getLogger(__name__)


class PastKeeper:
    """When the record is due, how to keep it, and the last `Past` computed."""

    def __init__(
        self, every: float, days: float, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._every = every
        self._days = days
        self._due_at = 0.0 if days > 0 else math.inf  # 0 days: nothing is ever kept
        self._backoff = Backoff(
            f"the last {days:g} days of events", log, ceiling=every, clock=clock
        )
        self.current: Past | None = None
        self._replays = ReplayCache()

    @property
    def days(self) -> float:
        return self._days

    def due(self, now: float) -> bool:
        return now >= self._due_at and self._backoff.due()

    def keeper(self, now: float) -> ReplayRound:
        """What the readers keep the record with (`keep_events`), replays in its `kept`.

        Events written as at the last reading reuse its replays where those can no
        longer change (exporter/model/replay_cache.py).
        """
        return self._replays.round(now - self._days * 86400)

    def update(self, catalog: ProductCatalog, scope: Scope, done: ReplayRound, now: float) -> Past:
        """`done` read to its end: the page's last days from it."""
        self._replays.commit(done)
        record = AdobeRecord(catalog, scope, [], now, replayed=done.kept)
        self.current = past(record, self._days)
        self._due_at = now + self._every
        self._backoff.succeeded()
        return self.current

    def failed(self, error: Exception) -> None:
        """The reading failed: the page keeps the last days it had until the next try."""
        self._backoff.failed(error, "the status page keeps the last record it had")


def replaying(since: float) -> tuple[Keep, list[Replayed]]:
    """A `keep` that replays each record from `since` on as the reader streams it, and the
    list of replays it fills: the events themselves die young."""
    kept: list[Replayed] = []

    def keep(record: ProductRecord) -> None:
        one = replay(record, since, keep=False)
        if one is not None:
            kept.append(one)

    return keep, kept
