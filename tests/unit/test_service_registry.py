"""The public feed's SnowServiceRegistry read into the catalog (exporter/sources/feed/
service_registry.py): a product's regions are its services' environments' regions (its own
services and its offerings'); a top level it cannot read is a ShapeError; a malformed entry or
reference is skipped and reported as a `malformed_entry` anomaly naming what it was (the log
says "skipped a malformed registry entry (offering)")."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from exporter.model.vocabulary import Anomaly, Product, Region
from exporter.sources.feed.service_registry import parse_service_registry
from exporter.sources.reading import ShapeError

EXPERIENCE = {"id": "c1", "name": "Experience Cloud", "cloudProducts": ["p1"]}


def document(**sections: Any) -> dict[str, Any]:
    """A registry: one cloud and product p1 on service s1 in environment e1 (Americas),
    unless a section is given."""
    return copy.deepcopy(
        {
            "clouds": {"c1": EXPERIENCE},
            "products": {"p1": {"id": "p1", "name": "Analytics", "productServices": ["s1"]}},
            "offerings": {},
            "services": {"s1": {"id": "s1", "name": "API", "serviceEnvironments": ["e1"]}},
            "environments": {"e1": {"id": "e1", "name": "prod", "regionId": ["Americas"]}},
            **sections,
        }
    )


def regions(product: Product) -> list[str]:
    assert all(region.id == region.name for region in product.regions)
    return [region.id for region in product.regions]


def shape_error(payload: object) -> str:
    with pytest.raises(ShapeError) as raised:
        parse_service_registry(payload)
    return str(raised.value)


def test_a_product_is_read_with_its_cloud_and_its_services_regions() -> None:
    catalog, anomalies = parse_service_registry(document())
    assert catalog.products == {
        "p1": Product(
            "p1", "Analytics", "Experience Cloud", "c1", (Region("Americas", "Americas"),)
        )
    }
    assert catalog.clouds == {"c1": "Experience Cloud"}
    assert anomalies == []


def test_regions_come_from_own_services_and_offerings_services_once_each_in_order() -> None:
    catalog, anomalies = parse_service_registry(
        document(
            products={
                "p1": {
                    "id": "p1",
                    "name": "Analytics",
                    "productServices": ["s1", "s2"],
                    "productOfferings": ["o1"],
                }
            },
            offerings={"o1": {"id": "o1", "name": "Offer", "productServices": ["s3", "s1"]}},
            services={
                "s1": {"id": "s1", "serviceEnvironments": ["e1", "e2"]},
                "s2": {"id": "s2", "serviceEnvironments": ["e2"]},
                "s3": {"id": "s3", "serviceEnvironments": ["e3"]},
            },
            environments={
                "e1": {"id": "e1", "regionId": ["Americas"]},
                "e2": {"id": "e2", "regionId": ["EMEA", "Americas"]},
                "e3": {"id": "e3", "regionId": ["APAC"]},
            },
        )
    )
    assert regions(catalog.products["p1"]) == ["Americas", "EMEA", "APAC"]
    assert anomalies == []


def test_references_to_entries_that_do_not_exist_add_no_region() -> None:
    catalog, anomalies = parse_service_registry(
        document(
            products={
                "p1": {"id": "p1", "productServices": ["gone"], "productOfferings": ["none"]}
            },
            services={"s1": {"id": "s1", "serviceEnvironments": ["missing"]}},
        )
    )
    assert regions(catalog.products["p1"]) == []
    assert anomalies == []


def test_the_list_form_of_each_section_reads_like_the_map_form() -> None:
    as_maps = document()
    as_lists = {key: list(section.values()) for key, section in as_maps.items()}
    assert parse_service_registry(as_lists) == parse_service_registry(as_maps)


def test_an_entry_without_its_own_id_takes_its_key() -> None:
    catalog, anomalies = parse_service_registry(
        document(
            clouds={"c1": {"name": "Experience Cloud", "cloudProducts": ["p1"]}},
            products={"p1": {"name": "Analytics", "productServices": ["s1"]}},
            services={"s1": {"serviceEnvironments": ["e1"]}},
            environments={"e1": {"regionId": ["Americas"]}},
        )
    )
    assert catalog.products["p1"] == Product(
        "p1", "Analytics", "Experience Cloud", "c1", (Region("Americas", "Americas"),)
    )
    assert anomalies == []


def test_integer_ids_read_as_their_digits_and_a_lone_id_as_a_list_of_one() -> None:
    catalog, anomalies = parse_service_registry(
        document(
            clouds={"7": {"id": 7, "name": "Creative Cloud", "cloudProducts": 42}},
            products={"42": {"id": 42, "name": "Photoshop", "productServices": 5}},
            services={"5": {"id": 5, "serviceEnvironments": 9}},
            environments={"9": {"id": 9, "regionId": "EMEA"}},
        )
    )
    assert catalog.products == {
        "42": Product("42", "Photoshop", "Creative Cloud", "7", (Region("EMEA", "EMEA"),))
    }
    assert anomalies == []


def test_names_are_stripped_and_a_missing_name_is_the_id() -> None:
    catalog, _ = parse_service_registry(
        document(
            clouds={"c1": {"id": "c1", "name": "  ", "cloudProducts": ["p1"]}},
            products={"p1": {"id": " p1 ", "name": "  Analytics \n", "productServices": ["s1"]}},
        )
    )
    assert catalog.products["p1"].name == "Analytics"
    assert catalog.products["p1"].cloud == "c1"
    assert catalog.clouds == {"c1": "c1"}


def test_a_product_in_no_cloud_has_the_unknown_cloud() -> None:
    catalog, _ = parse_service_registry(document(clouds={}))
    assert (catalog.products["p1"].cloud, catalog.products["p1"].cloud_id) == ("unknown", "")


def test_a_product_listed_in_two_clouds_keeps_the_first() -> None:
    second = {"id": "c2", "name": "Creative Cloud", "cloudProducts": ["p1"]}
    catalog, _ = parse_service_registry(document(clouds={"c1": EXPERIENCE, "c2": second}))
    assert (catalog.products["p1"].cloud, catalog.products["p1"].cloud_id) == (
        "Experience Cloud",
        "c1",
    )
    assert catalog.clouds == {"c1": "Experience Cloud", "c2": "Creative Cloud"}


def test_a_repeated_id_keeps_the_first_entry() -> None:
    catalog, _ = parse_service_registry(
        document(
            products=[
                {"id": "p1", "name": "First", "productServices": ["s1"]},
                {"id": "p1", "name": "Second"},
            ]
        )
    )
    assert [product.name for product in catalog.products.values()] == ["First"]


@pytest.mark.parametrize(
    ("section", "what"),
    [
        ("clouds", "cloud"),
        ("products", "product"),
        ("offerings", "offering"),
        ("services", "service"),
        ("environments", "environment"),
    ],
)
@pytest.mark.parametrize("bad", ["just text", None, 3, ["a list"]], ids=repr)
def test_a_malformed_entry_is_skipped_and_reported_by_section(
    section: str, what: str, bad: object
) -> None:
    payload = document()
    payload[section] = {**payload[section], "bad": bad}
    catalog, anomalies = parse_service_registry(payload)
    assert anomalies == [Anomaly("malformed_entry", what)]
    assert "bad" not in catalog.products
    assert regions(catalog.products["p1"]) == ["Americas"]


@pytest.mark.parametrize("entry_id", [None, "", "   ", True, 1.5, {}])
def test_an_entry_in_a_list_without_a_usable_id_is_malformed(entry_id: object) -> None:
    payload = document(products=[{"id": entry_id, "name": "Nameless"}, {"id": "p2"}])
    catalog, anomalies = parse_service_registry(payload)
    assert list(catalog.products) == ["p2"]
    assert anomalies == [Anomaly("malformed_entry", "product")]


@pytest.mark.parametrize(
    ("where", "field"),
    [
        (("clouds", "c1", "cloudProducts"), "cloudProducts"),
        (("products", "p1", "productServices"), "productServices"),
        (("products", "p1", "productOfferings"), "productOfferings"),
        (("offerings", "o1", "productServices"), "productServices"),
        (("services", "s1", "serviceEnvironments"), "serviceEnvironments"),
        (("environments", "e1", "regionId"), "regionId"),
    ],
)
@pytest.mark.parametrize("bad", ["", False, {"id": "x"}, 2.5], ids=repr)
def test_a_malformed_reference_is_skipped_and_reported_by_field(
    where: tuple[str, str, str], field: str, bad: object
) -> None:
    payload = document(
        products={"p1": {"id": "p1", "productServices": ["s1"], "productOfferings": ["o1"]}},
        offerings={"o1": {"id": "o1", "productServices": []}},
    )
    section, entry, key = where
    payload[section][entry][key] = [bad, *payload[section][entry].get(key, [])]
    catalog, anomalies = parse_service_registry(payload)
    assert anomalies == [Anomaly("malformed_entry", field)]
    assert regions(catalog.products["p1"]) == ["Americas"]
    assert catalog.products["p1"].cloud_id == "c1"


def test_absent_references_are_no_anomaly() -> None:
    catalog, anomalies = parse_service_registry(
        document(
            clouds={"c1": {"id": "c1"}},
            products={"p1": {"id": "p1"}},
            services={"s1": {"id": "s1"}},
            environments={"e1": {"id": "e1"}},
        )
    )
    assert regions(catalog.products["p1"]) == []
    assert anomalies == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "registry: expected a JSON object, got list"),
        ("text", "registry: expected a JSON object, got str"),
        (
            {"other": {}},
            "registry: none of clouds, products, offerings, services, environments at the top level",
        ),
        ({"clouds": {}}, "registry: no 'products'"),
        ({"products": None, "clouds": {}}, "registry: no 'products'"),
        ({"products": {}, "services": "s1"}, "registry: 'services' is a str"),
        ({"products": 3}, "registry: 'products' is a int"),
    ],
)
def test_a_top_level_it_cannot_read_is_a_shape_error_saying_why(
    payload: object, message: str
) -> None:
    assert shape_error(payload) == message


@pytest.mark.parametrize("section", ["clouds", "offerings", "services", "environments"])
def test_only_products_is_required(section: str) -> None:
    payload = document()
    del payload[section]
    catalog, anomalies = parse_service_registry(payload)
    assert list(catalog.products) == ["p1"]
    assert anomalies == []


def test_entries_after_a_malformed_one_are_still_read() -> None:
    payload = document(products=["junk", {"name": "no id"}, {"id": "p1", "name": "Analytics"}])
    catalog, anomalies = parse_service_registry(payload)
    assert list(catalog.products) == ["p1"]
    assert anomalies == [Anomaly("malformed_entry", "product")] * 2
