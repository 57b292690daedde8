"""Every query of the Grafana dashboard, asked of a real Prometheus that scrapes live data.

One stack for the module: the simulator holds a major, a minor and a potential incident,
a maintenance in progress and two scheduled ones (in 30 min and in 6 h); the exporter
has requested a token and met one upstream error. Then every panel target of
grafana/adobe-status.json (collapsed rows included) is sent to Prometheus the way Grafana
would send it with every filter at "All", and must return data; the stat panels must
also count what the scenario holds. The template variables' label_values() queries must
resolve to the catalog's clouds, products and regions.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from exporter import __version__
from exporter.simulator import Simulator
from tests.live_support import LiveStack, live_stack, poll
from tests.prometheus_support import value

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
DASHBOARD_PATH = REPO / "grafana" / "adobe-status.json"

ANALYTICS = "503467"  # major incident, EMEA only
CAMPAIGN = "503475"  # minor incident
FONTS = "503501"  # potential incident
PHOTOSHOP = "503493"  # maintenance in progress
ACROBAT = "512699"  # maintenance scheduled in 30 minutes
EXPRESS = "503465"  # maintenance scheduled in 6 hours
EMEA = "EMEA"  # Adobe keys regions by name

# What Grafana puts in place of its variables: "All" is the variables' allValue `.*`;
# $__rate_interval is at least four scrape intervals (1 s here); $__range is the
# dashboard's time range, kept short because Prometheus has only seconds of history.
SUBSTITUTIONS = {
    "$__rate_interval": "1m",
    "$__interval": "15s",
    "$__range": "5m",
    "$cloud": ".*",
    "$product": ".*",
    "$region": ".*",
}
RANGE_SECONDS = 60
DATA_TIMEOUT = 30.0

Result = list[dict[str, Any]]


# -- the dashboard ------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    panel: str
    ref_id: str
    expr: str
    instant: bool

    @property
    def key(self) -> str:
        return f"{self.panel}/{self.ref_id}"


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))  # a collapsed row holds its panels


def load_dashboard() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD_PATH.read_text(encoding="utf-8")))


def dashboard_targets() -> list[Target]:
    return [
        Target(
            panel=panel["title"],
            ref_id=target["refId"],
            expr=target["expr"],
            instant=bool(target.get("instant")) and not target.get("range"),
        )
        for panel in _panels(load_dashboard()["panels"])
        for target in panel.get("targets", [])
        if target.get("expr")
    ]


def to_promql(expr: str) -> str:
    # Longest names first, so $__range never eats into $__rate_interval.
    for name in sorted(SUBSTITUTIONS, key=len, reverse=True):
        expr = expr.replace(name, SUBSTITUTIONS[name])
    assert "$" not in expr, f"a Grafana variable is left in {expr!r}"
    return expr


TARGETS = dashboard_targets()


def count_is(n: int) -> Callable[[Result], bool]:
    return lambda result: len(result) == 1 and value(result[0]) == n


def products_are(*ids: str) -> Callable[[Result], bool]:
    return lambda result: sorted(s["metric"]["product_id"] for s in result) == sorted(ids)


def _last(sample: dict[str, Any]) -> float:
    return float(sample["values"][-1][1]) if "values" in sample else value(sample)


def latency_of_events(result: Result) -> bool:
    """A latency quantile for the events endpoint that is a number (not NaN) and plausible."""
    return any(
        s["metric"] == {"endpoint": "events"} and 0 < _last(s) < 5 for s in result
    )  # NaN compares False


# Beyond "returns data": what the scenario makes certain panels show.
EXPECTED: dict[str, Callable[[Result], bool]] = {
    "Products with a major incident/A": count_is(1),
    "Products with a minor incident/A": count_is(1),
    "Maintenances in progress/A": count_is(1),
    "Maintenances in the next 24 h/A": count_is(2),
    "Exporter up/A": count_is(1),
    "Last successful collection/A": lambda r: len(r) == 1 and 0 <= value(r[0]) < 30,
    "Products not operational/A": lambda r: (
        {s["metric"]["product_id"]: value(s) for s in r}
        == {ANALYTICS: 4, CAMPAIGN: 3, FONTS: 2, PHOTOSHOP: 1}
    ),
    "Product status/A": lambda r: (
        sorted(s["metric"]["product"] for s in r)
        == ["Adobe Analytics", "Adobe Campaign", "Adobe Fonts", "Adobe Photoshop"]
    ),
    "Product by region/A": lambda r: any(
        s["metric"] == {"product": "Adobe Analytics", "region": EMEA} and value(s) == 4 for s in r
    ),
    "Affected regions over time/A": lambda r: any(
        s["metric"] == {"product": "Adobe Analytics", "region": EMEA} and _last(s) == 4 for s in r
    ),
    "Open events/A": lambda r: len({s["metric"]["event_id"] for s in r}) == 6,
    "Upcoming maintenances/A": products_are(ACROBAT, EXPRESS),
    "Token expires in/A": lambda r: len(r) == 1 and 80_000 < value(r[0]) <= 86_400,
    "Upstream requests by code/A": lambda r: any(
        s["metric"] == {"endpoint": "events", "code": "503"} for s in r
    ),
    "Token requests/A": lambda r: any(s["metric"] == {"result": "success"} for s in r),
    "Upstream query success/A": lambda r: len(r) == 1 and _last(r[0]) == 1,
    "Collection duration/A": lambda r: len(r) == 1 and 0 < _last(r[0]) < 5,
    "Exporter version/A": lambda r: [s["metric"].get("version") for s in r] == [__version__],
    "Upstream latency (p50 / p95 / p99)/A": latency_of_events,
    "Upstream latency (p50 / p95 / p99)/B": latency_of_events,
    "Upstream latency (p50 / p95 / p99)/C": latency_of_events,
    "Upstream errors by reason/A": lambda r: any(
        s["metric"] == {"endpoint": "events", "reason": "http"}
        and max(float(v) for _, v in s["values"]) > 0
        for s in r
    ),
}


# -- the live stack -----------------------------------------------------------------------


def scenario(simulator: Simulator) -> None:
    now = time.time()
    simulator.add_incident(product_id=ANALYTICS, severity="Major", region_ids=[EMEA])
    simulator.add_incident(product_id=CAMPAIGN, severity="Minor")
    simulator.add_incident(product_id=FONTS, severity="Potential")
    simulator.add_maintenance(product_id=PHOTOSHOP, status="Started")
    simulator.add_maintenance(product_id=ACROBAT, status="Scheduled", start_at=now + 1800)
    simulator.add_maintenance(product_id=EXPRESS, status="Scheduled", start_at=now + 6 * 3600)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    with live_stack(tmp_path_factory.mktemp("live-dashboard"), prepare=scenario) as running:
        # One failed events request, so the error panels have something to show.
        running.simulator.inject("events", status=503, times=1)
        running.prometheus.wait_for(
            'adobe_status_api_requests_total{endpoint="events", code="503"}', bool
        )
        running.prometheus.wait_for("adobe_status_up == 1", bool)
        yield running


def ask(stack: LiveStack, target: Target) -> Result:
    expr = to_promql(target.expr)
    if target.instant:
        return stack.prometheus.query(expr)
    end = time.time()
    data = stack.prometheus.api(
        "/api/v1/query_range",
        query=expr,
        start=f"{end - RANGE_SECONDS:.3f}",
        end=f"{end:.3f}",
        step="1",
    )
    assert data["resultType"] == "matrix", data
    return list(data["result"])


# -- tests --------------------------------------------------------------------------------


def test_dashboard_has_targets_in_collapsed_rows_too() -> None:
    nested = {
        panel["title"]
        for row in load_dashboard()["panels"]
        for panel in row.get("panels", [])
        if panel.get("targets")
    }
    assert nested, "expected collapsed rows with panels"
    assert nested <= {t.panel for t in TARGETS}


def test_every_expected_panel_exists() -> None:
    assert set(EXPECTED) <= {t.key for t in TARGETS}


@pytest.mark.parametrize("target", TARGETS, ids=[t.key for t in TARGETS])
def test_panel_query_returns_data(stack: LiveStack, target: Target) -> None:
    expected = EXPECTED.get(target.key, bool)
    result = poll(
        lambda: ask(stack, target),
        lambda result: bool(result) and expected(result),
        timeout=DATA_TIMEOUT,
        what=f"panel {target.key} ({'instant' if target.instant else 'range'})",
    )
    assert result


def label_values_queries() -> list[tuple[str, str, str]]:
    """(variable, metric selector, label) for each label_values() variable."""
    found = []
    for var in load_dashboard()["templating"]["list"]:
        if var.get("type") != "query":
            continue
        match = re.fullmatch(r"label_values\(\s*(.+?)\s*,\s*(\w+)\s*\)", var["query"])
        assert match, f"variable {var['name']}: unexpected query {var['query']!r}"
        found.append((var["name"], match.group(1), match.group(2)))
    return found


VARIABLES = label_values_queries()


@pytest.mark.parametrize("name,selector,label", VARIABLES, ids=[v[0] for v in VARIABLES])
def test_variable_resolves_to_the_catalog(
    stack: LiveStack, name: str, selector: str, label: str
) -> None:
    catalog = stack.simulator.catalog
    expected = {
        "cloud": {cloud.name for cloud in catalog.clouds},
        "product": {product.name for product in catalog.products},
        "region": {region.name for region in catalog.regions},
    }[label]
    values = poll(
        lambda: set(
            stack.prometheus.api(
                f"/api/v1/label/{label}/values", **{"match[]": to_promql(selector)}
            )
        ),
        lambda found: found == expected,
        timeout=DATA_TIMEOUT,
        what=f"variable ${name}",
    )
    assert values == expected
