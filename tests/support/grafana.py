"""Grafana as the tests see it: the dashboard's panels and queries, and Grafana's own
formatting of values and legends (@grafana/data, run in node from tests/grafana_format)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.support.live import LiveStack
from tests.support.npm import installed_version, npm_ci
from tests.support.paths import REPO

DASHBOARD_PATH = REPO / "grafana" / "adobe-status.json"

FORMAT_PROJECT = REPO / "tests" / "grafana_format"


@dataclass(frozen=True)
class Target:
    panel: str
    ref_id: str
    expr: str
    instant: bool

    @property
    def key(self) -> str:
        return f"{self.panel}/{self.ref_id}"


def panels(within: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside collapsed rows too."""
    for panel in within:
        yield panel
        yield from panels(panel.get("panels", []))  # a collapsed row holds its panels


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
        for panel in panels(load_dashboard()["panels"])
        for target in panel.get("targets", [])
        if target.get("expr")
    ]


@dataclass(frozen=True)
class Grafana:
    """Grafana's own formatting (tests/grafana_format/format.cjs in node)."""

    node: str
    time_zone: str
    time_units: frozenset[str]

    def ask(self, **request: Any) -> dict[str, Any]:
        result = subprocess.run(
            [self.node, str(FORMAT_PROJECT / "format.cjs")],
            input=json.dumps({"timeZone": self.time_zone, **request}),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return dict(json.loads(result.stdout))

    def texts(self, cells: list[tuple[str, float]]) -> list[str]:
        """How a panel shows each (unit, value)."""
        answer = self.ask(cells=[{"unit": unit, "value": v} for unit, v in cells])
        return [str(text) for text in answer["texts"]]

    def legends(self, templates: list[tuple[str, dict[str, str]]]) -> list[str]:
        """Each {{label}} template rendered over its labels (legends, annotation titles)."""
        answer = self.ask(legends=[{"format": f, "labels": labels} for f, labels in templates])
        return [str(text) for text in answer["legends"]]


def installed_grafana() -> Grafana:
    """tests/grafana_format installed from its lock file (npm ci when it is not)."""
    lock = json.loads((FORMAT_PROJECT / "package-lock.json").read_text(encoding="utf-8"))
    wanted = lock["packages"]["node_modules/@grafana/data"]["version"]
    if installed_version(FORMAT_PROJECT, "@grafana/data") != wanted:
        npm_ci(FORMAT_PROJECT)
    assert installed_version(FORMAT_PROJECT, "@grafana/data") == wanted
    node = shutil.which("node")
    assert node, "node is needed to run Grafana's formatting"
    probe = Grafana(node, load_dashboard()["timezone"], frozenset())
    units = frozenset(str(unit) for unit in probe.ask()["timeUnits"])
    assert {"dateTimeAsIso", "s", "dtdurations"} <= units
    return Grafana(node, probe.time_zone, units)


# Grafana's duration suffixes for the `s`/`ms` family, in seconds.
DURATION_SUFFIXES = {
    "ns": 1e-9,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "min": 60.0,
    "hour": 3600.0,
    "day": 86_400.0,
    "week": 604_800.0,
    "year": 31_536_000.0,
}
# Grafana shows three significant digits.
RELATIVE_ROUNDING = 0.01


def duration_seconds(text: str) -> float:
    match = re.fullmatch(r"(-?[0-9.]+(?:e[-+]?[0-9]+)?) ?([a-zµ]+)", text)
    assert match, f"not a duration Grafana writes: {text!r}"
    number, suffix = match.groups()
    if suffix not in DURATION_SUFFIXES and suffix.endswith("s"):
        suffix = suffix[:-1]  # plural: "mins", "hours"
    assert suffix in DURATION_SUFFIXES, f"not a duration Grafana writes: {text!r}"
    return float(number) * DURATION_SUFFIXES[suffix]


Result = list[dict[str, Any]]
# What Grafana puts in place of its variables: "All" is the variables' allValue `.*`;
# $__rate_interval is at least four scrape intervals (1 s here); $__range is the
# dashboard's time range, kept short because Prometheus has only seconds of history.
SUBSTITUTIONS = {
    "$__rate_interval": "1m",
    "$__interval_ms": "1000",
    "$__interval": "1s",
    "$__range": "5m",
    "$cloud": ".*",
    "$product": ".*",
    "$region": ".*",
}
RANGE_SECONDS = 60


def to_promql(expr: str, substitutions: dict[str, str] = SUBSTITUTIONS) -> str:
    # Longest names first, so $__range never eats into $__rate_interval.
    for name in sorted(substitutions, key=len, reverse=True):
        expr = expr.replace(name, substitutions[name])
    assert "$" not in expr, f"a Grafana variable is left in {expr!r}"
    return expr


def ask(stack: LiveStack, target: Target, at: float | None = None) -> Result:
    """The target's result as Grafana would get it, at `at` (Unix seconds; default now)."""
    expr = to_promql(target.expr)
    end = time.time() if at is None else at
    if target.instant:
        return instant(stack, expr, end)
    return over_range(stack, expr, end - RANGE_SECONDS, end)


def instant(stack: LiveStack, expr: str, at: float) -> Result:
    data = stack.prometheus.api("/api/v1/query", query=expr, time=f"{at:.3f}")
    if data["resultType"] == "scalar":
        return [{"metric": {}, "value": data["result"]}]
    assert data["resultType"] == "vector", data
    return list(data["result"])


def over_range(stack: LiveStack, expr: str, start: float, end: float) -> Result:
    data = stack.prometheus.api(
        "/api/v1/query_range", query=expr, start=f"{start:.3f}", end=f"{end:.3f}", step="1"
    )
    assert data["resultType"] == "matrix", data
    return list(data["result"])
