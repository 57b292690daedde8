"""The public feed's StatusEvents document read straight from its bytes, event by event.

The document is the spec's `Events` map shape, over 8 MiB for the last ~40 days and
growing: `{"incidentEvent": {"incidents": {id: event}, "messages": ...},
"maintenanceEvent": {"maintenance": {id: event}, "messages": ...}}`. Like `read_events`
for the API's arrays, the two event maps are decoded one event at a time (with the json
module's own C scanner), so the whole document never exists as one Python tree.

The result is `parse_feed(json.loads(body))`'s, with one check more: a top level that
carries neither `incidentEvent` nor `maintenanceEvent` is a ShapeError, never "all
operational".
"""

from __future__ import annotations

import json

from exporter.jsonstream import JsonScanner
from exporter.model import Anomaly
from exporter.parse import EventReader, Events, ShapeError, parse_feed
from exporter.parse import _dicts as dicts  # the shared readers of both event shapes
from exporter.parse import _read_incident as read_incident
from exporter.parse import _read_maintenance as read_maintenance

# Each section: (its key at the top level, the key of its event map, what a malformed
# event counts as, how one event is read).
_SECTIONS: dict[str, tuple[str, str, EventReader]] = {
    "incidentEvent": ("incidents", "incident", read_incident),
    "maintenanceEvent": ("maintenance", "maintenance", read_maintenance),
}


def read_feed(body: bytes | bytearray) -> Events:
    """Open events of a StatusEvents body; json.JSONDecodeError or ShapeError if unreadable."""
    scanner = JsonScanner(body.decode(json.detect_encoding(body), "surrogatepass"))
    if scanner.peek() != "{":
        value = scanner.value()
        scanner.end()
        parse_feed(value)  # valid JSON, but not an object: raises ShapeError
    sections: dict[str, Events] = {}
    problems: dict[str, str] = {}  # checked once the whole text is known to be JSON
    for key in scanner.members():
        section = _SECTIONS.get(key)
        if section is None:
            scanner.value()
            continue
        problems.pop(key, None)
        if scanner.peek() == "{":
            sections[key] = _read_section(scanner, *section)
            continue
        value = scanner.value()
        sections[key] = Events()
        if value is not None and value != []:  # parse_feed reads null and [] as empty
            problems[key] = f"{key!r} is a {type(value).__name__}, not an object"
    scanner.end()
    if problems:
        raise ShapeError(next(iter(problems.values())))
    if not sections:
        raise ShapeError("neither 'incidentEvent' nor 'maintenanceEvent' at the top level")
    events = Events()
    for key in _SECTIONS:
        part = sections.get(key)
        if part is not None:
            events.impacts += part.impacts
            events.anomalies += part.anomalies
    return events


def _read_section(scanner: JsonScanner, map_key: str, what: str, read: EventReader) -> Events:
    """One section object; its event map streamed, everything else skipped."""
    part = Events()
    for key in scanner.members():
        if key != map_key:
            scanner.value()  # messages: texts, not states
            continue
        if scanner.peek() != "{":
            part = Events()  # a repeated key replaces the earlier value, as in json.loads
            for item in dicts(scanner.value(), part.anomalies, what):
                read(item, part)
            continue
        # Read by id: a repeated id replaces the earlier event, as in json.loads.
        by_id: dict[str, Events] = {}
        for event_id in scanner.members():
            one = by_id[event_id] = Events()
            item = scanner.value()
            if isinstance(item, dict):
                read(item, one)
            else:
                one.anomalies.append(Anomaly("malformed_entry", what))
        part = Events()
        for one in by_id.values():
            part.impacts += one.impacts
            part.anomalies += one.anomalies
    return part
