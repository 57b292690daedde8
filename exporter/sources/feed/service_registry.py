"""The public feed's SnowServiceRegistry document read into the registry model.

Shape (maps keyed by id, each entry carrying its own id):
`clouds{id: {id, name, cloudProducts: [productId]}}`,
`products{id: {id, name, productOfferings: [offeringId], productServices: [serviceId]}}`,
`offerings{id: {id, name, productServices}}`, `services{id: {id, name,
serviceEnvironments: [envId]}}`, `environments{id: {id, name, regionId: [regionName]}}`.

A product's regions are the regions of its services' environments (its own services and
its offerings'); a region's id is its name, as in the events. Like `parse_catalog`, a
top level it cannot read raises ShapeError, and a malformed entry or reference is
skipped and reported as an Anomaly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from exporter.model.vocabulary import Anomaly, Product, ProductCatalog, Region, clean_text
from exporter.sources.reading import ShapeError

_SECTIONS = ("clouds", "products", "offerings", "services", "environments")


def parse_service_registry(payload: object) -> tuple[ProductCatalog, list[Anomaly]]:
    """The registry from a decoded SnowServiceRegistry document."""
    if not isinstance(payload, dict):
        raise ShapeError(f"registry: expected a JSON object, got {type(payload).__name__}")
    if not any(key in payload for key in _SECTIONS):
        raise ShapeError("registry: none of " + ", ".join(_SECTIONS) + " at the top level")
    for key in _SECTIONS:
        value = payload.get(key)
        if value is not None and not isinstance(value, dict | list):
            raise ShapeError(f"registry: {key!r} is a {type(value).__name__}")
    if not isinstance(payload.get("products"), dict | list):
        raise ShapeError("registry: no 'products'")
    anomalies: list[Anomaly] = []
    clouds = _entries(payload.get("clouds"), "cloud", anomalies)
    offerings = _entries(payload.get("offerings"), "offering", anomalies)
    services = _entries(payload.get("services"), "service", anomalies)
    environments = _entries(payload.get("environments"), "environment", anomalies)

    cloud_names: dict[str, str] = {}
    cloud_of: dict[str, str] = {}
    for cloud_id, cloud in clouds.items():
        cloud_names[cloud_id] = _text(cloud.get("name")) or cloud_id
        for product_id in _ids(cloud.get("cloudProducts"), "cloudProducts", anomalies):
            # A product listed in two clouds keeps the first: one series per product.
            cloud_of.setdefault(product_id, cloud_id)

    env_regions: dict[str, tuple[str, ...]] = {
        env_id: tuple(_ids(env.get("regionId"), "regionId", anomalies))
        for env_id, env in environments.items()
    }
    service_regions: dict[str, list[str]] = {}
    for service_id, service in services.items():
        names: list[str] = []
        for env_id in _ids(service.get("serviceEnvironments"), "serviceEnvironments", anomalies):
            names += env_regions.get(env_id, ())
        service_regions[service_id] = names

    products: dict[str, Product] = {}
    for product_id, item in _entries(payload.get("products"), "product", anomalies).items():
        service_ids = list(_ids(item.get("productServices"), "productServices", anomalies))
        for offering_id in _ids(item.get("productOfferings"), "productOfferings", anomalies):
            offering = offerings.get(offering_id, {})
            service_ids += _ids(offering.get("productServices"), "productServices", anomalies)
        regions = dict.fromkeys(
            name for service_id in service_ids for name in service_regions.get(service_id, ())
        )
        cloud_id = cloud_of.get(product_id, "")
        products[product_id] = Product(
            id=product_id,
            name=_text(item.get("name")) or product_id,
            cloud=cloud_names.get(cloud_id, "unknown"),
            cloud_id=cloud_id,
            regions=tuple(Region(name, name) for name in regions),
        )
    return ProductCatalog(products=products, clouds=cloud_names), anomalies


def _entries(value: object, what: str, anomalies: list[Anomaly]) -> dict[str, dict[str, Any]]:
    """The entries of one section by id: its own `id`, else its key in the map."""
    out: dict[str, dict[str, Any]] = {}
    for key, entry in _items(value):
        if not isinstance(entry, dict):
            anomalies.append(Anomaly("malformed_entry", what))
            continue
        entry_id = _text(entry.get("id")) or _text(key)
        if not entry_id:
            anomalies.append(Anomaly("malformed_entry", what))
            continue
        out.setdefault(entry_id, entry)
    return out


def _items(value: object) -> Iterator[tuple[object, object]]:
    if isinstance(value, dict):
        yield from value.items()
    elif isinstance(value, list):
        for item in value:
            yield None, item


def _ids(value: object, what: str, anomalies: list[Anomaly]) -> Iterator[str]:
    """The ids of a reference list; a lone id is read as a list of one."""
    if value is None:
        return
    items = value if isinstance(value, list) else [value]
    for item in items:
        text = _text(item)
        if text:
            yield text
        else:
            anomalies.append(Anomaly("malformed_entry", what))


def _text(value: object) -> str:
    """An id or name: strings as they are, integers as their digits, else empty."""
    if isinstance(value, str):
        return clean_text(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""
