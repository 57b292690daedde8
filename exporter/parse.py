"""Adobe's JSON shapes read into the model, tolerating drift.

The events body is read straight from its bytes, one event at a time (`read_events`), so a
40-day feed never exists as one JSON tree; `parse_events` reads an already decoded payload.

A payload that cannot be read at all raises ShapeError (the exporter then reports
`invalid_response`, never "all operational"): not an object, none of the keys read here
at its top level (a key renamed at Adobe), events listed of which none carries an id and
products, a registry with no product or cloud to know them by. Anything smaller that is odd —
a null in a list, a number where a string was due, an unknown enum — is skipped or
mapped to its documented fallback and reported as an Anomaly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from exporter.model.impacts import Keep, dicts, read_incident, read_maintenance, regions, text
from exporter.model.record import ProductRecord
from exporter.model.vocabulary import Anomaly, Impact, Message, Product, ProductCatalog
from exporter.sources.jsonstream import JsonScanner


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
    messages: dict[str, dict[str, Message]] = field(default_factory=dict)
    # Every event's record per product, when the reader was asked to keep them.
    records: list[ProductRecord] = field(default_factory=list)


def _top(payload: object, *keys: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ShapeError(f"expected a JSON object, got {type(payload).__name__}")
    for key in keys:
        value = payload.get(key)
        if value is not None and not isinstance(value, list | dict):
            raise ShapeError(f"{key!r} is a {type(value).__name__}")
    return payload


def _require_any(present: object, *keys: str) -> None:
    """Schema drift: none of the keys the exporter reads. Never read as "nothing open"."""
    if not isinstance(present, Mapping) or not any(key in present for key in keys):
        raise ShapeError(f"none of {', '.join(keys)} at the top level")


def _readable(event: object) -> bool:
    """An event the readers can use: an id and its products (a rename of either is drift)."""
    return isinstance(event, dict) and bool(text(event.get("id"))) and "products" in event


def _require_readable(seen: int, readable: int) -> None:
    """Schema drift: events listed, none of them readable. Never read as "nothing open"."""
    if seen and not readable:
        raise ShapeError(f"none of {seen} events carries an id and products")


def _count(value: object) -> int:
    return len(value) if isinstance(value, list | dict) else 0


# --- registry ------------------------------------------------------------------------


def parse_registry(
    products_payload: object, clouds_payload: object
) -> tuple[ProductCatalog, list[Anomaly]]:
    """The registry from GET /api/v1/products and GET /api/v1/clouds.

    A registry with no product, or whose entries carry none of the keys read here, is
    schema drift (ShapeError): read as it is, every product would vanish (or lose its
    cloud) and a selection by name would match nothing, all with `up 1`.
    """
    anomalies: list[Anomaly] = []
    if not isinstance(products_payload, list):
        raise ShapeError("products: expected a JSON array")
    if not isinstance(clouds_payload, list):
        raise ShapeError("clouds: expected a JSON array")
    cloud_names: dict[str, str] = {}
    cloud_of: dict[str, str] = {}
    for cloud in dicts(clouds_payload, anomalies, "cloud"):
        cloud_id = text(cloud.get("id"))
        if not cloud_id:
            anomalies.append(Anomaly("malformed_entry", "cloud"))
            continue
        cloud_names[cloud_id] = text(cloud.get("name")) or cloud_id
        for member in _members(cloud.get("cloudProducts"), anomalies):
            # A product listed in two clouds keeps the first: one series per product.
            cloud_of.setdefault(member, cloud_id)
    products: dict[str, Product] = {}
    for item in dicts(products_payload, anomalies, "product"):
        product_id = text(item.get("id"))
        if not product_id:
            anomalies.append(Anomaly("malformed_entry", "product"))
            continue
        cloud_id = cloud_of.get(product_id, "")
        products[product_id] = Product(
            id=product_id,
            name=text(item.get("name")) or product_id,
            cloud=cloud_names.get(cloud_id, "unknown"),
            cloud_id=cloud_id,
            regions=regions(item.get("regions"), anomalies),
        )
    if not products:
        raise ShapeError(f"products: no product with an id among {len(products_payload)} entries")
    if not cloud_names:
        raise ShapeError(f"clouds: no cloud with an id among {len(clouds_payload)} entries")
    if not cloud_of.keys() & products.keys():
        raise ShapeError("clouds: no cloud lists any of the registry's products")
    return ProductCatalog(products=products, clouds=cloud_names), anomalies


def _members(value: object, anomalies: list[Anomaly]) -> list[str]:
    """A cloud's product ids: `CloudProduct` objects (API) or bare ids (`EventCloud`)."""
    if value is None:
        return []
    if not isinstance(value, list):
        anomalies.append(Anomaly("malformed_entry", "cloudProducts"))
        return []
    ids = []
    for item in value:
        member = text(item.get("id")) if isinstance(item, dict) else text(item)
        if member:
            ids.append(member)
        else:
            anomalies.append(Anomaly("malformed_entry", "cloudProducts"))
    return ids


# --- events: the DTO shape of GET /api/v1/events --------------------------------------

# The DTO shape's two arrays: (what a malformed element is counted as, how one is read).
EventReader = Callable[[Mapping[str, Any], list[Impact], list[Anomaly], float, Keep | None], None]
_EVENT_READERS: dict[str, tuple[str, EventReader]] = {
    "incidents": ("incident", read_incident),
    "maintenances": ("maintenance", read_maintenance),
}


def parse_events(payload: object, *, now: float, keep: Keep | None = None) -> Events:
    """Open events from the `Event` DTO shape: {"incidents": [...], "maintenances": [...]}.

    `now` (Unix seconds) decides whether an incident's `endedOn` has passed. `keep`, when
    given, receives every event's record per product (Adobe's record over time).
    """
    body = _top(payload, *_EVENT_READERS)
    _require_any(body, *_EVENT_READERS)
    events = Events()
    seen = readable = 0
    for key, (what, read) in _EVENT_READERS.items():
        seen += _count(body.get(key))
        for event in dicts(body.get(key), events.anomalies, what):
            readable += _readable(event)
            read(event, events.impacts, events.anomalies, now, keep)
    _require_readable(seen, readable)
    return events


# --- events: the DTO shape read straight from the body, one event at a time ------------


def read_events(body: bytes | bytearray, *, now: float, keep: Keep | None = None) -> Events:
    """`parse_events(json.loads(body), now=now, keep=keep)`, decoding the events one at a time.

    A 40-day feed is 6-7 MB of JSON and over 30 MB as one Python tree. Decoding the two
    arrays element by element (with the json module's own C scanner) holds one event's
    tree at a time, and lets each die young, so the cyclic garbage collector never walks
    a large tree as it grows: that walking is about half of what json.loads costs on such
    a body. Errors are json.loads's: invalid JSON anywhere raises json.JSONDecodeError (a
    ValueError) before any ShapeError.
    """
    scanner = JsonScanner(body.decode(json.detect_encoding(body), "surrogatepass"))
    if scanner.peek() != "{":
        value = scanner.value()
        scanner.end()
        _top(value)  # valid JSON but not an object: raises ShapeError
    streamed: dict[str, _Part] = {}
    whole: dict[str, object] = {}  # a map, null or junk where an array was due
    for key in scanner.members():
        reader = _EVENT_READERS.get(key)
        if reader is not None and scanner.peek() == "[":
            whole.pop(key, None)  # a repeated key replaces the earlier value, as in json.loads
            streamed[key] = _read_array(scanner, *reader, now, keep)
        elif reader is not None:
            streamed.pop(key, None)
            whole[key] = scanner.value()
        else:
            scanner.value()
    scanner.end()
    _top(whole, *_EVENT_READERS)
    _require_any({**streamed, **whole}, *_EVENT_READERS)
    events = Events()
    seen = readable = 0
    for key, (what, read) in _EVENT_READERS.items():
        if key in streamed:
            part = streamed[key]
        else:
            part = _read_all(whole.get(key), what, read, now, keep)
        events.impacts += part.impacts
        events.anomalies += part.anomalies
        seen, readable = seen + part.seen, readable + part.readable
    _require_readable(seen, readable)
    return events


@dataclass
class _Part(Events):
    """The events of one array, with how many were listed and how many readable."""

    seen: int = 0
    readable: int = 0


def _read_array(
    scanner: JsonScanner, what: str, read: EventReader, now: float, keep: Keep | None
) -> _Part:
    part = _Part()
    for item in scanner.items():
        part.seen += 1
        if isinstance(item, dict):
            part.readable += _readable(item)
            read(item, part.impacts, part.anomalies, now, keep)
        else:
            part.anomalies.append(Anomaly("malformed_entry", what))
    return part


def _read_all(value: object, what: str, read: EventReader, now: float, keep: Keep | None) -> _Part:
    part = _Part(seen=_count(value))
    for item in dicts(value, part.anomalies, what):
        part.readable += _readable(item)
        read(item, part.impacts, part.anomalies, now, keep)
    return part


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


# --- events: the `Events` map shape of the public feed --------------------------------

# Each section of the feed and the key of its events map in it.
_FEED_SECTIONS: dict[str, tuple[str, str, EventReader]] = {
    "incidentEvent": ("incidents", "incident", read_incident),
    "maintenanceEvent": ("maintenance", "maintenance", read_maintenance),
}


def parse_feed(payload: object, *, now: float, keep: Keep | None = None) -> Events:
    """Open events and texts from the `Events` map shape (incidentEvent / maintenanceEvent).

    A body in which neither section carries its events map is schema drift (ShapeError).
    `now` (Unix seconds) decides whether an incident's `endedOn` has passed.
    """
    body = _top(payload, *_FEED_SECTIONS)
    sections = {name: body.get(name) or {} for name in _FEED_SECTIONS}
    if not all(isinstance(section, dict) for section in sections.values()):
        raise ShapeError("incidentEvent and maintenanceEvent must be objects")
    if not any(key in sections[name] for name, (key, _, _) in _FEED_SECTIONS.items()):
        raise ShapeError("none of incidentEvent.incidents, maintenanceEvent.maintenance")
    events = Events()
    seen = readable = 0
    for name, (key, what, read) in _FEED_SECTIONS.items():
        section = sections[name]
        seen += _count(section.get(key))
        for event in dicts(section.get(key), events.anomalies, what):
            readable += _readable(event)
            read(event, events.impacts, events.anomalies, now, keep)
        _read_messages(section.get("messages"), events)
    _require_readable(seen, readable)
    return events


def _read_messages(value: object, events: Events) -> None:
    """`messages{locale}{token}` (spec: `Message`) into `events.messages`."""
    if value is None:
        return
    if not isinstance(value, dict):
        events.anomalies.append(Anomaly("malformed_entry", "messages"))
        return
    for locale, texts in value.items():
        if not isinstance(texts, dict):
            events.anomalies.append(Anomaly("malformed_entry", "messages"))
            continue
        known = events.messages.setdefault(text(locale), {})
        for token, message in texts.items():
            if not isinstance(message, dict):
                events.anomalies.append(Anomaly("malformed_entry", "messages"))
                continue
            known.setdefault(
                text(token),
                Message(
                    text=text(message.get("textMessage")), html=text(message.get("htmlMessage"))
                ),
            )
