"""The simulator's answers validate against Adobe's own OpenAPI spec of the Status API.

The spec is not in the repository: it is read from ../shared/adobe-status (beside the
repository) or from $ADOBE_STATUS_SPEC. Without it this module is skipped, and says so.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import pytest
import requests
import yaml
from jsonschema import Draft4Validator

from exporter.simulator import Scale, Simulator, SimulatorServer
from tests.support.adobe_spec import require_spec
from tests.support.simulator_api import api_session

SPEC = require_spec("validate the simulator against it")

T0 = 1_795_000_000.0
CLIENT_ID, CLIENT_SECRET = "spec-client", "spec-secret"
SCHEMAS: dict[str, Any] = yaml.safe_load(SPEC.read_text("utf-8"))["components"]["schemas"]
# Where Adobe's real data goes beyond its own spec (CONTRACT.md, "What real Adobe data
# looks like"), the simulator follows the data: these values, and only these, are allowed.
BEYOND_SPEC = {("MaintenanceHistoryEvent", "status"): ["Reminder"]}
for (_schema, _field), _values in BEYOND_SPEC.items():
    SCHEMAS[_schema]["properties"][_field]["enum"] += _values


def resolved(node: Any, seen: tuple[str, ...] = ()) -> Any:
    """`node` with every `#/components/schemas/...` ref replaced by its schema.

    Inlining once keeps validation of multi-megabyte payloads fast; the spec's components
    are not recursive (a cycle would raise here rather than loop).
    """
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            prefix = "#/components/schemas/"
            assert ref.startswith(prefix), ref
            name = ref[len(prefix) :]
            if name in seen:
                raise ValueError(f"recursive schema {name}")
            return resolved(SCHEMAS[name], (*seen, name))
        return {key: resolved(value, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [resolved(item, seen) for item in node]
    return node


def validator(name: str, array: bool = False) -> Draft4Validator:
    # Draft 4: the spec writes `exclusiveMinimum: false` beside `minimum`, a Draft 4 boolean.
    schema = resolved(SCHEMAS[name])
    return Draft4Validator({"type": "array", "items": schema} if array else schema)


VALIDATORS = {
    "events": validator("Event"),
    "events/incidents": validator("IncidentDto", array=True),
    "events/maintenance": validator("MaintenanceDto", array=True),
    "events/scheduled": validator("MaintenanceDto", array=True),
    "products": validator("Product", array=True),
    "clouds": validator("Cloud", array=True),
    "regions": validator("RegionDto", array=True),
    "locales": validator("LocaleDto", array=True),
    "messages": validator("MessagesDto", array=True),
    "messages/en": validator("MessagesDto", array=True),
    "messages/fr": validator("MessagesDto", array=True),
}
REGISTRY_PATHS = ("products", "clouds", "regions", "locales")
FEED = validator("Events")


def assert_valid(check: Draft4Validator, payload: Any, what: str) -> None:
    errors = sorted(check.iter_errors(payload), key=lambda error: list(error.absolute_path))
    detail = "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    assert not errors, f"{what}: {len(errors)} spec violations\n{detail}"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def serving(sim: Simulator) -> AbstractContextManager[tuple[SimulatorServer, requests.Session]]:
    return api_session(sim, CLIENT_ID, CLIENT_SECRET)


def fetch(server: SimulatorServer, session: requests.Session, path: str) -> Any:
    response = session.get(f"{server.api_url}/api/v1/{path}", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def make(scale: Scale, seed: int, clock: Clock) -> Simulator:
    return Simulator(
        seed=seed, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, scale=scale, clock=clock
    )


def test_validator_rejects_what_the_spec_forbids() -> None:
    """The checks below can fail: wrong enums, types and Draft 4 minimums are caught."""
    events = VALIDATORS["events"]
    assert list(events.iter_errors({"incidents": [{"products": [{"status": "Open"}]}]}))
    assert list(events.iter_errors({"maintenances": [{"startedOn": 1}]}))
    entry = {
        "customerImpact": "None",
        "messageType": "Canned",
        "operationsImpact": "None",
        "showEnvironment": False,
        "status": "Started",
        "messageTime": 1,
    }
    maintenance: dict[str, Any] = {"status": "Started", "cmrStatus": "Started", "type": "Normal"}
    maintenance["products"] = {"p": {"history": {"1": entry}}}
    feed = {"maintenanceEvent": {"maintenance": {"1": maintenance}}}
    assert not list(FEED.iter_errors(feed))
    entry["messageTime"] = 0
    assert any("minimum" in error.message for error in FEED.iter_errors(feed))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_typical_answers_validate_over_a_day(seed: int, clock: Clock) -> None:
    sim = make(Scale.typical(), seed, clock)
    with serving(sim) as (server, session):
        for offset in (0, 7 * 60, 3 * 3600 + 50, 19 * 3600 + 600):
            clock.now = T0 + offset
            # The registry does not change with time: check it once.
            paths = (
                VALIDATORS if offset == 0 else [p for p in VALIDATORS if p not in REGISTRY_PATHS]
            )
            for path in paths:
                where = f"{path} seed {seed} +{offset}s"
                assert_valid(VALIDATORS[path], fetch(server, session, path), where)
            feed = session.get(f"{server.feed_url}/StatusEvents", timeout=30).json()
            assert_valid(FEED, feed, f"StatusEvents seed {seed} +{offset}s")
            assert_valid(FEED, sim.payload_feed(epoch_ms=True), f"feed ms seed {seed} +{offset}s")


def test_added_events_validate(clock: Clock) -> None:
    sim = Simulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, dynamic=False, clock=clock)
    incident = sim.add_incident(
        ["503467", "503486"],
        severity="Potential",
        region_ids=["Americas", "EMEA"],
        product_regions={"503486": ["Americas"]},
    )
    sim.update_incident(incident, severity="Minor", status="Closed")
    sim.add_incident("503493", severity="Trivial", status="Opened")
    maintenance = sim.add_maintenance(
        ["503493", "503467"], status="Started", message="Custom <b>text</b>", title="Title"
    )
    sim.update_maintenance(maintenance, status="Completed")
    sim.update_incident(incident, status="Closed", message_type="CFS", cfs_url="https://x/y")
    sim.add_maintenance("512699", status="Scheduled", start_at=T0 + 7200)
    with serving(sim) as (server, session):
        for path in ("events", "messages", "messages/en"):
            assert_valid(VALIDATORS[path], fetch(server, session, path), path)
    assert_valid(FEED, sim.payload_feed(), "feed")


@pytest.mark.parametrize("scale", [Scale.forty_day(), Scale.stress()], ids=lambda s: s.name)
def test_large_scale_answers_validate(scale: Scale, clock: Clock) -> None:
    sim = make(scale, 5, clock)
    with serving(sim) as (server, session):
        for path in ("events", "products", "clouds", "regions", "messages/en"):
            assert_valid(VALIDATORS[path], fetch(server, session, path), f"{scale.name} {path}")
    assert_valid(FEED, sim.payload_feed(epoch_ms=True), f"{scale.name} feed")
