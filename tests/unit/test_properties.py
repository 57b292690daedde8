"""Properties of the model and the exposition, over payloads generated from Adobe's own spec.

Payloads come from the spec's component schemas (`Event` with its `IncidentDto` and
`MaintenanceDto`, `Events`, `Product`, `Cloud`) through hypothesis-jsonschema (see
tests/support/spec_strategies.py), plus JSON of any shape and spec payloads with junk spliced in.
The spec is read in place from ../shared/adobe-status (beside the repository) or
$ADOBE_STATUS_SPEC; without it this module is skipped, and says so.

With CI set, examples are derandomized: a red build replays the same examples.
"""

from __future__ import annotations

import json
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from exporter.collector import status_families
from exporter.config import Selection
from exporter.model.report import StatusReport, resolve, summarize
from exporter.model.vocabulary import State
from exporter.sources.api.dto import parse_catalog, parse_events, read_events
from exporter.sources.feed.status_events import parse_feed
from exporter.sources.reading import ShapeError
from tests.support import payloads as p
from tests.support.adobe_spec import without_enums
from tests.support.payloads import NOW
from tests.support.properties_common import (
    PROFILE,
    SPEC,
    Reading,
    events_drifted,
    exposition,
    read,
    samples,
    text_of,
)
from tests.support.spec_strategies import (
    KEYS,
    TWIN_NOW,
    Spec,
    World,
    history_times,
    incidents_of,
    json_scalars,
    json_values,
    maintenances_of,
    map_events,
    members,
    raw_worlds,
    regions_key,
    spliced,
    twin_worlds,
    worlds,
)

# The contract's status rules, written out from CONTRACT.md (not imported from the model).
SEVERITY_CODE = {"major": 4, "minor": 3, "potential": 2, "trivial": 2}
OPEN_STATUSES = {"opened", "discovery", "reopened", "updated"}
CLOSED_STATUSES = {"closed", "dismissed", "canceled", "cancelled", "completed", "resolved"}


def with_events(world: World, events: Any) -> World:
    return World(world.products, world.clouds, events, world.feed)


def state_table(summary: StatusReport) -> dict[str, Any]:
    """Every product's and region's state and counts, by id (names left out)."""
    return {
        status.product.id: (
            int(status.state),
            {region_id: int(state) for region_id, (_, state) in status.regions.items()},
            dict(status.incidents),
            dict(status.maintenances),
        )
        for status in summary.products
    }


def named_regions(event: dict[str, Any], feed: bool) -> list[str]:
    ids = (text_of(region.get("id")) for region in members(event.get(regions_key(feed))))
    return [region_id for region_id in ids if region_id]


def changes(product: dict[str, Any], feed: bool, kind: str) -> list[dict[str, Any]]:
    """The product's history entries that say its state, oldest first (worlds are timed):
    root-cause (CFS) entries left out, and `Updated` ones of a maintenance."""
    timed = sorted(history_times(product.get("history"), feed), key=lambda pair: pair[0])
    return [
        entry
        for _, entry in timed
        if text_of(entry.get("messageType")).lower() != "cfs"
        and not (kind == "maintenance" and text_of(entry.get("status")).lower() == "updated")
    ]


def affected_regions(
    reading: Reading, event: dict[str, Any], product: dict[str, Any], feed: bool = False
) -> list[str]:
    """The contract's regions of a product in an event: those its latest history entry
    names, else the event's, else all the product's (registry) ones."""
    latest = changes(product, feed, "incident")[-1:]  # CFS aside, Updated included
    location = latest[0].get("locationImpact") if latest else None
    named = location.get("serviceRegions") if isinstance(location, dict) else None
    event_regions = {
        text_of(region.get("name")): text_of(region.get("id"))
        for region in members(event.get(regions_key(feed)))
    }
    event_ids = set(event_regions.values())
    own = [
        value if value in event_ids else event_regions.get(value, value)
        for value in map(text_of, named or ())
        if value
    ]
    return own or named_regions(event, feed) or reading.registry_region_ids(product["id"])


ABSENT = {"", "none", "empty", "null"}
MAINTENANCE_OVER = {"completed", "canceled", "cancelled", "closed"}


def maintenance_status(event: dict[str, Any], product: dict[str, Any], feed: bool) -> str:
    """The contract's status of a maintenance product (lower case): over when the event's
    status or cmrStatus says so, else its latest history status, else the event's."""
    own = text_of(event.get("status")).lower()
    cmr = text_of(event.get("cmrStatus")).lower()
    if own in MAINTENANCE_OVER or cmr in MAINTENANCE_OVER:
        return "completed"
    for entry in reversed(changes(product, feed, "maintenance")):
        status = text_of(entry.get("status")).lower()
        if status not in ABSENT:
            return status
    return cmr if own in ABSENT else own


def change_events(world: World, change: Callable[[str, list[Any]], list[Any]]) -> World:
    return with_events(world, map_events(world.events, world.feed, change))


# --- 0. the generators make what the spec describes -------------------------------------


@settings(PROFILE, max_examples=30)
@given(worlds(SPEC) | raw_worlds(SPEC, feed=False) | raw_worlds(SPEC, feed=True))
def test_generated_payloads_validate_against_adobes_spec(world: World) -> None:
    for schema, payload in (
        (SPEC.schema("Events" if world.feed else "Event"), world.events),
        (SPEC.schema("Product", array=True), world.products),
        (SPEC.schema("Cloud", array=True), world.clouds),
    ):
        errors = [error.message for error in Draft4Validator(schema).iter_errors(payload)]
        assert not errors, errors[:3]


# --- 1. the model raises nothing but ShapeError, whatever the JSON ----------------------

REGISTRY_INPUT = json_values() | st.lists(json_values(max_leaves=8), max_size=4)
EVENTS_INPUT = json_values() | st.dictionaries(st.sampled_from(KEYS), json_values(), max_size=4)
SELECTED = st.lists(st.sampled_from(["503470", "na", "u1", ""]) | st.text(max_size=3), max_size=2)
SELECTIONS = st.builds(Selection, SELECTED.map(tuple), SELECTED.map(tuple), SELECTED.map(tuple))


def run_model(products: Any, clouds: Any, events_payload: Any, feed: bool, selection: Any) -> None:
    """What a collection does with upstream JSON; ShapeError is the only way out."""
    try:
        _run_model(products, clouds, events_payload, feed, selection)
    except Exception as error:
        # Reported in one line, where it was raised: a full traceback for each failing run
        # while shrinking costs ~50 ms (pytest formats it), minutes for a large payload.
        where = traceback.extract_tb(error.__traceback__)[-1]
        raise AssertionError(
            f"{error!r} raised at {where.filename}:{where.lineno} in {where.name}()"
        ) from None


def _run_model(products: Any, clouds: Any, events_payload: Any, feed: bool, selection: Any) -> None:
    try:
        registry, anomalies = parse_catalog(products, clouds)
    except ShapeError:
        registry, anomalies = parse_catalog(p.products_payload(), p.clouds_payload())
    try:
        events = (parse_feed if feed else parse_events)(events_payload, now=NOW)
    except ShapeError:
        return
    scope = resolve(selection, registry)
    summary = summarize(registry, events.impacts, scope, [*anomalies, *events.anomalies])
    status_families(summary)


@settings(PROFILE, max_examples=150)
@given(st.booleans(), REGISTRY_INPUT, REGISTRY_INPUT, EVENTS_INPUT, SELECTIONS)
def test_model_raises_nothing_but_shape_error_on_any_json(
    feed: bool, products: Any, clouds: Any, events_payload: Any, selection: Selection
) -> None:
    # Through the json module, as the client decodes a body (NaN, huge integers and all).
    products, clouds, events_payload = json.loads(json.dumps([products, clouds, events_payload]))
    run_model(products, clouds, events_payload, feed, selection)


# Not shrunk: a spliced world shrinks for minutes. The failing example is printed as found,
# with where it raised; the focused tests (time fields, ...) give the minimal ones.
@settings(PROFILE, max_examples=60, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(st.data())
def test_model_raises_nothing_but_shape_error_on_spec_payloads_with_junk(
    data: st.DataObject,
) -> None:
    world = data.draw(worlds(SPEC))
    products, clouds, events_payload = (
        data.draw(st.just(payload) | spliced(st.just(payload)))
        for payload in (world.products, world.clouds, world.events)
    )
    products, clouds, events_payload = json.loads(json.dumps([products, clouds, events_payload]))
    run_model(products, clouds, events_payload, world.feed, Selection())


TIME_FIELDS = ("startedOn", "scheduledDate", "messageTime", "statusTime")


@pytest.mark.parametrize("feed", [False, True], ids=["Event", "Events"])
@settings(PROFILE, max_examples=50)
@given(st.sampled_from(TIME_FIELDS), json_scalars())
def test_time_fields_of_any_json_type_raise_nothing(feed: bool, field: str, value: Any) -> None:
    # A field the model reads as a time holds any JSON scalar (huge integers too), on the
    # event, its product and its history entries.
    entry = {**p.history_entry("Opened", "Major", 1), field: value}
    product = {"id": "503467", "status": "Empty", field: value}
    if feed:
        product["history"] = {"1764324000": entry, "not-a-time": entry}
        products = {"503467": product}
        events: dict[str, Any] = {
            "incidentEvent": {"incidents": {"I": {"id": "I", "products": products}}},
            "maintenanceEvent": {"maintenance": {"M": {"id": "M", "products": products}}},
        }
    else:
        product["history"] = [entry]
        event = {"products": [product], field: value}
        events = p.events([{"id": "I", **event}], [{"id": "M", **event}])
    payload = json.loads(json.dumps(events))
    run_model(p.products_payload(), p.clouds_payload(), payload, feed, Selection())


# --- 2, 3. every spec-valid payload is read, and read by the contract's rules -----------


def spec_enum_values(spec: Spec, properties: tuple[str, ...]) -> set[str]:
    """Every value the spec enumerates for these properties, in any component."""
    values: set[str] = set()
    for schema in spec.schemas.values():
        for name, prop in schema.get("properties", {}).items():
            if name in properties:
                values.update(value.lower() for value in prop.get("enum", ()))
    return values


SPEC_STATUS_VALUES = spec_enum_values(SPEC, ("status", "cmrStatus", "severity"))


@pytest.mark.parametrize("feed", [False, True], ids=["Event", "Events"])
@settings(PROFILE, max_examples=25)
@given(data=st.data())
def test_every_spec_valid_payload_is_read_and_exposed_with_up_1(
    feed: bool, data: st.DataObject
) -> None:
    world = data.draw(raw_worlds(SPEC, feed))
    if events_drifted(world):  # spec-valid, but says nothing: never "all operational"
        with pytest.raises(ShapeError):
            read(world, any_catalog=True)
        return
    reading = read(world, any_catalog=True)  # no ShapeError
    # Every status and severity the spec enumerates is one the model knows.
    unknown = [
        anomaly
        for anomaly in reading.events.anomalies
        if anomaly.field != "malformed_entry" and anomaly.value.lower() in SPEC_STATUS_VALUES
    ]
    assert not unknown
    parsed = samples(exposition(reading.summary))
    assert [value for name, _, value in parsed if name == "adobe_status_up"] == [1.0]
    product_states = {
        labels["product_id"]: value
        for name, labels, value in parsed
        if name == "adobe_status_product_status"
    }
    assert product_states == {s.product.id: s.state for s in reading.summary.products}
    assert set(product_states.values()) <= {float(state) for state in State}


def severity_label(product: dict[str, Any]) -> str | None:
    """The contract's severity of an incident product, when its own fields settle it."""
    own = text_of(product.get("severity")).lower()
    if own in SEVERITY_CODE:
        return own
    told = (text_of(entry.get("severity")).lower() for entry in members(product.get("history")))
    if own in ("", "none") and all(severity in ("", "none") for severity in told):
        return "unknown"  # None, empty or unknown: state 3, counted as unknown
    return None  # left to its history


@settings(PROFILE)
@given(worlds(SPEC, feed=False))
def test_open_incident_sets_product_and_regions_to_at_least_its_severity(world: World) -> None:
    reading = read(world)
    for incident in incidents_of(world.events, feed=False):
        listed = Counter(product["id"] for product in members(incident.get("products")))
        for product in members(incident.get("products")):
            label = severity_label(product)
            if text_of(product.get("status")).lower() not in OPEN_STATUSES or label is None:
                continue
            code = SEVERITY_CODE.get(label, State.MINOR)
            product_status = reading.status(product["id"])
            assert product_status.state >= code
            if listed[product["id"]] == 1:  # listed twice, one incident counts once: the worst
                assert product_status.incidents[label] >= 1
            for region_id in affected_regions(reading, incident, product):
                assert product_status.regions[region_id][1] >= code, region_id


def settled_state(kind: str, event: dict[str, Any], product: dict[str, Any]) -> int | None:
    """The state one listing puts its product in, when its own fields settle it."""
    if kind == "maintenance":
        status = maintenance_status(event, product, feed=False)
        if status == "started":
            return State.MAINTENANCE
        return State.OPERATIONAL if status in {"scheduled", "reminder", *MAINTENANCE_OVER} else None
    status, label = text_of(product.get("status")).lower(), severity_label(product)
    if status in CLOSED_STATUSES:
        return State.OPERATIONAL
    if status in OPEN_STATUSES and label is not None:
        return SEVERITY_CODE.get(label, State.MINOR)
    return None  # left to its history


@settings(PROFILE)
@given(worlds(SPEC, feed=False))
def test_product_state_is_exactly_the_worst_its_events_say(world: World) -> None:
    said: dict[str, list[int | None]] = {}
    for kind, events in (
        ("incident", incidents_of(world.events, False)),
        ("maintenance", maintenances_of(world.events, False)),
    ):
        for event in events:
            for product in members(event.get("products")):
                said.setdefault(product["id"], []).append(settled_state(kind, event, product))
    for status in read(world).summary.products:
        listings = said.get(status.product.id, [])
        states = [state for state in listings if state is not None]
        if len(states) == len(listings):  # every listing settled by its own fields
            assert status.state == max(states, default=State.OPERATIONAL)


@settings(PROFILE)
@given(worlds(SPEC, feed=False))
def test_closed_incident_products_contribute_nothing(world: World) -> None:
    def without_closed(kind: str, items: list[Any]) -> list[Any]:
        for incident in items if kind == "incident" else ():
            incident["products"] = [
                product
                for product in incident["products"]
                if text_of(product.get("status")).lower() not in CLOSED_STATUSES
            ]
        return items

    assert read(change_events(world, without_closed)).summary == read(world).summary


@settings(PROFILE)
@given(worlds(SPEC, feed=False))
def test_with_every_incident_closed_nothing_is_worse_than_maintenance(world: World) -> None:
    def close_all(kind: str, items: list[Any]) -> list[Any]:
        for incident in items if kind == "incident" else ():
            for product in incident["products"]:
                product["status"] = "Closed"
        return items

    for status in read(change_events(world, close_all)).summary.products:
        assert status.state <= State.MAINTENANCE
        assert sum(status.incidents.values()) == 0
        assert all(state <= State.MAINTENANCE for _, state in status.regions.values())


@settings(PROFILE)
@given(worlds(SPEC, feed=False))
def test_started_maintenance_sets_state_1_and_scheduled_only_counts(world: World) -> None:
    reading = read(world)
    for maintenance in maintenances_of(world.events, feed=False):
        listed = Counter(product["id"] for product in members(maintenance.get("products")))
        for product in members(maintenance.get("products")):
            if maintenance_status(maintenance, product, feed=False) != "started":
                continue
            product_status = reading.status(product["id"])
            assert product_status.state >= State.MAINTENANCE
            assert product_status.maintenances["in_progress"] >= 1
            if listed[product["id"]] > 1:  # one maintenance counts once: one listing's regions
                continue
            for region_id in affected_regions(reading, maintenance, product):
                assert product_status.regions[region_id][1] >= State.MAINTENANCE

    def without(statuses: set[str]) -> Reading:
        """Without the maintenances whose every product's status is one of `statuses`."""

        def drop(kind: str, items: list[Any]) -> list[Any]:
            if kind == "incident":
                return items
            return [
                m
                for m in items
                if not all(
                    maintenance_status(m, product, feed=False) in statuses
                    for product in members(m.get("products"))
                )
            ]

        return read(change_events(world, drop))

    # Finished maintenances change nothing at all.
    assert without(MAINTENANCE_OVER).summary == reading.summary
    # Upcoming ones change no state (a product only they name is listed, at 0).
    unscheduled = {s.product.id: s for s in without({"scheduled", "reminder"}).summary.products}
    for status in reading.summary.products:
        other = unscheduled.get(status.product.id)
        if other is None:
            assert status.state == State.OPERATIONAL
            continue
        assert other.state == status.state
        for region_id in reading.registry_region_ids(status.product.id):
            assert other.regions[region_id][1] == status.regions[region_id][1]


@settings(PROFILE)
@given(worlds(SPEC))
def test_product_state_is_the_worst_of_its_regions_when_it_has_regions(world: World) -> None:
    reading = read(world)
    for status in reading.summary.products:
        region_states = [state for _, state in status.regions.values()]
        assert max(region_states, default=State.OPERATIONAL) <= status.state
        if reading.registry_region_ids(status.product.id):
            # Every event reaches a region: the ones it names, or all of the product's.
            assert status.state == max(region_states)


@settings(PROFILE)
@given(worlds(SPEC))
def test_history_decides_by_time_not_by_position(world: World) -> None:
    # Feed: history keyed by Unix seconds or milliseconds, mixed; DTO: ISO `messageTime`.
    # Either way listed in random order: the latest entry decides an incident product
    # that has no status of its own.
    expected: dict[tuple[str, str], str | None] = {}  # open: severity ("?": any); closed: None
    listed = Counter[tuple[str, str]]()
    for incident in incidents_of(world.events, world.feed):
        for product in members(incident.get("products")):
            key = (incident["id"], product["id"])
            listed[key] += 1
            history = changes(product, world.feed, "incident")
            if text_of(product.get("status")).lower() not in ("", "empty") or not history:
                continue
            latest = history[-1]
            status = text_of(latest.get("status")).lower()
            severity = text_of(latest.get("severity")).lower()
            own_severity = text_of(product.get("severity")).lower()
            if own_severity in SEVERITY_CODE:
                severity = own_severity
            elif own_severity not in ("", "none") or severity not in SEVERITY_CODE:
                severity = "?"
            if status in OPEN_STATUSES:
                expected[key] = severity
            elif status in CLOSED_STATUSES:
                expected[key] = None
    impacts = {
        (impact.event_id, impact.product_id): impact.severity
        for impact in read(world).events.impacts
        if impact.kind == "incident"
    }
    for key, wanted in expected.items():
        if listed[key] > 1:  # the same product twice in one event: each listing has its say
            continue
        if wanted is None:
            assert key not in impacts, key
        else:
            assert key in impacts, key
            assert wanted in ("?", impacts[key]), key


@settings(PROFILE, max_examples=300)  # the orders that matter are rare: ~2% of worlds
@given(worlds(SPEC))
def test_states_do_not_depend_on_the_order_events_are_listed_in(world: World) -> None:
    def reverse(kind: str, items: list[Any]) -> list[Any]:
        for item in items:
            event = item[1] if world.feed else item
            if isinstance(event.get("products"), list):
                event["products"] = event["products"][::-1]
            elif isinstance(event.get("products"), dict):
                event["products"] = dict(reversed(event["products"].items()))
        return items[::-1]

    flipped = read(change_events(world, reverse)).summary
    assert state_table(flipped) == state_table(read(world).summary)


@settings(PROFILE)
@given(worlds(SPEC))
def test_event_counts_agree_with_event_info_series(world: World) -> None:
    # adobe_status_incidents_open{severity=s} == count(adobe_status_event_info{kind="incident",
    # severity=s}) per product, and likewise maintenances by state: one event, counted once.
    parsed = samples(exposition(read(world).summary))
    infos = [labels for name, labels, _ in parsed if name == "adobe_status_event_info"]
    by_severity = Counter((i["kind"], i["product_id"], i["severity"]) for i in infos)
    by_state = Counter((i["kind"], i["product_id"], i["status"]) for i in infos)
    disagreeing = [
        (name, labels, value)
        for name, labels, value in parsed
        if (
            name == "adobe_status_incidents_open"
            and value != by_severity[("incident", labels["product_id"], labels["severity"])]
        )
        or (
            name == "adobe_status_maintenances"
            and value != by_state[("maintenance", labels["product_id"], labels["state"])]
        )
    ]
    assert not disagreeing


# --- 3b. one scenario reads alike in the API's shape and the feed's ---------------------


DTO_SHAPE = Draft4Validator(without_enums(SPEC.schema("Event")))


@settings(PROFILE, max_examples=150)
@given(twin_worlds(SPEC))
def test_one_scenario_reads_alike_as_the_apis_dto_and_the_feeds_maps(
    twins: tuple[World, World],
) -> None:
    feed_world, dto_world = twins
    errors = [error.message for error in DTO_SHAPE.iter_errors(dto_world.events)]
    assert not errors, errors[:3]  # the rendering is the spec's DTO
    from_feed = read(feed_world, now=TWIN_NOW)
    from_dto = read(dto_world, now=TWIN_NOW)
    # Products, regions, incidents, maintenances, each event's impact and what was odd.
    assert state_table(from_dto.summary) == state_table(from_feed.summary)
    assert from_dto.summary == from_feed.summary
    streamed = read_events(json.dumps(dto_world.events).encode(), now=TWIN_NOW)
    assert (streamed.impacts, streamed.anomalies) == (
        from_dto.events.impacts,
        from_dto.events.anomalies,
    )
