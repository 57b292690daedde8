"""The registry endpoints (`/api/v1/products`, `/clouds`, `/regions`) as spec-shaped JSON."""

from __future__ import annotations

from collections.abc import Collection

from exporter.simulator.catalog import Catalog, Product
from exporter.simulator.event_dto import JSON


def product_dto(product: Product) -> JSON:
    """A `Product`, with its regions, environments, offerings and services."""
    return {
        "id": product.id,
        "name": product.name,
        "regions": [{"id": region.id, "name": region.name} for region in product.regions],
        "environments": [
            {"id": env.id, "name": env.name, "regionId": list(env.region_ids)}
            for env in product.environments
        ],
        "productOfferings": [
            {"id": offer.id, "name": offer.name, "productServices": list(offer.service_ids)}
            for offer in product.offerings
        ],
        "productServices": [
            {"id": svc.id, "name": svc.name, "serviceEnvironments": list(svc.environment_ids)}
            for svc in product.services
        ],
    }


def products(
    catalog: Catalog,
    product_ids: Collection[str] = (),
    cloud_ids: Collection[str] = (),
    name: str = "",
) -> list[JSON]:
    """Products matching every filter given (ids exactly, name as a case-blind substring)."""
    needle = name.casefold()
    return [
        product_dto(product)
        for product in catalog.products
        if (not product_ids or product.id in product_ids)
        and (not cloud_ids or product.cloud_id in cloud_ids)
        and needle in product.name.casefold()
    ]


def clouds(catalog: Catalog, cloud_ids: Collection[str] = (), name: str = "") -> list[JSON]:
    """`Cloud` entries with their `cloudProducts`."""
    needle = name.casefold()
    answer: list[JSON] = []
    for cloud in catalog.clouds:
        if (cloud_ids and cloud.id not in cloud_ids) or needle not in cloud.name.casefold():
            continue
        members = [catalog.product(pid) for pid in cloud.product_ids]
        answer.append(
            {
                "id": cloud.id,
                "name": cloud.name,
                "cloudProducts": [{"id": p.id, "name": p.name} for p in members if p],
            }
        )
    return answer


def regions(catalog: Catalog) -> list[JSON]:
    return [{"id": region.id, "name": region.name} for region in catalog.regions]


def feed_registry(catalog: Catalog) -> JSON:
    """SnowServiceRegistry: every part of the registry as a map keyed by id.

    A product names its offerings and services; a service its environments; an environment
    its regions (by name): a product's regions are its services' environments' regions.
    """
    offerings: JSON = {}
    services: JSON = {}
    environments: JSON = {}
    products: JSON = {}
    for product in catalog.products:
        products[product.id] = {
            "id": product.id,
            "name": product.name,
            "productOfferings": [offer.id for offer in product.offerings],
            "productServices": [svc.id for svc in product.services],
        }
        for offer in product.offerings:
            offerings[offer.id] = {
                "id": offer.id,
                "name": offer.name,
                "productServices": list(offer.service_ids),
            }
        for svc in product.services:
            services[svc.id] = {
                "id": svc.id,
                "name": svc.name,
                "serviceEnvironments": list(svc.environment_ids),
            }
        for env in product.environments:
            environments[env.id] = {
                "id": env.id,
                "name": env.name,
                "regionId": list(env.region_ids),
            }
    clouds = {
        cloud.id: {"id": cloud.id, "name": cloud.name, "cloudProducts": list(cloud.product_ids)}
        for cloud in catalog.clouds
    }
    return {
        "clouds": clouds,
        "products": products,
        "offerings": offerings,
        "services": services,
        "environments": environments,
    }
