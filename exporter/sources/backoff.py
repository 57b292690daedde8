"""When an auxiliary call (the catalog, Adobe's texts) may be tried again after a failure.

One mechanism for both sources and every auxiliary endpoint (CONTRACT.md, Failures): after
a failure the call waits `FLOOR` seconds (30 s) whatever --registry-ttl says, the wait
doubling on each further failure up to the larger of --registry-ttl and `FLOOR`. The first
failure is logged at warning, the next ones at debug only, and the first success after
them says it recovered: during Adobe's own incident, neither a request nor a log line on
every scrape.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Final

FLOOR: Final = 30.0


class Backoff:
    """The state of one auxiliary call: due now, or waiting after failures."""

    def __init__(
        self,
        what: str,
        log: logging.Logger,
        *,
        ceiling: float,
        floor: float = FLOOR,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`what` names the call in the log ("catalog", "texts"); `ceiling` is
        --registry-ttl (never below `floor`)."""
        self._what = what
        self._log = log
        self._floor = floor
        self._ceiling = max(ceiling, floor)
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._next_at = 0.0

    @property
    def failing(self) -> bool:
        return self._failures > 0

    @property
    def next_at(self) -> float:
        """Unix time from which the call may be tried again (0 when not failing)."""
        return self._next_at

    def due(self) -> bool:
        """May the call be made now?"""
        return self._clock() >= self._next_at

    def failed(self, error: Exception, consequence: str) -> None:
        """Record a failure; `consequence` says what the exporter does meanwhile."""
        with self._lock:
            wait = min(self._floor * 2.0 ** min(self._failures, 32), self._ceiling)
            self._failures += 1
            first = self._failures == 1
            self._next_at = self._clock() + wait
        level = logging.WARNING if first else logging.DEBUG
        self._log.log(
            level, "%s failed (%s); %s; next try in %.0fs", self._what, error, consequence, wait
        )

    def succeeded(self) -> None:
        """Record a success; says once that the call recovered."""
        with self._lock:
            failures, self._failures, self._next_at = self._failures, 0, 0.0
        if failures:
            self._log.warning("%s recovered after %d failed attempt(s)", self._what, failures)
