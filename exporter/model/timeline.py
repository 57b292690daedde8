"""Adobe's record over a window: what each event did to each product, span by span.

`impact_at` changes only at the instants a record names (its entries, start, end, the
instant it was read), and holds still in between. So a record replays into a few
`Piece`s, each an Impact over [start, end), and many records sweep into `spans` over
which the set of impacts holds still: what `history` totals and `backfill` samples.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from exporter.model.record import NEVER, ProductRecord
from exporter.model.replay import impact_at
from exporter.model.vocabulary import Impact

INF = math.inf


@dataclass(frozen=True, slots=True)
class Piece:
    """One impact of one record over [start, end); `end` INF: still so when read."""

    start: float
    end: float
    impact: Impact


def instants(record: ProductRecord) -> set[float]:
    """Every instant at which the record's impact may change."""
    event = record.event
    out = {event.read_at}
    out.update(at for at, _ in record.history.timed() if at != NEVER)
    for value in (
        record.ended_on,
        record.started_on,
        event.started,
        event.scheduled,
        event.completed,
    ):
        if value is not None:
            out.add(value)
    return out


def may_touch(record: ProductRecord, since: float) -> bool:
    """False when the record plainly ended before `since`: its history needs no sorting."""
    if record.event.kind == "incident":
        end = record.ended_on
        return end is None or end > since
    completed = record.event.completed
    return completed is None or completed > since


def pieces(record: ProductRecord, since: float = -INF) -> list[Piece]:
    """The record's impacts from `since` on, oldest first (equal neighbours joined)."""
    points = sorted(x for x in instants(record) if x > since)
    points.insert(0, since)
    out: list[Piece] = []
    for index, start in enumerate(points):
        impact = impact_at(record, start)
        if impact is None:
            continue
        end = points[index + 1] if index + 1 < len(points) else INF
        if out and out[-1].end == start and out[-1].impact == impact:
            out[-1] = Piece(out[-1].start, end, impact)
        else:
            out.append(Piece(start, end, impact))
    return out


def spans(
    all_pieces: Iterable[Piece], since: float, until: float
) -> Iterator[tuple[float, float, list[Impact]]]:
    """(start, end, impacts) over [since, until]: the set of impacts holds still in each.

    The last span's end is INF (the record says nothing after it was read); a consumer
    clips it to `until`.
    """
    ordered = sorted(all_pieces, key=lambda piece: piece.start)
    bounds = {since}
    for piece in ordered:
        for at in (piece.start, piece.end):
            if since < at <= until:
                bounds.add(at)
    points = sorted(bounds)
    active: dict[int, Impact] = {}
    ending: list[tuple[float, int]] = []
    index = 0
    for position, at in enumerate(points):
        while ending and ending[0][0] <= at:
            _, number = heapq.heappop(ending)
            active.pop(number, None)
        while index < len(ordered) and ordered[index].start <= at:
            piece = ordered[index]
            if piece.end > at:
                active[index] = piece.impact
                heapq.heappush(ending, (piece.end, index))
            index += 1
        end = points[position + 1] if position + 1 < len(points) else INF
        yield at, end, list(active.values())
