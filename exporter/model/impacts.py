"""One incident or maintenance, in either of Adobe's shapes, read into Impacts.

DTO lists and feed maps are read alike. What a product looks like in one event comes from
its own history first (status, severity, regions, texts), then from the event. Adobe's
vocabulary and the contract's rules are in exporter.model.vocabulary; this module only finds where
each value sits. Odd values are counted as Anomalies, never raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from exporter.model.vocabulary import (
    Anomaly,
    Impact,
    Region,
    State,
    clean_text,
    incident_is_open,
    is_absent,
    maintenance_is_over,
    maintenance_state,
    norm,
    parse_time,
    severity_label,
    severity_state,
)

Entry = dict[str, Any]
Clouds = tuple[tuple[str, str], ...]


# --- small readers -------------------------------------------------------------------


def text(value: object) -> str:
    """An id or name: strings as they are, integers as their digits, else empty."""
    if isinstance(value, str):
        return clean_text(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def dicts(value: object, anomalies: list[Anomaly], where: str) -> Iterator[Entry]:
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


def regions(value: object, anomalies: list[Anomaly]) -> tuple[Region, ...]:
    out = []
    for item in dicts(value, anomalies, "region"):
        region_id = text(item.get("id"))
        if region_id:
            out.append(Region(region_id, text(item.get("name")) or region_id))
    return tuple(out)


def _clouds(value: object, anomalies: list[Anomaly]) -> Clouds:
    out = []
    for item in dicts(value, anomalies, "cloud"):
        cloud_id = text(item.get("id"))
        if cloud_id:
            out.append((cloud_id, text(item.get("name")) or cloud_id))
    return tuple(out)


def _service_regions(entry: Entry | None, known: tuple[Region, ...]) -> tuple[Region, ...]:
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


class _History:
    """A product's history: odd entries counted at once, sorting left until something asks.

    Most products in a 40-day feed are closed by their own status, so their history (about
    five entries, each with a timestamp to parse) is never needed.
    """

    __slots__ = ("_pairs", "_sorted")

    def __init__(self, value: object, anomalies: list[Anomaly]) -> None:
        self._pairs = _history_entries(value, anomalies)
        self._sorted: list[Entry] | None = None

    def oldest_first(self) -> list[Entry]:
        """Entries oldest first: by map key (feed) or messageTime (DTO), else as listed."""
        if self._sorted is None:
            self._sorted = _oldest_first(self._pairs)
        return self._sorted

    def latest(self) -> Entry | None:
        """The latest entry of any kind: Adobe's latest words on the event."""
        entries = self.oldest_first()
        return entries[-1] if entries else None

    def changes(self) -> list[Entry]:
        """Entries that say what state an incident product is in, oldest first.

        Left out: root-cause reports (`messageType` CFS), which Adobe adds weeks after the
        incident closed: they neither reopen it nor change its start or severity.
        """
        return [e for e in self.oldest_first() if norm(e.get("messageType")) != "cfs"]

    def maintenance_changes(self) -> list[Entry]:
        """Likewise for a maintenance; `Updated` entries there change only the text."""
        return [e for e in self.changes() if norm(e.get("status")) != "updated"]


def _history_entries(history: object, anomalies: list[Anomaly]) -> list[tuple[object, Entry]]:
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


def _oldest_first(pairs: list[tuple[object, Entry]]) -> list[Entry]:
    keyed: list[tuple[float, int, Entry]] = []
    for index, (key, entry) in enumerate(pairs):
        when = parse_time(key) if key is not None else None
        if when is None:
            when = parse_time(entry.get("messageTime")) or parse_time(entry.get("statusTime"))
        keyed.append((when if when is not None else float("-inf"), index, entry))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [entry for _, _, entry in keyed]


def _first_present(own: object, history: Callable[[], list[Entry]], key: str) -> tuple[str, object]:
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


def _scope(
    event: Mapping[str, Any], anomalies: list[Anomaly]
) -> tuple[str, tuple[Region, ...], Clouds]:
    event_id = text(event.get("id"))
    named = regions(event.get("region", event.get("regions")), anomalies)
    return event_id, named, _clouds(event.get("clouds"), anomalies)


def _impact(
    event_id: str,
    kind: str,
    product: Entry,
    history: _History,
    event_regions: tuple[Region, ...],
    clouds: Clouds,
    **values: Any,
) -> Impact:
    """An Impact with what both kinds read alike: regions and texts from the history.

    The product's regions are those its latest entry (root-cause reports aside) names,
    else the event's, else (empty) all of the product's.
    """
    changes = history.changes()  # an `Updated` maintenance entry may move it, too
    affected = _service_regions(changes[-1] if changes else None, event_regions)
    affected = affected or event_regions
    latest = history.latest() or {}
    product_id = text(product.get("id"))
    return Impact(
        event_id=event_id,
        kind=kind,
        product_id=product_id,
        product_name=text(product.get("name")) or product_id,
        region_ids=tuple(region.id for region in affected),
        region_names=tuple(region.name for region in affected),
        clouds=clouds,
        title_token=text(latest.get("titleToken")),
        message_token=text(latest.get("messageToken")),
        cfs_url=text(latest.get("cfsURL")),
        **values,
    )


# --- incidents -----------------------------------------------------------------------


def read_incident(
    incident: Mapping[str, Any], impacts: list[Impact], anomalies: list[Anomaly], now: float
) -> None:
    """The open products of one incident; `now` decides whether an `endedOn` has passed."""
    event_id, event_regions, clouds = _scope(incident, anomalies)
    if not event_id:
        anomalies.append(Anomaly("malformed_entry", "incident"))
        return
    for product in dicts(incident.get("products"), anomalies, "incident product"):
        if not text(product.get("id")):
            anomalies.append(Anomaly("malformed_entry", "incident product"))
            continue
        history = _History(product.get("history"), anomalies)
        end = parse_time(product.get("endedOn"))  # 0 while open reads as None
        if end is not None and end <= now:
            continue  # closed by its end time, whatever a status says
        status, _ = _first_present(product.get("status"), history.changes, "status")
        is_open, anomaly = (
            incident_is_open(status) if status else (True, Anomaly("incident_status", "<missing>"))
        )
        if anomaly:
            anomalies.append(anomaly)
        if not is_open:
            continue
        _, raw_severity = _first_present(product.get("severity"), history.changes, "severity")
        severity, anomaly = severity_label(raw_severity)
        if anomaly:
            anomalies.append(anomaly)
        start = parse_time(product.get("startedOn"))
        if start is None and (changes := history.changes()):
            start = parse_time(changes[0].get("messageTime"))
        impacts.append(
            _impact(
                event_id,
                "incident",
                product,
                history,
                event_regions,
                clouds,
                severity=severity,
                status=status or "unknown",
                state=severity_state(severity),
                start=start,
                end=end,
            )
        )


# --- maintenances --------------------------------------------------------------------


def read_maintenance(
    maintenance: Mapping[str, Any], impacts: list[Impact], anomalies: list[Anomaly], now: float
) -> None:
    """The upcoming and running products of one maintenance.

    Over for every product when the event's `status` or `cmrStatus` says so (Adobe can
    say Completed in one and Canceled in the other). Otherwise each product's latest
    status decides, else the event's (`cmrStatus` when `status` is empty).
    """
    del now  # a maintenance is over by its status; kept for one reader signature
    event_id, event_regions, clouds = _scope(maintenance, anomalies)
    if not event_id:
        anomalies.append(Anomaly("malformed_entry", "maintenance"))
        return
    own, cmr = maintenance.get("status"), maintenance.get("cmrStatus")
    over = maintenance_is_over(norm(own)) or maintenance_is_over(norm(cmr))
    fallback = cmr if is_absent(norm(own)) else own
    start = parse_time(maintenance.get("startedOn")) or parse_time(maintenance.get("scheduledDate"))
    end = parse_time(maintenance.get("completedOn"))
    for product in dicts(maintenance.get("products"), anomalies, "maintenance product"):
        if not text(product.get("id")):
            anomalies.append(Anomaly("malformed_entry", "maintenance product"))
            continue
        history = _History(product.get("history"), anomalies)
        if over:
            continue
        status, _ = _first_present(None, history.maintenance_changes, "status")
        if not status and not is_absent(norm(fallback)):
            status = norm(fallback)
        state, anomaly = maintenance_state(status) if status else ("scheduled", None)
        if anomaly:
            anomalies.append(anomaly)
        if state is None:
            continue
        impacts.append(
            _impact(
                event_id,
                "maintenance",
                product,
                history,
                event_regions,
                clouds,
                severity="none",
                status=state,
                state=State.MAINTENANCE if state == "in_progress" else State.OPERATIONAL,
                start=start,
                end=end,
            )
        )
