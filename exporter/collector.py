"""Metric families, exactly as CONTRACT.md names them.

Status families are built once per upstream collection (`status_families`); each
scrape adds the few per-scrape gauges (`ScrapeCollector`). Sample output:

    adobe_status_product_status{cloud="Adobe Experience Cloud",product="Adobe Analytics",product_id="503467"} 4
    adobe_status_region_status{cloud="...",product="Adobe Analytics",product_id="503467",region="EMEA",region_id="EMEA"} 4
    adobe_status_incidents_open{cloud="...",product="Adobe Analytics",product_id="503467",severity="major"} 1
    adobe_status_maintenances{cloud="...",product="Adobe Analytics",product_id="503467",state="scheduled"} 0
    adobe_status_event_info{event_id="202608040123",kind="incident",product="Adobe Analytics",product_id="503467",severity="major",status="opened"} 1
    adobe_status_event_start_timestamp_seconds{event_id="202608040123",kind="incident",product_id="503467"} 1.7643e+09
    adobe_status_up 1
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from exporter import __version__
from exporter.model.report import StatusReport
from exporter.model.vocabulary import ANOMALY_FIELDS
from exporter.snapshot import View

PRODUCT_LABELS = ["cloud", "product", "product_id"]


def status_families(report: StatusReport) -> list[Metric]:
    """The per-product, per-region and per-event families of one collection."""
    product = GaugeMetricFamily(
        "adobe_status_product_status",
        "Worst current state of the product: 0 operational, 1 maintenance in progress, "
        "2 potential or trivial issue, 3 minor issue, 4 major issue.",
        labels=PRODUCT_LABELS,
    )
    region = GaugeMetricFamily(
        "adobe_status_region_status",
        "Worst current state of the product in the region (same codes as "
        "adobe_status_product_status); an event naming no region affects all regions.",
        labels=[*PRODUCT_LABELS, "region", "region_id"],
    )
    incidents = GaugeMetricFamily(
        "adobe_status_incidents_open",
        "Open incidents of the product, by severity.",
        labels=[*PRODUCT_LABELS, "severity"],
    )
    maintenances = GaugeMetricFamily(
        "adobe_status_maintenances",
        "Maintenances of the product, by state (in_progress or scheduled).",
        labels=[*PRODUCT_LABELS, "state"],
    )
    for status in report.products:
        p = status.product
        ids = [p.cloud, p.name, p.id]
        product.add_metric(ids, float(status.state))
        for reg, state in status.regions.values():
            region.add_metric([*ids, reg.name, reg.id], float(state))
        for severity, count in status.incidents.items():
            incidents.add_metric([*ids, severity], float(count))
        for state_name, count in status.maintenances.items():
            maintenances.add_metric([*ids, state_name], float(count))

    info = GaugeMetricFamily(
        "adobe_status_event_info",
        "One series per open event and product it affects; the value is always 1.",
        labels=["event_id", "kind", "product_id", "product", "severity", "status"],
    )
    start = GaugeMetricFamily(
        "adobe_status_event_start_timestamp_seconds",
        "Start (or scheduled start) of the open event, in Unix seconds.",
        labels=["event_id", "kind", "product_id"],
    )
    for impact, prod in report.events:  # one per event and product (see summarize)
        key = (impact.event_id, impact.kind, prod.id)
        info.add_metric([*key, prod.name, impact.severity, impact.status], 1.0)
        if impact.start is not None:
            start.add_metric(list(key), impact.start)

    unknown = GaugeMetricFamily(
        "adobe_status_unknown_values",
        "Upstream values in the last collection that the exporter did not recognise and "
        "mapped to their documented fallback (schema drift), by field.",
        labels=["field"],
    )
    counts = Counter(anomaly.field for anomaly in report.anomalies)
    for field in ANOMALY_FIELDS:
        unknown.add_metric([field], float(counts.get(field, 0)))
    return [product, region, incidents, maintenances, info, start, unknown]


def scrape_registry(
    view: View,
    token_expiry: Callable[[], float | None],
    self_metrics: Collector,
    *,
    with_status: bool = True,
) -> CollectorRegistry:
    """Everything one scrape exposes (`/metrics`, `check --format prometheus`) for one view.

    `self_metrics` are the process-lifetime upstream metrics (`UpstreamMetrics.collector`).
    """
    # The collectors describe no names up front (that would mean collecting twice);
    # without this flag prometheus_client's name[] filter would skip them.
    registry = CollectorRegistry(auto_describe=False, support_collectors_without_names=True)
    registry.register(ScrapeCollector(view, token_expiry, with_status=with_status))
    registry.register(self_metrics)
    return registry


class ScrapeCollector:
    """Yields what one scrape shows: the view's status families plus per-scrape gauges.

    `with_status=False` leaves the status families out, for a caller that serves them
    already encoded (`Snapshot.encoded`).
    """

    def __init__(
        self, view: View, token_expiry: Callable[[], float | None], *, with_status: bool = True
    ) -> None:
        self._view = view
        self._token_expiry = token_expiry
        self._with_status = with_status

    def collect(self) -> Iterator[Metric]:
        view = self._view
        if view.snapshot is not None and self._with_status:
            yield from view.snapshot.families
        yield _gauge(
            "adobe_status_up",
            "1 when this scrape's data comes from a successful upstream query (or a fresh "
            "cache), else 0.",
            1.0 if view.up else 0.0,
        )
        if view.last_success is not None:
            yield _gauge(
                "adobe_status_last_success_timestamp_seconds",
                "Time of the last successful collection from Adobe, in Unix seconds; a "
                "collection is reused for --cache-ttl seconds (default 0 with the Status API "
                "source, 60 with the public feed source).",
                view.last_success,
            )
        yield _gauge(
            "adobe_status_scrape_duration_seconds",
            "How long this scrape's collection took, in seconds.",
            view.duration,
        )
        expiry = self._token_expiry()
        if expiry is not None:
            yield _gauge(
                "adobe_status_token_expiry_timestamp_seconds",
                "When the cached Adobe IMS access token expires, in Unix seconds.",
                expiry,
            )
        build = GaugeMetricFamily(
            "adobe_status_exporter_build_info",
            "Build information of the exporter; the value is always 1.",
            labels=["version"],
        )
        build.add_metric([__version__], 1.0)
        yield build

    def describe(self) -> Sequence[Metric]:
        # Registering must not trigger a collection.
        return []


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
