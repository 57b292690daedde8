"""The public feed's two documents read into the model.

StatusEvents is read one event at a time (`read_feed`); it must say exactly what
`parse_feed(json.loads(body))` says, except that a top level with none of the feed's keys
is a ShapeError. SnowServiceRegistry gives each product the regions of its services'
environments.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporter.model.vocabulary import Region
from exporter.simulator import Scale, Simulator
from exporter.sources.feed.service_registry import parse_service_registry
from exporter.sources.feed.status_events import parse_feed, read_feed
from exporter.sources.reading import Events, ShapeError
from tests.support import payloads as p
from tests.support.adobe_spec import require_spec
from tests.support.readers import assert_same_as_json_loads as same_as_json_loads
from tests.support.readers import outcome
from tests.support.spec_strategies import Spec, spliced, worlds

FROZEN = 1_767_225_600.0  # 2026-01-01T00:00:00Z
SPEC = Spec.load(require_spec("generate feed payloads from it"))
FEW = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def read(body: bytes) -> Events:
    return read_feed(body, now=FROZEN)


def assert_same_as_json_loads(body: bytes) -> None:
    same_as_json_loads(read, partial(parse_feed, now=FROZEN), body, shape_message=False)


def simulator_feed(scale: Scale, seed: int, at: float, epoch_ms: bool = False) -> bytes:
    simulator = Simulator(seed=seed, scale=scale, clock=lambda: at)
    return json.dumps(simulator.payload_feed(epoch_ms=epoch_ms)).encode()


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("epoch_ms", [False, True])
def test_simulator_feeds_read_alike(seed: int, epoch_ms: bool) -> None:
    body = simulator_feed(Scale.typical(), seed, FROZEN + seed * 3600, epoch_ms)
    assert read(body).impacts  # there are open events to compare
    assert read(body).texts  # and texts
    assert_same_as_json_loads(body)


def test_forty_day_feed_reads_alike() -> None:
    assert_same_as_json_loads(simulator_feed(Scale.forty_day(), 1, FROZEN))


@FEW
@given(st.data())
def test_spec_feeds_with_junk_read_alike(data: st.DataObject) -> None:
    world = data.draw(worlds(SPEC, feed=True))
    payload = data.draw(st.just(world.events) | spliced(st.just(world.events)))
    assert_same_as_json_loads(json.dumps(payload).encode())


@pytest.mark.parametrize(
    "body",
    [
        b'{"incidentEvent": {"incidents": [null]}, "maintenanceEvent": {"maintenance": {}}}',
        b'{"incidentEvent": {"incidents": {"1": {"name": "x"}}}}',
        b'{"incidentEvent": {"incidents": {"1": null, "1": {"id": "1", "products": []}}}}',
    ],
    ids=["a-list-of-nothing-readable", "a-map-of-nothing-readable", "a-repeated-id"],
)
def test_events_listed_but_none_readable_are_drift_in_both_readers(body: bytes) -> None:
    """Events listed of which none carries an id and products: schema drift, read alike."""
    assert_same_as_json_loads(body)
    if b"products" not in body:
        with pytest.raises(ShapeError):
            read(body)


INCIDENT = p.feed_incident(
    "202608040123", "503467", {"1764324000": p.history_entry("Opened", "Major", 1764324000)}
)
OPEN = json.dumps(INCIDENT)
CLOSED = json.dumps(
    p.feed_incident("I2", "503467", {"1764324000": p.history_entry("Closed", "Major", 1764324000)})
)
MAINTENANCE = json.dumps(p.maintenance())


@pytest.mark.parametrize(
    "body",
    [
        '{"incidentEvent": {}}',
        '{"incidentEvent": null, "maintenanceEvent": []}',
        f'{{"incidentEvent": {{"incidents": {{"a": {OPEN}, "b": {CLOSED}}}}}}}',
        f'{{"incidentEvent": {{"messages": {{"en": {{}}}}, "incidents": [{OPEN}, 3, null]}}}}',
        # one readable event in each section, listed in one and mapped in the other
        f'{{"incidentEvent": {{"incidents": [{OPEN}]}}, "maintenanceEvent": {{"maintenance": {{"m": {MAINTENANCE}}}}}}}',
        f'{{"incidentEvent": {{"incidents": {{"a": {OPEN}}}}}, "maintenanceEvent": {{"maintenance": [{MAINTENANCE}]}}}}',
        f'{{"incidentEvent": {{"incidents": {{"a": {OPEN}, "a": {CLOSED}}}}}}}',
        f'{{"incidentEvent": {{"incidents": {{"a": {CLOSED}, "a": {OPEN}}}}}}}',
        f'{{"incidentEvent": {{"incidents": {{"a": {OPEN}}}, "incidents": {{}}}}}}',
        '{"incidentEvent": {"incidents": 5}, "maintenanceEvent": {"maintenance": "x"}}',
        f'{{"incidentEvent": {{"incidents": {{"a": {OPEN}}}}}, "incidentEvent": null}}',
        f'{{"incidentEvent": 5, "incidentEvent": {{"incidents": {{"a": {OPEN}}}}}}}',
        f'{{"incidentEvent": {{"incidents": {{"a": {OPEN}}}}}, "incidentEvent": 5}}',
        '{"incidentEvent": [1]}',
        '{"incidentEvent": {"messages": {"en": {}}}}',
        '{"incidentEvent": {"incidents": null}}',
        f'{{"incidentEvent": {{"messages": {{"en": {{"t": {{"textMessage": "a"}}}}}}, "incidents": {{"a": {OPEN}}}}}}}',
        f'{{"incidentEvent": {{"incidents": {{"a": {OPEN}}}, "messages": 5, "messages": {{"en": {{"t": 1, "u": {{}}}}}}}}}}',
        '{"maintenanceEvent": {"maintenance": {}, "messages": {"en": {"t": {"textMessage": "m"}}}}, "incidentEvent": {"incidents": {}, "messages": {"en": {"t": {"textMessage": "i"}}}}}',
        '{"incidentEvent": {"incidents": {}, "messages": ["x"]}}',
        '{"maintenanceEvent": "x", "other": {"incidentEvent": 1}}',
        '{"maintenanceEvent": false}',
        "[]",
        "null",
        '"feed"',
    ],
)
def test_shapes_and_junk_read_alike(body: str) -> None:
    assert_same_as_json_loads(body.encode())


def test_duplicate_event_ids_keep_the_last_as_json_does() -> None:
    body = f'{{"incidentEvent": {{"incidents": {{"a": {OPEN}, "a": {CLOSED}}}}}}}'
    assert read(body.encode()).impacts == []


@pytest.mark.parametrize(
    "body", ['{"status": "ok"}', "{}", '{"incidents": [], "maintenances": []}', '{"data": {}}']
)
def test_a_top_level_with_no_feed_key_is_a_shape_error_not_all_operational(body: str) -> None:
    with pytest.raises(ShapeError):
        read(body.encode())


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b'{"incidentEvent": {"incidents": {"a": ',
        b'{"incidentEvent": 5',
        b'{"incidentEvent": {"messages": {"en": ',
        b"<html>",
    ],
)
def test_a_truncated_or_non_json_body_is_invalid_json(body: bytes) -> None:
    assert outcome(read, body) == (ValueError, "invalid JSON")


# --- SnowServiceRegistry ------------------------------------------------------------------


def service_registry() -> dict[str, Any]:
    return {
        "clouds": {
            "c1": {"id": "c1", "name": "Adobe Experience Cloud", "cloudProducts": ["p1", "p2"]},
            "c2": {"id": "c2", "name": "Adobe Creative Cloud", "cloudProducts": ["p2", "p3"]},
        },
        "products": {
            "p1": {
                "id": "p1",
                "name": "Adobe Analytics",
                "productOfferings": ["o1"],
                "productServices": ["s1"],
            },
            "p2": {
                "id": "p2",
                "name": "Adobe Target",
                "productOfferings": [],
                "productServices": ["s2"],
            },
            "p3": {
                "id": "p3",
                "name": "Adobe Photoshop",
                "productOfferings": [],
                "productServices": [],
            },
        },
        "offerings": {"o1": {"id": "o1", "name": "Analytics Premium", "productServices": ["s3"]}},
        "services": {
            "s1": {"id": "s1", "name": "Reporting", "serviceEnvironments": ["e1", "e2"]},
            "s2": {"id": "s2", "name": "Delivery", "serviceEnvironments": ["e2"]},
            "s3": {"id": "s3", "name": "Data Feeds", "serviceEnvironments": ["e3"]},
        },
        "environments": {
            "e1": {"id": "e1", "name": "NA1", "regionId": ["Americas"]},
            "e2": {"id": "e2", "name": "EU1", "regionId": ["EMEA"]},
            "e3": {"id": "e3", "name": "AP1", "regionId": ["APAC", "EMEA"]},
        },
    }


def test_a_products_regions_are_those_of_its_services_environments() -> None:
    registry, anomalies = parse_service_registry(service_registry())
    assert anomalies == []
    analytics = registry.products["p1"]
    assert analytics.regions == (
        Region("Americas", "Americas"),
        Region("EMEA", "EMEA"),
        Region("APAC", "APAC"),
    )
    assert registry.products["p2"].regions == (Region("EMEA", "EMEA"),)
    assert registry.products["p3"].regions == ()


def test_a_product_belongs_to_the_first_cloud_that_lists_it() -> None:
    registry, _ = parse_service_registry(service_registry())
    assert registry.clouds == {"c1": "Adobe Experience Cloud", "c2": "Adobe Creative Cloud"}
    assert [(p.id, p.name, p.cloud, p.cloud_id) for p in registry.products.values()] == [
        ("p1", "Adobe Analytics", "Adobe Experience Cloud", "c1"),
        ("p2", "Adobe Target", "Adobe Experience Cloud", "c1"),
        ("p3", "Adobe Photoshop", "Adobe Creative Cloud", "c2"),
    ]


def test_missing_fields_and_wrong_types_are_skipped_and_reported() -> None:
    payload = service_registry()
    payload["products"]["p4"] = "not an object"
    payload["products"]["p1"]["name"] = 42  # a name of the wrong type: the id stands in
    del payload["products"]["p2"]["id"]  # the map key stands in for a missing id
    payload["services"]["s1"]["serviceEnvironments"] = ["e1", None, {"id": "e2"}]
    payload["environments"]["e3"]["regionId"] = "APAC"  # a lone name reads as a list of one
    payload["clouds"]["c2"]["cloudProducts"] = 7
    registry, anomalies = parse_service_registry(payload)
    assert sorted(registry.products) == ["p1", "p2", "p3"]
    assert registry.products["p1"].name == "42"
    assert [r.id for r in registry.products["p1"].regions] == ["Americas", "APAC"]
    assert registry.products["p3"].cloud == "unknown"
    assert {a.value for a in anomalies} == {"product", "serviceEnvironments"}


@pytest.mark.parametrize(
    "payload",
    [
        [],
        None,
        "registry",
        {},
        {"status": "ok"},
        {"clouds": {}},
        {"products": 5, "clouds": {}},
        {"products": {}, "services": "x"},
    ],
)
def test_an_unreadable_registry_is_a_shape_error(payload: Any) -> None:
    with pytest.raises(ShapeError):
        parse_service_registry(payload)
