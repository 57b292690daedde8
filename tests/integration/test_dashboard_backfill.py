"""The dashboard's "Adobe's record" row on backfilled data: `backfill` of a hand-made week,
`promtool tsdb create-blocks-from openmetrics`, a real Prometheus started on the blocks,
and the row's own queries (as Grafana sends them over a week) formatted by Grafana itself.
They must say what the hand-made record says: minutes at each state and availability."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from exporter import record_series as backfill
from tests.support import record_cases as case
from tests.support.grafana import (
    Grafana,
    Target,
    dashboard_targets,
    duration_seconds,
    installed_grafana,
    load_dashboard,
    panels,
    to_promql,
)
from tests.support.prometheus import PrometheusHandle, run_prometheus, value
from tests.support.record_cases import adobe_record

pytestmark = pytest.mark.integration

ROW = "Adobe's record"
# Grafana's variables for a dashboard range of the hand-made week, at one-minute resolution
# (the row's panels ask for interval 1m): the week's 10,080 one-minute samples, from a week
# ago to a minute ago, as the backfill wrote them.
WEEK = {
    "$__range": f"{case.WINDOW // 60 - 1}m",
    "$__interval_ms": "60000",
    "$__interval": "1m",
    "$cloud": ".*",
    "$product": ".*",
    "$region": ".*",
}
STATES = {"A": "major", "B": "minor", "C": "potential", "D": "maintenance"}


def row_targets(panel_title: str) -> list[Target]:
    in_row = {
        panel["title"]
        for row in load_dashboard()["panels"]
        if row.get("type") == "row" and row["title"] == ROW
        for panel in panels(row.get("panels", []))
    }
    assert panel_title in in_row
    return [t for t in dashboard_targets() if t.panel == panel_title]


def unit_of(panel_title: str) -> str:
    (panel,) = [p for p in panels(load_dashboard()["panels"]) if p.get("title") == panel_title]
    return str(panel["fieldConfig"]["defaults"]["unit"])


@pytest.fixture(scope="module")
def grafana() -> Grafana:
    return installed_grafana()


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PrometheusHandle, float]]:
    """A Prometheus holding only the backfilled week, and the instant the row is asked at."""
    tmp_path = tmp_path_factory.mktemp("backfill")
    now = int(time.time()) // 60 * 60  # a whole minute: the subqueries' steps meet the samples
    openmetrics = tmp_path / "adobe.om"
    with openmetrics.open("w", encoding="utf-8") as out:
        backfill.write(out, adobe_record(now=now), now - case.WINDOW, 60.0)
    storage = tmp_path / "tsdb"
    subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(openmetrics), str(storage)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with run_prometheus(Path(tmp_path), [], storage=storage) as prometheus:
        yield prometheus, float(now - 60)


def answer(week: tuple[PrometheusHandle, float], target: Target) -> dict[str, float]:
    prometheus, at = week
    assert target.instant, f"{target.key} is asked as a table over the range"
    data = prometheus.api("/api/v1/query", query=to_promql(target.expr, WEEK), time=str(at))
    return {item["metric"]["product_id"]: value(item) for item in data["result"]}


def test_minutes_at_each_state_are_the_records_as_grafana_shows_them(
    week: tuple[PrometheusHandle, float], grafana: Grafana
) -> None:
    unit = unit_of("Minutes at each state")
    for target in row_targets("Minutes at each state"):
        state = STATES[target.ref_id]
        shown = answer(week, target)
        expected = {
            product_id: minutes[state]
            for product_id, minutes in case.EXPECTED_MINUTES.items()
            if minutes[state] > 0  # the panel's `> 0` leaves the rest out
        }
        assert shown == expected, state
        texts = grafana.texts([(unit, minutes) for minutes in shown.values()])
        for text, minutes in zip(texts, shown.values(), strict=True):
            assert duration_seconds(text) == pytest.approx(minutes * 60, rel=0.01), (state, text)


def test_availability_is_the_share_of_the_week_not_at_minor_or_major(
    week: tuple[PrometheusHandle, float], grafana: Grafana
) -> None:
    (target,) = row_targets("Availability by product")
    shown = answer(week, target)
    for product_id in case.EXPECTED_MINUTES:
        assert shown[product_id] == pytest.approx(case.availability(product_id), abs=1e-9)
    unit = unit_of("Availability by product")
    ids = sorted(case.EXPECTED_MINUTES)
    as_read = grafana.texts([(unit, shown[i]) for i in ids])
    as_computed = grafana.texts([(unit, case.availability(i)) for i in ids])
    assert as_read == as_computed
    assert all(text.endswith("%") for text in as_read)


def test_the_row_reads_only_series_that_backfill_writes() -> None:
    written = {name for name, _, _ in backfill.FAMILIES}
    for title in ("Minutes at each state", "Availability by product"):
        for target in row_targets(title):
            assert any(name in target.expr for name in written), target.key
