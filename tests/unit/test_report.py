"""From the catalog and open events to a StatusReport (exporter/model/report.py): a selection
resolved to ids (never widened), every selected product and region zero-filled, each event
counted once per product (its worst listing), and an event that names no region affecting
every region of the product."""

from __future__ import annotations

from dataclasses import replace

import pytest

from exporter.config import Selection
from exporter.model.report import ProductStatus, Scope, StatusReport, resolve, summarize
from exporter.model.vocabulary import (
    Anomaly,
    Impact,
    Product,
    ProductCatalog,
    Region,
    State,
    severity_state,
)

AMERICAS, EMEA, APAC = Region("NA", "Americas"), Region("EU", "EMEA"), Region("AP", "APAC")
ANALYTICS = Product("p1", "Analytics", "Experience Cloud", "c1", (AMERICAS, EMEA))
PHOTOSHOP = Product("p2", "Photoshop", "Creative Cloud", "c2", (AMERICAS, APAC))
CATALOG = ProductCatalog(
    products={"p1": ANALYTICS, "p2": PHOTOSHOP},
    clouds={"c1": "Experience Cloud", "c2": "Creative Cloud"},
)
EVERYTHING = resolve(Selection(), CATALOG)


def incident(
    product_id: str = "p1",
    severity: str = "major",
    regions: tuple[Region, ...] = (),
    event_id: str = "e1",
    **fields: object,
) -> Impact:
    impact = Impact(
        event_id=event_id,
        kind="incident",
        product_id=product_id,
        product_name=f"name of {product_id}",
        severity=severity,
        status="opened",
        state=severity_state(severity),
        region_ids=tuple(region.id for region in regions),
        region_names=tuple(region.name for region in regions),
        clouds=(),
        start=1_767_225_600.0,
    )
    return replace(impact, **fields)  # type: ignore[arg-type]


def maintenance(status: str = "in_progress", event_id: str = "m1", **fields: object) -> Impact:
    state = State.MAINTENANCE if status == "in_progress" else State.OPERATIONAL
    fields = {"kind": "maintenance", "severity": "none", "status": status, "state": state, **fields}
    return incident(event_id=event_id, **fields)  # type: ignore[arg-type]


def product(report: StatusReport, product_id: str) -> ProductStatus:
    (status,) = [s for s in report.products if s.product.id == product_id]
    return status


def regions(status: ProductStatus) -> dict[str, State]:
    return {region.name: state for region, state in status.regions.values()}


# --- resolving a selection ---------------------------------------------------------------


def test_an_empty_selection_wants_everything_and_asks_no_filter() -> None:
    assert Scope(None, None, None) == EVERYTHING
    assert EVERYTHING.query_params() == {}


def test_names_and_ids_resolve_to_ids_for_products_clouds_and_regions() -> None:
    scope = resolve(
        Selection(products=("Analytics", "p2"), clouds=("Creative Cloud",), regions=("EMEA",)),
        CATALOG,
    )
    assert scope == Scope(frozenset({"p1", "p2"}), frozenset({"c2"}), frozenset({"EU"}))
    assert scope.query_params() == {
        "productIds": ["p1", "p2"],
        "cloudIds": ["c2"],
        "regionIds": ["EU"],
    }


def test_a_region_id_is_taken_as_it_is() -> None:
    assert resolve(Selection(regions=("AP",)), CATALOG).region_ids == frozenset({"AP"})


def test_an_unknown_value_is_kept_as_an_id_and_reported() -> None:
    scope = resolve(Selection(products=("Nope",), clouds=("Nowhere",), regions=("Moon",)), CATALOG)
    assert scope == Scope(
        frozenset({"Nope"}),
        frozenset({"Nowhere"}),
        frozenset({"Moon"}),
        ("Nope", "Nowhere", "Moon"),
    )


# --- zero-filled states ----------------------------------------------------------------


def test_without_events_every_product_and_region_is_operational() -> None:
    report = summarize(CATALOG, [], EVERYTHING)
    assert [s.product for s in report.products] == [ANALYTICS, PHOTOSHOP]
    for status in report.products:
        assert status.state == State.OPERATIONAL
        assert set(regions(status).values()) == {State.OPERATIONAL}
        assert set(status.incidents.values()) == {0}
        assert set(status.maintenances.values()) == {0}
    assert report.events == []


def test_the_selection_keeps_only_its_products_and_regions() -> None:
    scope = resolve(Selection(clouds=("Creative Cloud",), regions=("APAC",)), CATALOG)
    report = summarize(CATALOG, [incident("p1"), incident("p2", regions=(APAC,))], scope)
    assert [s.product.id for s in report.products] == ["p2"]
    assert regions(product(report, "p2")) == {"APAC": State.MAJOR}
    assert [(impact.product_id, p.id) for impact, p in report.events] == [("p2", "p2")]


def test_anomalies_are_carried_into_the_report() -> None:
    anomalies = [Anomaly("severity", "Catastrophic")]
    assert summarize(CATALOG, [], EVERYTHING, anomalies).anomalies == tuple(anomalies)


# --- events ----------------------------------------------------------------------------


def test_an_event_naming_no_region_affects_every_region_of_the_product() -> None:
    report = summarize(CATALOG, [incident("p1", "minor")], EVERYTHING)
    assert product(report, "p1").state == State.MINOR
    assert regions(product(report, "p1")) == {"Americas": State.MINOR, "EMEA": State.MINOR}
    assert product(report, "p2").state == State.OPERATIONAL


def test_an_event_naming_a_region_affects_that_region_only() -> None:
    report = summarize(CATALOG, [incident("p1", regions=(EMEA,))], EVERYTHING)
    assert regions(product(report, "p1")) == {"Americas": State.OPERATIONAL, "EMEA": State.MAJOR}


def test_the_worst_event_sets_the_state_of_product_and_region() -> None:
    impacts = [
        incident("p1", "minor", regions=(AMERICAS,), event_id="a"),
        incident("p1", "major", regions=(AMERICAS,), event_id="b"),
        maintenance(regions=(EMEA,)),
        incident("p1", "potential", regions=(EMEA,), event_id="c"),
    ]
    status = product(summarize(CATALOG, impacts, EVERYTHING), "p1")
    assert status.state == State.MAJOR
    assert regions(status) == {"Americas": State.MAJOR, "EMEA": State.POTENTIAL}


def test_incidents_and_maintenances_are_counted_by_severity_and_by_state() -> None:
    impacts = [
        incident(event_id="a", severity="minor"),
        incident(event_id="b", severity="minor"),
        incident(event_id="c", severity="major"),
        maintenance(event_id="m1"),
        maintenance(event_id="m2", status="scheduled"),
        maintenance(event_id="m3", status="scheduled"),
    ]
    status = product(summarize(CATALOG, impacts, EVERYTHING), "p1")
    assert status.incidents == {"major": 1, "minor": 2, "potential": 0, "trivial": 0, "unknown": 0}
    assert status.maintenances == {"in_progress": 1, "scheduled": 2}
    assert status.state == State.MAJOR


def test_a_scheduled_maintenance_leaves_the_state_operational() -> None:
    status = product(summarize(CATALOG, [maintenance(status="scheduled")], EVERYTHING), "p1")
    assert status.state == State.OPERATIONAL
    assert status.maintenances["scheduled"] == 1


def test_an_event_listing_a_product_twice_counts_once_with_its_worst_listing() -> None:
    impacts = [
        incident("p1", "minor", regions=(AMERICAS,)),
        incident("p1", "major", regions=(EMEA,)),
        incident("p1", "potential", regions=(AMERICAS,)),
    ]
    for order in (impacts, impacts[::-1]):
        report = summarize(CATALOG, order, EVERYTHING)
        status = product(report, "p1")
        assert status.incidents["major"] == 1 and sum(status.incidents.values()) == 1
        assert [impact.severity for impact, _ in report.events] == ["major"]
        # Every region the event names is shown; the kept listing sets the states.
        assert regions(status) == {"Americas": State.OPERATIONAL, "EMEA": State.MAJOR}


def test_a_known_severity_wins_over_unknown_at_the_same_state() -> None:
    impacts = [incident(severity="unknown"), incident(severity="minor")]
    for order in (impacts, impacts[::-1]):
        status = product(summarize(CATALOG, order, EVERYTHING), "p1")
        assert status.incidents["minor"] == 1 and status.incidents["unknown"] == 0


def test_duplicates_differing_only_in_a_missing_start_are_ordered_without_error() -> None:
    impacts = [incident(start=None), incident(start=1_767_225_600.0)]
    for order in (impacts, impacts[::-1]):
        report = summarize(CATALOG, order, EVERYTHING)
        assert [impact.start for impact, _ in report.events] == [1_767_225_600.0]


def test_an_event_naming_only_regions_outside_the_selection_is_left_out() -> None:
    scope = resolve(Selection(regions=("Americas",)), CATALOG)
    impacts = [incident("p1", regions=(EMEA,)), incident("p2", regions=(AMERICAS,), event_id="x")]
    report = summarize(CATALOG, impacts, scope)
    assert product(report, "p1").state == State.OPERATIONAL
    assert sum(product(report, "p1").incidents.values()) == 0
    assert product(report, "p2").state == State.MAJOR
    assert [impact.event_id for impact, _ in report.events] == ["x"]


def test_a_region_the_catalog_does_not_list_is_added_under_the_events_name() -> None:
    mars = Region("MA", "Mars")
    status = product(summarize(CATALOG, [incident("p1", regions=(mars,))], EVERYTHING), "p1")
    assert regions(status) == {
        "Americas": State.OPERATIONAL,
        "EMEA": State.OPERATIONAL,
        "Mars": State.MAJOR,
    }


# --- products the catalog does not know (yet) ---------------------------------------------


def test_an_unlisted_product_is_shown_with_what_the_event_says_of_it() -> None:
    impact = incident("p9", clouds=(("c2", "Cloud as the event says"),), regions=(EMEA,))
    report = summarize(CATALOG, [impact], EVERYTHING)
    status = product(report, "p9")
    # The catalog's name of a cloud it knows, the event's name of the product.
    assert status.product == Product("p9", "name of p9", "Creative Cloud", "c2")
    assert status.state == State.MAJOR
    assert regions(status) == {"EMEA": State.MAJOR}
    assert [s.product.id for s in report.products] == ["p1", "p2", "p9"]


def test_an_unlisted_product_in_an_unknown_cloud_keeps_the_events_cloud_name() -> None:
    impact = incident("p9", clouds=(("c7", "Document Cloud"), ("c2", "Creative Cloud")))
    status = product(summarize(CATALOG, [impact], EVERYTHING), "p9")
    assert (status.product.cloud, status.product.cloud_id) == ("Document Cloud", "c7")


def test_an_unlisted_product_naming_no_cloud_is_in_the_unknown_cloud() -> None:
    status = product(summarize(CATALOG, [incident("p9")], EVERYTHING), "p9")
    assert (status.product.cloud, status.product.cloud_id) == ("unknown", "")


def test_two_events_of_one_unlisted_product_make_one_product() -> None:
    impacts = [incident("p9", "minor", event_id="a"), incident("p9", "major", event_id="b")]
    report = summarize(CATALOG, impacts, EVERYTHING)
    status = product(report, "p9")
    assert (status.incidents["minor"], status.incidents["major"]) == (1, 1)
    assert status.state == State.MAJOR


@pytest.mark.parametrize(
    ("selection", "shown"),
    [
        (Selection(products=("p9",)), True),
        (Selection(products=("p1",)), False),
        (Selection(clouds=("Creative Cloud",)), True),
        (Selection(clouds=("Experience Cloud",)), False),
    ],
)
def test_an_unlisted_product_follows_the_selection(selection: Selection, shown: bool) -> None:
    impact = incident("p9", clouds=(("c2", "Creative Cloud"),))
    report = summarize(CATALOG, [impact], resolve(selection, CATALOG))
    assert ("p9" in [s.product.id for s in report.products]) is shown
    assert bool(report.events) is shown


def test_an_unlisted_product_gets_only_the_selected_regions() -> None:
    scope = resolve(Selection(regions=("EMEA",)), CATALOG)
    impact = incident("p9", regions=(AMERICAS, EMEA))
    status = product(summarize(CATALOG, [impact], scope), "p9")
    assert regions(status) == {"EMEA": State.MAJOR}


def test_a_catalog_product_outside_the_selection_stays_out_whatever_its_event_says() -> None:
    # The catalog puts Analytics in Experience Cloud; its event names Creative Cloud.
    scope = resolve(Selection(clouds=("Creative Cloud",)), CATALOG)
    impact = incident("p1", clouds=(("c2", "Creative Cloud"),))
    report = summarize(CATALOG, [impact], scope)
    assert [s.product.id for s in report.products] == ["p2"]
    assert report.events == []
