"""The public feed's StatusEvents document read straight from its bytes, event by event.

The document is the spec's `Events` map shape, over 8 MiB for the last ~40 days and
growing: `{"incidentEvent": {"incidents": {id: event}, "messages": ...},
"maintenanceEvent": {"maintenance": {id: event}, "messages": ...}}`. Like `read_events`
for the API's arrays, the two event maps are decoded one event at a time (with the json
module's own C scanner), so the whole document never exists as one Python tree.

The result, errors included, is `parse_feed(json.loads(body), now=now)`'s: invalid JSON
anywhere raises json.JSONDecodeError before any ShapeError, and a body in which neither
section carries its events map is a ShapeError, never "all operational".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exporter.model.impacts import Keep, KeepEvents, dicts, read_incident, read_maintenance, text
from exporter.model.vocabulary import Anomaly, Impact, Text
from exporter.sources.jsonstream import JsonScanner
from exporter.sources.reading import (
    EventReader,
    Events,
    SameKeep,
    ShapeError,
    count,
    is_readable,
    require_readable,
    top,
)

# Each section of the feed and the key of its events map in it.
SECTIONS: dict[str, tuple[str, str, EventReader]] = {
    "incidentEvent": ("incidents", "incident", read_incident),
    "maintenanceEvent": ("maintenance", "maintenance", read_maintenance),
}


def parse_feed(payload: object, *, now: float, keep: Keep | None = None) -> Events:
    """Open events and texts from the `Events` map shape (incidentEvent / maintenanceEvent).

    A body in which neither section carries its events map is schema drift (ShapeError).
    `now` (Unix seconds) decides whether an incident's `endedOn` has passed.
    """
    body = top(payload, *SECTIONS)
    sections = {name: body.get(name) or {} for name in SECTIONS}
    if not all(isinstance(section, dict) for section in sections.values()):
        raise ShapeError("incidentEvent and maintenanceEvent must be objects")
    if not any(key in sections[name] for name, (key, _, _) in SECTIONS.items()):
        raise ShapeError("none of incidentEvent.incidents, maintenanceEvent.maintenance")
    events = Events()
    seen = readable = 0
    for name, (key, what, read) in SECTIONS.items():
        section = sections[name]
        seen += count(section.get(key))
        for event in dicts(section.get(key), events.anomalies, what):
            readable += is_readable(event)
            read(event, events.impacts, events.anomalies, now, keep)
        read_texts(section.get("messages"), events)
    require_readable(seen, readable)
    return events


def read_texts(value: object, events: Events) -> None:
    """`messages{locale}{token}` (spec: `Message`) into `events.texts`."""
    if value is None:
        return
    if not isinstance(value, dict):
        events.anomalies.append(Anomaly("malformed_entry", "messages"))
        return
    for locale, texts in value.items():
        if not isinstance(texts, dict):
            events.anomalies.append(Anomaly("malformed_entry", "messages"))
            continue
        known = events.texts.setdefault(text(locale), {})
        for token, message in texts.items():
            if not isinstance(message, dict):
                events.anomalies.append(Anomaly("malformed_entry", "messages"))
                continue
            known.setdefault(
                text(token),
                Text(text=text(message.get("textMessage")), html=text(message.get("htmlMessage"))),
            )


@dataclass
class _Section:
    """One section as streamed: its events, and what parse_feed reads after them."""

    part: Events = field(default_factory=Events)
    has_events_map: bool = False
    texts: object = None  # texts: small, decoded whole
    seen: int = 0  # events listed, and how many of them carry an id and products
    readable: int = 0


def read_feed(
    body: bytes | bytearray,
    *,
    now: float,
    keep: Keep | None = None,
    keep_events: KeepEvents | None = None,
) -> Events:
    """Open events and texts of a StatusEvents body; `now` and `keep` as in parse_feed.

    `keep_events`, instead of `keep`, is shown each event's text before it is read, and
    decides whether its records are kept (exporter.model.replay_cache).
    """
    if keep_events is None:
        keep_events = SameKeep(keep)
    scanner = JsonScanner.of_body(body)
    if scanner.peek() != "{":
        value = scanner.value()
        scanner.end()
        parse_feed(value, now=now, keep=keep)  # valid JSON, but not an object: raises ShapeError
    sections: dict[str, _Section] = {}
    problems: dict[str, str] = {}  # raised once the whole text is known to be JSON
    for name in scanner.members():
        if name not in SECTIONS:
            scanner.value()
            continue
        problems.pop(name, None)  # a repeated key replaces the earlier value, as in json.loads
        if scanner.peek() == "{":
            sections[name] = _read_section(scanner, *SECTIONS[name], now, keep_events)
            continue
        value = scanner.value()
        sections[name] = _Section()
        if value is not None and not isinstance(value, list | dict):
            problems[name] = f"{name!r} is a {type(value).__name__}"
        elif value:  # a non-empty list
            problems[name] = "incidentEvent and maintenanceEvent must be objects"
    scanner.end()
    if problems:
        raise ShapeError(next(iter(problems.values())))
    if not any(section.has_events_map for section in sections.values()):
        raise ShapeError("none of incidentEvent.incidents, maintenanceEvent.maintenance")
    require_readable(
        sum(section.seen for section in sections.values()),
        sum(section.readable for section in sections.values()),
    )
    events = Events()
    for name in SECTIONS:
        section = sections.get(name)
        if section is not None:
            events.impacts += section.part.impacts
            events.anomalies += section.part.anomalies
            read_texts(section.texts, events)
    return events


def _read_section(
    scanner: JsonScanner,
    map_key: str,
    what: str,
    read: EventReader,
    now: float,
    keep: KeepEvents,
) -> _Section:
    """One section object: its events map streamed, its texts kept, the rest skipped."""
    section = _Section()
    for key in scanner.members():
        if key == "messages":
            section.texts = scanner.value()
        elif key != map_key:
            scanner.value()
        elif scanner.peek() == "{":
            section.has_events_map = True
            section.part = _read_map(scanner, what, read, now, section, keep)
        else:
            section.has_events_map = True
            part = section.part = Events()
            value = scanner.value()
            section.seen = len(value) if isinstance(value, list | dict) else 0
            for item in dicts(value, part.anomalies, what):
                section.readable += is_readable(item)
                read(item, part.impacts, part.anomalies, now, keep.event(what, None))
    return section


def _read_map(
    scanner: JsonScanner,
    what: str,
    read: EventReader,
    now: float,
    section: _Section,
    keep: KeepEvents,
) -> Events:
    """An events map, one event at a time; a repeated id replaces the earlier event.

    Records go to `keep` as they are read, so each event's tree dies young: an id listed
    twice (which json.dumps never writes, nor has Adobe) leaves both listings' records.
    """
    by_id: dict[str, tuple[list[Impact], list[Anomaly]]] = {}
    usable: dict[str, bool] = {}  # per id, as json.loads keeps only the last of a repeat
    for event_id in scanner.members():
        impacts, anomalies = by_id[event_id] = ([], [])
        item, raw = scanner.value_and_text() if keep.texts else (scanner.value(), None)
        usable[event_id] = is_readable(item)
        if isinstance(item, dict):
            read(item, impacts, anomalies, now, keep.event(what, raw))
        else:
            anomalies.append(Anomaly("malformed_entry", what))
    section.seen, section.readable = len(by_id), sum(usable.values())
    part = Events()
    for impacts, anomalies in by_id.values():
        part.impacts += impacts
        part.anomalies += anomalies
    return part
