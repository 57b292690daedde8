"""Adobe's record: one event as it touches one product, as Adobe wrote it, read lazily.

A `ProductRecord` keeps what the readers found (the event's regions, clouds and own fields,
the product's own fields, its history) and the instant it was read. What it says at any
instant is `exporter.model.replay`'s job; the live collector asks it at the instant of reading.

A product's history is sorted only when something asks for it: most products in a 40-day
feed are closed by their own status or end time, and the live path never needs theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from exporter.model.vocabulary import Anomaly, Region, clean_text, norm, parse_time

Entry = dict[str, Any]
Clouds = tuple[tuple[str, str], ...]
NEVER = float("-inf")  # the time of an entry that carries none


def text(value: object) -> str:
    """An id or name: strings as they are, integers as their digits, else empty."""
    if isinstance(value, str):
        return clean_text(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


class History:
    """A product's history: odd entries counted at once, sorting left until something asks."""

    __slots__ = ("_pairs", "_timed")

    def __init__(self, value: object, anomalies: list[Anomaly]) -> None:
        self._pairs = _history_entries(value, anomalies)
        self._timed: list[tuple[float, Entry]] | None = None

    def timed(self) -> list[tuple[float, Entry]]:
        """(Unix seconds or NEVER, entry), oldest first: by map key (feed) or messageTime."""
        if self._timed is None:
            self._timed = _oldest_first(self._pairs)
        return self._timed

    def oldest_first(self) -> list[Entry]:
        return [entry for _, entry in self.timed()]

    def latest(self) -> Entry | None:
        """The latest entry of any kind: Adobe's latest words on the event."""
        entries = self.timed()
        return entries[-1][1] if entries else None

    def timed_changes(self) -> list[tuple[float, Entry]]:
        """Entries that say what state an incident product is in, oldest first.

        Left out: root-cause reports (`messageType` CFS), which Adobe adds weeks after the
        incident closed: they neither reopen it nor change its start or severity.
        """
        return [(at, e) for at, e in self.timed() if norm(e.get("messageType")) != "cfs"]

    def changes(self) -> list[Entry]:
        return [entry for _, entry in self.timed_changes()]

    def timed_maintenance_changes(self) -> list[tuple[float, Entry]]:
        """Likewise for a maintenance; `Updated` entries there change only the text."""
        return [(at, e) for at, e in self.timed_changes() if norm(e.get("status")) != "updated"]

    def maintenance_changes(self) -> list[Entry]:
        return [entry for _, entry in self.timed_maintenance_changes()]


def only_dicts(items: Iterable[object]) -> bool:
    """Whether every item is a plain dict (as json makes them), checked without a loop in
    Python: most lists and maps Adobe sends hold nothing else."""
    return _DICT.issuperset(map(type, items))


_DICT = frozenset((dict,))


def _history_entries(history: object, anomalies: list[Anomaly]) -> list[tuple[object, Entry]]:
    """(map key or None, entry) for each well-formed entry, as listed; odd ones counted."""
    if isinstance(history, dict):
        if only_dicts(history.values()):
            return list(history.items())
        pairs: Iterable[tuple[object, object]] = history.items()
    elif isinstance(history, list):
        if only_dicts(history):
            return [(None, entry) for entry in history]
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


def _oldest_first(pairs: list[tuple[object, Entry]]) -> list[tuple[float, Entry]]:
    keyed: list[tuple[float, int, Entry]] = []
    for index, (key, entry) in enumerate(pairs):
        when = parse_time(key)  # None for a list's entries (no key), as for a bad key
        if when is None:
            when = parse_time(entry.get("messageTime")) or parse_time(entry.get("statusTime"))
        keyed.append((when if when is not None else NEVER, index, entry))
    keyed.sort()  # by time, then as listed: no two indexes tie, so entries never compare
    return [(when, entry) for when, _, entry in keyed]


def service_regions(entry: Entry | None, known: tuple[Region, ...]) -> tuple[Region, ...]:
    """The regions a history entry names in `locationImpact.serviceRegions`.

    The spec lists ids as strings; objects ({id, name}) and maps keyed by id are read too.
    Adobe's region ids are their names (`Americas`, `EMEA`, `APAC`): a value is matched
    against the event's regions by id, then by name, so each keeps one spelling.
    """
    location = entry.get("locationImpact") if entry else None
    value = location.get("serviceRegions") if isinstance(location, dict) else None
    named: list[tuple[str, str]] = []  # (id, name as given or "")
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict):
                named.append((text(item.get("id")) or text(key), text(item.get("name"))))
            else:
                named.append((text(key), text(item)))
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                named.append((text(item.get("id")), text(item.get("name"))))
            else:
                named.append((text(item), ""))
    by_id = {region.id: region for region in known}
    by_name = {region.name: region for region in known}
    out: dict[str, Region] = {}
    for region_id, name in named:
        region = by_id.get(region_id) or by_name.get(region_id)
        if region is None and region_id:
            region = Region(region_id, name or region_id)
        if region is not None:
            out.setdefault(region.id, region)
    return tuple(out.values())


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What one event says for all of its products, and when it was read."""

    event_id: str
    kind: str  # "incident" or "maintenance"
    regions: tuple[Region, ...]
    clouds: Clouds
    read_at: float  # Unix seconds: its own fields say how things stood then
    # Maintenances only: the event's own `status` and `cmrStatus` (raw), its start
    # (`startedOn`, else `scheduledDate`), `startedOn`, `scheduledDate`, `completedOn`.
    status: object = None
    cmr_status: object = None
    start: float | None = None
    started: float | None = None
    scheduled: float | None = None
    completed: float | None = None


@dataclass(frozen=True, slots=True)
class ProductRecord:
    """One event as it touches one product: the product's own fields and its history."""

    event: EventFacts
    product: Entry
    history: History

    @property
    def product_id(self) -> str:
        return text(self.product.get("id"))

    @property
    def product_name(self) -> str:
        return text(self.product.get("name")) or self.product_id

    @property
    def ended_on(self) -> float | None:
        """An incident product's `endedOn` (None while 0 or absent)."""
        return parse_time(self.product.get("endedOn"))

    @property
    def started_on(self) -> float | None:
        return parse_time(self.product.get("startedOn"))
