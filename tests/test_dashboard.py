"""Static checks of the Grafana dashboard grafana/adobe-status.json.

Lint rules (ids, datasources, layout, units, rate windows, variables, value mappings,
contract metric names), PromQL validity and results through promtool, and a type check
against Grafana's own dashboard types (@grafana/schema) with the TypeScript compiler from
the npm project in tests/dashboard_schema.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.contract import contract_metrics
from tests.support.npm import installed_version, npm_ci
from tests.support.paths import REPO

DASHBOARD_PATH = REPO / "grafana" / "adobe-status.json"
SCHEMA_PROJECT = REPO / "tests" / "dashboard_schema"

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
GRID_WIDTH = 24

STATE_MAPPING = {
    "0": ("Operational", "green"),
    "1": ("Maintenance", "blue"),
    "2": ("Potential", "yellow"),
    "3": ("Minor", "orange"),
    "4": ("Major", "red"),
}

# Grafana variables replaced by plain PromQL when a query is handed to promtool.
GRAFANA_VARIABLES = {
    "$__rate_interval": "4m",
    "$__interval_ms": "60000",
    "$__interval": "1m",
    "$__range": "1d",
    "$cloud": ".*",
    "$product": ".*",
    "$region": ".*",
}

PROMQL_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"}


# -- helpers ------------------------------------------------------------------------------


def load_dashboard() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD_PATH.read_text(encoding="utf-8")))


def all_panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, rows included, with the panels that collapsed rows hold."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def leaf_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in all_panels(dashboard) if p.get("type") != "row"]


def annotation_queries(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """The dashboard's own annotations (Grafana's built-in one left out)."""
    return [a for a in dashboard["annotations"]["list"] if not a.get("builtIn")]


def all_exprs(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, expr) for every panel target and annotation query."""
    panels = [
        (f"{panel.get('title')}/{target.get('refId')}", target["expr"])
        for panel in leaf_panels(dashboard)
        for target in panel.get("targets", [])
        if "expr" in target
    ]
    annotations = [
        (f"annotation {a['name']}", a["target"]["expr"]) for a in annotation_queries(dashboard)
    ]
    return panels + annotations


def panel_by_title(dashboard: dict[str, Any], title: str) -> dict[str, Any]:
    matches = [p for p in all_panels(dashboard) if p.get("title") == title]
    assert len(matches) == 1, f"expected one panel titled {title!r}, found {len(matches)}"
    return matches[0]


def variable(dashboard: dict[str, Any], name: str) -> dict[str, Any]:
    matches = [v for v in dashboard["templating"]["list"] if v["name"] == name]
    assert len(matches) == 1, f"expected one variable {name!r}"
    return dict(matches[0])


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


def to_promql(expr: str) -> str:
    for var, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(var, value)
    assert "$" not in expr, f"unknown Grafana variable left in {expr!r}"
    return expr


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


# -- PromQL through promtool --------------------------------------------------------------


@pytest.mark.integration
def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    exprs = all_exprs(load_dashboard())
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:query_{i}", "expr": to_promql(expr)}
                    for i, (_, expr) in enumerate(exprs)
                ],
            }
        ]
    }
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    result = subprocess.run(
        ["promtool", "check", "rules", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(exprs)} rules found" in result.stdout


# Two products in Creative Cloud. Adobe Aero: a major incident that started at t=0 (in
# region Americas, not EMEA) and an in-progress maintenance. Adobe Color: a maintenance scheduled
# for t=2h (1h50m ahead at the evaluation time, 10m) and one for t=2d (beyond 24 h).
PROMQL_FIXTURE_SERIES = [
    (
        'adobe_status_region_status{cloud="CC",product="Adobe Aero",product_id="1",'
        'region="Americas",region_id="Americas"}',
        "4x20",
    ),
    (
        'adobe_status_region_status{cloud="CC",product="Adobe Aero",product_id="1",'
        'region="EMEA",region_id="EMEA"}',
        "0x20",
    ),
    ('adobe_status_product_status{cloud="CC",product="Adobe Aero",product_id="1"}', "4x20"),
    ('adobe_status_product_status{cloud="CC",product="Adobe Color",product_id="2"}', "0x20"),
    (
        'adobe_status_incidents_open{cloud="CC",product="Adobe Aero",product_id="1",'
        'severity="major"}',
        "1x20",
    ),
    (
        'adobe_status_incidents_open{cloud="CC",product="Adobe Aero",product_id="1",'
        'severity="minor"}',
        "0x20",
    ),
    (
        'adobe_status_maintenances{cloud="CC",product="Adobe Aero",product_id="1",'
        'state="in_progress"}',
        "1x20",
    ),
    (
        'adobe_status_maintenances{cloud="CC",product="Adobe Color",product_id="2",'
        'state="scheduled"}',
        "2x20",
    ),
    (
        'adobe_status_event_info{event_id="i-1",kind="incident",product_id="1",'
        'product="Adobe Aero",severity="major",status="Opened"}',
        "1x20",
    ),
    (
        'adobe_status_event_start_timestamp_seconds{event_id="i-1",kind="incident",product_id="1"}',
        "0x20",
    ),
    (
        'adobe_status_event_info{event_id="m-1",kind="maintenance",product_id="2",'
        'product="Adobe Color",severity="",status="Scheduled"}',
        "1x20",
    ),
    (
        'adobe_status_event_start_timestamp_seconds{event_id="m-1",kind="maintenance",'
        'product_id="2"}',
        "7200x20",
    ),
    (
        'adobe_status_event_info{event_id="m-2",kind="maintenance",product_id="2",'
        'product="Adobe Color",severity="",status="Scheduled"}',
        "1x20",
    ),
    (
        'adobe_status_event_start_timestamp_seconds{event_id="m-2",kind="maintenance",'
        'product_id="2"}',
        "172800x20",
    ),
]

PROMQL_EXPECTATIONS: list[tuple[str, str, list[dict[str, Any]]]] = [
    ("Products with a major incident", "A", [{"labels": "{}", "value": 1}]),
    ("Products with a minor incident", "A", [{"labels": "{}", "value": 0}]),
    ("Maintenances in progress", "A", [{"labels": "{}", "value": 1}]),
    ("Maintenances in the next 24 h", "A", [{"labels": "{}", "value": 1}]),
    # Adobe Color was Operational throughout: left out of the timeline.
    ("Product status", "A", [{"labels": '{cloud="CC",product="Adobe Aero"}', "value": 4}]),
    (
        "Products not operational",
        "A",
        [{"labels": '{cloud="CC",product="Adobe Aero",product_id="1"}', "value": 4}],
    ),
    (
        "Product by region",
        "A",
        [
            {"labels": '{product="Adobe Aero",region="Americas"}', "value": 4},
            {"labels": '{product="Adobe Aero",region="EMEA"}', "value": 0},
        ],
    ),
    (
        "Affected regions over time",
        "A",
        [{"labels": '{product="Adobe Aero",region="Americas"}', "value": 4}],
    ),
    (
        "Open events",
        "A",
        [
            {
                "labels": '{cloud="CC",event_id="i-1",kind="incident",product="Adobe Aero",'
                'product_id="1",severity="major",status="Opened"}',
                "value": 0,
            },
            {
                "labels": '{cloud="CC",event_id="m-1",kind="maintenance",product="Adobe Color",'
                'product_id="2",status="Scheduled"}',
                "value": 7_200_000,
            },
            {
                "labels": '{cloud="CC",event_id="m-2",kind="maintenance",product="Adobe Color",'
                'product_id="2",status="Scheduled"}',
                "value": 172_800_000,
            },
        ],
    ),
    # Grafana's date units read epoch milliseconds (Start above); "Open for" is in seconds,
    # for events that have started.
    (
        "Open events",
        "B",
        [
            {
                "labels": '{cloud="CC",event_id="i-1",kind="incident",product="Adobe Aero",'
                'product_id="1",severity="major",status="Opened"}',
                "value": 600,
            },
        ],
    ),
    (
        "Upcoming maintenances",
        "A",
        [
            {
                "labels": '{cloud="CC",event_id="m-1",product="Adobe Color",product_id="2"}',
                "value": 6600,
            },
            {
                "labels": '{cloud="CC",event_id="m-2",product="Adobe Color",product_id="2"}',
                "value": 172200,
            },
        ],
    ),
]


@pytest.mark.integration
def test_overview_and_event_queries_compute_the_expected_values(tmp_path: Path) -> None:
    dashboard = load_dashboard()
    tests = []
    for title, ref, samples in PROMQL_EXPECTATIONS:
        (target,) = [t for t in panel_by_title(dashboard, title)["targets"] if t["refId"] == ref]
        tests.append(
            {"expr": to_promql(target["expr"]), "eval_time": "10m", "exp_samples": samples}
        )
    promtool_test(tmp_path, PROMQL_FIXTURE_SERIES, tests)


# -- type check against @grafana/schema ---------------------------------------------------

# JSON has no enums: Grafana's string enums (ThresholdsMode, MappingType, ...) are written
# as their string values. JsonOf<T> turns every string enum into the union of its values
# and leaves everything else (numeric enums, required keys, exact object shapes) as is.
#
# Grafana types an annotation by its data source's query, AnnotationQuery<TQuery>; a
# Prometheus annotation keeps its query (expr, min step) in `target` and its display
# options (title, text, tag keys) on the annotation itself, where Grafana's Prometheus
# annotation support reads them. Those two shapes (PromQuery and the options) belong to
# @grafana/prometheus, a React package too heavy to install for types; the template
# declares the fields of theirs this dashboard uses, closed like the rest.
TS_TEMPLATE = """\
import type {{ AnnotationQuery, Dashboard, DataQuery }} from "@grafana/schema";

interface PromQuery extends DataQuery {{
  expr: string;
  interval?: string;
}}

interface PromAnnotationQuery extends AnnotationQuery<PromQuery> {{
  titleFormat?: string;
  textFormat?: string;
  tagKeys?: string;
  useValueForTime?: boolean;
}}

type DashboardJson = Omit<Dashboard, "annotations"> & {{
  annotations?: {{ list?: PromAnnotationQuery[] }};
}};

type JsonOf<T> = T extends string
  ? `${{T}}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends ReadonlyArray<infer U>
      ? Array<JsonOf<U>>
      : T extends object
        ? {{ [K in keyof T]: JsonOf<T[K]> }}
        : T;

export const dashboard = (
{json}
) satisfies JsonOf<DashboardJson>;
"""


@pytest.fixture(scope="module")
def tsc() -> Path:
    """The TypeScript compiler of tests/dashboard_schema, installed from its lock file."""
    lock = json.loads((SCHEMA_PROJECT / "package-lock.json").read_text(encoding="utf-8"))
    wanted = {
        name: lock["packages"][f"node_modules/{name}"]["version"]
        for name in ("@grafana/schema", "typescript")
    }
    if any(installed_version(SCHEMA_PROJECT, name) != version for name, version in wanted.items()):
        npm_ci(SCHEMA_PROJECT)
    assert {name: installed_version(SCHEMA_PROJECT, name) for name in wanted} == wanted
    path = SCHEMA_PROJECT / "node_modules" / ".bin" / "tsc"
    assert path.is_file()
    return path


def type_check(
    tsc: Path, dashboard: dict[str, Any], workdir: Path
) -> subprocess.CompletedProcess[str]:
    """Run tsc --noEmit --strict on the dashboard as a TypeScript literal."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "node_modules").symlink_to(SCHEMA_PROJECT / "node_modules", target_is_directory=True)
    (workdir / "dashboard.ts").write_text(
        TS_TEMPLATE.format(json=json.dumps(dashboard, indent=2)), encoding="utf-8"
    )
    config = {"extends": str(SCHEMA_PROJECT / "tsconfig.json"), "files": ["dashboard.ts"]}
    (workdir / "tsconfig.json").write_text(json.dumps(config), encoding="utf-8")
    return subprocess.run(
        [
            str(tsc),
            "-p",
            str(workdir / "tsconfig.json"),
            "--noEmit",
            "--strict",
            "--pretty",
            "false",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def error_lines(result: subprocess.CompletedProcess[str], workdir: Path) -> list[str]:
    """The source lines of dashboard.ts that tsc reports errors on."""
    source = (workdir / "dashboard.ts").read_text(encoding="utf-8").splitlines()
    numbers = re.findall(r"dashboard\.ts\((\d+),\d+\): error", result.stdout)
    return [source[int(n) - 1] for n in numbers]


@pytest.mark.integration
def test_dashboard_type_checks_against_grafana_schema(tsc: Path, tmp_path: Path) -> None:
    result = type_check(tsc, load_dashboard(), tmp_path / "ok")
    assert result.returncode == 0, result.stdout + result.stderr


# Each breakage edits a copy of the dashboard and returns what tsc must report: the error
# code, and a text found on the source line the error points at.
def _gridpos_as_string(d: dict[str, Any]) -> tuple[str, str]:
    d["panels"][1]["gridPos"] = "x"
    return "TS2322", '"gridPos": "x"'


def _unknown_top_level_key(d: dict[str, Any]) -> tuple[str, str]:
    d["refreshInterval"] = "1m"
    return "TS2353", '"refreshInterval"'


def _threshold_mode_typo(d: dict[str, Any]) -> tuple[str, str]:
    d["panels"][1]["fieldConfig"]["defaults"]["thresholds"]["mode"] = "absolut"
    return "TS2820", '"mode": "absolut"'


def _variable_type_typo(d: dict[str, Any]) -> tuple[str, str]:
    d["templating"]["list"][1]["type"] = "querry"
    return "TS2820", '"type": "querry"'


def _collapsed_row_panel_without_type(d: dict[str, Any]) -> tuple[str, str]:
    row = next(p for p in d["panels"] if p.get("collapsed"))
    del row["panels"][0]["type"]
    return "TS2741", "{"  # the error points at the panel object's opening brace


def prometheus_annotation(d: dict[str, Any]) -> dict[str, Any]:
    (annotation,) = [a for a in d["annotations"]["list"] if a["datasource"] == DATASOURCE]
    assert isinstance(annotation, dict)
    return annotation


def _annotation_option_typo(d: dict[str, Any]) -> tuple[str, str]:
    annotation = prometheus_annotation(d)
    annotation["titelFormat"] = annotation.pop("titleFormat")
    return "TS2353", '"titelFormat"'


def _annotation_expr_beside_its_target(d: dict[str, Any]) -> tuple[str, str]:
    # Version one's mistake: a top-level expr, which Grafana only migrates on load.
    annotation = prometheus_annotation(d)
    annotation["expr"] = annotation["target"].pop("expr")
    return "TS2741", '"target": {'


@pytest.mark.parametrize(
    "breakage",
    [
        _annotation_option_typo,
        _annotation_expr_beside_its_target,
        _gridpos_as_string,
        _unknown_top_level_key,
        _threshold_mode_typo,
        _variable_type_typo,
        _collapsed_row_panel_without_type,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
@pytest.mark.integration
def test_type_check_rejects_a_broken_dashboard(tsc: Path, tmp_path: Path, breakage: Any) -> None:
    broken = copy.deepcopy(load_dashboard())
    code, needle = breakage(broken)
    result = type_check(tsc, broken, tmp_path / "broken")
    assert result.returncode != 0
    assert f"error {code}:" in result.stdout, result.stdout + result.stderr
    lines = error_lines(result, tmp_path / "broken")
    assert len(lines) == 1, result.stdout
    assert needle in lines[0], result.stdout


# Adobe Aero is in a major incident throughout; Adobe Fresco turns Minor at t=5m and back
# to Operational at t=12m. The annotation marks each change, named by the new state, and
# nothing while no state changes.
ANNOTATION_FIXTURE_SERIES = [
    ('adobe_status_product_status{cloud="CC",product="Adobe Aero",product_id="1"}', "4x20"),
    (
        'adobe_status_product_status{cloud="CC",product="Adobe Fresco",product_id="3"}',
        "0x4 3x6 0x9",
    ),
]
ANNOTATION_EXPECTATIONS = [
    ("6m", [{"labels": '{cloud="CC",product="Adobe Fresco",state="Minor"}', "value": 1}]),
    ("10m", []),
    ("13m", [{"labels": '{cloud="CC",product="Adobe Fresco",state="Operational"}', "value": 1}]),
]


def promtool_test(tmp_path: Path, series: list[tuple[str, str]], tests: list[Any]) -> str:
    """Run `promtool test rules` on expression tests over these series; its output."""
    (tmp_path / "empty_rules.yml").write_text("groups: []\n", encoding="utf-8")
    unit = {
        "rule_files": ["empty_rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": s, "values": v} for s, v in series],
                "promql_expr_test": tests,
            }
        ],
    }
    path = tmp_path / "dashboard_test.yml"
    path.write_text(yaml.safe_dump(unit, sort_keys=False), encoding="utf-8")
    result = subprocess.run(
        ["promtool", "test", "rules", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.integration
def test_status_change_annotation_marks_each_change_with_the_new_state(tmp_path: Path) -> None:
    (annotation,) = annotation_queries(load_dashboard())
    expr = to_promql(annotation["target"]["expr"])
    tests = [
        {"expr": expr, "eval_time": at, "exp_samples": samples}
        for at, samples in ANNOTATION_EXPECTATIONS
    ]
    promtool_test(tmp_path, ANNOTATION_FIXTURE_SERIES, tests)
