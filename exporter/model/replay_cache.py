"""Replays reused from one reading of Adobe's record to the next, for events Adobe left alone.

`serve` reads the last 30 days at most every --registry-ttl, and most of a 40-day feed is
events closed days ago, written the same way each time. Replaying each of them again is
most of what such a reading costs. So each event's replays are kept under its text as
Adobe wrote it, and reused when the next reading finds that same text, provided they were
`settled`: everything the event names happened before it was read, and it was over by
then, so no later reading could replay it differently. The reader then reads the event
for its live Impacts alone (where a plainly closed event costs next to nothing).

Keyed by the text's length and hash (never the text: 9 MB of feed is not kept for this),
and only for the last reading: an event that disappears is forgotten with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exporter.model.impacts import Keep
from exporter.model.record import ProductRecord
from exporter.model.window import Replayed, replay, settled

Key = tuple[str, int, int]


@dataclass
class _Event:
    replays: list[Replayed] = field(default_factory=list)
    settled: bool = True


class ReplayRound:
    """One reading's `KeepEvents`: replays made or reused, from `since` on, in `kept`."""

    texts = True

    def __init__(self, since: float, last: dict[Key, _Event]) -> None:
        self.since = since
        self.kept: list[Replayed] = []
        self._last = last
        self.seen: dict[Key, _Event] = {}

    def event(self, what: str, raw: str | None) -> Keep | None:
        """The Keep for one event's records; None when `raw` (its text) was replayed
        before and settled, its replays then reused. `raw` None: no text to go by."""
        if raw is not None:
            key = (what, len(raw), hash(raw))
            known = self._last.get(key)
            if known is not None and known.settled:
                self.seen[key] = known
                self.kept += known.replays
                return None
            made = self.seen[key] = _Event()
        else:
            made = _Event()
        return lambda record: self._keep(record, made)

    def _keep(self, record: ProductRecord, made: _Event) -> None:
        one = replay(record, self.since, keep=False)
        if one is not None:
            made.replays.append(one)
            self.kept.append(one)
        made.settled = made.settled and settled(record, one, self.since)


class ReplayCache:
    """The events of the last successful reading, by text."""

    def __init__(self) -> None:
        self._last: dict[Key, _Event] = {}

    def round(self, since: float) -> ReplayRound:
        return ReplayRound(since, self._last)

    def commit(self, done: ReplayRound) -> None:
        """`done` read to its end: its events are the ones to reuse next time."""
        self._last = done.seen
