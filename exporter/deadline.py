"""A time budget for one collection, derived from the scrape's own timeout."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

# Leave Prometheus this much of its scrape timeout to read and store the answer.
SCRAPE_TIMEOUT_HEADROOM = 0.5
SCRAPE_TIMEOUT_HEADER = "HTTP_X_PROMETHEUS_SCRAPE_TIMEOUT_SECONDS"
# A longer "scrape timeout" is no real scraper's (Prometheus's cannot exceed its scrape
# interval), and waits that long overflow the platform's timers.
MAX_SCRAPE_TIMEOUT = 3600.0


@dataclass(frozen=True)
class Deadline:
    """A point on the monotonic clock (None: no overall limit, only per-request timeouts)."""

    at: float | None = None

    @classmethod
    def after(cls, seconds: float | None) -> Deadline:
        return cls(None if seconds is None else time.monotonic() + seconds)

    @classmethod
    def from_scrape(cls, environ: Mapping[str, object]) -> Deadline:
        """The deadline Prometheus asks for in X-Prometheus-Scrape-Timeout-Seconds.

        A header that is absent or not a number of seconds in (0, MAX_SCRAPE_TIMEOUT]
        (junk, nan, inf, 1e300, negative) sets no overall deadline: the scrape is then
        bounded by the per-request --timeout only, as for a scraper that sends no header.
        """
        raw = environ.get(SCRAPE_TIMEOUT_HEADER)
        try:
            seconds = float(str(raw))
        except ValueError:
            return cls()
        if not (math.isfinite(seconds) and 0 < seconds <= MAX_SCRAPE_TIMEOUT):
            return cls()
        return cls.after(max(seconds - SCRAPE_TIMEOUT_HEADROOM, 0.05))

    def remaining(self) -> float | None:
        return None if self.at is None else self.at - time.monotonic()

    def expired(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0

    def cap(self, seconds: float) -> float:
        """`seconds`, shortened so as not to run past the deadline (never below 1 ms)."""
        left = self.remaining()
        return seconds if left is None else max(min(seconds, left), 0.001)
