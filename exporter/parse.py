"""Adobe's JSON shapes read into the model, tolerating drift.

The events body is read straight from its bytes, one event at a time (`read_events`), so a
40-day feed never exists as one JSON tree; `parse_events` reads an already decoded payload.

A payload whose top level cannot be read at all raises ShapeError (the exporter then
reports `invalid_response`, never "all operational"); anything smaller that is odd —
a null in a list, a number where a string was due, an unknown enum — is skipped or
mapped to its documented fallback and reported as an Anomaly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from exporter.jsonstream import JsonScanner
from exporter.model import (
    Anomaly,
    Impact,
    Product,
    Region,
    Registry,
    State,
    clean_text,
    incident_is_open,
    is_absent,
    maintenance_state,
    norm,
    parse_time,
    severity_label,
    severity_state,
)


class ShapeError(ValueError):
    """The payload is not the shape the spec describes, so nothing can be read from it."""


@dataclass
class Events:
    """The open events in one payload, with what was odd about it."""

    impacts: list[Impact] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)


# --- small readers -------------------------------------------------------------------


def _text(value: object) -> str:
    """An id or name: strings as they are, integers as their digits, else empty."""
    if isinstance(value, str):
        return clean_text(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _dicts(value: object, anomalies: list[Anomaly], where: str) -> Iterator[dict[str, Any]]:
    """The objects of a list (DTO shape) or the values of a map (feed shape)."""
    if value is None:
        return
    items: Iterable[object]
    if isinstance(value, list):
        items = value
    elif isinstance(value, dict):
        items = value.values()
    else:
        anomalies.append(Anomaly("malformed_entry", where))
        return
    for item in items:
        if isinstance(item, dict):
            yield item
        else:
            anomalies.append(Anomaly("malformed_entry", where))


def _top(payload: object, *keys: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ShapeError(f"expected a JSON object, got {type(payload).__name__}")
    for key in keys:
        value = payload.get(key)
        if value is not None and not isinstance(value, list | dict):
            raise ShapeError(f"{key!r} is a {type(value).__name__}")
    return payload


def _regions(value: object, anomalies: list[Anomaly]) -> tuple[Region, ...]:
    regions = []
    for item in _dicts(value, anomalies, "region"):
        region_id = _text(item.get("id"))
        if region_id:
            regions.append(Region(region_id, _text(item.get("name")) or region_id))
    return tuple(regions)


def _clouds(value: object, anomalies: list[Anomaly]) -> tuple[tuple[str, str], ...]:
    clouds = []
    for item in _dicts(value, anomalies, "cloud"):
        cloud_id = _text(item.get("id"))
        if cloud_id:
            clouds.append((cloud_id, _text(item.get("name")) or cloud_id))
    return tuple(clouds)


class _History:
    """A product's history: odd entries counted at once, sorting left until something asks.

    Most products in a 40-day feed are closed by their own status, so their history (about
    five entries, each with a timestamp to parse) is never needed.
    """

    __slots__ = ("_pairs", "_sorted")

    def __init__(self, value: object, anomalies: list[Anomaly]) -> None:
        self._pairs = _history_entries(value, anomalies)
        self._sorted: list[dict[str, Any]] | None = None

    def oldest_first(self) -> list[dict[str, Any]]:
        """Entries oldest first: by map key (feed) or messageTime (DTO), else as listed."""
        if self._sorted is None:
            self._sorted = _oldest_first(self._pairs)
        return self._sorted


def _history_entries(
    history: object, anomalies: list[Anomaly]
) -> list[tuple[object, dict[str, Any]]]:
    """(map key or None, entry) for each well-formed entry, as listed; odd ones counted."""
    if isinstance(history, dict):
        pairs: Iterable[tuple[object, object]] = history.items()
    elif isinstance(history, list):
        pairs = ((None, item) for item in history)
    else:
        if history is not None:
            anomalies.append(Anomaly("malformed_entry", "history"))
        return []
    entries = []
    for key, entry in pairs:
        if isinstance(entry, dict):
            entries.append((key, entry))
        else:
            anomalies.append(Anomaly("malformed_entry", "history"))
    return entries


def _oldest_first(pairs: list[tuple[object, dict[str, Any]]]) -> list[dict[str, Any]]:
    keyed: list[tuple[float, int, dict[str, Any]]] = []
    for index, (key, entry) in enumerate(pairs):
        when = parse_time(key) if key is not None else None
        if when is None:
            when = parse_time(entry.get("messageTime")) or parse_time(entry.get("statusTime"))
        keyed.append((when if when is not None else float("-inf"), index, entry))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [entry for _, _, entry in keyed]


def _first_present(
    own: object, history: Callable[[], list[dict[str, Any]]], key: str
) -> tuple[str, object]:
    """The product's own value, else the latest history entry's that says something."""
    value = norm(own)
    if not is_absent(value):
        return value, own
    for entry in reversed(history()):
        raw = entry.get(key)
        value = norm(raw)
        if not is_absent(value):
            return value, raw
    return "", None


# --- registry ------------------------------------------------------------------------


def parse_registry(
    products_payload: object, clouds_payload: object
) -> tuple[Registry, list[Anomaly]]:
    """The registry from GET /api/v1/products and GET /api/v1/clouds."""
    anomalies: list[Anomaly] = []
    if not isinstance(products_payload, list):
        raise ShapeError("products: expected a JSON array")
    if not isinstance(clouds_payload, list):
        raise ShapeError("clouds: expected a JSON array")
    cloud_names: dict[str, str] = {}
    cloud_of: dict[str, str] = {}
    for cloud in _dicts(clouds_payload, anomalies, "cloud"):
        cloud_id = _text(cloud.get("id"))
        if not cloud_id:
            anomalies.append(Anomaly("malformed_entry", "cloud"))
            continue
        cloud_names[cloud_id] = _text(cloud.get("name")) or cloud_id
        for member in _dicts(cloud.get("cloudProducts"), anomalies, "cloudProducts"):
            # A product listed in two clouds keeps the first: one series per product.
            cloud_of.setdefault(_text(member.get("id")), cloud_id)
    products: dict[str, Product] = {}
    for item in _dicts(products_payload, anomalies, "product"):
        product_id = _text(item.get("id"))
        if not product_id:
            anomalies.append(Anomaly("malformed_entry", "product"))
            continue
        cloud_id = cloud_of.get(product_id, "")
        products[product_id] = Product(
            id=product_id,
            name=_text(item.get("name")) or product_id,
            cloud=cloud_names.get(cloud_id, "unknown"),
            cloud_id=cloud_id,
            regions=_regions(item.get("regions"), anomalies),
        )
    return Registry(products=products, clouds=cloud_names), anomalies


# --- events: the DTO shape of GET /api/v1/events --------------------------------------


def parse_events(payload: object) -> Events:
    """Open events from the `Event` DTO shape: {"incidents": [...], "maintenances": [...]}."""
    body = _top(payload, "incidents", "maintenances")
    events = Events()
    for incident in _dicts(body.get("incidents"), events.anomalies, "incident"):
        _read_incident(incident, events)
    for maintenance in _dicts(body.get("maintenances"), events.anomalies, "maintenance"):
        _read_maintenance(maintenance, events)
    return events


# --- events: the DTO shape read straight from the body, one event at a time ------------


def read_events(body: bytes | bytearray) -> Events:
    """`parse_events(json.loads(body))`, decoding the events one at a time.

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
    streamed: dict[str, Events] = {}
    whole: dict[str, object] = {}  # a map, null or junk where an array was due
    for key in scanner.members():
        reader = _EVENT_READERS.get(key)
        if reader is not None and scanner.peek() == "[":
            whole.pop(key, None)  # a repeated key replaces the earlier value, as in json.loads
            streamed[key] = _read_array(scanner, *reader)
        elif reader is not None:
            streamed.pop(key, None)
            whole[key] = scanner.value()
        else:
            scanner.value()
    scanner.end()
    _top(whole, *_EVENT_READERS)
    events = Events()
    for key, (what, read) in _EVENT_READERS.items():
        part = streamed[key] if key in streamed else _read_all(whole.get(key), what, read)
        events.impacts += part.impacts
        events.anomalies += part.anomalies
    return events


EventReader = Callable[[Mapping[str, Any], Events], None]


def _read_array(scanner: JsonScanner, what: str, read: EventReader) -> Events:
    part = Events()
    for item in scanner.items():
        if isinstance(item, dict):
            read(item, part)
        else:
            part.anomalies.append(Anomaly("malformed_entry", what))
    return part


def _read_all(value: object, what: str, read: EventReader) -> Events:
    part = Events()
    for item in _dicts(value, part.anomalies, what):
        read(item, part)
    return part


# --- events: the `Events` map shape of the public feed --------------------------------


def parse_feed(payload: object) -> Events:
    """Open events from the `Events` map shape (incidentEvent / maintenanceEvent maps)."""
    body = _top(payload, "incidentEvent", "maintenanceEvent")
    events = Events()
    incident_part = body.get("incidentEvent") or {}
    maintenance_part = body.get("maintenanceEvent") or {}
    if not isinstance(incident_part, dict) or not isinstance(maintenance_part, dict):
        raise ShapeError("incidentEvent and maintenanceEvent must be objects")
    for incident in _dicts(incident_part.get("incidents"), events.anomalies, "incident"):
        _read_incident(incident, events)
    for maintenance in _dicts(maintenance_part.get("maintenance"), events.anomalies, "maintenance"):
        _read_maintenance(maintenance, events)
    return events


# --- shared by both shapes: DTO lists and feed maps read alike ------------------------


def _event_scope(
    event: Mapping[str, Any], anomalies: list[Anomaly]
) -> tuple[str, tuple[Region, ...], tuple[tuple[str, str], ...]]:
    event_id = _text(event.get("id"))
    regions = _regions(event.get("region", event.get("regions")), anomalies)
    clouds = _clouds(event.get("clouds"), anomalies)
    return event_id, regions, clouds


def _read_incident(incident: Mapping[str, Any], events: Events) -> None:
    event_id, regions, clouds = _event_scope(incident, events.anomalies)
    if not event_id:
        events.anomalies.append(Anomaly("malformed_entry", "incident"))
        return
    for product in _dicts(incident.get("products"), events.anomalies, "incident product"):
        product_id = _text(product.get("id"))
        if not product_id:
            events.anomalies.append(Anomaly("malformed_entry", "incident product"))
            continue
        history = _History(product.get("history"), events.anomalies)
        status, _ = _first_present(product.get("status"), history.oldest_first, "status")
        is_open, anomaly = (
            incident_is_open(status) if status else (True, Anomaly("incident_status", "<missing>"))
        )
        if anomaly:
            events.anomalies.append(anomaly)
        if not is_open:
            continue
        _, raw_severity = _first_present(product.get("severity"), history.oldest_first, "severity")
        severity, anomaly = severity_label(raw_severity)
        if anomaly:
            events.anomalies.append(anomaly)
        start = parse_time(product.get("startedOn"))
        if start is None and (oldest := history.oldest_first()):
            start = parse_time(oldest[0].get("messageTime"))
        events.impacts.append(
            Impact(
                event_id=event_id,
                kind="incident",
                product_id=product_id,
                product_name=_text(product.get("name")) or product_id,
                severity=severity,
                status=status or "unknown",
                state=severity_state(severity),
                region_ids=tuple(region.id for region in regions),
                region_names=tuple(region.name for region in regions),
                clouds=clouds,
                start=start,
            )
        )


def _state_changes(history: _History) -> list[dict[str, Any]]:
    # "Updated" in a maintenance history says text changed, not the state.
    return [entry for entry in history.oldest_first() if norm(entry.get("status")) != "updated"]


def _read_maintenance(maintenance: Mapping[str, Any], events: Events) -> None:
    event_id, regions, clouds = _event_scope(maintenance, events.anomalies)
    if not event_id:
        events.anomalies.append(Anomaly("malformed_entry", "maintenance"))
        return
    # The feed shape carries the change-request status too: a fallback when `status` is empty.
    own_status = maintenance.get("status")
    if is_absent(norm(own_status)):
        own_status = maintenance.get("cmrStatus")
    start = parse_time(maintenance.get("startedOn")) or parse_time(maintenance.get("scheduledDate"))
    for product in _dicts(maintenance.get("products"), events.anomalies, "maintenance product"):
        product_id = _text(product.get("id"))
        if not product_id:
            events.anomalies.append(Anomaly("malformed_entry", "maintenance product"))
            continue
        history = _History(product.get("history"), events.anomalies)
        status, _ = _first_present(own_status, partial(_state_changes, history), "status")
        state, anomaly = maintenance_state(status) if status else ("scheduled", None)
        if anomaly:
            events.anomalies.append(anomaly)
        if state is None:
            continue
        events.impacts.append(
            Impact(
                event_id=event_id,
                kind="maintenance",
                product_id=product_id,
                product_name=_text(product.get("name")) or product_id,
                severity="none",
                status=state,
                state=State.MAINTENANCE if state == "in_progress" else State.OPERATIONAL,
                region_ids=tuple(region.id for region in regions),
                region_names=tuple(region.name for region in regions),
                clouds=clouds,
                start=start,
            )
        )


# The DTO shape's two arrays: (what a malformed element is counted as, how one is read).
_EVENT_READERS: dict[str, tuple[str, EventReader]] = {
    "incidents": ("incident", _read_incident),
    "maintenances": ("maintenance", _read_maintenance),
}
