"""What the unit and the integration tests of properties share."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, settings
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from exporter.collector import ScrapeCollector, status_families
from exporter.config import Selection
from exporter.model.report import ProductStatus, StatusReport, resolve, summarize
from exporter.model.vocabulary import ProductCatalog
from exporter.snapshot import Snapshot, View
from exporter.sources.api.dto import parse_catalog, parse_events
from exporter.sources.feed.status_events import parse_feed
from exporter.sources.reading import Events, ShapeError
from tests.support import payloads as p
from tests.support.adobe_spec import require_spec
from tests.support.payloads import NOW
from tests.support.spec_strategies import (
    Spec,
    World,
    incidents_of,
    maintenances_of,
)

SPEC_FILE = require_spec("generate payloads from it")
SPEC = Spec.load(SPEC_FILE)

IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
settings.register_profile(
    "adobe-status-properties",
    deadline=None,
    derandomize=IN_CI,
    max_examples=100,
    # The explain phase re-runs a failing example under line tracing: tens of seconds.
    phases=[phase for phase in Phase if phase is not Phase.explain],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
# The parent of each test's settings, not loaded globally: other modules keep theirs.
PROFILE = settings.get_profile("adobe-status-properties")


# --- helpers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    registry: ProductCatalog
    events: Events
    summary: StatusReport

    def status(self, product_id: str) -> ProductStatus:
        return next(s for s in self.summary.products if s.product.id == product_id)

    def registry_region_ids(self, product_id: str) -> list[str]:
        product = self.registry.products.get(product_id)
        return [region.id for region in product.regions] if product else []


def read(world: World, *, any_catalog: bool = False, now: float = NOW) -> Reading:
    """The model over one world, every product, cloud and region selected.

    `any_catalog`: a registry the contract calls drift (no product or cloud with an id,
    no cloud listing a product: a ShapeError) is replaced by the sample one.
    """
    try:
        registry, anomalies = parse_catalog(world.products, world.clouds)
    except ShapeError:
        if not any_catalog:
            raise
        assert registry_drifted(world)
        registry, anomalies = parse_catalog(p.products_payload(), p.clouds_payload())
    events = (parse_feed if world.feed else parse_events)(world.events, now=now)
    scope = resolve(Selection(), registry)
    summary = summarize(registry, events.impacts, scope, [*anomalies, *events.anomalies])
    return Reading(registry, events, summary)


def registry_drifted(world: World) -> bool:
    """What the contract calls drift in a registry: nothing to know the products by."""
    products = {text_of(item.get("id")) for item in world.products if isinstance(item, dict)}
    clouds = [item for item in world.clouds if isinstance(item, dict) and text_of(item.get("id"))]
    listed = {
        text_of(member.get("id") if isinstance(member, dict) else member)
        for cloud in clouds
        for member in cloud.get("cloudProducts") or ()
    }
    return not products - {""} or not clouds or not listed & products - {""}


def events_drifted(world: World) -> bool:
    """What the contract calls drift in events: none of the keys the exporter reads, or
    events listed of which none carries an id and products."""
    if world.feed:
        sections = (("incidentEvent", "incidents"), ("maintenanceEvent", "maintenance"))
        keys = any(key in (world.events.get(section) or {}) for section, key in sections)
    else:
        keys = bool({"incidents", "maintenances"} & world.events.keys())
    listed = [*incidents_of(world.events, world.feed), *maintenances_of(world.events, world.feed)]
    readable = [event for event in listed if text_of(event.get("id")) and "products" in event]
    return not keys or bool(listed and not readable)


def exposition(summary: StatusReport) -> str:
    """What /metrics serves for this summary after a successful collection."""
    now = time.time()
    view = View(
        snapshot=Snapshot(summary, status_families(summary), now),
        up=True,
        last_success=now,
        duration=0.0,
    )
    registry = CollectorRegistry(auto_describe=False, support_collectors_without_names=True)
    registry.register(ScrapeCollector(view, lambda: None))
    return generate_latest(registry).decode("utf-8")


Sample = tuple[str, dict[str, str], float]


def samples(text: str) -> list[Sample]:
    return [
        (sample.name, sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def text_of(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
