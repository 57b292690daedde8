"""Hypothesis strategies for payloads shaped by Adobe's own OpenAPI spec of the Status API.

The spec is read in place (never copied into the repository): from $ADOBE_STATUS_SPEC, else
from ../shared/adobe-status beside the repository. Its component schemas are turned into
self-contained JSON Schemas for hypothesis-jsonschema's `from_schema`:

- `#/components/schemas/...` refs are inlined (from_schema needs resolvable refs);
- OpenAPI 3.0 specifics are translated: a boolean `exclusiveMinimum` (Draft 4 style) is
  dropped when false and made numeric when true, `format: int64` becomes integer bounds,
  `nullable: true` becomes a `null` alternative;
- sizes are bounded so examples stay small: `maxItems` on arrays, `maxProperties` on maps,
  `maxLength` on free strings, and objects say only what the spec names
  (`additionalProperties: false`, a subset of what OpenAPI allows).

`Spec.payloads(whole=True)` is one from_schema over the whole translated component;
without it from_schema makes every value and the objects around them are assembled once
(`assembled`), about ten times faster. Every payload these strategies make still validates
against the untranslated spec (tests/test_properties.py checks that with a Draft 4
validator).

`raw_worlds()` is what from_schema makes of the whole components. `worlds()` draws a
registry (GET /api/v1/products, GET /api/v1/clouds) and events in either shape (the `Event`
DTO of GET /api/v1/events, or the `Events` feed maps) from a denser subset of the spec
(`DENSE`, `NONEMPTY`, `FOCUS`), then rewires ids so that events hit the registry's products
and regions as they do upstream, plus one product and one region it does not know, and
times every history at distinct instants listed in random order.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

INTEGER_FORMATS = {"int64": (-(2**63), 2**63 - 1), "int32": (-(2**31), 2**31 - 1)}
REF_PREFIX = "#/components/schemas/"
# History instants (2001 to 2033), written as Unix seconds, milliseconds or ISO 8601.
EPOCH_SECONDS = st.integers(min_value=1_000_000_000, max_value=2_000_000_000)

JSON = Any


@cache
def components(path: Path) -> dict[str, Any]:
    """The spec's `components.schemas`, untranslated."""
    schemas: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))["components"]["schemas"]
    return schemas


def resolved(schemas: dict[str, Any], node: JSON, seen: tuple[str, ...] = ()) -> JSON:
    """`node` with every `#/components/schemas/...` ref replaced by that schema, untranslated."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith(REF_PREFIX):
                raise ValueError(f"unsupported ref {ref}")
            name = ref[len(REF_PREFIX) :]
            if name in seen:
                raise ValueError(f"recursive schema {name}")
            return resolved(schemas, schemas[name], (*seen, name))
        return {key: resolved(schemas, value, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [resolved(schemas, item, seen) for item in node]
    return node


def json_schema(
    schema: JSON,
    *,
    max_items: int = 2,
    max_length: int = 8,
    require: Mapping[str, Sequence[str]] | None = None,
    nonempty: Mapping[str, Sequence[str]] | None = None,
    focus: Mapping[str, Sequence[str]] | None = None,
) -> JSON:
    """An inlined OpenAPI 3.0 schema as bounded JSON Schema that from_schema understands.

    By component title, `require` makes optional properties required, `nonempty` makes
    them required and non-empty (arrays, maps), and `focus` keeps only the named properties
    (and the required ones): each gives a subset of the valid payloads, denser in what the
    exporter reads, and faster to generate.
    """

    def sub(node: JSON) -> JSON:
        return json_schema(
            node,
            max_items=max_items,
            max_length=max_length,
            require=require,
            nonempty=nonempty,
            focus=focus,
        )

    if isinstance(schema, list):
        return [sub(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {
        key: sub(value)
        if key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf")
        else value
        for key, value in schema.items()
        if key not in ("properties", "example", "xml", "discriminator", "externalDocs")
    }
    if "properties" in schema:
        title = schema.get("title", "")
        kept = (focus or {}).get(title)
        out["properties"] = {
            name: sub(value)
            for name, value in schema["properties"].items()
            if kept is None or name in kept or name in schema.get("required", ())
        }
        out.setdefault("additionalProperties", False)
        filled = (nonempty or {}).get(title, ())
        for name in filled:
            kind = out["properties"][name]["type"]
            out["properties"][name][{"array": "minItems", "object": "minProperties"}[kind]] = 1
        extra = {*(require or {}).get(title, ()), *filled}
        if extra:
            out["required"] = sorted({*out.get("required", ()), *extra})
    for bound, keyword in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        flag = out.get(keyword)
        if isinstance(flag, bool):  # Draft 4 boolean; Draft 6+ wants the number itself
            del out[keyword]
            if flag and bound in out:
                out[keyword] = out.pop(bound)
    if out.get("type") == "integer" and out.get("format") in INTEGER_FORMATS:
        low, high = INTEGER_FORMATS[out.pop("format")]
        out["minimum"] = max(out.get("minimum", low), low)
        out["maximum"] = min(out.get("maximum", high), high)
    if out.pop("nullable", False) is True and "type" in out:
        out["type"] = [out["type"], "null"]
    kind = out.get("type")
    if kind == "array":
        out["maxItems"] = min(out.get("maxItems", max_items), max_items)
    elif kind == "object" and isinstance(out.get("additionalProperties"), dict):
        out["maxProperties"] = min(out.get("maxProperties", max_items), max_items)
    elif kind == "string" and not {"enum", "format", "pattern"} & out.keys():
        out["maxLength"] = min(out.get("maxLength", max_length), max_length)
    return out


@dataclass(frozen=True, eq=False)  # hashed by identity: strategies are cached per spec
class Spec:
    """Adobe's component schemas, and strategies for payloads that validate against them."""

    schemas: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> Spec:
        return cls(components(path))

    def schema(self, name: str, *, array: bool = False) -> JSON:
        """The component as self-contained, untranslated schema (to validate against)."""
        schema = resolved(self.schemas, self.schemas[name])
        return {"type": "array", "items": schema} if array else schema

    def payloads(
        self,
        name: str,
        *,
        array: bool = False,
        max_items: int = 2,
        require: Mapping[str, Sequence[str]] | None = None,
        nonempty: Mapping[str, Sequence[str]] | None = None,
        focus: Mapping[str, Sequence[str]] | None = None,
        whole: bool = False,
    ) -> st.SearchStrategy[JSON]:
        """Spec-valid payloads of the component (or of an array of it, the registry's shape).

        `whole`: one from_schema over the whole inlined schema. Otherwise from_schema makes
        every value and objects, maps and arrays of objects are assembled around them
        (`assembled`): the same payloads, about ten times faster to draw.
        """
        schema = json_schema(
            self.schema(name),
            max_items=max_items,
            require=require,
            nonempty=nonempty,
            focus=focus,
        )
        if array:
            schema = {"type": "array", "items": schema, "maxItems": max_items}
        return from_schema(schema) if whole else assembled(schema)


def _canonical(value: JSON) -> str:
    return json.dumps(value, sort_keys=True)


def assembled(schema: JSON) -> st.SearchStrategy[JSON]:
    """from_schema for each value of a translated schema, containers assembled around them.

    hypothesis-jsonschema rebuilds (and re-canonicalises) the strategies of nested objects
    on every draw, about 70 ms for one `Events` payload; built once here, they are reused.
    Only the container shapes `json_schema` emits are assembled; anything else, and every
    leaf (strings, enums, bounded integers, arrays of strings), goes to from_schema whole.
    """
    kind, props = schema.get("type"), schema.get("properties")
    values = schema.get("additionalProperties")
    if kind == "object" and props is not None and values is False:
        required = set(schema.get("required", ()))
        strategies = {name: assembled(sub) for name, sub in props.items()}
        return st.fixed_dictionaries(
            {name: strategy for name, strategy in strategies.items() if name in required},
            optional={
                name: strategy for name, strategy in strategies.items() if name not in required
            },
        )
    if kind == "object" and props is None and isinstance(values, dict):
        keys = st.text(max_size=8)
        return st.dictionaries(
            keys,
            assembled(values),
            min_size=schema.get("minProperties", 0),
            max_size=schema.get("maxProperties"),
        )
    items = schema.get("items")
    if kind == "array" and isinstance(items, dict) and items.get("type") in ("object", "array"):
        return st.lists(
            assembled(items),
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems"),
            unique_by=_canonical if schema.get("uniqueItems") else None,
        )
    return from_schema(schema)


# --- walking both event shapes alike ----------------------------------------------------


def members(container: JSON) -> list[Any]:
    """The entries of a DTO list or the values of a feed map (absent: none)."""
    if isinstance(container, dict):
        return list(container.values())
    if isinstance(container, list):
        return container
    return []


def incidents_of(payload: JSON, feed: bool) -> list[dict[str, Any]]:
    if feed:
        return members(payload.get("incidentEvent", {}).get("incidents"))
    return members(payload.get("incidents"))


def maintenances_of(payload: JSON, feed: bool) -> list[dict[str, Any]]:
    if feed:
        return members(payload.get("maintenanceEvent", {}).get("maintenance"))
    return members(payload.get("maintenances"))


def regions_key(feed: bool) -> str:
    return "regions" if feed else "region"


def map_events(payload: JSON, feed: bool, change: Callable[[str, list[Any]], list[Any]]) -> JSON:
    """A copy of the payload with each event list (or map) rebuilt by `change(kind, items)`.

    For the feed's maps the items are (key, value) pairs, so order and keys survive.
    """
    out = copy.deepcopy(payload)
    if feed:
        for part, key, kind in (
            ("incidentEvent", "incidents", "incident"),
            ("maintenanceEvent", "maintenance", "maintenance"),
        ):
            events = out.get(part, {}).get(key)
            if isinstance(events, dict):
                out[part][key] = dict(change(kind, list(events.items())))
    else:
        for key, kind in (("incidents", "incident"), ("maintenances", "maintenance")):
            if isinstance(out.get(key), list):
                out[key] = change(kind, out[key])
    return out


def all_paths(value: JSON, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every position in a JSON value (the root included), parents before children."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from all_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from all_paths(item, (*prefix, index))


def replaced(value: JSON, path: tuple[Any, ...], new: JSON) -> JSON:
    if not path:
        return new
    out = copy.copy(value)
    out[path[0]] = replaced(value[path[0]], path[1:], new)
    return out


# --- JSON of any shape ------------------------------------------------------------------

# Names the parsers look up, so that junk often lands where it is read.
KEYS = [
    *("incidents", "maintenances", "incidentEvent", "maintenanceEvent", "maintenance"),
    *("products", "id", "name", "status", "cmrStatus", "severity", "history", "region"),
    *("regions", "clouds", "cloudProducts", "startedOn", "scheduledDate", "messageTime"),
    "statusTime",
]
WORDS = [
    *("Opened", "Closed", "Discovery", "Reopened", "Updated", "Empty", "None", "Started"),
    *("Scheduled", "Completed", "Canceled", "Major", "Minor", "Potential", "Trivial"),
    *("1700000000", "1700000000000", "2026-11-28T10:00:00Z", "1e400", "-1", "nan", ""),
]


def json_scalars() -> st.SearchStrategy[JSON]:
    """Any JSON scalar Python's json module can hand over: huge integers, NaN, lone surrogates."""
    return (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**64), max_value=2**64)
        # Beyond any float. Drawn as a choice, not from unbounded integers, whose shrinking
        # towards the smallest failing integer (2**1024 here) takes thousands of runs.
        | st.sampled_from([2**1024, -(10**400)])
        | st.floats()
        | st.text(max_size=8)
        | st.text(st.characters(categories=["Cs"]), min_size=1, max_size=2)
        | st.sampled_from(WORDS)
    )


def json_values(max_leaves: int = 20) -> st.SearchStrategy[JSON]:
    """Any JSON value, nested, its object keys often names the parsers read."""
    keys = st.sampled_from(KEYS) | st.text(max_size=6)
    return st.recursive(
        json_scalars(),
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=max_leaves,
    )


def _drifted(draw: st.DrawFn, value: JSON) -> JSON:
    if isinstance(value, dict):
        return {key: _drifted(draw, item) for key, item in value.items()}
    if isinstance(value, list):
        return [_drifted(draw, item) for item in value]
    # One scalar in five arrives as something else (shrinks towards "unchanged").
    return draw(json_scalars()) if draw(st.integers(0, 4)) == 4 else value


@st.composite
def spliced(draw: st.DrawFn, base: st.SearchStrategy[JSON], most: int = 2) -> JSON:
    """A payload from `base` with drifted scalars and up to `most` subtrees replaced by junk."""
    value = _drifted(draw, draw(base))
    for _ in range(draw(st.integers(min_value=0, max_value=most))):
        path = draw(st.sampled_from(list(all_paths(value))))
        value = replaced(value, path, draw(json_values(max_leaves=6)))
    return value


# --- a registry with events that refer to it ---------------------------------------------

REGION_IDS = ("na", "eu", "apac")
# What worlds always carry (the spec makes it optional): events with ids, products with
# ids, statuses and severities ("Empty" and "None" still stand for absent ones).
DENSE: Mapping[str, Sequence[str]] = {
    "Event": ["incidents", "maintenances"],
    "IncidentDto": ["id"],
    "IncidentProductDto": ["id", "status", "severity"],
    "IncidentHistoryEventDto": ["status", "severity", "messageTime"],
    "MaintenanceDto": ["id", "status"],
    "Events": ["incidentEvent", "maintenanceEvent"],
    "IncidentDetails": ["incidents"],
    "MaintenanceDetails": ["maintenance"],
    "Incident": ["id"],
    "Maintenance": ["id"],
    "Product": ["id", "regions"],
    "Cloud": ["id", "cloudProducts"],
}
NONEMPTY: Mapping[str, Sequence[str]] = {
    title: ["products"] for title in ("IncidentDto", "MaintenanceDto", "Incident", "Maintenance")
}
# What worlds say at all: what the exporter reads (required properties always stay).
# Environments, offerings, services, messages and impacts are left to the raw payloads.
FOCUS: Mapping[str, Sequence[str]] = {
    "Event": ["incidents", "maintenances"],
    "IncidentDto": ["id", "products", "region", "clouds"],
    "IncidentProductDto": ["id", "name", "status", "severity", "startedOn", "history"],
    "IncidentHistoryEventDto": [
        "status",
        "severity",
        "messageTime",
        "messageType",
        "locationImpact",
    ],
    "LocationImpact": ["serviceRegions"],
    "MaintenanceDto": [
        "id",
        "status",
        "startedOn",
        "scheduledDate",
        "products",
        "region",
        "clouds",
    ],
    "MaintenanceProductDto": ["id", "name", "history"],
    "MaintenanceProduct": ["id", "name", "history"],
    "MaintenanceHistoryEvent": ["messageTime", "locationImpact"],
    "Events": ["incidentEvent", "maintenanceEvent"],
    "IncidentDetails": ["incidents"],
    "MaintenanceDetails": ["maintenance"],
    "Incident": ["id", "products", "regions", "clouds"],
    "IncidentProduct": ["id", "name", "startedOn", "history"],
    "IncidentHistoryEvent": ["messageTime", "statusTime", "locationImpact"],
    "Maintenance": ["id", "products", "regions", "clouds", "startedOn", "scheduledDate"],
    "EventCloud": ["id", "name"],
    "Product": ["id", "name", "regions"],
}
UNLISTED_PRODUCT, UNLISTED_REGION = "u1", "r9"
EVENT_ID_PREFIX = {"incident": "INC", "maintenance": "MNT"}


@dataclass(frozen=True)
class World:
    """One upstream state: the registry payloads and an events payload in one shape."""

    products: list[Any]  # GET /api/v1/products
    clouds: list[Any]  # GET /api/v1/clouds
    events: dict[str, Any]  # `Event` (GET /api/v1/events) or `Events` (the feed)
    feed: bool


def epoch(seconds: int, millis: int | None) -> int:
    """An epoch timestamp as upstream writes it: Unix seconds, or milliseconds (> 1e11)."""
    return seconds if millis is None else seconds * 1000 + millis


def iso(seconds: int) -> str:
    """A DTO time string, as the simulator renders them."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _timed(draw: st.DrawFn, history: JSON, kind: str, feed: bool) -> JSON:
    """History at distinct times, listed in random order, each time written as upstream does.

    Feed maps are keyed by epoch seconds or milliseconds (mixed); DTO incident entries carry
    an ISO 8601 `messageTime`, DTO maintenance entries an epoch one (int64 in the spec).
    """
    entries = members(history)
    times = draw(st.lists(EPOCH_SECONDS, min_size=len(entries), max_size=len(entries), unique=True))
    stamps = [epoch(when, draw(st.none() | st.integers(0, 999))) for when in times]
    if feed:
        return {str(stamp): entry for stamp, entry in zip(stamps, entries, strict=True)}
    for when, stamp, entry in zip(times, stamps, entries, strict=True):
        entry["messageTime"] = iso(when) if kind == "incident" else stamp
    return entries


def history_times(history: JSON, feed: bool) -> list[tuple[float, dict[str, Any]]]:
    """(Unix seconds, entry) for a history that `worlds` timed."""

    def seconds(value: int | str) -> float:
        if isinstance(value, str) and not value.isdigit():
            return datetime.fromisoformat(value).timestamp()
        number = int(value)
        return number / 1000 if number > 1e11 else float(number)

    if isinstance(history, dict) and feed:
        return [(seconds(key), entry) for key, entry in history.items()]
    return [(seconds(entry["messageTime"]), entry) for entry in members(history)]


@cache
def _payloads(
    spec: Spec, name: str, *, array: bool = False, max_items: int = 2
) -> st.SearchStrategy[JSON]:
    """One strategy per shape, built once (from_schema canonicalises on first use)."""
    return spec.payloads(
        name, array=array, max_items=max_items, require=DENSE, nonempty=NONEMPTY, focus=FOCUS
    )


@st.composite
def worlds(
    draw: st.DrawFn,
    spec: Spec,
    feed: bool | None = None,
    text: st.SearchStrategy[str] | None = None,
) -> World:
    """A registry and events that name its products and regions.

    `text`, when given, supplies every name and id (product, region, cloud, event): for
    hostile label values. Histories are timed by `_timed` (see `history_times`).
    """
    feed = draw(st.booleans()) if feed is None else feed
    # A registry with products and clouds: an empty one is drift (ShapeError).
    products = draw(_payloads(spec, "Product", array=True, max_items=3)) or [
        draw(_payloads(spec, "Product"))
    ]
    clouds = draw(_payloads(spec, "Cloud", array=True, max_items=2)) or [
        draw(_payloads(spec, "Cloud"))
    ]
    events = draw(_payloads(spec, "Events" if feed else "Event", max_items=3))

    def ident(default: str) -> str:
        return draw(text) if text is not None else default

    product_ids = []
    region_ids = [UNLISTED_REGION]
    for index, product in enumerate(products):
        product["id"] = ident(str(503470 + index))
        if index == 0 and not product["id"].strip():
            product["id"] = "503470"  # at least one product the registry can be read by
        product_ids.append(product["id"])
        if text is not None:
            product["name"] = draw(text)
        for region in product.get("regions", []):
            region["id"] = draw(text) if text is not None else draw(st.sampled_from(REGION_IDS))
            region_ids.append(region["id"])
            if text is not None:
                region["name"] = draw(text)
    product_pool = st.sampled_from([*product_ids, UNLISTED_PRODUCT])
    region_pool = st.sampled_from(sorted(set(region_ids)))
    for index, cloud in enumerate(clouds):
        cloud["id"] = ident(str(503460 + index))
        if text is not None:
            cloud["name"] = draw(text)
        listed: list[Any] = []  # uniqueItems: a product listed twice is listed once
        for member in cloud.get("cloudProducts", []):
            member["id"] = draw(product_pool)
            if member not in listed:
                listed.append(member)
        cloud["cloudProducts"] = listed
    # Some cloud with an id lists a registry product, as Adobe's do (none is drift).
    readable = [cloud for cloud in clouds if cloud["id"].strip()]
    if not readable:
        clouds[0]["id"] = "503460"
        readable = clouds[:1]
    known = {product_id.strip() for product_id in product_ids} - {""}
    members_ = (member["id"].strip() for cloud in readable for member in cloud["cloudProducts"])
    if not known & set(members_):
        readable[0]["cloudProducts"].append({"id": product_ids[0]})

    for kind, event_list in (
        ("incident", incidents_of(events, feed)),
        ("maintenance", maintenances_of(events, feed)),
    ):
        for index, event in enumerate(event_list):
            event["id"] = ident(f"{EVENT_ID_PREFIX[kind]}-{index}")
            if not event["id"].strip():  # events without an id, and only those, are drift
                event["id"] = f"{EVENT_ID_PREFIX[kind]}-{index}"
            for product in members(event.get("products")):
                product["id"] = draw(product_pool)
                if text is not None:
                    product["name"] = draw(text)
                if "history" in product:
                    product["history"] = _timed(draw, product["history"], kind, feed)
                for entry in members(product.get("history")):
                    location = entry.get("locationImpact") or {}
                    if location.get("serviceRegions"):
                        # The regions the product's own entry names (uniqueItems).
                        location["serviceRegions"] = sorted(
                            {draw(region_pool) for _ in location["serviceRegions"]}
                        )
            for region in members(event.get(regions_key(feed))):
                region["id"] = draw(st.sampled_from(sorted(set(region_ids))))
                if text is not None:
                    region["name"] = draw(text)
            for cloud in members(event.get("clouds")):
                if text is not None:
                    cloud["name"] = draw(text)
    return World(products=products, clouds=clouds, events=events, feed=feed)


@cache
def raw_worlds(spec: Spec, feed: bool) -> st.SearchStrategy[World]:
    """Worlds as from_schema makes them from the whole components, nothing rewired.

    Every optional property the spec names may appear; ids and names are as generated
    (blank ones included), so events seldom name a registry product.
    """
    return st.builds(
        World,
        products=spec.payloads("Product", array=True, max_items=3, whole=True),
        clouds=spec.payloads("Cloud", array=True, whole=True),
        events=spec.payloads("Events" if feed else "Event", whole=True),
        feed=st.just(feed),
    )


# --- one scenario in both shapes ---------------------------------------------------------

# Adobe's real words (CONTRACT.md), beside the spec's enums, which leave some out.
REAL_INCIDENT_STATUSES = ("Opened", "Discovery", "Reopened", "Updated", "Closed", "Resolved")
REAL_MAINTENANCE_EVENT_STATUSES = (
    *("Scheduled", "Started", "Completed", "Canceled", "Cancelled", "Closed", "Empty"),
)
REAL_MAINTENANCE_STATUSES = (
    *("Scheduled", "Reminder", "Started", "Updated", "Completed", "Cancelled", "Closed"),
)
TWIN_NOW = 1_500_000_000.0  # mid-range of the drawn epochs: some ends passed, some not
_ABSENT_WORDS = ("", "empty", "none", "null")
_OVER_WORDS = ("completed", "canceled", "cancelled", "closed")
# What IncidentHistoryEventDto has of a feed's IncidentHistoryEvent (messageTime apart).
_DTO_INCIDENT_ENTRY = (
    *("id", "status", "severity", "messageType", "messageToken", "titleToken", "cfsId"),
    *("cfsSource", "customerImpact", "operationsImpact", "showEnvironment"),
    *("locationImpact", "serviceImpact"),
)


def _seconds_key(key: str) -> int:
    number = int(key)
    return number // 1000 if number > 1e11 else number


@st.composite
def twin_worlds(draw: st.DrawFn, spec: Spec) -> tuple[World, World]:
    """One upstream state as the feed's `Events` maps and as the API's `Event` DTO.

    A feed world from `worlds`, its times made epoch seconds (as Adobe writes them), with
    Adobe's real vocabulary, incident end times, root-cause entries and completions drawn
    in; then rendered as the DTO by `feed_as_dto`.
    """
    world = draw(worlds(spec, feed=True))
    events = world.events
    optional_time = st.none() | EPOCH_SECONDS
    for incident in incidents_of(events, feed=True):
        for product in members(incident.get("products")):
            _real_history(draw, product, REAL_INCIDENT_STATUSES, incident=True)
            for key in ("startedOn", "endedOn"):
                product.pop(key, None)
                when = draw(optional_time | st.just(0))
                if when is not None and (when or key == "endedOn"):
                    product[key] = when
    for maintenance in maintenances_of(events, feed=True):
        for key in ("status", "cmrStatus"):
            maintenance[key] = draw(st.sampled_from(REAL_MAINTENANCE_EVENT_STATUSES))
        for key in ("startedOn", "scheduledDate", "completedOn"):
            maintenance.pop(key, None)
            if (when := draw(optional_time)) is not None:
                maintenance[key] = when
        for product in members(maintenance.get("products")):
            _real_history(draw, product, REAL_MAINTENANCE_STATUSES, incident=False)
    dto = World(world.products, world.clouds, feed_as_dto(events), feed=False)
    return world, dto


def _real_history(
    draw: st.DrawFn, product: dict[str, Any], statuses: tuple[str, ...], *, incident: bool
) -> None:
    """The product's history keyed and timed in epoch seconds, with real statuses."""
    history = product.get("history")
    if not isinstance(history, dict):
        return
    timed = {}
    for key, entry in history.items():
        seconds = _seconds_key(key)
        entry["messageTime"] = seconds
        if draw(st.booleans()):
            entry["status"] = draw(st.sampled_from(statuses))
        if incident and draw(st.integers(0, 4)) == 0:
            entry["messageType"] = "CFS"  # a root-cause report
        timed[str(seconds)] = entry
    product["history"] = timed


def feed_as_dto(events: JSON) -> JSON:
    """The feed's `Events` maps rendered as the API's `Event` DTO.

    Maps become lists, epoch seconds ISO 8601 strings (maintenance history `messageTime`
    stays an integer, as the spec types it). The DTO has no `cmrStatus`: its one `status`
    says what the API would, the change request's when that one says the maintenance is
    over or the event's own status is empty. Product statuses are left to their history.
    """
    incidents = []
    for incident in incidents_of(events, feed=True):
        products = []
        for product in members(incident.get("products")):
            rendered: JSON = {key: product[key] for key in ("id", "name") if key in product}
            for key in ("startedOn", "endedOn"):
                if product.get(key):
                    rendered[key] = iso(product[key])
            rendered["history"] = [
                {
                    **{key: entry[key] for key in _DTO_INCIDENT_ENTRY if key in entry},
                    "messageTime": iso(int(stamp)),
                }
                for stamp, entry in (product.get("history") or {}).items()
            ]
            products.append(rendered)
        incidents.append(_dto_event(incident, products))
    maintenances = []
    for maintenance in maintenances_of(events, feed=True):
        products = [
            {
                **{key: product[key] for key in ("id", "name") if key in product},
                "history": list((product.get("history") or {}).values()),
            }
            for product in members(maintenance.get("products"))
        ]
        rendered = _dto_event(maintenance, products)
        own, cmr = maintenance["status"], maintenance["cmrStatus"]
        use_cmr = cmr.lower() in _OVER_WORDS or own.lower() in _ABSENT_WORDS
        rendered["status"] = cmr if use_cmr else own
        for key in ("startedOn", "scheduledDate", "completedOn"):
            if key in maintenance:
                rendered[key] = iso(maintenance[key])
        maintenances.append(rendered)
    return {"incidents": incidents, "maintenances": maintenances}


def _dto_event(event: JSON, products: list[JSON]) -> JSON:
    rendered: JSON = {"id": event["id"], "products": products}
    if "regions" in event:
        rendered["region"] = members(event["regions"])
    if "clouds" in event:
        rendered["clouds"] = members(event["clouds"])
    return rendered
