"""The dashboard with --source feed: nothing reads as a fault when nothing is wrong.

A real Prometheus scrapes an exporter on the simulator's public feed (no token, no token
metrics). Every stat panel's query result goes through Grafana's own stat display
(getFieldDisplayValues with the panel's fieldConfig, in tests/grafana_format): none shows
"No data", and "Token expires in" says "no token: public feed" in a neutral colour. Every
other panel either gets data or has a `noValue` text of its own, which Grafana shows in
place of "No data" when a query returns nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from exporter.simulator import Simulator
from tests.support.grafana import (
    Grafana,
    Target,
    ask,
    dashboard_targets,
    installed_grafana,
    load_dashboard,
    panels,
)
from tests.support.live import LiveStack, live_stack, poll

TARGETS = dashboard_targets()

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def grafana() -> Grafana:
    return installed_grafana()


ANALYTICS = "503467"
TOKEN_PANEL = "Token expires in"
NO_TOKEN = "no token: public feed"
RED = "#F2495C"  # Grafana's red: the colour of the token panel's lowest threshold


def panels_by_title() -> dict[str, dict[str, Any]]:
    return {panel["title"]: panel for panel in panels(load_dashboard()["panels"])}


def stat_display(
    grafana: Grafana, panel: dict[str, Any], values: list[str]
) -> list[dict[str, str]]:
    """What Grafana's stat panel shows for these series values (none: no data)."""
    request = {
        "fieldConfig": panel["fieldConfig"],
        "reduceOptions": panel["options"]["reduceOptions"],
        "values": values,
    }
    [shown] = grafana.ask(stats=[request])["stats"]
    return [dict(item) for item in shown]


@pytest.fixture(scope="module")
def feed_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    def prepare(simulator: Simulator) -> None:
        simulator.add_incident(product_id=ANALYTICS, severity="Minor")

    with live_stack(
        tmp_path_factory.mktemp("feed-dashboard"), prepare=prepare, feed=True
    ) as running:
        running.prometheus.wait_for('adobe_status_api_requests_total{endpoint="registry"}', bool)
        yield running


def results(stack: LiveStack, target: Target) -> list[dict[str, Any]]:
    # A rate over a fresh Prometheus fills within seconds: wait for data, else take none.
    try:
        return poll(lambda: ask(stack, target), bool, timeout=10, what=target.key)
    except AssertionError:
        return []


def test_the_feed_exporter_exposes_no_token_family(feed_stack: LiveStack) -> None:
    assert feed_stack.prometheus.query('{__name__=~"adobe_status_token_.*"}') == []


def test_no_stat_panel_reads_no_data_and_the_token_panel_says_public_feed(
    feed_stack: LiveStack, grafana: Grafana
) -> None:
    panels = panels_by_title()
    shown: dict[str, list[dict[str, str]]] = {}
    for target in TARGETS:
        panel = panels[target.panel]
        if panel["type"] != "stat":
            continue
        values = [sample["value"][1] for sample in results(feed_stack, target)]
        shown[target.panel] = stat_display(grafana, panel, values)
    assert {text["text"] for items in shown.values() for text in items} & {"No data", ""} == set()
    [token] = shown[TOKEN_PANEL]
    assert token["text"] == NO_TOKEN
    assert token["color"] != RED


def test_every_other_panel_gets_data_or_says_why_in_its_own_words(feed_stack: LiveStack) -> None:
    panels = panels_by_title()
    silent: list[str] = []
    for target in TARGETS:
        panel = panels[target.panel]
        if panel["type"] == "stat" or results(feed_stack, target):
            continue
        no_value = panel.get("fieldConfig", {}).get("defaults", {}).get("noValue")
        if not no_value or no_value == "No data":
            silent.append(target.key)
    assert silent == []


def test_token_panel_with_the_api_source_shows_time_left_or_no_data_when_it_is_gone(
    grafana: Grafana,
) -> None:
    """The feed's text never stands in for a missing token of the API source."""
    panel = panels_by_title()[TOKEN_PANEL]
    assert [item["text"] for item in stat_display(grafana, panel, ["86000"])] == ["24 hours"]
    [gone] = stat_display(grafana, panel, [])
    assert gone == {"text": "No data", "color": RED}
