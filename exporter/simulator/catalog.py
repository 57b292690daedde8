"""The product registry the simulator serves: Adobe's real catalog, or synthetic products.

`catalog.json` holds Adobe's clouds and products only. Regions are Adobe's own three,
keyed by name (the id is the name): Americas, EMEA, APAC. Services, offerings and
environments are this simulator's invention, made deterministically from each product's id
so every run and every seed agrees: a product has one to three services, each service
environments in the product's regions (one region each), and the product's regions are
exactly its services' environments' regions, as in Adobe's SnowServiceRegistry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from exporter.simulator.scale import Scale


@dataclass(frozen=True)
class Region:
    id: str
    name: str


# Adobe's regions: keyed by name, the id is the name. Americas is given to every product.
REGIONS: tuple[Region, ...] = (
    Region("Americas", "Americas"),
    Region("EMEA", "EMEA"),
    Region("APAC", "APAC"),
)
# Which regions a real product serves, by a digit of its id's hash: most serve all three.
_REGION_SUBSETS: tuple[tuple[Region, ...], ...] = (
    *[REGIONS] * 7,
    REGIONS[:2],
    (REGIONS[0], REGIONS[2]),
    REGIONS[:1],
)

_SERVICE_NAMES = (
    "Sign-in",
    "Web application",
    "Desktop application",
    "Mobile application",
    "APIs",
    "Storage",
    "Sync",
    "Publishing",
    "Reporting",
    "Data collection",
    "Administration",
    "Notifications",
)


@dataclass(frozen=True)
class Environment:
    id: str
    name: str
    region_ids: tuple[str, ...]


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    environment_ids: tuple[str, ...]


@dataclass(frozen=True)
class Offering:
    id: str
    name: str
    service_ids: tuple[str, ...]


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    cloud_id: str
    regions: tuple[Region, ...]
    environments: tuple[Environment, ...]
    offerings: tuple[Offering, ...]
    services: tuple[Service, ...]

    @property
    def region_ids(self) -> tuple[str, ...]:
        return tuple(region.id for region in self.regions)


@dataclass(frozen=True)
class Cloud:
    id: str
    name: str
    product_ids: tuple[str, ...]


class Catalog:
    """Clouds, products and regions, with lookups by id."""

    def __init__(self, clouds: tuple[Cloud, ...], products: tuple[Product, ...]) -> None:
        self.clouds = clouds
        self.products = products
        used = {region.id for product in products for region in product.regions}
        self.regions = tuple(region for region in REGIONS if region.id in used)
        self._products = {product.id: product for product in products}
        self._clouds = {cloud.id: cloud for cloud in clouds}
        self._regions = {region.id: region for region in REGIONS}

    def product(self, product_id: str) -> Product | None:
        return self._products.get(product_id)

    def cloud(self, cloud_id: str) -> Cloud | None:
        return self._clouds.get(cloud_id)

    def region(self, region_id: str) -> Region | None:
        return self._regions.get(region_id)

    @classmethod
    def for_scale(cls, scale: Scale) -> Catalog:
        if scale.synthetic_products:
            return cls.synthetic(
                scale.synthetic_products, scale.synthetic_clouds, scale.regions_per_product
            )
        return cls.real(scale.regions_per_product, scale.environments)

    @classmethod
    def real(cls, regions_per_product: int = 0, environments: int = 0) -> Catalog:
        """Adobe's catalog as shipped in the package."""
        text = resources.files(__package__).joinpath("catalog.json").read_text("utf-8")
        raw: dict[str, Any] = json.loads(text)
        clouds: list[Cloud] = []
        entries: list[tuple[str, str, str]] = []
        for cloud in raw["clouds"]:
            cloud_id, members = str(cloud["id"]), cloud["products"]
            clouds.append(Cloud(cloud_id, str(cloud["name"]), tuple(str(p["id"]) for p in members)))
            entries += [(str(p["id"]), str(p["name"]), cloud_id) for p in members]
        shares = _environment_shares([pid for pid, _, _ in entries], environments)
        products = [
            _product(pid, name, cloud_id, regions_per_product, shares.get(pid, 0))
            for pid, name, cloud_id in entries
        ]
        return cls(tuple(clouds), tuple(products))

    @classmethod
    def synthetic(cls, n_products: int, n_clouds: int, regions_per_product: int) -> Catalog:
        """Made-up products whose 7-digit ids and names cannot clash with Adobe's."""
        n_clouds = max(1, min(n_clouds, n_products))
        members: list[list[str]] = [[] for _ in range(n_clouds)]
        products: list[Product] = []
        for n in range(n_products):
            cloud_index = n % n_clouds
            product_id = f"{9_000_000 + n}"
            members[cloud_index].append(product_id)
            products.append(
                _product(
                    product_id,
                    f"Synthetic Product {n + 1:04d}",
                    f"{8_000_001 + cloud_index}",
                    regions_per_product,
                )
            )
        clouds = tuple(
            Cloud(f"{8_000_001 + i}", f"Synthetic Cloud {i + 1}", tuple(ids))
            for i, ids in enumerate(members)
        )
        return cls(clouds, tuple(products))


def _digest(*parts: str) -> bytes:
    return hashlib.blake2b(":".join(parts).encode(), digest_size=16).digest()


def _environment_shares(product_ids: list[str], total: int) -> dict[str, int]:
    """About `total` environments over the products, skewed as in Adobe's registry.

    A few products (think Experience Manager or Commerce: one environment per customer
    instance) hold most of them; most products hold a handful.
    """
    if not total or not product_ids:
        return {}
    weights = {pid: 1 + (_digest("weight", pid)[0] % 16) ** 4 for pid in product_ids}
    whole = sum(weights.values())
    return {pid: total * weight // whole for pid, weight in weights.items()}


def _product(
    product_id: str, name: str, cloud_id: str, regions_per_product: int, environments: int = 0
) -> Product:
    """A product with its regions, services, one offering and environments.

    Each service has at least one environment in each of the product's regions; a product
    given a share of `environments` spreads that many over its services and regions.
    """
    bits = _digest("product", product_id)
    if regions_per_product:
        regions = REGIONS[: min(regions_per_product, len(REGIONS))]
    else:
        regions = _REGION_SUBSETS[bits[0] % len(_REGION_SUBSETS)]
    first = bits[12] % len(_SERVICE_NAMES)
    names = [_SERVICE_NAMES[(first + 5 * i) % len(_SERVICE_NAMES)] for i in range(1 + bits[13] % 3)]
    slots = [(s, region) for s in range(len(names)) for region in regions]
    per_service: list[list[str]] = [[] for _ in names]
    all_envs: list[Environment] = []
    for n in range(max(len(slots), environments)):
        service, region = slots[n % len(slots)]
        env_id = f"{product_id}{service}{n:05d}"
        label = "Production" if n < len(slots) else f"Instance {n:05d}"
        all_envs.append(
            Environment(env_id, f"{names[service]} {label} ({region.name})", (region.id,))
        )
        per_service[service].append(env_id)
    services = tuple(
        Service(f"{product_id}1{i}", service_name, tuple(per_service[i]))
        for i, service_name in enumerate(names)
    )
    offering = Offering(f"{product_id}21", name, tuple(service.id for service in services))
    return Product(product_id, name, cloud_id, regions, tuple(all_envs), (offering,), services)
