"""Static checks of the Grafana dashboard grafana/adobe-status.json.

Lint rules (ids, datasources, layout, units, rate windows, variables, value mappings,
contract metric names), PromQL validity and results through promtool, and a type check
against Grafana's own dashboard types (@grafana/schema) with the TypeScript compiler from
the npm project in tests/dashboard_schema.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.contract import contract_metrics
from tests.support.dashboard_common import (
    DATASOURCE,
    all_exprs,
    all_panels,
    annotation_queries,
    leaf_panels,
    load_dashboard,
    panel_by_title,
    variable,
)

GRID_WIDTH = 24

STATE_MAPPING = {
    "0": ("Operational", "green"),
    "1": ("Maintenance", "blue"),
    "2": ("Potential", "yellow"),
    "3": ("Minor", "orange"),
    "4": ("Major", "red"),
}

PROMQL_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"}


def allowed_series_names(metrics: dict[str, str]) -> set[str]:
    names = set()
    for name, kind in metrics.items():
        names.add(name)
        if kind == "histogram":
            names.update(f"{name}{suffix}" for suffix in ("_bucket", "_sum", "_count"))
    return names


def metric_names(expr: str) -> set[str]:
    """Metric names referenced by a PromQL expression.

    A small scanner, enough for the queries of this dashboard: it drops strings, label
    matchers, range and subquery brackets and grouping clauses, then keeps identifiers
    that are neither functions, aggregations nor keywords.
    """
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)
    text = re.sub(r"'(?:\\.|[^'\\])*'", "''", text)
    text = re.sub(r"\{[^{}]*\}", " ", text)
    text = re.sub(r"\[[^\[\]]*\]", " ", text)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", " ", text)
    text = re.sub(r"\b(?:group_left|group_right)\b", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in PROMQL_KEYWORDS:
            continue
        names.add(name)
    return names


def rects_overlap(a: dict[str, int], b: dict[str, int]) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def overlapping_pairs(panels: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    return [
        (a["id"], b["id"])
        for i, a in enumerate(panels)
        for b in panels[i + 1 :]
        if rects_overlap(a["gridPos"], b["gridPos"])
    ]


# -- lint ---------------------------------------------------------------------------------


def test_dashboard_has_fixed_uid_tags_utc_and_current_schema() -> None:
    dashboard = load_dashboard()
    assert dashboard["uid"] == "adobe-status"
    assert dashboard["timezone"] == "utc"
    assert dashboard["tags"] and "adobe" in dashboard["tags"]
    assert dashboard["schemaVersion"] >= 39
    assert dashboard.get("id") is None, "an exported id would clash on import"


def test_panel_ids_are_unique_including_rows_and_collapsed_panels() -> None:
    ids = [p.get("id") for p in all_panels(load_dashboard())]
    assert all(isinstance(i, int) for i in ids), ids
    assert len(ids) == len(set(ids)), f"duplicate panel ids: {ids}"


def test_every_panel_and_target_uses_the_datasource_variable() -> None:
    wrong = []
    for panel in all_panels(load_dashboard()):
        if panel.get("datasource") != DATASOURCE:
            wrong.append((panel["title"], panel.get("datasource")))
        for target in panel.get("targets", []):
            if target.get("datasource") != DATASOURCE:
                wrong.append((f"{panel['title']}/{target.get('refId')}", target.get("datasource")))
    assert not wrong


def test_status_change_annotation_is_a_prometheus_query_on_the_datasource_variable() -> None:
    (annotation,) = annotation_queries(load_dashboard())
    assert annotation["datasource"] == DATASOURCE
    assert annotation["enable"] is True and annotation["hide"] is False
    # Where Grafana's Prometheus annotation support reads the query and its options.
    assert "adobe_status_product_status" in annotation["target"]["expr"]
    assert annotation["target"]["refId"]
    assert "expr" not in annotation and "step" not in annotation
    assert re.search(r"\{\{\s*product\s*\}\}.*\{\{\s*state\s*\}\}", annotation["titleFormat"])
    assert {"product", "state"} <= set(annotation["tagKeys"].split(","))
    assert annotation["useValueForTime"] is False


def test_dashboard_has_prometheus_datasource_variable() -> None:
    ds = variable(load_dashboard(), "datasource")
    assert ds["type"] == "datasource"
    assert ds["query"] == "prometheus"


def test_panels_stay_in_the_grid_and_do_not_overlap() -> None:
    dashboard = load_dashboard()
    top = dashboard["panels"]
    for panel in all_panels(dashboard):
        pos = panel["gridPos"]
        assert pos["x"] >= 0 and pos["y"] >= 0 and pos["w"] > 0 and pos["h"] > 0, panel["title"]
        assert pos["x"] + pos["w"] <= GRID_WIDTH, panel["title"]
    assert overlapping_pairs(top) == []
    # A collapsed row holds its panels; they are laid out below the row when expanded.
    for row in (p for p in top if p.get("type") == "row"):
        inner = row.get("panels", [])
        if not row.get("collapsed"):
            assert inner == [], f"expanded row {row['title']!r} must not hold panels"
            continue
        assert inner, f"collapsed row {row['title']!r} is empty"
        assert overlapping_pairs(inner) == []
        assert all(p["gridPos"]["y"] > row["gridPos"]["y"] for p in inner), row["title"]


def test_overlap_check_detects_overlapping_panels() -> None:
    a = {"id": 1, "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}}
    b = {"id": 2, "gridPos": {"x": 11, "y": 7, "w": 4, "h": 4}}
    c = {"id": 3, "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8}}
    assert overlapping_pairs([a, b, c]) == [(1, 2), (2, 3)]


def test_every_panel_has_a_unit_and_a_description() -> None:
    missing = [
        p["title"]
        for p in leaf_panels(load_dashboard())
        if not p.get("fieldConfig", {}).get("defaults", {}).get("unit")
        or not p.get("description", "").strip()
    ]
    assert missing == []


def test_rows_cover_overview_products_regions_events_record_and_exporter_health() -> None:
    rows = [p["title"] for p in load_dashboard()["panels"] if p.get("type") == "row"]
    assert rows == [
        "Overview",
        "Products",
        "Regions",
        "Events",
        "Adobe's record",
        "Exporter health",
    ]


def test_every_rate_and_increase_uses_rate_interval() -> None:
    bad = []
    for where, expr in all_exprs(load_dashboard()):
        for match in re.finditer(r"\b(?:rate|irate|increase)\s*\(", expr):
            depth, end = 1, match.end()
            while depth:
                depth += {"(": 1, ")": -1}.get(expr[end], 0)
                end += 1
            windows = re.findall(r"\[([^\]]*)\]", expr[match.end() : end])
            if windows != ["$__rate_interval"]:
                bad.append((where, expr[match.start() : end]))
    assert bad == []


@pytest.mark.parametrize("name", ["cloud", "product", "region"])
def test_filter_variable_is_multi_select_with_all(name: str) -> None:
    var = variable(load_dashboard(), name)
    assert var["type"] == "query"
    assert var["multi"] is True
    assert var["includeAll"] is True
    assert var["datasource"] == DATASOURCE
    assert re.fullmatch(
        rf"label_values\(\s*adobe_status_\w+(\{{.*\}})?\s*,\s*{name}\s*\)", var["query"]
    )


def test_filter_variables_are_chained() -> None:
    dashboard = load_dashboard()
    assert "$cloud" not in variable(dashboard, "cloud")["query"]
    assert 'cloud=~"$cloud"' in variable(dashboard, "product")["query"]
    region = variable(dashboard, "region")["query"]
    assert 'cloud=~"$cloud"' in region and 'product=~"$product"' in region
    names = [v["name"] for v in dashboard["templating"]["list"]]
    assert names.index("datasource") < names.index("cloud") < names.index("product")
    assert names.index("product") < names.index("region")


@pytest.mark.parametrize(
    "title", ["Product status", "Products not operational", "Product by region"]
)
def test_state_panels_map_codes_0_to_4_to_names_and_colours(title: str) -> None:
    panel = panel_by_title(load_dashboard(), title)
    options: dict[str, Any] = {}
    for mapping in panel["fieldConfig"]["defaults"]["mappings"]:
        assert mapping["type"] == "value"
        options.update(mapping["options"])
    got = {code: (m["text"], m["color"]) for code, m in options.items()}
    assert got == STATE_MAPPING


def test_product_status_panel_is_a_state_timeline_of_the_product_metric() -> None:
    panel = panel_by_title(load_dashboard(), "Product status")
    assert panel["type"] == "state-timeline"
    assert [name for t in panel["targets"] for name in sorted(metric_names(t["expr"]))] == [
        "adobe_status_product_status"
    ]


def test_every_query_uses_only_contract_metrics() -> None:
    allowed = allowed_series_names(contract_metrics())
    dashboard = load_dashboard()
    used = {name for _, expr in all_exprs(dashboard) for name in metric_names(expr)}
    for var in dashboard["templating"]["list"]:
        match = re.match(r"label_values\(\s*([a-zA-Z_:][\w:]*)", str(var.get("query", "")))
        if match:
            used.add(match.group(1))
    assert used, "no metric found: the scanner is broken"
    assert used - allowed == set()


def test_every_contract_metric_but_the_sum_and_count_is_on_the_dashboard() -> None:
    metrics = contract_metrics()
    dashboard = load_dashboard()
    used = {name for _, expr in all_exprs(dashboard) for name in metric_names(expr)}
    used = {re.sub(r"_bucket$", "", name) for name in used}
    assert set(metrics) - used == set()


def test_metric_name_scanner_skips_labels_functions_and_grouping() -> None:
    expr = (
        'histogram_quantile(0.95, sum by (le, endpoint) (rate(foo_bucket{job="x", a=~"b|c"}'
        "[$__rate_interval]))) / on (instance) group_left (version) bar_info"
        ' * ignoring (code) label_replace(baz, "dst", "$1", "src", "(.*)") and time() - qux'
    )
    assert metric_names(expr) == {"foo_bucket", "bar_info", "baz", "qux"}
