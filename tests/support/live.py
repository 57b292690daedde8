"""A live stack for end-to-end tests: simulator -> exporter -> Prometheus, on real time.

    with live_stack(tmp_path, rule_files=[fast_rules(tmp_path)]) as stack:
        stack.simulator.add_incident(product_id="503467", severity="Major")
        wait_for_alert(stack.prometheus, "AdobeProductMajorIncident", product_id="503467")

The simulator and exporter run in this process (threads) on loopback with the real wall
clock, since Prometheus stamps samples with its own clock; Prometheus scrapes every second
and evaluates rules every second (see `tests.support.prometheus`).

Also here: `fast_rules` (a copy of prometheus/alerts.yml with every `for:` shortened),
headless Chromium (`chromium_dump_dom`, `chromium_screenshot`) and `parse_html`, a small
stdlib DOM for asserting on what Chromium rendered.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypeVar

import yaml

from exporter.config import CacheConfig, Selection
from exporter.simulator import Simulator, SimulatorServer
from exporter.web.server import ExporterHTTPServer
from exporter.wiring import Service, build_service
from tests.support.exporters import CLIENT_ID, CLIENT_SECRET, RunningExporter, upstream_on
from tests.support.paths import REPO
from tests.support.prometheus import (
    EXAMPLE_JOB,
    POLL_INTERVAL,
    PrometheusHandle,
    example_config,
    run_prometheus_config,
)

RULES_PATH = REPO / "prometheus" / "alerts.yml"
ARTIFACTS = REPO / "test-artifacts"
JOB = EXAMPLE_JOB

T = TypeVar("T")


# -- polling ------------------------------------------------------------------------------


def poll(
    probe: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout: float,
    what: str,
    interval: float = POLL_INTERVAL,
) -> T:
    """Call `probe` until `done(result)`; AssertionError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if done(result):
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not reached within {timeout:.0f} s; last: {result!r}")
        time.sleep(interval)  # Prometheus and the page can only be polled


# -- the stack ----------------------------------------------------------------------------


@dataclass
class LocalExporter:
    """An exporter served from a thread of this process."""

    service: Service
    server: ExporterHTTPServer

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def target(self) -> str:
        return self.url.removeprefix("http://").rstrip("/")


@contextlib.contextmanager
def running_exporter(
    sim_server: SimulatorServer, *, max_stale: float = 300.0, warm: bool = True, feed: bool = False
) -> Iterator[LocalExporter]:
    """An exporter on the simulator with the suite's canary credentials and the real clock;
    with `feed`, on the simulator's copy of the public feed (no credentials)."""
    upstream = upstream_on(sim_server, "feed" if feed else "api", timeout=5.0)
    service = build_service(
        upstream, CacheConfig(selection=Selection(), cache_ttl=0.0, max_stale=max_stale)
    )
    server = ExporterHTTPServer(service.app, "127.0.0.1:0")
    server.start_in_thread()
    try:
        if warm:
            # The first collection also loads the registry and a token; do it now rather
            # than inside a 1 s Prometheus scrape (whose deadline is 0.5 s).
            service.warm_up().join(timeout=30)
            assert service.cache.first_attempt_done.is_set(), "first collection did not finish"
        yield LocalExporter(service, server)
    finally:
        server.shutdown()
        service.close()


@dataclass
class LiveStack:
    simulator: Simulator
    sim_server: SimulatorServer
    exporter: LocalExporter
    prometheus: PrometheusHandle
    events: list[str] = field(default_factory=list)


def new_simulator(seed: int = 7) -> Simulator:
    """A static simulator (no generated events) on the real clock, with the canary secret."""
    return Simulator(seed=seed, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, dynamic=False)


@contextlib.contextmanager
def live_stack(
    tmp_path: Path,
    rule_files: Sequence[Path] = (),
    *,
    prepare: Callable[[Simulator], Any] | None = None,
    feed: bool = False,
) -> Iterator[LiveStack]:
    """Simulator, exporter and a Prometheus scraping it; waits for the first good scrape.

    Prometheus runs the users' prometheus/prometheus.example.yml with the exporter as its
    target and `rule_files` as its rules (none by default), no Alertmanager.

    `prepare` runs on the simulator before the exporter starts (events to see at once);
    `feed` runs the exporter with --source feed on the simulator's feed.
    """
    simulator = new_simulator()
    if prepare is not None:
        prepare(simulator)
    with (
        SimulatorServer(simulator, host="127.0.0.1", port=0) as sim_server,
        running_exporter(sim_server, feed=feed) as exporter,
    ):
        config = example_config([exporter.target], rule_files)
        with run_prometheus_config(tmp_path, config) as prometheus:
            prometheus.wait_for(
                f'adobe_status_up{{job="{JOB}"}} == 1', lambda result: len(result) == 1
            )
            yield LiveStack(simulator, sim_server, exporter, prometheus)


def fast_rules(tmp_path: Path, for_: str = "0s") -> Path:
    """A copy of prometheus/alerts.yml with every rule's `for:` set to `for_`."""
    rules = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    rules = copy.deepcopy(rules)
    count = 0
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                assert "for" in rule, f"{rule['alert']} states no `for:`"
                rule["for"] = for_
                count += 1
    assert count, "no alerting rule found"
    path = tmp_path / "alerts-fast.yml"
    path.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    return path


# -- alerts -------------------------------------------------------------------------------


def alerts_named(
    prometheus: PrometheusHandle, name: str, state: str = "firing"
) -> list[dict[str, str]]:
    """Label sets of the alerts called `name` in `state` (from /api/v1/alerts)."""
    return [
        dict(alert["labels"])
        for alert in prometheus.alerts()
        if alert["labels"].get("alertname") == name and alert["state"] == state
    ]


def rule_state(prometheus: PrometheusHandle, name: str) -> dict[str, Any]:
    """The alerting rule `name` as /api/v1/rules reports it (state, health, lastEvaluation)."""
    found = [
        rule
        for group in prometheus.api("/api/v1/rules", type="alert")["groups"]
        for rule in group["rules"]
        if rule["name"] == name
    ]
    assert len(found) == 1, f"expected one loaded rule {name!r}, found {len(found)}"
    return dict(found[0])


def wait_for_rule_evaluation(
    prometheus: PrometheusHandle, name: str, after: float
) -> dict[str, Any]:
    """The rule once Prometheus has evaluated it at a time later than `after` (Unix s)."""

    def evaluated_after(rule: dict[str, Any]) -> bool:
        stamp = rule.get("lastEvaluation", "")
        return rule.get("health") == "ok" and _rfc3339(stamp) > after

    return poll(
        lambda: rule_state(prometheus, name),
        evaluated_after,
        timeout=30,
        what=f"rule {name} evaluated after {after}",
    )


def _rfc3339(stamp: str) -> float:
    if not stamp or stamp.startswith("0001-"):
        return 0.0
    # Prometheus writes nanoseconds; Python reads at most microseconds.
    head, dot, rest = stamp.partition(".")
    if dot:
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits) :]
        stamp = f"{head}.{digits[:6]}{zone}"
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


# -- Chromium -----------------------------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


def chromium_binary() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).is_file():
        raise FileNotFoundError(f"chromium not found (looked at {found}); install it")
    return found


def _chromium(args: Sequence[str], timeout: float = 60.0) -> subprocess.CompletedProcess[bytes]:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        result = subprocess.run(
            [chromium_binary(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-3000:]
    return result


def chromium_dump_dom(url: str) -> str:
    """The DOM Chromium built for `url`, serialized (`--dump-dom`)."""
    return _chromium(["--dump-dom", url]).stdout.decode("utf-8")


def chromium_screenshot(url: str, path: Path, width: int = 1280, height: int = 1600) -> Path:
    """A PNG of `url` at width x height CSS pixels, written to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    _chromium([f"--window-size={width},{height}", f"--screenshot={path}", url])
    return path


# -- a small DOM --------------------------------------------------------------------------

# Elements without an end tag (HTML's void elements).
VOID_ELEMENTS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        """Text content, whitespace collapsed."""
        parts: list[str] = []

        def walk(node: Node) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def iter(self, tag: str | None = None) -> Iterator[Node]:
        """This node and its descendants, in document order, optionally only `tag`."""
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter(tag)

    def by_id(self, element_id: str) -> Node:
        found = [node for node in self.iter() if node.attrs.get("id") == element_id]
        assert len(found) == 1, f"expected one element #{element_id}, found {len(found)}"
        return found[0]

    def rows(self) -> list[list[Node]]:
        """Table rows (tr) below this node, each as its cells (th and td)."""
        return [
            [cell for cell in row.children if isinstance(cell, Node) and cell.tag in {"td", "th"}]
            for row in self.iter("tr")
        ]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self._current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self._current)
        self._current.children.append(node)
        if tag not in VOID_ELEMENTS:
            self._current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._current.children.append(
            Node(tag, {k: v or "" for k, v in attrs}, parent=self._current)
        )

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self._current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self._current = node.parent

    def handle_data(self, data: str) -> None:
        self._current.children.append(data)


def parse_html(text: str) -> Node:
    """A DOM tree of `text` (Chromium's serialization is well formed, so this suffices)."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def says(exporter: RunningExporter, event_id: str) -> tuple[str, str, set[str]]:
    """(title, message, classes) of the event's text cell on the page."""
    page = parse_html(exporter.get("/").text)
    rows = [
        row for row in page.by_id("events").iter("tr") if row.attrs.get("data-event-id") == event_id
    ]
    assert len(rows) == 1, f"one row for {event_id}, found {len(rows)}"
    (cell,) = [td for td in rows[0].iter("td") if "says" in td.classes]
    return _part(cell, "title"), _part(cell, "message"), cell.classes


def _part(cell: Node, css: str) -> str:
    (node,) = [span for span in cell.iter("span") if css in span.classes]
    return node.text()
