"""The dashboard's queries against a real Prometheus: valid PromQL, the values they compute,
the status-change annotation, and the JSON type-checked against Grafana's schema.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.dashboard_common import (
    DATASOURCE,
    all_exprs,
    annotation_queries,
    load_dashboard,
    panel_by_title,
)
from tests.support.npm import installed_version, npm_ci
from tests.support.paths import REPO

SCHEMA_PROJECT = REPO / "tests" / "dashboard_schema"

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


def to_promql(expr: str) -> str:
    for var, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(var, value)
    assert "$" not in expr, f"unknown Grafana variable left in {expr!r}"
    return expr


# -- PromQL through promtool --------------------------------------------------------------


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


def test_status_change_annotation_marks_each_change_with_the_new_state(tmp_path: Path) -> None:
    (annotation,) = annotation_queries(load_dashboard())
    expr = to_promql(annotation["target"]["expr"])
    tests = [
        {"expr": expr, "eval_time": at, "exp_samples": samples}
        for at, samples in ANNOTATION_EXPECTATIONS
    ]
    promtool_test(tmp_path, ANNOTATION_FIXTURE_SERIES, tests)
