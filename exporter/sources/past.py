"""The last 30 days of Adobe's record for the status page, refreshed at most every
--registry-ttl: a collection that is due keeps each event's replay (never the events
themselves) as its reader streams them, and sums them up per product.
"""

from __future__ import annotations

import math

from exporter.history import AdobeRecord, Replayed, past, replay
from exporter.impacts import Keep
from exporter.model import ProductCatalog
from exporter.past import Past
from exporter.record import ProductRecord
from exporter.report import Scope

RETRY_AFTER_FAILURE = 60.0


class PastKeeper:
    """When the record is due, how to keep it, and the last `Past` computed."""

    def __init__(self, every: float, days: float) -> None:
        self._every = every
        self._days = days
        self._due_at = 0.0 if days > 0 else math.inf  # 0 days: nothing is ever kept
        self.current: Past | None = None

    @property
    def days(self) -> float:
        return self._days

    def due(self, now: float) -> bool:
        return now >= self._due_at

    def keeper(self, now: float) -> tuple[Keep, list[Replayed]]:
        """A `keep` for the readers, and the list it fills."""
        return replaying(now - self._days * 86400)

    def update(
        self, catalog: ProductCatalog, scope: Scope, kept: list[Replayed], now: float
    ) -> Past:
        record = AdobeRecord(catalog, scope, [], now, replayed=kept)
        self.current = past(record, self._days)
        self._due_at = now + self._every
        return self.current

    def failed(self, now: float) -> None:
        self._due_at = now + min(self._every, RETRY_AFTER_FAILURE)


def replaying(since: float) -> tuple[Keep, list[Replayed]]:
    """A `keep` that replays each record from `since` on as the reader streams it, and the
    list of replays it fills: the events themselves die young."""
    kept: list[Replayed] = []

    def keep(record: ProductRecord) -> None:
        one = replay(record, since, keep=False)
        if one is not None:
            kept.append(one)

    return keep, kept
