"""Real-shaped Adobe data (tests/fixtures/real_events.py) read in both shapes, by the contract.

Both the DTO of GET /api/v1/events and the feed's `Events` maps must give the same
product, region, incident and maintenance series, and none of Adobe's real vocabulary
(Reminder, Closed, Completed with Canceled, a late CFS entry) may count as drift.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft4Validator

from exporter.collector import status_families
from exporter.config import Selection
from exporter.model.report import StatusReport, resolve, summarize
from exporter.model.vocabulary import Text
from exporter.sources.api.dto import parse_catalog, parse_events, read_events
from exporter.sources.feed.status_events import parse_feed
from exporter.sources.reading import Events
from tests.fixtures import real_events as real
from tests.support.adobe_spec import require_spec, without_enums
from tests.support.payloads import NOW
from tests.support.spec_strategies import Spec

READERS: dict[str, Callable[[], Events]] = {
    "api": lambda: parse_events(real.dto(real.scenario()), now=NOW),
    "api-streamed": lambda: read_events(json.dumps(real.dto(real.scenario())).encode(), now=NOW),
    "feed": lambda: parse_feed(real.feed(real.scenario()), now=NOW),
}


def read(shape: str) -> tuple[Events, StatusReport]:
    registry, anomalies = parse_catalog(real.products_payload(), real.clouds_payload())
    assert anomalies == []
    events = READERS[shape]()
    summary = summarize(registry, events.impacts, resolve(Selection(), registry), events.anomalies)
    return events, summary


def table(summary: StatusReport) -> dict[str, Any]:
    """Product state, region states by region name, non-zero incident and maintenance counts."""
    return {
        status.product.id: (
            int(status.state),
            {region.name: int(state) for region, state in status.regions.values()},
            {severity: n for severity, n in status.incidents.items() if n},
            {state: n for state, n in status.maintenances.items() if n},
        )
        for status in summary.products
    }


EXPECTED = {
    # AEM: its own history names only Americas, though the event names all three regions.
    "503470": (1, {"Americas": 1, "EMEA": 0, "APAC": 0}, {}, {"in_progress": 1}),
    # Target: its history names no region, so the event's regions count.
    "503476": (1, {"Americas": 1, "EMEA": 1, "APAC": 1}, {}, {"in_progress": 1}),
    # Campaign: a Reminder is an upcoming maintenance, no state change.
    "503475": (0, {"Americas": 0, "EMEA": 0}, {}, {"scheduled": 1}),
    # Analytics: major in EMEA only; its Completed/Canceled maintenances are over.
    "503467": (4, {"Americas": 0, "EMEA": 4, "APAC": 0}, {"major": 1}, {}),
    # Audience Manager: its endedOn has passed, whatever its history says.
    "503486": (0, {"Americas": 0, "EMEA": 0}, {}, {}),
    # Photoshop: closed in July; the root-cause entry of August does not reopen it.
    "503493": (0, {"Americas": 0, "EMEA": 0, "APAC": 0}, {}, {}),
}


@pytest.mark.parametrize("shape", list(READERS))
def test_real_shaped_events_give_the_contracts_series(shape: str) -> None:
    _, summary = read(shape)
    assert table(summary) == EXPECTED


@pytest.mark.parametrize("shape", list(READERS))
def test_adobes_real_vocabulary_is_not_drift(shape: str) -> None:
    events, summary = read(shape)
    assert events.anomalies == []
    unknown = next(f for f in status_families(summary) if f.name == "adobe_status_unknown_values")
    assert {sample.labels["field"]: sample.value for sample in unknown.samples} == {
        "incident_status": 0,
        "maintenance_status": 0,
        "severity": 0,
        "malformed_entry": 0,
    }


@pytest.mark.parametrize("shape", list(READERS))
def test_open_events_carry_adobes_latest_words_and_times(shape: str) -> None:
    events, _ = read(shape)
    impacts = {(i.event_id, i.product_id): i for i in events.impacts}
    assert sorted(impacts) == [
        ("202608040123", "503467"),
        ("CHG005822158", "503470"),
        ("CHG005822158", "503476"),
        ("CHG005822160", "503475"),
    ]
    analytics = impacts[("202608040123", "503467")]
    assert (analytics.severity, analytics.status, analytics.region_ids) == (
        "major",
        "opened",
        ("EMEA",),
    )
    assert (analytics.title_token, analytics.message_token) == (
        "incident.title.major",
        "202608040123-custom-1",
    )
    assert (analytics.start, analytics.end) == (real.at("2026-11-29T08:00:00"), None)
    aem = impacts[("CHG005822158", "503470")]
    assert (aem.status, aem.region_ids, aem.title_token, aem.message_token) == (
        "in_progress",
        ("Americas",),
        real.MAINTENANCE_TITLE,
        real.STARTED_TEXT,
    )
    assert aem.start == real.at("2026-11-29T10:00:00")
    campaign = impacts[("CHG005822160", "503475")]
    assert (campaign.status, campaign.message_token) == (
        "scheduled",
        "maintenance.reminder.canned",
    )


def test_the_feed_carries_its_texts_by_locale_and_token() -> None:
    events = parse_feed(real.feed(real.scenario()), now=NOW)
    assert sorted(events.texts) == ["en", "fr"]
    assert events.texts["en"]["202608040123-custom-1"] == Text(
        text="Users in EMEA cannot load reports since {startDateTime}.",
        html="<p>Users in <b>EMEA</b> cannot load reports since {startDateTime}.</p>",
    )
    # Maintenance texts sit beside incident texts.
    assert events.texts["en"][real.STARTED_TEXT].text == (
        "We've started a maintenance, until {endDateTime}."
    )
    assert events.texts["fr"] == {
        real.STARTED_TEXT: Text("Nous avons commencé une maintenance.", "<p>Maintenance.</p>")
    }
    # Every token an open event names has its English text.
    for impact in events.impacts:
        assert {impact.title_token, impact.message_token} <= events.texts["en"].keys()


def test_the_api_shape_carries_no_texts() -> None:
    assert parse_events(real.dto(real.scenario()), now=NOW).texts == {}


def test_a_maintenance_ends_when_it_was_completed() -> None:
    scenario = real.scenario()
    canceled = next(e for e in scenario.events if e.id == "CHG005822161")
    # Made to run: status Started; its completedOn is its end.
    running = real.Event(
        canceled.id,
        "maintenance",
        canceled.parts,
        regions=canceled.regions,
        status="Started",
        cmr_status="Started",
        scheduled=canceled.scheduled,
        completed=canceled.completed,
    )
    for events in (
        parse_events(real.dto(real.Scenario((running,))), now=NOW),
        parse_feed(real.feed(real.Scenario((running,))), now=NOW),
    ):
        (impact,) = events.impacts
        assert impact.end == real.at("2026-11-29T06:05:00")


def test_an_incident_stays_open_until_its_end_time() -> None:
    scenario = real.scenario()
    incident = next(e for e in scenario.events if e.id == "202608040123")
    manager = next(part for part in incident.parts if part.id == "503486")
    payload = real.feed(real.Scenario((incident,)))
    before = parse_feed(payload, now=manager.ended - 1)
    after = parse_feed(payload, now=manager.ended)
    assert ("503486", manager.ended) in {(i.product_id, i.end) for i in before.impacts}
    assert "503486" not in {i.product_id for i in after.impacts}


# --- the fixtures follow the spec's shapes (its enums leave out Adobe's real words) -------


@pytest.mark.parametrize(
    ("component", "payload"),
    [
        ("Event", lambda: real.dto(real.scenario())),
        ("Events", lambda: real.feed(real.scenario())),
    ],
)
def test_fixtures_have_the_shapes_of_adobes_spec(
    component: str, payload: Callable[[], dict[str, Any]]
) -> None:
    spec = Spec.load(require_spec("check the fixtures against it"))
    schema = without_enums(spec.schema(component))
    errors = [error.message for error in Draft4Validator(schema).iter_errors(payload())]
    assert not errors, errors[:3]
