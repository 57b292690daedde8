"""The metric families of CONTRACT.md (exporter/collector.py): the status families of one
collection, and the per-scrape gauges each scrape adds."""

from __future__ import annotations

from prometheus_client.metrics_core import Metric

from exporter import __version__
from exporter.collector import ScrapeCollector, scrape_registry, status_families
from exporter.model.report import ProductStatus, StatusReport
from exporter.model.vocabulary import ANOMALY_FIELDS, Anomaly, Impact, Product, Region, State
from exporter.snapshot import Snapshot, View
from exporter.upstream_metrics import UpstreamMetrics
from tests.support.impacts import an_impact

EMEA = Region("EU", "EMEA")
ANALYTICS = Product("503467", "Adobe Analytics", "Adobe Experience Cloud", "c1", (EMEA,))
START = 1_767_225_600.0


def impact(event_id: str, start: float | None) -> Impact:
    return an_impact(event_id, product_name="as the event says", start=start)


def report() -> StatusReport:
    status = ProductStatus(ANALYTICS, State.MAJOR, {"EU": (EMEA, State.MINOR)})
    status.incidents["major"] = 2
    status.maintenances["scheduled"] = 1
    return StatusReport(
        products=[status],
        events=[(impact("E1", START), ANALYTICS), (impact("E2", None), ANALYTICS)],
        anomalies=(Anomaly("severity", "Catastrophic"), Anomaly("severity", "Odd")),
    )


def samples(families: list[Metric]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families
        for sample in family.samples
    }


def labels(**values: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(values.items()))


PRODUCT = {"cloud": "Adobe Experience Cloud", "product": "Adobe Analytics", "product_id": "503467"}


def test_status_families_are_the_contracts_in_order() -> None:
    assert [family.name for family in status_families(report())] == [
        "adobe_status_product_status",
        "adobe_status_region_status",
        "adobe_status_incidents_open",
        "adobe_status_maintenances",
        "adobe_status_event_info",
        "adobe_status_event_start_timestamp_seconds",
        "adobe_status_unknown_values",
    ]
    assert {family.type for family in status_families(report())} == {"gauge"}


def test_product_region_incident_and_maintenance_series_carry_the_states_and_counts() -> None:
    got = samples(status_families(report()))
    assert got[("adobe_status_product_status", labels(**PRODUCT))] == 4
    region = labels(**PRODUCT, region="EMEA", region_id="EU")
    assert got[("adobe_status_region_status", region)] == 3
    assert got[("adobe_status_incidents_open", labels(**PRODUCT, severity="major"))] == 2
    assert got[("adobe_status_incidents_open", labels(**PRODUCT, severity="unknown"))] == 0
    assert got[("adobe_status_maintenances", labels(**PRODUCT, state="scheduled"))] == 1
    assert got[("adobe_status_maintenances", labels(**PRODUCT, state="in_progress"))] == 0


def test_each_open_event_has_an_info_series_named_by_the_catalog() -> None:
    got = samples(status_families(report()))
    info = labels(
        event_id="E1",
        kind="incident",
        product_id="503467",
        product="Adobe Analytics",
        severity="major",
        status="opened",
    )
    assert got[("adobe_status_event_info", info)] == 1


def test_an_event_without_a_start_has_no_start_series() -> None:
    got = samples(status_families(report()))
    starts = {key: v for key, v in got.items() if key[0].startswith("adobe_status_event_start")}
    assert starts == {
        (
            "adobe_status_event_start_timestamp_seconds",
            labels(event_id="E1", kind="incident", product_id="503467"),
        ): START
    }


def test_unknown_values_are_counted_by_field_with_every_field_present() -> None:
    got = samples(status_families(report()))
    unknown = {dict(key[1])["field"]: v for key, v in got.items() if "unknown_values" in key[0]}
    assert unknown == {field: (2.0 if field == "severity" else 0.0) for field in ANOMALY_FIELDS}


def view(*, up: bool, last_success: float | None, with_snapshot: bool = True) -> View:
    snapshot = Snapshot(report(), status_families(report()), START) if with_snapshot else None
    return View(snapshot, up, last_success, 0.25)


def scrape(collector: ScrapeCollector) -> dict[str, float]:
    return {sample.name: sample.value for f in collector.collect() for sample in f.samples}


def test_a_scrape_shows_up_its_last_success_duration_token_expiry_and_build() -> None:
    got = scrape(ScrapeCollector(view(up=True, last_success=START), lambda: START + 3600))
    assert got["adobe_status_up"] == 1
    assert got["adobe_status_last_success_timestamp_seconds"] == START
    assert got["adobe_status_scrape_duration_seconds"] == 0.25
    assert got["adobe_status_token_expiry_timestamp_seconds"] == START + 3600
    assert got["adobe_status_exporter_build_info"] == 1
    assert got["adobe_status_product_status"] == 4


def test_a_failed_scrape_without_any_success_or_token_shows_only_what_it_knows() -> None:
    got = scrape(
        ScrapeCollector(view(up=False, last_success=None, with_snapshot=False), lambda: None)
    )
    assert got == {
        "adobe_status_up": 0,
        "adobe_status_scrape_duration_seconds": 0.25,
        "adobe_status_exporter_build_info": 1,
    }


def test_the_build_info_names_the_version() -> None:
    collector = ScrapeCollector(view(up=True, last_success=START), lambda: None)
    (build,) = [f for f in collector.collect() if f.name == "adobe_status_exporter_build_info"]
    assert build.samples[0].labels == {"version": __version__}


def test_without_status_the_scrape_leaves_the_status_families_out() -> None:
    collector = ScrapeCollector(view(up=True, last_success=START), lambda: None, with_status=False)
    names = {family.name for family in collector.collect()}
    assert not any(
        name in names for name in ("adobe_status_product_status", "adobe_status_event_info")
    )
    assert "adobe_status_up" in names


def test_the_scrape_registry_adds_the_upstream_metrics_and_filters_by_name() -> None:
    registry = scrape_registry(
        view(up=True, last_success=START), lambda: None, UpstreamMetrics().collector
    )
    names = {family.name for family in registry.collect()}
    assert {"adobe_status_up", "adobe_status_api_requests", "adobe_status_product_status"} <= names
    only = registry.restricted_registry(["adobe_status_up"])
    assert [family.name for family in only.collect()] == ["adobe_status_up"]
