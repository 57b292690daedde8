"""Every query of the Grafana dashboard, asked of a real Prometheus that scrapes live data.

One stack for the module: the simulator holds a major, a minor and a potential incident,
a maintenance in progress and two scheduled ones (in 30 min and in 6 h), each with a
known start; the exporter has requested a token and met one upstream error. Then every
panel target of grafana/adobe-status.json (collapsed rows included) is sent to Prometheus
the way Grafana would send it with every filter at "All", and must return data; the stat
panels must also count what the scenario holds. The template variables' label_values()
queries must resolve to the catalog's clouds, products and regions.

Every value shown with a time unit (dates, durations) is rendered by Grafana's own value
formatting (@grafana/data, run in node from tests/grafana_format) and must read as the
known time: the event's start date, the seconds until a maintenance, and so on.

The status-change annotation, on a stack of its own, must mark a product's change of state
with the product and its new state, as Grafana titles it.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from exporter import __version__
from exporter.simulator import Simulator
from tests.support.live import LiveStack, live_stack, new_simulator, poll
from tests.support.npm import installed_version
from tests.support.paths import REPO
from tests.support.prometheus import value

pytestmark = pytest.mark.integration

DASHBOARD_PATH = REPO / "grafana" / "adobe-status.json"

FORMAT_PROJECT = REPO / "tests" / "grafana_format"

ANALYTICS = "503467"  # major incident in one region, opened three days ago
CAMPAIGN = "503475"  # minor incident, opened two hours ago
FONTS = "503501"  # potential incident, opened ten minutes ago
PHOTOSHOP = "503493"  # maintenance in progress, started an hour ago
ACROBAT = "512699"  # maintenance scheduled in 30 minutes
EXPRESS = "503465"  # maintenance scheduled in 6 hours
# The region of Analytics' incident: its first in the simulator's catalog (by name below).
_ANALYTICS = new_simulator().catalog.product(ANALYTICS)
assert _ANALYTICS is not None and _ANALYTICS.regions
REGION = _ANALYTICS.regions[0]
TOKEN_LIFETIME = 86_399  # the simulator's expires_in

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
        s["metric"] == {"product": "Adobe Analytics", "region": REGION.name} and value(s) == 4
        for s in r
    ),
    "Affected regions over time/A": lambda r: any(
        s["metric"] == {"product": "Adobe Analytics", "region": REGION.name} and _last(s) == 4
        for s in r
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

DAY = 86_400


@dataclass
class Scene:
    """What the scenario set up, known to the tests independently of the exporter."""

    starts: dict[str, int] = field(default_factory=dict)  # event id -> start, Unix seconds
    token_issued: tuple[float, float] = (0.0, 0.0)  # when the exporter got its token, bounds


@dataclass
class Live:
    stack: LiveStack
    scene: Scene


def scenario(simulator: Simulator, scene: Scene) -> None:
    now = int(time.time())
    # A start three days back and off the hour: its date and time are unmistakable.
    incidents = [
        (ANALYTICS, "Major", now - 3 * DAY - 1234, [REGION.id]),
        (CAMPAIGN, "Minor", now - 7200, None),
        (FONTS, "Potential", now - 600, None),
    ]
    for product, severity, start, regions in incidents:
        event = simulator.add_incident(
            product_id=product, severity=severity, region_ids=regions, started_at=start
        )
        scene.starts[event] = start
    maintenances = [
        (PHOTOSHOP, "Started", now - 3600),
        (ACROBAT, "Scheduled", now + 1800),
        (EXPRESS, "Scheduled", now + 6 * 3600),
    ]
    for product, status, start in maintenances:
        event = simulator.add_maintenance(product_id=product, status=status, start_at=start)
        scene.starts[event] = start


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    scene = Scene()
    before = time.time()
    with live_stack(
        tmp_path_factory.mktemp("live-dashboard"), prepare=lambda sim: scenario(sim, scene)
    ) as running:
        scene.token_issued = (before, time.time())  # the stack is up: it has its token
        # One failed events request, so the error panels have something to show.
        running.simulator.inject("events", status=503, times=1)
        running.prometheus.wait_for(
            'adobe_status_api_requests_total{endpoint="events", code="503"}', bool
        )
        running.prometheus.wait_for("adobe_status_up == 1", bool)
        yield Live(running, scene)


@pytest.fixture(scope="module")
def stack(live: Live) -> LiveStack:
    return live.stack


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


# -- times, rendered by Grafana -----------------------------------------------------------


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


@pytest.fixture(scope="module")
def grafana() -> Grafana:
    """tests/grafana_format installed from its lock file (npm ci when it is not)."""
    lock = json.loads((FORMAT_PROJECT / "package-lock.json").read_text(encoding="utf-8"))
    wanted = lock["packages"]["node_modules/@grafana/data"]["version"]
    if installed_version(FORMAT_PROJECT, "@grafana/data") != wanted:
        npm = shutil.which("npm")
        assert npm, "npm is needed to install tests/grafana_format (apt-get install npm)"
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=FORMAT_PROJECT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    assert installed_version(FORMAT_PROJECT, "@grafana/data") == wanted
    node = shutil.which("node")
    assert node, "node is needed to run Grafana's formatting"
    probe = Grafana(node, load_dashboard()["timezone"], frozenset())
    units = frozenset(str(unit) for unit in probe.ask()["timeUnits"])
    assert {"dateTimeAsIso", "s", "dtdurations"} <= units
    return Grafana(node, probe.time_zone, units)


@dataclass(frozen=True)
class At:
    """A date and time, Unix seconds."""

    when: float


@dataclass(frozen=True)
class Lasting:
    """A duration between `low` and `high` seconds."""

    low: float
    high: float


def exactly(seconds: float) -> Lasting:
    return Lasting(seconds, seconds)


Expectation = dict[str, At | Lasting]  # row -> what its value must read as
Truth = Callable[[Live, float, Result], Expectation]


def row_key(metric: dict[str, str]) -> str:
    return metric.get("event_id") or json.dumps(metric, sort_keys=True)


def event_starts(live: Live, at: float, result: Result) -> Expectation:
    return {event: At(start) for event, start in live.scene.starts.items()}


def open_for(live: Live, at: float, result: Result) -> Expectation:
    return {event: exactly(at - start) for event, start in live.scene.starts.items() if start < at}


def starts_in(live: Live, at: float, result: Result) -> Expectation:
    return {event: exactly(start - at) for event, start in live.scene.starts.items() if start > at}


def since_last_success(live: Live, at: float, result: Result) -> Expectation:
    (sample,) = instant(live.stack, "adobe_status_last_success_timestamp_seconds", at)
    return {row_key({}): exactly(at - value(sample))}


def token_left(live: Live, at: float, result: Result) -> Expectation:
    first, last = live.scene.token_issued
    return {row_key({}): Lasting(first + TOKEN_LIFETIME - at, last + TOKEN_LIFETIME - at)}


def seconds_as_measured(live: Live, at: float, result: Result) -> Expectation:
    """A `_seconds` metric (or a quantile of one): its number is seconds, by the contract."""
    return {row_key(s["metric"]): exactly(_last(s)) for s in result if math.isfinite(_last(s))}


# What each value shown with a time unit means, known from the scenario, not the query.
TIME_TRUTHS: dict[str, Truth] = {
    "Open events/A": event_starts,
    "Open events/B": open_for,
    "Upcoming maintenances/A": starts_in,
    "Last successful collection/A": since_last_success,
    "Token expires in/A": token_left,
    "Collection duration/A": seconds_as_measured,
    "Upstream latency (p50 / p95 / p99)/A": seconds_as_measured,
    "Upstream latency (p50 / p95 / p99)/B": seconds_as_measured,
    "Upstream latency (p50 / p95 / p99)/C": seconds_as_measured,
}

# How Grafana writes a date in each date unit this dashboard uses (strftime).
DATE_FORMATS = {"dateTimeAsIso": "%Y-%m-%d %H:%M:%S"}

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


def value_unit(panel: dict[str, Any], ref_id: str) -> str | None:
    """The unit Grafana applies to this target's values in this panel."""
    field_config = panel.get("fieldConfig", {})
    unit = field_config.get("defaults", {}).get("unit")
    # A table names a target's value column "Value" (one target) or "Value #<refId>".
    names = {"Value" if len(panel.get("targets", [])) == 1 else f"Value #{ref_id}"}
    for transformation in panel.get("transformations", []):
        if transformation["id"] == "organize":
            renamed = transformation["options"].get("renameByName", {})
            names |= {renamed[name] for name in names if name in renamed}
    for override in field_config.get("overrides", []):
        matcher = override["matcher"]
        matches = (matcher["id"] == "byName" and matcher.get("options") in names) or (
            matcher["id"] == "byFrameRefID" and matcher.get("options") == ref_id
        )
        for prop in override["properties"] if matches else []:
            if prop["id"] == "unit":
                unit = prop["value"]
    return str(unit) if unit else None


def target_units() -> dict[str, str | None]:
    return {
        f"{panel['title']}/{target['refId']}": value_unit(panel, target["refId"])
        for panel in _panels(load_dashboard()["panels"])
        for target in panel.get("targets", [])
        if target.get("expr")
    }


def duration_seconds(text: str) -> float:
    match = re.fullmatch(r"(-?[0-9.]+(?:e[-+]?[0-9]+)?) ?([a-zµ]+)", text)
    assert match, f"not a duration Grafana writes: {text!r}"
    number, suffix = match.groups()
    if suffix not in DURATION_SUFFIXES and suffix.endswith("s"):
        suffix = suffix[:-1]  # plural: "mins", "hours"
    assert suffix in DURATION_SUFFIXES, f"not a duration Grafana writes: {text!r}"
    return float(number) * DURATION_SUFFIXES[suffix]


def misreadings(unit: str, shown: list[tuple[str, str]], expected: Expectation) -> list[str]:
    """Each (row, text) that does not read as expected, explained."""
    wrong = []
    for row, text in shown:
        want = expected[row]
        if isinstance(want, At):
            if unit not in DATE_FORMATS:
                wrong.append(f"{row}: a date shown in unit {unit!r} ({text!r})")
                continue
            date = datetime.fromtimestamp(want.when, UTC).strftime(DATE_FORMATS[unit])
            if text != date:
                wrong.append(f"{row}: shows {text!r}, started {date}")
            continue
        if unit in DATE_FORMATS or unit.startswith("dateTime"):
            wrong.append(f"{row}: a duration shown as a date ({text!r})")
            continue
        seconds = duration_seconds(text)
        low, high = sorted((want.low, want.high))
        slack = RELATIVE_ROUNDING * max(abs(low), abs(high))
        if not low - slack <= seconds <= high + slack:
            wrong.append(f"{row}: shows {text!r} = {seconds:g} s, expected {low:g}..{high:g} s")
    return wrong


def test_every_value_with_a_time_unit_has_a_known_meaning(grafana: Grafana) -> None:
    timed = {key for key, unit in target_units().items() if unit in grafana.time_units}
    assert timed == set(TIME_TRUTHS)


@pytest.mark.parametrize("key", sorted(TIME_TRUTHS))
def test_time_values_render_as_the_known_times(live: Live, grafana: Grafana, key: str) -> None:
    (target,) = [t for t in TARGETS if t.key == key]
    unit = target_units()[key]
    assert unit is not None
    truth = TIME_TRUTHS[key]

    def probe() -> tuple[float, Result, Expectation]:
        at = time.time()
        result = ask(live.stack, target, at)
        return at, result, truth(live, at, result)

    def complete(answer: tuple[float, Result, Expectation]) -> bool:
        _, result, expected = answer
        rows = {row_key(s["metric"]) for s in result if math.isfinite(_last(s))}
        return bool(expected) and rows == set(expected)

    _, result, expected = poll(probe, complete, timeout=DATA_TIMEOUT, what=f"rows of {key}")
    rows = [(row_key(s["metric"]), _last(s)) for s in result if math.isfinite(_last(s))]
    texts = grafana.texts([(unit, number) for _, number in rows])
    shown = [(row, text) for (row, _), text in zip(rows, texts, strict=True)]
    assert misreadings(unit, shown, expected) == [], shown


def test_time_check_rejects_unix_seconds_under_a_date_unit(grafana: Grafana) -> None:
    # Version one's Start column: seconds where Grafana's date units read milliseconds.
    start = 1_764_441_600  # 2025-11-29 18:40:00 UTC
    (as_seconds, as_millis) = grafana.texts(
        [("dateTimeAsIso", start), ("dateTimeAsIso", start * 1000)]
    )
    assert as_seconds.startswith("1970-01-")
    assert misreadings("dateTimeAsIso", [("e", as_millis)], {"e": At(start)}) == []
    assert misreadings("dateTimeAsIso", [("e", as_seconds)], {"e": At(start)}) != []


def test_time_check_rejects_a_duration_off_by_a_thousand(grafana: Grafana) -> None:
    (right, wrong) = grafana.texts([("s", 1800.0), ("ms", 1800.0)])
    assert misreadings("s", [("e", right)], {"e": exactly(1800)}) == []
    assert misreadings("ms", [("e", wrong)], {"e": exactly(1800)}) != []


# -- the status-change annotation ---------------------------------------------------------


def status_annotation() -> dict[str, Any]:
    (annotation,) = [a for a in load_dashboard()["annotations"]["list"] if not a.get("builtIn")]
    return dict(annotation)


def annotation_marks(stack: LiveStack, expr: str, since: float) -> list[dict[str, str]]:
    """Label sets of the series Grafana turns into annotations since `since`.

    Grafana's Prometheus annotation support runs the query over the dashboard's range and
    marks each series where its value is above 0.
    """
    result = over_range(stack, expr, since, time.time())
    return [s["metric"] for s in result if any(float(v) > 0 for _, v in s["values"])]


@pytest.fixture
def quiet_stack(tmp_path: Path) -> Iterator[LiveStack]:
    """A stack of its own, with nothing open: every product Operational."""
    with live_stack(tmp_path) as running:
        running.prometheus.wait_for(f'adobe_status_product_status{{product_id="{CAMPAIGN}"}}', bool)
        yield running


def test_status_change_annotation_names_the_product_and_its_new_state(
    quiet_stack: LiveStack, grafana: Grafana
) -> None:
    annotation = status_annotation()
    expr = to_promql(annotation["target"]["expr"])
    started = time.time() - RANGE_SECONDS
    assert annotation_marks(quiet_stack, expr, started) == [], "marks while nothing changed"

    def marks_of(state: str) -> Callable[[list[dict[str, str]]], bool]:
        return lambda marks: any(m.get("state") == state for m in marks)

    changed = time.time()
    event = quiet_stack.simulator.add_incident(product_id=CAMPAIGN, severity="Major")
    marks = poll(
        lambda: annotation_marks(quiet_stack, expr, changed),
        marks_of("Major"),
        timeout=DATA_TIMEOUT,
        what="an annotation for Adobe Campaign turning Major",
    )
    titles = grafana.legends([(annotation["titleFormat"], m) for m in marks])
    assert titles == ["Adobe Campaign: Major"], marks

    resolved = time.time()
    quiet_stack.simulator.remove_event(event)
    marks = poll(
        lambda: annotation_marks(quiet_stack, expr, resolved),
        marks_of("Operational"),
        timeout=DATA_TIMEOUT,
        what="an annotation for Adobe Campaign back to Operational",
    )
    titles = grafana.legends([(annotation["titleFormat"], m) for m in marks])
    assert "Adobe Campaign: Operational" in titles, marks
    assert {m["product"] for m in marks} == {"Adobe Campaign"}
