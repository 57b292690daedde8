"""Run a real Prometheus for a test and ask it questions over its HTTP API.

    with run_prometheus(tmp_path, [{"job_name": "x", "static_configs": [...]}]) as prom:
        prom.wait_for('up{job="x"}', lambda result: bool(result) and value(result[0]) == 1)

Tests of the exporter itself start Prometheus from the users' example,
prometheus/prometheus.example.yml, with their own targets (`example_config`,
`run_prometheus_config`).

Scrapes and rule evaluations run every second. The process is always killed on exit; when
the block fails, Prometheus's log and target health are printed (pytest shows them).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_CONFIG = REPO / "prometheus" / "prometheus.example.yml"
EXAMPLE_JOB = "adobe-status"  # the job the example scrapes and the rules watch

STARTUP_TIMEOUT = 30.0
POLL_INTERVAL = 0.25
LOG_TAIL_LINES = 60


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (another process may still take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prometheus_binary() -> str:
    found = os.environ.get("PROMETHEUS") or shutil.which("prometheus") or "/usr/bin/prometheus"
    if not Path(found).is_file():
        raise FileNotFoundError(f"prometheus not found (looked at {found}); install it")
    return found


def check_metrics(text: str) -> subprocess.CompletedProcess[str]:
    """`promtool check metrics` on an exposition; the finished process, whatever it found."""
    return subprocess.run(
        ["promtool", "check", "metrics"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_metrics_clean(text: str) -> None:
    """promtool accepts the exposition: exit status 0 and not a word of output (no lint)."""
    result = check_metrics(text)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and output == "", (
        f"promtool exited with {result.returncode}: {output}\n--- exposition ---\n{text}"
    )


def value(sample: dict[str, Any]) -> float:
    """The number in one instant-vector result from /api/v1/query."""
    return float(sample["value"][1])


class PrometheusHandle:
    """A running Prometheus: its URL and a few API calls."""

    def __init__(self, url: str, log_file: Path, process: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.log_file = log_file
        self.process = process

    def api(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}{path}{query}", timeout=10) as answer:
            payload = json.load(answer)
        if payload.get("status") != "success":
            raise RuntimeError(f"Prometheus API {path} failed: {payload}")
        return payload["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """Instant query; the result list (`metric` labels, `value` [time, "number"])."""
        data = self.api("/api/v1/query", query=expr)
        result = data["result"]
        if data["resultType"] != "vector":
            return [{"metric": {}, "value": result}]  # a scalar or string result
        return list(result)

    def wait_for(
        self,
        expr: str,
        predicate: Callable[[list[dict[str, Any]]], bool],
        timeout: float = 60.0,
    ) -> list[dict[str, Any]]:
        """Poll `expr` until `predicate(result)` holds; AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        result: list[dict[str, Any]] = []
        while True:
            self._check_running()
            result = self.query(expr)
            if predicate(result):
                return result
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"{expr!r} did not reach the expected state within {timeout:.0f} s; "
                    f"last result {result}; targets {self.target_health()}"
                )
            time.sleep(POLL_INTERVAL)  # nothing to await: Prometheus only answers polls

    def alerts(self) -> list[dict[str, Any]]:
        """Active alerts (pending and firing), each with `labels`, `state`, `annotations`."""
        return list(self.api("/api/v1/alerts")["alerts"])

    def targets(self) -> list[dict[str, Any]]:
        return list(self.api("/api/v1/targets")["activeTargets"])

    def target_health(self) -> list[tuple[str, str, str]]:
        """(job, health, last error) per target: the first thing to read when a test fails."""
        return [
            (t["labels"].get("job", ""), t["health"], t.get("lastError", ""))
            for t in self.targets()
        ]

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _check_running(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"Prometheus exited with {self.process.returncode}:\n{self.log_tail()}"
            )


def example_config(
    targets: Sequence[str],
    rule_files: Sequence[Path] | None = None,
    *,
    alertmanager: str | None = None,
    job: str = EXAMPLE_JOB,
) -> dict[str, Any]:
    """prometheus/prometheus.example.yml as a test runs it.

    The exporter job scrapes `targets` (and is renamed `job`); `rule_files` replace the
    example's (None: the example's own, resolved from its directory); the Alertmanager
    block points at `alertmanager` (host:port) or is dropped; scrapes and evaluations run
    every second. Everything else is the example as users copy it.
    """
    config: dict[str, Any] = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    [scrape] = [c for c in config["scrape_configs"] if c["job_name"] == EXAMPLE_JOB]
    scrape["job_name"] = job
    scrape["static_configs"] = [{"targets": list(targets)}]
    scrape.pop("scrape_timeout", None)  # at most the 1 s interval below
    if rule_files is None:
        rule_files = [EXAMPLE_CONFIG.parent / rule for rule in config.get("rule_files", [])]
    config["rule_files"] = [str(Path(rule).resolve()) for rule in rule_files]
    if alertmanager is None:
        config.pop("alerting", None)
    else:
        [manager] = config["alerting"]["alertmanagers"]
        manager["static_configs"] = [{"targets": [alertmanager]}]
    config["global"].update(scrape_interval="1s", evaluation_interval="1s")
    return config


@contextlib.contextmanager
def run_prometheus(
    tmp_path: Path,
    scrape_configs: list[dict[str, Any]],
    rule_files: Sequence[Path] = (),
    extra_args: Sequence[str] = (),
    *,
    global_config: dict[str, Any] | None = None,
    alertmanagers: Sequence[str] = (),
    storage: Path | None = None,
) -> Iterator[PrometheusHandle]:
    """Start Prometheus on a free loopback port with these scrapes; stop it on exit.

    `alertmanagers`: host:port of each Alertmanager the alerts are sent to; `storage`: a
    TSDB directory to start on (blocks made by promtool), else a fresh one.
    """
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s", **(global_config or {})},
        "rule_files": [str(Path(rule).resolve()) for rule in rule_files],
        "scrape_configs": scrape_configs,
    }
    if alertmanagers:
        config["alerting"] = {
            "alertmanagers": [{"static_configs": [{"targets": list(alertmanagers)}]}]
        }
    with run_prometheus_config(tmp_path, config, extra_args, storage=storage) as handle:
        yield handle


@contextlib.contextmanager
def run_prometheus_config(
    tmp_path: Path,
    config: dict[str, Any],
    extra_args: Sequence[str] = (),
    *,
    storage: Path | None = None,
) -> Iterator[PrometheusHandle]:
    """Start Prometheus on a free loopback port with this whole config; stop it on exit."""
    # A fresh directory per run: a reused TSDB would answer with the last run's series.
    workdir = Path(tempfile.mkdtemp(prefix="prometheus-", dir=tmp_path))
    config_file = workdir / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

    handle: PrometheusHandle | None = None
    for _ in range(3):  # free_port() can race with another process: retry on a new port
        handle = _start(workdir, config_file, extra_args, storage or workdir / "data")
        if _wait_ready(handle):
            break
        _stop(handle.process)
        if "address already in use" not in handle.log_tail():
            raise RuntimeError(f"Prometheus did not become ready:\n{handle.log_tail()}")
    else:
        raise RuntimeError("Prometheus found no free port in 3 attempts")
    try:
        yield handle
    except BaseException:
        with contextlib.suppress(Exception):
            health = handle.target_health()
            print(f"--- Prometheus targets: {health}", file=sys.stderr)
        print(f"--- Prometheus log (last lines):\n{handle.log_tail()}", file=sys.stderr)
        raise
    finally:
        _stop(handle.process)


def _start(
    workdir: Path, config_file: Path, extra_args: Sequence[str], storage: Path
) -> PrometheusHandle:
    port = free_port()
    log_file = workdir / "prometheus.log"
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [
                prometheus_binary(),
                f"--config.file={config_file}",
                f"--storage.tsdb.path={storage}",
                f"--web.listen-address=127.0.0.1:{port}",
                *extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return PrometheusHandle(f"http://127.0.0.1:{port}", log_file, process)


def _wait_ready(handle: PrometheusHandle) -> bool:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if handle.process.poll() is not None:
            return False
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{handle.url}/-/ready", timeout=2) as answer,
        ):
            if answer.status == 200:
                return True
        time.sleep(POLL_INTERVAL)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
