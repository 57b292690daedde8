"""The Status API's documents read into the model (exporter/sources/api/dto.py): the catalog from
/api/v1/products and /api/v1/clouds, and the events DTO, as a tree (`parse_events`) and
streamed from the body (`read_events`) alike; and the feed's StatusEvents streamed
(exporter/sources/feed/status_events.py, built on the same readers) as parse_feed reads it. Malformed entries are skipped and reported;
a document that cannot be read at all is a ShapeError, never "nothing open"."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from exporter.model.vocabulary import Anomaly, Product, Region, parse_time
from exporter.sources.api.dto import parse_catalog, parse_events, read_events
from exporter.sources.feed.status_events import parse_feed, read_feed
from exporter.sources.reading import Events, ShapeError

NOW = 1_767_225_600.0
CLOUDS = [{"id": "c1", "name": "Experience Cloud", "cloudProducts": [{"id": "p1"}]}]
PRODUCTS = [{"id": "p1", "name": "Analytics", "regions": [{"id": "EMEA", "name": "EMEA"}]}]


def shape_error(call: Any) -> str:
    with pytest.raises(ShapeError) as raised:
        call()
    return str(raised.value)


# --- the catalog ---------------------------------------------------------------------------


def test_products_are_read_with_their_cloud_and_regions() -> None:
    catalog, anomalies = parse_catalog(PRODUCTS, CLOUDS)
    assert catalog.products == {
        "p1": Product("p1", "Analytics", "Experience Cloud", "c1", (Region("EMEA", "EMEA"),))
    }
    assert anomalies == []


def test_a_product_in_no_cloud_is_in_the_unknown_cloud() -> None:
    products = [*PRODUCTS, {"id": "p2", "name": "Photoshop"}]
    catalog, anomalies = parse_catalog(products, CLOUDS)
    assert (catalog.products["p2"].cloud, catalog.products["p2"].cloud_id) == ("unknown", "")
    assert anomalies == []


def test_cloud_members_are_objects_or_bare_ids() -> None:
    clouds = [{"id": "c1", "name": "Experience Cloud", "cloudProducts": ["p1", {"id": 2}]}]
    catalog, _ = parse_catalog([*PRODUCTS, {"id": "2"}], clouds)
    assert catalog.products["2"].cloud_id == "c1"


@pytest.mark.parametrize(
    ("products", "clouds", "reported"),
    [
        (["junk", {"name": "no id"}, *PRODUCTS], CLOUDS, ["product", "product"]),
        (PRODUCTS, ["junk", {"name": "no id"}, *CLOUDS], ["cloud", "cloud"]),
        (
            PRODUCTS,
            [{"id": "c0", "cloudProducts": "p1"}, *CLOUDS],  # not a list
            ["cloudProducts"],
        ),
        (
            PRODUCTS,
            [{"id": "c1", "name": "Experience Cloud", "cloudProducts": ["", {}, {"id": "p1"}]}],
            ["cloudProducts", "cloudProducts"],
        ),
        (
            [{"id": "p1", "name": "Analytics", "regions": ["junk", {"id": "EMEA"}]}],
            CLOUDS,
            ["region"],
        ),
    ],
)
def test_a_malformed_entry_is_skipped_and_reported_and_the_rest_read(
    products: list[Any], clouds: list[Any], reported: list[str]
) -> None:
    catalog, anomalies = parse_catalog(products, clouds)
    assert anomalies == [Anomaly("malformed_entry", what) for what in reported]
    product = catalog.products["p1"]
    assert (product.name, product.cloud, product.cloud_id) == (
        "Analytics",
        "Experience Cloud",
        "c1",
    )
    assert [region.id for region in product.regions] == ["EMEA"]


@pytest.mark.parametrize(
    ("products", "clouds", "message"),
    [
        ({"p1": {}}, CLOUDS, "products: expected a JSON array"),
        (PRODUCTS, {"c1": {}}, "clouds: expected a JSON array"),
        ([{"name": "x"}], CLOUDS, "products: no product with an id among 1 entries"),
        (PRODUCTS, [{"name": "x"}], "clouds: no cloud with an id among 1 entries"),
        (
            PRODUCTS,
            [{"id": "c9", "cloudProducts": ["p9"]}],
            "clouds: no cloud lists any of the catalog's products",
        ),
    ],
)
def test_a_catalog_that_cannot_be_read_is_a_shape_error_saying_why(
    products: object, clouds: object, message: str
) -> None:
    assert shape_error(lambda: parse_catalog(products, clouds)) == message


# --- the events DTO, as a tree and streamed ------------------------------------------------


def event(event_id: str | None, **fields: Any) -> dict[str, Any]:
    product = {"id": "p1", "name": "Analytics", "status": "Opened", "severity": "Major"}
    return {"id": event_id, "products": [product], **fields}


def both(payload: object) -> Events:
    """What the two readers say of `payload`, checked to be the same."""
    body = json.dumps(payload).encode()
    tree = parse_events(json.loads(body), now=NOW)
    assert read_events(body, now=NOW) == tree
    return tree


def test_an_unreadable_event_among_readable_ones_is_reported_not_an_error() -> None:
    for incidents in ([event("I1"), event(None)], [event(None), event("I1")]):
        events = both({"incidents": incidents, "maintenances": []})
        assert [impact.event_id for impact in events.impacts] == ["I1"]
        assert events.anomalies == [Anomaly("malformed_entry", "incident")]


def as_list(item: dict[str, Any]) -> object:
    return [item]


def as_map(item: dict[str, Any]) -> object:
    return {"a": item}


@pytest.mark.parametrize(
    ("incidents", "maintenances"),
    [(as_list, as_list), (as_list, as_map), (as_map, as_list), (as_map, as_map)],
)
def test_one_readable_event_in_each_array_is_enough_as_a_list_or_a_map(
    incidents: Any, maintenances: Any
) -> None:
    maintenance = {"id": "M1", "status": "Started", "products": [{"id": "p1"}]}
    events = both({"incidents": incidents(event("I1")), "maintenances": maintenances(maintenance)})
    assert sorted(impact.event_id for impact in events.impacts) == ["I1", "M1"]


def test_events_given_as_a_map_are_read_with_their_anomalies() -> None:
    odd = event("I1")
    odd["products"][0]["severity"] = "Catastrophic"
    events = both({"incidents": {"I1": odd, "I2": "junk"}})
    assert [impact.severity for impact in events.impacts] == ["unknown"]
    assert events.anomalies == [
        Anomaly("severity", "Catastrophic"),
        Anomaly("malformed_entry", "incident"),
    ]


def test_a_map_of_events_with_one_unreadable_is_read() -> None:
    events = both({"incidents": {"a": event("I1"), "b": event(None)}, "maintenances": {}})
    assert [impact.event_id for impact in events.impacts] == ["I1"]


@pytest.mark.parametrize("listed", [[event(None)], [event(None), {"id": "x"}]])
def test_events_listed_none_readable_is_a_shape_error(listed: list[Any]) -> None:
    message = f"none of {len(listed)} events carries an id and products"
    body = json.dumps({"incidents": listed}).encode()
    assert shape_error(lambda: read_events(body, now=NOW)) == message
    assert shape_error(lambda: parse_events(json.loads(body), now=NOW)) == message


def test_a_body_with_none_of_the_arrays_is_a_shape_error_naming_them() -> None:
    body = b'{"events": []}'
    expected = "none of incidents, maintenances at the top level"
    assert shape_error(lambda: read_events(body, now=NOW)) == expected
    assert shape_error(lambda: parse_events(json.loads(body), now=NOW)) == expected


def test_a_lone_surrogate_written_raw_reads_as_json_loads_reads_it() -> None:
    raw = json.dumps({"incidents": [event("I1")]}).replace("Analytics", "Ana\udc80lytics")
    body = raw.encode("utf-8", "surrogatepass")
    streamed = read_events(body, now=NOW)
    assert streamed == parse_events(json.loads(body), now=NOW)
    assert streamed.impacts[0].product_name == "Ana?lytics"  # encodable, as clean_text makes it


def test_an_incident_ended_before_now_is_closed_in_a_map_of_events_too() -> None:
    ended = event("I1")
    ended["products"][0]["endedOn"] = NOW - 60
    running = event("I2")
    running["products"][0]["endedOn"] = NOW + 60
    events = both({"incidents": {"I1": ended, "I2": running}})
    assert [impact.event_id for impact in events.impacts] == ["I2"]


# --- the feed's StatusEvents streamed (exporter/sources/feed/status_events.py) -------------


def feed_event(event_id: str, **product: Any) -> dict[str, Any]:
    fields = {"id": "p1", "name": "Analytics", "status": "Opened", "severity": "Major", **product}
    return {"id": event_id, "products": {"p1": fields}}


def feed_both(payload: object) -> Events:
    """What read_feed says of `payload`, checked to be what parse_feed says."""
    body = json.dumps(payload).encode()
    tree = parse_feed(json.loads(body), now=NOW)
    assert read_feed(body, now=NOW) == tree
    return tree


def test_a_junk_entry_in_the_feeds_events_map_is_reported_as_malformed() -> None:
    events = feed_both(
        {"incidentEvent": {"incidents": {"I1": feed_event("I1"), "I2": "junk"}}},
    )
    assert [impact.event_id for impact in events.impacts] == ["I1"]
    assert events.anomalies == [Anomaly("malformed_entry", "incident")]


def test_feed_events_given_as_a_list_are_read_with_their_end_times_and_anomalies() -> None:
    incidents = [
        feed_event("I1", endedOn=NOW - 60),
        feed_event("I2", severity="Catastrophic"),
        "junk",
    ]
    events = feed_both({"incidentEvent": {"incidents": incidents}})
    assert [impact.event_id for impact in events.impacts] == ["I2"]
    assert events.anomalies == [
        Anomaly("severity", "Catastrophic"),
        Anomaly("malformed_entry", "incident"),
    ]


def test_a_lone_surrogate_written_raw_in_the_feed_reads_as_json_loads_reads_it() -> None:
    raw = json.dumps({"incidentEvent": {"incidents": {"I1": feed_event("I1")}}})
    body = raw.replace("Analytics", "Ana\udc80lytics").encode("utf-8", "surrogatepass")
    streamed = read_feed(body, now=NOW)
    assert streamed == parse_feed(json.loads(body), now=NOW)
    assert streamed.impacts[0].product_name == "Ana?lytics"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "expected a JSON object, got list"),
        ({"incidentEvent": "x"}, "'incidentEvent' is a str"),
        ({"incidentEvent": [1]}, "incidentEvent and maintenanceEvent must be objects"),
        ({"incidentEvent": {}}, "none of incidentEvent.incidents, maintenanceEvent.maintenance"),
    ],
)
def test_a_feed_that_cannot_be_read_is_a_shape_error_saying_why(
    payload: object, message: str
) -> None:
    body = json.dumps(payload).encode()
    assert shape_error(lambda: read_feed(body, now=NOW)) == message


def test_an_unreadable_feed_event_after_readable_ones_is_no_error() -> None:
    incidents = [feed_event("I1"), {"products": {}}]
    events = feed_both({"incidentEvent": {"incidents": incidents}})
    assert [impact.event_id for impact in events.impacts] == ["I1"]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2026-01-01 00:00:00", 1_767_225_600.0),  # no zone: UTC
        ("2026-01-01T01:00:00+01:00", 1_767_225_600.0),  # a zone is honoured
        ({"at": 1}, None),
        (["2026-01-01"], None),
    ],
)
def test_times_are_iso_8601_in_utc_unless_zoned(value: object, seconds: float | None) -> None:
    assert parse_time(value) == seconds


@pytest.mark.parametrize(
    ("texts", "kept", "reported"),
    [
        ("junk", {}, 1),
        ({"fr": "junk", "en": {"t": {"textMessage": "T"}}}, {"en": {"t": "T"}}, 1),
        ({"en": {"a": "junk", "t": {"textMessage": "T"}}}, {"en": {"t": "T"}}, 1),
    ],
)
def test_malformed_texts_are_reported_and_the_rest_kept(
    texts: object, kept: dict[str, dict[str, str]], reported: int
) -> None:
    payload = {"incidentEvent": {"incidents": {"I1": feed_event("I1")}, "messages": texts}}
    events = feed_both(payload)
    assert {
        locale: {token: message.text for token, message in texts.items()}
        for locale, texts in events.texts.items()
    } == kept
    assert events.anomalies == [Anomaly("malformed_entry", "messages")] * reported


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "expected a JSON object, got list"),
        ({"incidents": "x"}, "'incidents' is a str"),
        ({"incidentEvent": "x"}, "'incidentEvent' is a str"),
        ({"incidentEvent": [1]}, "incidentEvent and maintenanceEvent must be objects"),
        ({"incidentEvent": {}}, "none of incidentEvent.incidents, maintenanceEvent.maintenance"),
        (
            {
                "incidentEvent": {"incidents": {"1": {"name": "x"}}},
                "maintenanceEvent": {"maintenance": [3]},
            },
            "none of 2 events carries an id and products",
        ),
        (
            {"incidents": [{"name": "x"}], "maintenances": {"m": {"id": "m"}}},
            "none of 2 events carries an id and products",
        ),
    ],
)
def test_the_tree_readers_shape_errors_say_why(payload: object, message: str) -> None:
    read = parse_feed if "incidents" not in payload else parse_events  # type: ignore[operator]
    assert shape_error(lambda: read(payload, now=NOW)) == message


def test_a_time_without_a_zone_is_utc_whatever_the_machines_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    try:
        seconds = parse_time("2026-01-01 00:00:00")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert seconds == 1_767_225_600.0
