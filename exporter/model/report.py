"""From the product catalog and open events to a StatusReport: each product and region now."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from exporter.config import Selection
from exporter.model.past import Past
from exporter.model.vocabulary import (
    MAINTENANCE_STATES,
    SEVERITIES,
    Anomaly,
    Impact,
    Product,
    ProductCatalog,
    Region,
    State,
    Text,
)


@dataclass(frozen=True)
class Scope:
    """A Selection resolved against the catalog: ids only; None means everything."""

    product_ids: frozenset[str] | None
    cloud_ids: frozenset[str] | None
    region_ids: frozenset[str] | None
    unresolved: tuple[str, ...] = ()

    def query_params(self) -> dict[str, list[str]]:
        """The /api/v1/events filters (form style, one parameter per value)."""
        params: dict[str, list[str]] = {}
        if self.product_ids is not None:
            params["productIds"] = sorted(self.product_ids)
        if self.cloud_ids is not None:
            params["cloudIds"] = sorted(self.cloud_ids)
        if self.region_ids is not None:
            params["regionIds"] = sorted(self.region_ids)
        return params

    def wants_product(self, product: Product) -> bool:
        if self.product_ids is not None and product.id not in self.product_ids:
            return False
        return self.cloud_ids is None or product.cloud_id in self.cloud_ids

    def wants_region(self, region_id: str) -> bool:
        return self.region_ids is None or region_id in self.region_ids


def resolve(selection: Selection, catalog: ProductCatalog) -> Scope:
    """Turn ids or exact names into ids. An unknown value is kept as an id (never widens)."""
    unresolved: list[str] = []
    products = {product.name: product.id for product in catalog.products.values()}
    clouds = {name: cloud_id for cloud_id, name in catalog.clouds.items()}
    regions = {
        region.name: region.id
        for product in catalog.products.values()
        for region in product.regions
    }
    region_ids = {region.id for product in catalog.products.values() for region in product.regions}

    def ids(
        values: tuple[str, ...], known: Iterable[str], names: dict[str, str]
    ) -> frozenset[str] | None:
        if not values:
            return None
        known_ids = set(known)
        out = set()
        for value in values:
            if value in known_ids:
                out.add(value)
            elif value in names:
                out.add(names[value])
            else:
                unresolved.append(value)
                out.add(value)
        return frozenset(out)

    return Scope(
        product_ids=ids(selection.products, catalog.products, products),
        cloud_ids=ids(selection.clouds, catalog.clouds, clouds),
        region_ids=ids(selection.regions, region_ids, regions),
        unresolved=tuple(unresolved),
    )


@dataclass
class ProductStatus:
    product: Product
    state: State = State.OPERATIONAL
    regions: dict[str, tuple[Region, State]] = field(default_factory=dict)
    incidents: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))
    maintenances: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(MAINTENANCE_STATES, 0)
    )


@dataclass(frozen=True)
class StatusReport:
    """Everything a scrape shows about Adobe, computed once per upstream collection."""

    products: list[ProductStatus]
    events: list[tuple[Impact, Product]]
    anomalies: tuple[Anomaly, ...] = ()
    # Adobe's texts for the open events, locale -> token -> Text (see exporter.model.texts).
    texts: Mapping[str, Mapping[str, Text]] = field(default_factory=dict)
    # Adobe's record over the last 30 days, per product (the page's "Last 30 days").
    past: Past | None = None


def summarize(
    catalog: ProductCatalog,
    impacts: Iterable[Impact],
    scope: Scope,
    anomalies: Iterable[Anomaly] = (),
) -> StatusReport:
    """Zero-filled product and region states with every open event applied.

    Two passes, so the result does not depend on the order events are listed in: first
    the impacts that count (one per event and product, the worst if a product is listed
    twice) and every region they name, then their states.
    """
    statuses: dict[str, ProductStatus] = {}
    for product in catalog.products.values():
        if scope.wants_product(product):
            statuses[product.id] = _zeroed(product, scope)
    kept: dict[tuple[str, str, str], tuple[Impact, ProductStatus]] = {}
    for impact in impacts:
        status = statuses.get(impact.product_id)
        if status is None:
            product = catalog.products.get(impact.product_id) or _unlisted(impact, catalog)
            if not scope.wants_product(product):
                continue
            status = statuses[product.id] = _zeroed(product, scope)
        named = _named_regions(impact, scope)
        if impact.region_ids and not named:
            continue  # names only regions outside the selection
        key = (impact.event_id, impact.kind, status.product.id)
        previous = kept.get(key)
        if previous is None or _rank(impact) > _rank(previous[0]):
            kept[key] = (impact, status)
        for region in named:
            # Prefer the catalog's spelling of a region it knows.
            status.regions.setdefault(region.id, (region, State.OPERATIONAL))
    events: list[tuple[Impact, Product]] = []
    for impact, status in kept.values():
        events.append((impact, status.product))
        if impact.kind == "incident":
            status.incidents[impact.severity] += 1
        else:
            status.maintenances[impact.status] += 1
        status.state = max(status.state, impact.state)
        # An event that names no region affects every region of the product.
        affected = [r.id for r in _named_regions(impact, scope)] or list(status.regions)
        for region_id in affected:
            region, current = status.regions[region_id]
            status.regions[region_id] = (region, max(current, impact.state))
    return StatusReport(products=list(statuses.values()), events=events, anomalies=tuple(anomalies))


def _zeroed(product: Product, scope: Scope) -> ProductStatus:
    status = ProductStatus(product)
    for region in product.regions:
        if scope.wants_region(region.id):
            status.regions[region.id] = (region, State.OPERATIONAL)
    return status


def _rank(impact: Impact) -> tuple[object, ...]:
    """Orders duplicates of one event and product: the worst first, then any fixed order."""
    known = impact.severity != "unknown"
    return (
        impact.state,
        known,
        impact.severity,
        impact.status,
        impact.region_ids,
        impact.start or 0.0,
    )


def _named_regions(impact: Impact, scope: Scope) -> list[Region]:
    return [
        Region(region_id, name)
        for region_id, name in zip(impact.region_ids, impact.region_names, strict=True)
        if scope.wants_region(region_id)
    ]


def _unlisted(impact: Impact, catalog: ProductCatalog) -> Product:
    """A product the catalog does not (yet) know: take what the event says of it."""
    cloud_id, cloud = "", "unknown"
    if impact.clouds:
        cloud_id, cloud = impact.clouds[0]
        cloud = catalog.clouds.get(cloud_id, cloud)
    return Product(impact.product_id, impact.product_name, cloud, cloud_id)
