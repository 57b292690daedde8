"""Adobe's record over a window, as `history` shows it: one row per event and product, and
per-product totals (minutes at each state, incidents, Adobe-reported availability).

Pure: an `AdobeRecord` (what one reading of Adobe kept) in, rows and totals out. The
states come from `exporter.model.replay` through `exporter.model.timeline`, and each instant's product
states from `summarize`, as `serve` computes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from exporter.model.past import Past, Totals
from exporter.model.record import ProductRecord, text
from exporter.model.report import Scope, StatusReport, summarize
from exporter.model.texts import event_link, event_text
from exporter.model.timeline import INF, Piece, instants, may_touch, pieces, spans
from exporter.model.vocabulary import Impact, Product, ProductCatalog, State, Text

# The worst severity an incident reached: by state, a known severity over "unknown".
# Keys: every value of the `severity` label (`severity_label` gives nothing else).
_RANK = {"trivial": 1, "potential": 2, "unknown": 3, "minor": 4, "major": 5}
COLUMNS = (
    *("event_id", "kind", "product_id", "product", "cloud", "severity", "regions"),
    *("start", "end", "seconds", "title", "url"),
)


@dataclass(frozen=True, slots=True)
class Replayed:
    """One record replayed: its impacts over time, and what names them."""

    event_id: str
    kind: str
    product_id: str
    product_name: str
    clouds: tuple[tuple[str, str], ...]
    pieces: list[Piece]
    record: ProductRecord | None = None  # None when only the replay is kept (serve)


def replay(record: ProductRecord, since: float, *, keep: bool = True) -> Replayed | None:
    """All of the record's impacts, when one reaches past `since`; else None."""
    if not may_touch(record, since):
        return None
    kept = pieces(record)
    if not any(piece.end > since for piece in kept):
        return None
    event = record.event
    return Replayed(
        event.event_id,
        event.kind,
        record.product_id,
        record.product_name,
        event.clouds,
        kept,
        record if keep else None,
    )


def settled(record: ProductRecord, replayed: Replayed | None, since: float) -> bool:
    """Whether no later reading of the same record could replay it otherwise from `since`
    on: it ended before `since`, or all it names happened before it was read and its last
    impact had ended by then (after that instant a replay asks the record's own fields,
    which then say "over" whenever asked)."""
    if not may_touch(record, since):
        return True
    read_at = record.event.read_at
    if replayed is not None and replayed.pieces[-1].end >= read_at:
        return False
    return max(instants(record)) <= read_at  # the instant of reading is one of them


@dataclass(frozen=True)
class AdobeRecord:
    """What one reading of Adobe kept: every event's record per product, and the catalog.

    `replayed`, when given, stands for `records` already replayed (from some instant on).
    """

    catalog: ProductCatalog
    scope: Scope
    records: list[ProductRecord]
    now: float  # the instant of reading
    texts: Mapping[str, Mapping[str, Text]] = field(default_factory=dict)
    locale: str = "en"
    replayed: list[Replayed] | None = None

    def pieces(self, since: float) -> Iterator[tuple[Replayed, Product, list[Piece]]]:
        """Each wanted record that touches [since, now], with its product and pieces."""
        if self.replayed is not None:
            replayed: Iterable[Replayed | None] = self.replayed
        else:
            replayed = (replay(record, since) for record in self.records)
        for one in replayed:
            if one is None:
                continue
            product = self.product(one)
            if product is None:
                continue
            kept = [p for p in one.pieces if p.end > since and self.in_regions(p.impact)]
            if kept:
                yield one, product, kept

    def product(self, one: Replayed) -> Product | None:
        """The catalog's product (else what the event says of it), when selected."""
        product = self.catalog.products.get(one.product_id)
        if product is None:
            cloud_id, cloud = one.clouds[0] if one.clouds else ("", "unknown")
            cloud = self.catalog.clouds.get(cloud_id, cloud)
            product = Product(one.product_id, one.product_name, cloud, cloud_id)
        return product if self.scope.wants_product(product) else None

    def report_at(self, impacts: list[Impact]) -> StatusReport:
        return summarize(self.catalog, impacts, self.scope)

    def in_regions(self, impact: Impact) -> bool:
        """Whether the selection keeps the impact (one naming only other regions: no)."""
        ids = impact.region_ids
        return not ids or any(self.scope.wants_region(region_id) for region_id in ids)


@dataclass(frozen=True)
class Row:
    event_id: str
    kind: str
    product_id: str
    product: str
    cloud: str
    severity: str
    regions: tuple[str, ...]
    start: float
    end: float | None
    seconds: int | None
    title: str
    url: str

    def as_dict(self) -> dict[str, object]:
        return {
            "event_id": self.event_id,
            "kind": self.kind,
            "product_id": self.product_id,
            "product": self.product,
            "cloud": self.cloud,
            "severity": self.severity,
            "regions": list(self.regions),
            "start": rfc3339(self.start),
            "end": None if self.end is None else rfc3339(self.end),
            "seconds": self.seconds,
            "title": self.title,
            "url": self.url,
        }


def rfc3339(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rows(record: AdobeRecord, since: float) -> list[Row]:
    """One row per event and product that [since, now] touches, oldest start first."""
    out = []
    for one, product, _ in record.pieces(since):
        whole = [piece for piece in one.pieces if record.in_regions(piece.impact)]
        row = _row(record, one, product, whole)
        if row is not None:
            out.append(row)
    out.sort(key=lambda row: (row.start, row.event_id, row.product_id))
    return out


def _row(record: AdobeRecord, one: Replayed, product: Product, whole: list[Piece]) -> Row | None:
    """The row of one event and product, from all of its pieces (the window's and before)."""
    kind = one.kind
    if kind == "incident":
        active = whole
        severity = max((p.impact.severity for p in active), key=_RANK.__getitem__)
    else:
        active = [p for p in whole if p.impact.state == State.MAINTENANCE]
        severity = "maintenance"
    if active:
        start, last = active[0].start, active[-1]
        end = None if last.end == INF else last.end
        seconds = None if end is None else round(sum(p.end - p.start for p in active))
    else:  # a maintenance that never started: over when its last scheduled piece ends
        last = whole[-1]
        if last.end == INF:
            return None  # still upcoming: nothing happened yet
        start = end = last.end  # after `since`: a piece the window kept ends no later
        seconds = 0
    latest = (one.record.history.latest() if one.record else None) or {}
    impact = replace(
        last.impact, title_token=text(latest.get("titleToken")) or last.impact.title_token
    )
    named = impact.region_names or tuple(region.name for region in product.regions)
    return Row(
        event_id=one.event_id,
        kind=kind,
        product_id=product.id,
        product=product.name,
        cloud=product.cloud,
        severity=severity,
        regions=named,
        start=start,
        end=end,
        seconds=seconds,
        title=event_text(impact, record.texts, record.locale).title,
        url=event_link(product.id, one.event_id),
    )


def totals(record: AdobeRecord, since: float) -> list[Totals]:
    """Per product of the selection, in catalog order: where the window spent its time.

    A product's state is the worst of its impacts (those the selection keeps), as
    `summarize` has it; each product is swept through its own pieces.
    """
    until = record.now
    out: dict[str, Totals] = {}
    for status in record.report_at([]).products:
        out[status.product.id] = Totals(status.product, window=until - since)
    by_product: dict[str, list[Piece]] = {}
    for one, product, kept in record.pieces(since):
        if product.id not in out:
            out[product.id] = Totals(product, window=until - since)
        by_product.setdefault(product.id, []).extend(kept)
        if one.kind == "incident":
            out[product.id].incidents += 1
    for product_id, kept in by_product.items():
        seconds = out[product_id].seconds
        for start, end, impacts in spans(kept, since, until):
            length = min(end, until) - start
            if length > 0 and impacts:
                seconds[max(State(i.state) for i in impacts)] += length
    return list(out.values())


def past(record: AdobeRecord, days: float = 30.0) -> Past:
    """The last `days` of the record: per product minutes, incidents and availability."""
    since = record.now - days * 86400
    return Past(since, record.now, tuple(totals(record, since)))
