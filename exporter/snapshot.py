"""What the cache keeps and a scrape shows: one collection (Snapshot) and its View.

A Snapshot holds a StatusReport with its metric families, built once and encoded once per
exposition format; a View adds what the scrape needs besides (up, last success, why the
last collection failed).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from exporter.model.report import StatusReport


@dataclass(frozen=True)
class Snapshot:
    """One successful collection, with its metric families built once.

    They are also encoded once per exposition format, by the first scrape that asks for
    it: every later scrape of the same collection (all of them, with --cache-ttl) serves
    those bytes instead of formatting each sample again.
    """

    report: StatusReport
    families: Sequence[Metric]
    taken_at: float  # Unix seconds
    _encoded: dict[str, bytes] = field(default_factory=dict, init=False, repr=False, compare=False)
    _encoding: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def renewed(self, taken_at: float) -> Snapshot:
        """The same collection confirmed at `taken_at`, with the encodings made so far."""
        fresh = Snapshot(self.report, self.families, taken_at)
        with self._encoding:
            fresh._encoded.update(self._encoded)
        return fresh

    def encoded(self, content_type: str, encode: Callable[[Collector], bytes]) -> bytes:
        """The families as `encode` writes them; `content_type` names that format."""
        with self._encoding:  # concurrent scrapes of one collection encode it once
            body = self._encoded.get(content_type)
            if body is None:
                body = self._encoded[content_type] = encode(_Families(self.families))
            return body


class _Families:
    def __init__(self, families: Sequence[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterable[Metric]:
        return self._families


@dataclass(frozen=True)
class View:
    """What one scrape shows."""

    snapshot: Snapshot | None  # None: nothing good within --max-stale
    up: bool
    last_success: float | None
    duration: float
    error: str | None = None  # why the last collection failed, safe to show
