"""Adobe's record over a window, as `history` shows it: one row per event and product, and
per-product totals (minutes at each state, incidents, Adobe-reported availability).

Pure: an `AdobeRecord` (what one reading of Adobe kept) in, rows and totals out. The
states come from `exporter.replay` through `exporter.timeline`, and each instant's product
states from `summarize`, as `serve` computes them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from exporter.model import Impact, Message, Product, ProductCatalog, State
from exporter.record import ProductRecord, text
from exporter.report import Scope, StatusReport, summarize
from exporter.texts import event_link, event_text
from exporter.timeline import INF, Piece, may_touch, pieces, spans

# The worst severity an incident reached: by state, a known severity over "unknown".
_RANK = {"trivial": 1, "potential": 2, "unknown": 3, "minor": 4, "major": 5}
COLUMNS = (
    *("event_id", "kind", "product_id", "product", "cloud", "severity", "regions"),
    *("start", "end", "seconds", "title", "url"),
)


@dataclass(frozen=True)
class AdobeRecord:
    """What one reading of Adobe kept: every event's record per product, and the catalog."""

    catalog: ProductCatalog
    scope: Scope
    records: list[ProductRecord]
    now: float  # the instant of reading
    messages: Mapping[str, Mapping[str, Message]] = field(default_factory=dict)
    locale: str = "en"

    def oldest(self) -> float | None:
        """When the oldest event it holds started (the feed holds about 40 days)."""
        starts = [p.start for r in self.records for p in pieces(r)[:1]]
        return min(starts, default=None)

    def pieces(self, since: float) -> Iterator[tuple[ProductRecord, Product, list[Piece]]]:
        """Each wanted record that touches [since, now], with its product and pieces."""
        for record in self.records:
            if not may_touch(record, since):
                continue
            product = self.product(record)
            if product is None:
                continue
            kept = [piece for piece in pieces(record) if piece.end > since]
            kept = [piece for piece in kept if self._in_regions(piece.impact)]
            if kept:
                yield record, product, kept

    def product(self, record: ProductRecord) -> Product | None:
        """The registry's product (else what the event says of it), when selected."""
        product = self.catalog.products.get(record.product_id)
        if product is None:
            cloud_id, cloud = record.event.clouds[0] if record.event.clouds else ("", "unknown")
            cloud = self.catalog.clouds.get(cloud_id, cloud)
            product = Product(record.product_id, record.product_name, cloud, cloud_id)
        return product if self.scope.wants_product(product) else None

    def report_at(self, impacts: list[Impact]) -> StatusReport:
        return summarize(self.catalog, impacts, self.scope)

    def _in_regions(self, impact: Impact) -> bool:
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
    for one, product, kept in record.pieces(since):
        row = _row(record, one, product, kept, since)
        if row is not None:
            out.append(row)
    out.sort(key=lambda row: (row.start, row.event_id, row.product_id))
    return out


def _row(
    record: AdobeRecord, one: ProductRecord, product: Product, kept: list[Piece], since: float
) -> Row | None:
    kind = one.event.kind
    if kind == "incident":
        active = kept
        severity = max((p.impact.severity for p in active), key=lambda s: _RANK.get(s, 0))
    else:
        active = [p for p in kept if p.impact.state == State.MAINTENANCE]
        severity = "maintenance"
    if active:
        start, last = active[0].start, active[-1]
        end = None if last.end == INF else last.end
        seconds = None if end is None else round(sum(p.end - p.start for p in active))
    else:  # a maintenance that never started: over when its last scheduled piece ends
        last = kept[-1]
        if last.end == INF:
            return None  # still upcoming: nothing happened yet
        start = end = last.end
        seconds = 0
        if end < since:
            return None
    latest = one.history.latest() or {}
    impact = replace(
        last.impact,
        title_token=text(latest.get("titleToken")) or last.impact.title_token,
        message_token=text(latest.get("messageToken")) or last.impact.message_token,
    )
    named = impact.region_names or tuple(region.name for region in product.regions)
    return Row(
        event_id=one.event.event_id,
        kind=kind,
        product_id=product.id,
        product=product.name,
        cloud=product.cloud,
        severity=severity,
        regions=named,
        start=start,
        end=end,
        seconds=seconds,
        title=event_text(impact, record.messages, record.locale).title,
        url=event_link(product.id, one.event.event_id),
    )


@dataclass
class Totals:
    """One product over the window: seconds at each state, incidents, availability."""

    product: Product
    seconds: dict[State, float] = field(default_factory=lambda: dict.fromkeys(State, 0.0))
    incidents: int = 0
    window: float = 0.0

    def minutes(self, state: State) -> float:
        return self.seconds[state] / 60.0

    @property
    def availability(self) -> float:
        """Share of the window not at minor or major (Adobe-reported availability)."""
        if self.window <= 0:
            return 1.0
        down = self.seconds[State.MINOR] + self.seconds[State.MAJOR]
        return max(0.0, 1.0 - down / self.window)


def totals(record: AdobeRecord, since: float, table_rows: list[Row]) -> list[Totals]:
    """Per product of the selection, in registry order: where the window spent its time."""
    until = record.now
    out: dict[str, Totals] = {}
    for status in record.report_at([]).products:
        out[status.product.id] = Totals(status.product, window=until - since)
    all_pieces = [piece for _, _, kept in record.pieces(since) for piece in kept]
    for start, end, impacts in spans(all_pieces, since, until):
        length = min(end, until) - start
        if length <= 0 or not impacts:
            continue
        for status in record.report_at(impacts).products:
            product_totals = out.setdefault(
                status.product.id, Totals(status.product, window=until - since)
            )
            product_totals.seconds[State(status.state)] += length
    for row in table_rows:
        if row.kind == "incident" and row.product_id in out:
            out[row.product_id].incidents += 1
    return list(out.values())
