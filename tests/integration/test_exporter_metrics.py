"""Every contract metric and label, read from a real exporter scraping the simulator over HTTP."""

from __future__ import annotations

import gzip
import json
import time

import pytest
import requests
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

from exporter.config import Selection
from exporter.deadline import SCRAPE_TIMEOUT_HEADER, Deadline
from exporter.simulator import Simulator
from tests.support.exporters import (
    ExporterFactory,
    FakeClock,
    RunningExporter,
    parse_samples,
    series,
    value,
)
from tests.support.paths import REPO

pytestmark = pytest.mark.integration

CATALOG = json.loads((REPO / "exporter/simulator/catalog.json").read_text())
CATALOG_PRODUCTS = {
    p["id"]: (c["name"], p["name"]) for c in CATALOG["clouds"] for p in c["products"]
}
ANALYTICS = "503467"

# From CONTRACT.md's metrics table: name -> label names.
CONTRACT_METRICS = {
    "adobe_status_product_status": {"cloud", "product", "product_id"},
    "adobe_status_region_status": {"cloud", "product", "product_id", "region", "region_id"},
    "adobe_status_incidents_open": {"cloud", "product", "product_id", "severity"},
    "adobe_status_maintenances": {"cloud", "product", "product_id", "state"},
    "adobe_status_event_info": {"event_id", "kind", "product_id", "product", "severity", "status"},
    "adobe_status_event_start_timestamp_seconds": {"event_id", "kind", "product_id"},
    "adobe_status_token_expiry_timestamp_seconds": set(),
    "adobe_status_token_requests_total": {"result"},
    "adobe_status_api_request_duration_seconds_bucket": {"endpoint", "le"},
    "adobe_status_api_requests_total": {"endpoint", "code"},
    "adobe_status_upstream_errors_total": {"endpoint", "reason"},
    "adobe_status_up": set(),
    "adobe_status_last_success_timestamp_seconds": set(),
    "adobe_status_scrape_duration_seconds": set(),
    "adobe_status_exporter_build_info": {"version"},
}


def test_every_catalog_product_is_served_with_state_0_when_nothing_is_open(
    exporter: RunningExporter,
) -> None:
    samples = exporter.scrape()
    products = {
        s["product_id"]: (s["cloud"], s["product"])
        for s in series(samples, "adobe_status_product_status")
    }
    assert products == CATALOG_PRODUCTS
    assert len(products) == 73
    assert all(
        value(samples, "adobe_status_product_status", cloud=c, product=n, product_id=i) == 0
        for i, (c, n) in products.items()
    )


def test_every_contract_metric_is_present_with_its_labels(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    simulator.add_incident(product_id=ANALYTICS, severity="Major")
    samples = exporter.scrape()
    for name, labels in CONTRACT_METRICS.items():
        found = series(samples, name)
        assert found, f"{name} missing"
        assert all(set(s) == labels for s in found), f"{name} labels {found[0]} != {labels}"


def test_major_incident_sets_product_state_4_and_only_for_that_product(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    event_id = simulator.add_incident(product_id=ANALYTICS, severity="Major", status="Opened")
    samples = exporter.scrape()
    states = {
        s["product_id"]: value(samples, "adobe_status_product_status", **s)
        for s in series(samples, "adobe_status_product_status")
    }
    assert states.pop(ANALYTICS) == 4
    assert set(states.values()) == {0}
    cloud, name = CATALOG_PRODUCTS[ANALYTICS]
    labels = {"cloud": cloud, "product": name, "product_id": ANALYTICS}
    assert value(samples, "adobe_status_incidents_open", **labels, severity="major") == 1
    assert value(samples, "adobe_status_incidents_open", **labels, severity="minor") == 0
    info = [s for s in series(samples, "adobe_status_event_info") if s["event_id"] == event_id]
    assert info == [
        {
            "event_id": event_id,
            "kind": "incident",
            "product_id": ANALYTICS,
            "product": name,
            "severity": "major",
            "status": "opened",
        }
    ]
    start = value(
        samples,
        "adobe_status_event_start_timestamp_seconds",
        event_id=event_id,
        kind="incident",
        product_id=ANALYTICS,
    )
    assert start is not None and start > 1.7e9


def test_incident_without_region_marks_every_region_of_the_product(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    simulator.add_incident(product_id=ANALYTICS, severity="Minor", region_ids=None)
    samples = exporter.scrape()
    regions = [
        s for s in series(samples, "adobe_status_region_status") if s["product_id"] == ANALYTICS
    ]
    assert regions, "the simulator gives every product regions"
    assert {value(samples, "adobe_status_region_status", **s) for s in regions} == {3}


def test_incident_in_one_region_marks_only_that_region(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    first = exporter.scrape()
    regions = [
        s for s in series(first, "adobe_status_region_status") if s["product_id"] == ANALYTICS
    ]
    assert len(regions) >= 2, regions
    target = regions[0]["region_id"]
    simulator.add_incident(product_id=ANALYTICS, severity="Major", region_ids=[target])
    samples = exporter.scrape()
    by_region = {
        s["region_id"]: value(samples, "adobe_status_region_status", **s)
        for s in series(samples, "adobe_status_region_status")
        if s["product_id"] == ANALYTICS
    }
    assert by_region.pop(target) == 4
    assert set(by_region.values()) == {0}


def test_maintenance_in_progress_sets_state_1_and_scheduled_only_counts(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    simulator.add_maintenance(product_id=ANALYTICS, status="Started")
    simulator.add_maintenance(product_id="503486", status="Scheduled")
    samples = exporter.scrape()
    analytics = {
        "cloud": CATALOG_PRODUCTS[ANALYTICS][0],
        "product": CATALOG_PRODUCTS[ANALYTICS][1],
        "product_id": ANALYTICS,
    }
    manager = {
        "cloud": CATALOG_PRODUCTS["503486"][0],
        "product": CATALOG_PRODUCTS["503486"][1],
        "product_id": "503486",
    }
    assert value(samples, "adobe_status_product_status", **analytics) == 1
    assert value(samples, "adobe_status_maintenances", **analytics, state="in_progress") == 1
    assert value(samples, "adobe_status_product_status", **manager) == 0
    assert value(samples, "adobe_status_maintenances", **manager, state="scheduled") == 1
    kinds = {
        (s["product_id"], s["kind"], s["status"])
        for s in series(samples, "adobe_status_event_info")
    }
    assert kinds == {
        (ANALYTICS, "maintenance", "in_progress"),
        ("503486", "maintenance", "scheduled"),
    }


def test_resolved_incident_returns_product_to_0(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    event_id = simulator.add_incident(product_id=ANALYTICS, severity="Major")
    assert exporter.scrape()[("adobe_status_up", frozenset())] == 1
    simulator.update_incident(event_id, status="Closed")
    samples = exporter.scrape()
    cloud, name = CATALOG_PRODUCTS[ANALYTICS]
    assert (
        value(
            samples, "adobe_status_product_status", cloud=cloud, product=name, product_id=ANALYTICS
        )
        == 0
    )
    assert series(samples, "adobe_status_event_info") == []


def test_self_metrics_after_a_good_scrape(exporter: RunningExporter, clock: object) -> None:
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 1
    assert value(samples, "adobe_status_token_requests_total", result="success") == 1
    assert value(samples, "adobe_status_token_requests_total", result="failure") == 0
    for endpoint in ("token", "events", "products", "clouds"):
        assert (
            value(samples, "adobe_status_api_request_duration_seconds_count", endpoint=endpoint)
            == 1
        )
    assert value(samples, "adobe_status_api_requests_total", endpoint="events", code="200") == 1
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="events", reason="http") == 0
    )
    expiry = value(samples, "adobe_status_token_expiry_timestamp_seconds")
    last = value(samples, "adobe_status_last_success_timestamp_seconds")
    assert expiry is not None and last is not None
    assert expiry - last == pytest.approx(86399, abs=5)
    assert (
        value(
            samples, "adobe_status_exporter_build_info", version=__import__("exporter").__version__
        )
        == 1
    )


def test_catalog_is_cached_between_scrapes(simulator: Simulator, exporter: RunningExporter) -> None:
    for _ in range(3):
        exporter.scrape()
    assert simulator.requests("products") == 1
    assert simulator.requests("clouds") == 1
    assert simulator.requests("events") == 3


def test_registry_refreshed_after_registry_ttl(
    simulator: Simulator, make_exporter: ExporterFactory, clock: FakeClock
) -> None:
    exporter = make_exporter(registry_ttl=60)
    exporter.scrape()
    clock.advance(61)
    exporter.scrape()
    assert simulator.requests("products") == 2


def test_product_selection_by_name_limits_series(
    simulator: Simulator, make_exporter: ExporterFactory
) -> None:
    simulator.add_incident(product_id="503493", severity="Major")  # Photoshop, not selected
    exporter = make_exporter(selection=Selection(products=("Adobe Analytics", "503486")))
    samples = exporter.scrape()
    assert sorted(s["product_id"] for s in series(samples, "adobe_status_product_status")) == [
        "503467",
        "503486",
    ]
    assert series(samples, "adobe_status_event_info") == []


def test_cloud_selection_limits_series(make_exporter: ExporterFactory) -> None:
    exporter = make_exporter(selection=Selection(clouds=("Adobe Document Cloud",)))
    samples = exporter.scrape()
    assert {s["cloud"] for s in series(samples, "adobe_status_product_status")} == {
        "Adobe Document Cloud"
    }
    assert len(series(samples, "adobe_status_product_status")) == 3


def test_openmetrics_when_asked(exporter: RunningExporter) -> None:
    response = exporter.get(
        "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert response.headers["Content-Type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


def test_gzip_when_asked(exporter: RunningExporter) -> None:
    response = requests.get(
        exporter.url + "/metrics", headers={"Accept-Encoding": "gzip"}, timeout=30, stream=True
    )
    assert response.headers.get("Content-Encoding") == "gzip"
    text = gzip.decompress(response.raw.read()).decode()
    assert "adobe_status_up 1.0" in text.splitlines()


def test_name_filter_limits_families(exporter: RunningExporter) -> None:
    response = exporter.get(
        "/metrics", params={"name[]": ["adobe_status_up", "adobe_status_product_status"]}
    )
    names = {name for name, _ in parse_samples(response.text)}
    assert names == {"adobe_status_up", "adobe_status_product_status"}


def test_health_and_readiness(exporter: RunningExporter) -> None:
    assert exporter.get("/-/healthy").status_code == 200
    assert exporter.get("/-/ready").status_code == 503  # no collection attempted yet
    exporter.scrape()
    assert exporter.get("/-/ready").status_code == 200


def test_ready_stays_200_when_adobe_fails(simulator: Simulator, exporter: RunningExporter) -> None:
    simulator.inject("token", status=500, times=None)
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 0
    assert exporter.get("/-/ready").status_code == 200


def test_unknown_path_is_404_and_post_is_405(exporter: RunningExporter) -> None:
    assert exporter.get("/nope").status_code == 404
    assert requests.post(exporter.url + "/metrics", timeout=10).status_code == 405


def test_status_page_shows_products_states_and_events(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    event_id = simulator.add_incident(product_id=ANALYTICS, severity="Major")
    exporter.scrape()
    page = exporter.get("/")
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Adobe Analytics" in page.text and "Major issue" in page.text
    assert event_id in page.text
    assert __import__("exporter").__version__ in page.text


# --- no _created series (CONTRACT.md: "No `_created` series are exposed") ------------------


ASKING_FOR_CREATED = (
    "?name[]=adobe_status_api_requests_total&name[]=adobe_status_api_requests_created"
)


@pytest.mark.parametrize("query", ["", ASKING_FOR_CREATED])
@pytest.mark.parametrize("accept", ["text/plain", "application/openmetrics-text; version=1.0.0"])
def test_no_created_series_in_either_format(
    exporter: RunningExporter, accept: str, query: str
) -> None:
    exporter.scrape()  # counters and histograms now have samples
    response = exporter.get("/metrics" + query, headers={"Accept": accept})
    assert response.status_code == 200
    if accept.startswith("application/openmetrics-text"):
        families = list(openmetrics_families(response.text))  # type: ignore[no-untyped-call]
    else:
        families = list(text_string_to_metric_families(response.text))
    samples = [sample.name for family in families for sample in family.samples]
    assert "adobe_status_api_requests_total" in samples
    assert [name for name in samples if name.endswith("_created")] == []


# --- X-Prometheus-Scrape-Timeout-Seconds: whatever it says, the scrape still works ---------


@pytest.mark.parametrize("header", ["inf", "-inf", "nan", "1e300", "-1", "0", "-0", "soon", ""])
def test_absurd_scrape_timeout_header_still_gives_a_good_scrape(
    exporter: RunningExporter, header: str
) -> None:
    response = exporter.get("/metrics", headers={"X-Prometheus-Scrape-Timeout-Seconds": header})
    assert response.status_code == 200
    assert value(parse_samples(response.text), "adobe_status_up") == 1
    errors = [
        labels
        for (name, labels), count in parse_samples(response.text).items()
        if name == "adobe_status_upstream_errors_total" and count > 0
    ]
    assert errors == []


@pytest.mark.parametrize(
    "header", ["inf", "nan", "1e300", "3600.001", "-1", "0", "-0", "10s", "0x10", "", "\x00"]
)
def test_scrape_timeout_header_out_of_range_sets_no_overall_deadline(header: str) -> None:
    assert Deadline.from_scrape({SCRAPE_TIMEOUT_HEADER: header}).at is None


@pytest.mark.parametrize("seconds", [0.01, 10.0, 3600.0])
def test_scrape_timeout_header_in_range_sets_a_deadline_half_a_second_earlier(
    seconds: float,
) -> None:
    before = time.monotonic()
    deadline = Deadline.from_scrape({SCRAPE_TIMEOUT_HEADER: str(seconds)})
    after = time.monotonic()
    budget = max(seconds - 0.5, 0.05)
    assert deadline.at is not None
    assert before + budget <= deadline.at <= after + budget
