"""The product registry the simulator serves: Adobe's real catalog, or synthetic products.

`catalog.json` holds Adobe's clouds and products only. Regions, environments, offerings
and services are this simulator's invention (Adobe publishes no list of them): each
product gets them deterministically from its id, so every run and every seed agrees.
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


# Invented, with stable ids; the first two are given to every real product.
REGIONS: tuple[Region, ...] = (
    Region("610001", "North America"),
    Region("610002", "Europe"),
    Region("610003", "United Kingdom"),
    Region("610004", "Canada"),
    Region("610005", "Asia Pacific"),
    Region("610006", "Japan"),
    Region("610007", "Australia"),
    Region("610008", "India"),
    Region("610009", "Singapore"),
    Region("610010", "Latin America"),
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
        return cls.real(scale.regions_per_product)

    @classmethod
    def real(cls, regions_per_product: int = 0) -> Catalog:
        """Adobe's catalog as shipped in the package."""
        text = resources.files(__package__).joinpath("catalog.json").read_text("utf-8")
        raw: dict[str, Any] = json.loads(text)
        clouds: list[Cloud] = []
        products: list[Product] = []
        for cloud in raw["clouds"]:
            cloud_id, members = str(cloud["id"]), cloud["products"]
            clouds.append(Cloud(cloud_id, str(cloud["name"]), tuple(str(p["id"]) for p in members)))
            for entry in members:
                products.append(
                    _product(str(entry["id"]), str(entry["name"]), cloud_id, regions_per_product)
                )
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


def _product(product_id: str, name: str, cloud_id: str, regions_per_product: int) -> Product:
    """A product with its invented regions, one environment, services and one offering."""
    bits = _digest("product", product_id)
    if regions_per_product:
        regions = REGIONS[: min(regions_per_product, len(REGIONS))]
    else:
        # North America and Europe always, then each other region on a coin flip.
        regions = REGIONS[:2] + tuple(region for i, region in enumerate(REGIONS[2:]) if bits[i] & 1)
    region_ids = tuple(region.id for region in regions)
    environment = Environment(f"{product_id}01", "Production", region_ids)
    first = bits[12] % len(_SERVICE_NAMES)
    services = tuple(
        Service(
            f"{product_id}1{i}",
            _SERVICE_NAMES[(first + 5 * i) % len(_SERVICE_NAMES)],
            (environment.id,),
        )
        for i in range(1 + bits[13] % 3)
    )
    offering = Offering(f"{product_id}21", name, tuple(service.id for service in services))
    return Product(product_id, name, cloud_id, regions, (environment,), (offering,), services)
