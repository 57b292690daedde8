"""Our exposition passes `promtool check metrics` (Prometheus's own linter) in every state."""

from __future__ import annotations

import pytest

from exporter.simulator import Simulator
from tests.support.exporters import RunningExporter
from tests.support.prometheus import assert_metrics_clean, check_metrics

pytestmark = pytest.mark.integration


def test_promtool_accepts_exposition_with_open_events(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    simulator.add_incident(product_id="503467", severity="Major")
    simulator.add_incident(product_id="503493", severity="Trivial", region_ids=None)
    simulator.add_maintenance(product_id="503486", status="Started")
    simulator.add_maintenance(product_id="503494", status="Scheduled")
    text = exporter.get("/metrics").text
    assert_metrics_clean(text)


def test_promtool_accepts_exposition_while_upstream_fails(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    simulator.inject("token", status=500, times=None)
    text = exporter.get("/metrics").text
    assert "adobe_status_up 0.0" in text.splitlines()
    assert_metrics_clean(text)


def test_promtool_rejects_a_broken_exposition() -> None:
    # The check above can fail: promtool does flag real problems.
    result = check_metrics("# HELP x a counter\n# TYPE x counter\nx 1\n")
    assert result.returncode != 0
    assert "_total" in result.stdout + result.stderr
