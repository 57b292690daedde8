"""One incident or maintenance, in either of Adobe's shapes, read into records and Impacts.

DTO lists and feed maps are read alike. Each product of an event becomes a ProductRecord
(exporter.model.record), replayed to the instant of reading (exporter.model.replay) for the open
Impacts. Adobe's vocabulary and the contract's rules are in exporter.model.vocabulary and
exporter.model.replay; this module only finds where each value sits. Odd values are counted as
Anomalies, never raised.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any, Protocol

from exporter.model.record import (
    Clouds,
    Entry,
    EventFacts,
    History,
    ProductRecord,
    only_dicts,
    text,
)
from exporter.model.replay import impact_at
from exporter.model.vocabulary import (
    Anomaly,
    Impact,
    Region,
    maintenance_is_over,
    norm,
    parse_time,
)

__all__ = ["Keep", "KeepEvents", "dicts", "read_incident", "read_maintenance", "regions", "text"]


# --- small readers -------------------------------------------------------------------


def dicts(value: object, anomalies: list[Anomaly], where: str) -> Iterable[Entry]:
    """The objects of a list (DTO shape) or the values of a map (feed shape).

    Read as the caller iterates: an item that is not an object is counted (an Anomaly)
    when its turn comes. When every item is an object, as almost always, the list or the
    map's values are handed back as they are.
    """
    items: Collection[Any]
    if isinstance(value, list):
        items = value
    elif isinstance(value, dict):
        items = value.values()
    elif value is None:
        return ()
    else:
        anomalies.append(Anomaly("malformed_entry", where))
        return ()
    if only_dicts(items):
        return items
    return _dicts(items, anomalies, where)


def _dicts(items: Iterable[object], anomalies: list[Anomaly], where: str) -> Iterator[Entry]:
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


def _scope(
    event: Mapping[str, Any], anomalies: list[Anomaly]
) -> tuple[str, tuple[Region, ...], Clouds]:
    event_id = text(event.get("id"))
    named = regions(event.get("region", event.get("regions")), anomalies)
    return event_id, named, _clouds(event.get("clouds"), anomalies)


Keep = Callable[[ProductRecord], None]


class KeepEvents(Protocol):
    """Records kept event by event, each event's text as Adobe wrote it seen first."""

    texts: bool  # whether `event` is to be shown each event's text (slicing it costs)

    def event(self, what: str, raw: str | None) -> Keep | None:
        """The Keep for the records of one `what` (incident, maintenance) written `raw`
        (None: no text to go by); None when they are known already: the event is then
        read for its live Impacts alone."""


def read_incident(
    incident: Mapping[str, Any],
    impacts: list[Impact],
    anomalies: list[Anomaly],
    now: float,
    keep: Keep | None = None,
) -> None:
    """The open products of one incident; `now` decides whether an `endedOn` has passed.

    Each product is read into a ProductRecord (handed to `keep` when given) and replayed
    to `now`: the live statuses and Adobe's record go through the same rules.
    """
    if keep is None and _closed_and_clean(incident, now, maintenance=False):
        return  # read in full, it would give no Impact and no Anomaly
    event_id, event_regions, clouds = _scope(incident, anomalies)
    if not event_id:
        anomalies.append(Anomaly("malformed_entry", "incident"))
        return
    facts = EventFacts(event_id, "incident", event_regions, clouds, now)
    _read_products(incident, facts, impacts, anomalies, keep)


def _closed_and_clean(event: Mapping[str, Any], now: float, *, maintenance: bool) -> bool:
    """An event with an id whose every product is closed and has an id, with nothing odd
    in its regions, clouds, products or histories: most of a 40-day feed.

    Closed: every product of a maintenance whose `status` or `cmrStatus` says it is over;
    an incident product whose `endedOn` has passed. The live rule closes those before
    looking at anything else, so when no record is kept, reading such an event in full
    would leave neither an Impact nor an Anomaly: checking that is cheaper than building
    its records.
    """
    if not text(event.get("id")):
        return False
    if maintenance and not (
        maintenance_is_over(norm(event.get("status")))
        or maintenance_is_over(norm(event.get("cmrStatus")))
    ):
        return False
    products = event.get("products")
    if not (_clean(event.get("region", event.get("regions"))) and _clean(event.get("clouds"))):
        return False
    if not isinstance(products, list | dict) or not _clean(products):
        return False
    for product in products if isinstance(products, list) else products.values():
        if not maintenance:
            end = parse_time(product.get("endedOn"))
            if end is None or end > now:
                return False
        if not text(product.get("id")) or not _clean(product.get("history")):
            return False
    return True


def _clean(value: object) -> bool:
    """None, or a list or map of objects only: `dicts` and `History` count nothing odd."""
    if isinstance(value, list):
        return only_dicts(value)
    if isinstance(value, dict):
        return only_dicts(value.values())
    return value is None


def read_maintenance(
    maintenance: Mapping[str, Any],
    impacts: list[Impact],
    anomalies: list[Anomaly],
    now: float,
    keep: Keep | None = None,
) -> None:
    """The upcoming and running products of one maintenance (see `replay` for the rules)."""
    if keep is None and _closed_and_clean(maintenance, now, maintenance=True):
        return  # read in full, it would give no Impact and no Anomaly
    event_id, event_regions, clouds = _scope(maintenance, anomalies)
    if not event_id:
        anomalies.append(Anomaly("malformed_entry", "maintenance"))
        return
    started = parse_time(maintenance.get("startedOn"))
    scheduled = parse_time(maintenance.get("scheduledDate"))
    facts = EventFacts(
        event_id,
        "maintenance",
        event_regions,
        clouds,
        now,
        status=maintenance.get("status"),
        cmr_status=maintenance.get("cmrStatus"),
        start=started or scheduled,
        started=started,
        scheduled=scheduled,
        completed=parse_time(maintenance.get("completedOn")),
    )
    _read_products(maintenance, facts, impacts, anomalies, keep)


def _read_products(
    event: Mapping[str, Any],
    facts: EventFacts,
    impacts: list[Impact],
    anomalies: list[Anomaly],
    keep: Keep | None,
) -> None:
    """Each product of one event: its record (handed to `keep`), replayed to the instant of
    reading for the open Impact, if any."""
    what = f"{facts.kind} product"
    for product in dicts(event.get("products"), anomalies, what):
        if not text(product.get("id")):
            anomalies.append(Anomaly("malformed_entry", what))
            continue
        record = ProductRecord(facts, product, History(product.get("history"), anomalies))
        if keep is not None:
            keep(record)
        impact = impact_at(record, facts.read_at, anomalies)
        if impact is not None:
            impacts.append(impact)
