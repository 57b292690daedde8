"""What both sources' readers share: the result of reading an events document, the drift
that makes one unreadable (ShapeError), and the checks that tell drift from "nothing open".

A payload that cannot be read at all raises ShapeError (the exporter then reports
`invalid_response`, never "all operational"): not an object, none of the keys read here
at its top level (a key renamed at Adobe), events listed of which none carries an id and
products, a catalog with no product or cloud to know them by. Anything smaller that is
odd (a null in a list, a number where a string was due, an unknown enum) is skipped or
mapped to its documented fallback and reported as an Anomaly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from exporter.model.impacts import Keep, text
from exporter.model.record import ProductRecord
from exporter.model.vocabulary import Anomaly, Impact, Text

# How one event of either kind is read: (event, impacts, anomalies, now, keep).
EventReader = Callable[[Mapping[str, Any], list[Impact], list[Anomaly], float, Keep | None], None]


class ShapeError(ValueError):
    """The payload is not the shape the spec describes, so nothing can be read from it."""


@dataclass
class Events:
    """The open events in one payload, with what was odd about it.

    `messages` holds the texts the feed shape carries beside its events (each section's
    `messages{locale}{token}`), by locale then token: look an Impact's `title_token` and
    `message_token` up there. Incident and maintenance texts share the map (a token in
    both keeps the incident's). The DTO shape carries none: the API serves them at
    `/api/v1/messages/{locale}`.
    """

    impacts: list[Impact] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)
    texts: dict[str, dict[str, Text]] = field(default_factory=dict)
    # Every event's record per product, when the reader was asked to keep them.
    records: list[ProductRecord] = field(default_factory=list)


def top(payload: object, *keys: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ShapeError(f"expected a JSON object, got {type(payload).__name__}")
    for key in keys:
        value = payload.get(key)
        if value is not None and not isinstance(value, list | dict):
            raise ShapeError(f"{key!r} is a {type(value).__name__}")
    return payload


def require_any(present: object, *keys: str) -> None:
    """Schema drift: none of the keys the exporter reads. Never read as "nothing open"."""
    if not isinstance(present, Mapping) or not any(key in present for key in keys):
        raise ShapeError(f"none of {', '.join(keys)} at the top level")


def is_readable(event: object) -> bool:
    """An event the readers can use: an id and its products (a rename of either is drift)."""
    return isinstance(event, dict) and bool(text(event.get("id"))) and "products" in event


def require_readable(seen: int, readable: int) -> None:
    """Schema drift: events listed, none of them readable. Never read as "nothing open"."""
    if seen and not readable:
        raise ShapeError(f"none of {seen} events carries an id and products")


def count(value: object) -> int:
    return len(value) if isinstance(value, list | dict) else 0


def keeping_records(
    read: Callable[..., Events], now: float
) -> Callable[[bytes | bytearray], Events]:
    """`read` (read_events, read_feed) at `now`, keeping every record in `Events.records`."""

    def decode(body: bytes | bytearray) -> Events:
        kept: list[ProductRecord] = []
        events = read(body, now=now, keep=kept.append)
        events.records = kept
        return events

    return decode


class SameKeep:
    """`KeepEvents` for a plain `keep` (or none): the same Keep for every event, and no
    event's text asked for."""

    texts = False

    def __init__(self, keep: Keep | None) -> None:
        self._keep = keep

    def event(self, what: str, raw: str | None) -> Keep | None:
        return self._keep
