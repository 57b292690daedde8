"""Where a StatusReport comes from: the Status API (`api/`) or the public feed (`feed`).

Both sources answer to the one small interface below, so the cache, the metric families
and the web app never know which one is wired in. What they share (the product catalog
kept for --registry-ttl, the selection resolved against it, log-once of odd values) lives
once in `catalog`; the HTTP layer both use is `exporter.sources.fetch`.
"""

from __future__ import annotations

from typing import Protocol

from exporter.deadline import Deadline
from exporter.model.report import StatusReport


class Source(Protocol):
    """One upstream of Adobe status data."""

    @property
    def retry_at(self) -> float:
        """Unix time before which no request may be sent (0 when not throttled)."""
        ...

    def collect(self, deadline: Deadline) -> StatusReport:
        """One collection; raises UpstreamError when upstream's answer cannot be used."""
        ...

    def close(self) -> None:
        """Release the connections this source holds."""
        ...
