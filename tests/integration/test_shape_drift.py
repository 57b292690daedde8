"""Schema drift never reads as "all operational": each case over real HTTP.

An answer that carries none of the keys the exporter knows (a key renamed at Adobe) would
otherwise read as "nothing open" with `up 1`, silencing every alert. It must count as
`invalid_response`, with `up 0` and the stale rules of any failure.
"""

from __future__ import annotations

import json

import pytest

from exporter.simulator import Simulator
from tests.support.exporters import (
    ExporterFactory,
    FakeClock,
    RunningExporter,
    Samples,
    series,
    value,
)
from tests.support.payloads import incident

pytestmark = pytest.mark.integration

DRIFTED_EVENTS = {
    "empty-object": "{}",
    "renamed-top-level": json.dumps({"data": [incident()]}),
    "renamed-case": json.dumps({"Incidents": [incident()], "Maintenances": []}),
    "renamed-event-id": json.dumps(
        {"incidents": [{**incident(), "id": None, "eventId": "202608040123"}], "maintenances": []}
    ),
}


def product_states(samples: Samples) -> dict[str, float]:
    return {
        labels["product_id"]: samples[("adobe_status_product_status", frozenset(labels.items()))]
        for labels in series(samples, "adobe_status_product_status")
    }


def errors(samples: Samples, endpoint: str) -> float:
    found = value(
        samples, "adobe_status_upstream_errors_total", endpoint=endpoint, reason="invalid_response"
    )
    return found or 0.0


def open_an_incident(simulator: Simulator) -> None:
    """A major incident on Adobe Analytics, so that "all operational" would be a change."""
    simulator.inject("events", body=json.dumps({"incidents": [incident()], "maintenances": []}))


@pytest.mark.parametrize("body", list(DRIFTED_EVENTS.values()), ids=list(DRIFTED_EVENTS))
def test_events_without_known_keys_are_invalid_and_keep_the_last_statuses(
    simulator: Simulator, make_exporter: ExporterFactory, clock: FakeClock, body: str
) -> None:
    exporter = make_exporter(max_stale=300)
    open_an_incident(simulator)
    good = exporter.scrape()
    assert value(good, "adobe_status_up") == 1
    assert product_states(good)["503467"] == 4

    simulator.inject("events", body=body, times=None)
    drifted = exporter.scrape()
    assert value(drifted, "adobe_status_up") == 0
    assert errors(drifted, "events") == errors(good, "events") + 1
    assert product_states(drifted) == product_states(good)  # not "all operational"

    clock.advance(301)  # past --max-stale: the statuses are dropped, never zeroed
    stale = exporter.scrape()
    assert value(stale, "adobe_status_up") == 0
    assert product_states(stale) == {}


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("products", "[]"),
        ("products", json.dumps([{"productId": "503467", "productName": "Adobe Analytics"}])),
        ("clouds", "[]"),
        ("clouds", json.dumps([{"cloudId": "503461", "cloudName": "Adobe Experience Cloud"}])),
    ],
)
def test_first_catalog_without_known_keys_gives_up_0(
    simulator: Simulator, exporter: RunningExporter, endpoint: str, body: str
) -> None:
    simulator.inject(endpoint, body=body, times=None)
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 0
    assert errors(samples, endpoint) == 1
    assert product_states(samples) == {}


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("products", "[]"),
        ("products", json.dumps([{"productId": "503467"}, {"productId": "503486"}])),
        ("clouds", "[]"),
        # Product lists renamed: every product would lose its cloud label.
        ("clouds", json.dumps([{"id": "503461", "name": "Adobe Experience Cloud", "x": []}])),
    ],
)
def test_catalog_refresh_without_known_keys_keeps_the_previous_catalog(
    simulator: Simulator,
    exporter: RunningExporter,
    clock: FakeClock,
    endpoint: str,
    body: str,
) -> None:
    good = exporter.scrape()
    simulator.inject(endpoint, body=body, times=None)
    clock.advance(3601)  # past --registry-ttl: the registry is asked again
    refreshed = exporter.scrape()
    assert errors(refreshed, endpoint) == errors(good, endpoint) + 1
    # The events were good: statuses from them, by the registry that was last readable.
    assert value(refreshed, "adobe_status_up") == 1
    assert series(refreshed, "adobe_status_product_status") == series(
        good, "adobe_status_product_status"
    )
