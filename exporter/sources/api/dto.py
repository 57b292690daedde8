"""The Status API's DTO shapes read into the model: the catalog from `/products` and
`/clouds`, the events from `/events` (`{"incidents": [...], "maintenances": [...]}`).

The events body is read straight from its bytes, one event at a time (`read_events`), so a
40-day answer never exists as one JSON tree; `parse_events` reads an already decoded
payload. What is drift and what is an Anomaly: `exporter.sources.reading`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat

from exporter.model.impacts import (
    Keep,
    KeepEvents,
    dicts,
    read_incident,
    read_maintenance,
    regions,
    text,
)
from exporter.model.vocabulary import Anomaly, Product, ProductCatalog
from exporter.sources.jsonstream import JsonScanner
from exporter.sources.reading import (
    EventReader,
    Events,
    SameKeep,
    ShapeError,
    count,
    is_readable,
    require_any,
    require_readable,
    top,
)

# --- catalog -------------------------------------------------------------------------


def parse_catalog(
    products_payload: object, clouds_payload: object
) -> tuple[ProductCatalog, list[Anomaly]]:
    """The catalog from GET /api/v1/products and GET /api/v1/clouds.

    A catalog with no product, or whose entries carry none of the keys read here, is
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
        raise ShapeError("clouds: no cloud lists any of the catalog's products")
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
_EVENT_READERS: dict[str, tuple[str, EventReader]] = {
    "incidents": ("incident", read_incident),
    "maintenances": ("maintenance", read_maintenance),
}


def parse_events(payload: object, *, now: float, keep: Keep | None = None) -> Events:
    """Open events from the `Event` DTO shape: {"incidents": [...], "maintenances": [...]}.

    `now` (Unix seconds) decides whether an incident's `endedOn` has passed. `keep`, when
    given, receives every event's record per product (Adobe's record over time).
    """
    body = top(payload, *_EVENT_READERS)
    require_any(body, *_EVENT_READERS)
    events = Events()
    seen = readable = 0
    for key, (what, read) in _EVENT_READERS.items():
        seen += count(body.get(key))
        for event in dicts(body.get(key), events.anomalies, what):
            readable += is_readable(event)
            read(event, events.impacts, events.anomalies, now, keep)
    require_readable(seen, readable)
    return events


# --- events: the DTO shape read straight from the body, one event at a time ------------


def read_events(
    body: bytes | bytearray,
    *,
    now: float,
    keep: Keep | None = None,
    keep_events: KeepEvents | None = None,
) -> Events:
    """`parse_events(json.loads(body), now=now, keep=keep)`, decoding the events one at a time.

    A 40-day feed is 6-7 MB of JSON and over 30 MB as one Python tree. Decoding the two
    arrays element by element (with the json module's own C scanner) holds one event's
    tree at a time, and lets each die young, so the cyclic garbage collector never walks
    a large tree as it grows: that walking is about half of what json.loads costs on such
    a body. Errors are json.loads's: invalid JSON anywhere raises json.JSONDecodeError (a
    ValueError) before any ShapeError. `keep_events`, instead of `keep`, is shown each
    event's text before it is read, and decides whether its records are kept.
    """
    if keep_events is None:
        keep_events = SameKeep(keep)
    scanner = JsonScanner.of_body(body)
    if scanner.peek() != "{":
        value = scanner.value()
        scanner.end()
        top(value)  # valid JSON but not an object: raises ShapeError
    streamed: dict[str, _Part] = {}
    whole: dict[str, object] = {}  # a map, null or junk where an array was due
    for key in scanner.members():
        reader = _EVENT_READERS.get(key)
        if reader is not None and scanner.peek() == "[":
            whole.pop(key, None)  # a repeated key replaces the earlier value, as in json.loads
            streamed[key] = _read_array(scanner, *reader, now, keep_events)
        elif reader is not None:
            streamed.pop(key, None)
            whole[key] = scanner.value()
        else:
            scanner.value()
    scanner.end()
    top(whole, *_EVENT_READERS)
    require_any({**streamed, **whole}, *_EVENT_READERS)
    events = Events()
    seen = readable = 0
    for key, (what, read) in _EVENT_READERS.items():
        if key in streamed:
            part = streamed[key]
        else:
            part = _read_all(whole.get(key), what, read, now, keep_events)
        events.impacts += part.impacts
        events.anomalies += part.anomalies
        seen, readable = seen + part.seen, readable + part.readable
    require_readable(seen, readable)
    return events


@dataclass
class _Part(Events):
    """The events of one array, with how many were listed and how many readable."""

    seen: int = 0
    readable: int = 0


def _read_array(
    scanner: JsonScanner, what: str, read: EventReader, now: float, keep: KeepEvents
) -> _Part:
    part = _Part()
    for item, raw in _items(scanner, keep.texts):
        part.seen += 1
        if isinstance(item, dict):
            part.readable += is_readable(item)
            read(item, part.impacts, part.anomalies, now, keep.event(what, raw))
        else:
            part.anomalies.append(Anomaly("malformed_entry", what))
    return part


def _items(scanner: JsonScanner, texts: bool) -> Iterable[tuple[object, str | None]]:
    if texts:
        return scanner.items_and_texts()
    return zip(scanner.items(), repeat(None))


def _read_all(value: object, what: str, read: EventReader, now: float, keep: KeepEvents) -> _Part:
    part = _Part(seen=count(value))
    for item in dicts(value, part.anomalies, what):
        part.readable += is_readable(item)
        read(item, part.impacts, part.anomalies, now, keep.event(what, None))
    return part
