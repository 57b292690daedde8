"""prometheus/prometheus.example.yml, the configuration users copy: promtool accepts it, and a
real Prometheus started from it (with alerts.yml) scraping `serve --demo` fires only the
alerts the demo's events call for, never one about the exporter itself."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.support.live import alerts_named, fast_rules, poll, wait_for_rule_evaluation
from tests.support.process import clean_env, serve_process, wait_ready
from tests.support.prometheus import (
    EXAMPLE_CONFIG,
    EXAMPLE_JOB,
    PrometheusHandle,
    example_config,
    run_prometheus_config,
    value,
)

pytestmark = pytest.mark.integration

RULES = EXAMPLE_CONFIG.parent / "alerts.yml"
# The product alerts and the worst product state each one mirrors.
PRODUCT_STATE_ALERTS = {
    "AdobeProductMajorIncident": 4,
    "AdobeProductMinorIncident": 3,
    "AdobeProductPotentialIssue": 2,
    "AdobeMaintenanceInProgress": 1,
}
STARTING_SOON = "AdobeMaintenanceStartingSoon"


def rule_names() -> set[str]:
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return {rule["alert"] for group in rules["groups"] for rule in group["rules"]}


def test_promtool_accepts_the_example_and_the_rules_it_loads() -> None:
    result = subprocess.run(
        ["promtool", "check", "config", str(EXAMPLE_CONFIG)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "alerts.yml" in result.stdout and "rules found" in result.stdout


def test_the_example_scrapes_the_job_the_rules_watch_and_loads_alerts_and_alertmanager() -> None:
    config = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    assert [c["job_name"] for c in config["scrape_configs"]] == [EXAMPLE_JOB]
    assert config["rule_files"] == ["alerts.yml"]
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert f'up{{job="{EXAMPLE_JOB}"}}' in RULES.read_text(encoding="utf-8")


def firing(prometheus: PrometheusHandle) -> set[tuple[str, str]]:
    """(alert name, product id or "") of every firing alert."""
    return {
        (alert["labels"]["alertname"], alert["labels"].get("product_id", ""))
        for alert in prometheus.alerts()
        if alert["state"] == "firing"
    }


def implied(prometheus: PrometheusHandle) -> set[tuple[str, str]]:
    """The product alerts the demo's data calls for, from the series Prometheus holds."""
    states = prometheus.query("max by (product_id) (adobe_status_product_status)")
    by_state = {state: name for name, state in PRODUCT_STATE_ALERTS.items()}
    return {
        (by_state[int(value(s))], s["metric"]["product_id"])
        for s in states
        if int(value(s)) in by_state
    }


def evaluated_rules_after_data(prometheus: PrometheusHandle) -> None:
    """Both rule groups evaluated once the exporter's data is in."""
    prometheus.wait_for(f'adobe_status_up{{job="{EXAMPLE_JOB}"}} == 1', lambda r: len(r) == 1)
    now = time.time()
    for rule in ("AdobeProductMajorIncident", "AdobeStatusExporterUnreachable"):
        wait_for_rule_evaluation(prometheus, rule, after=now)


def test_prometheus_from_the_example_fires_only_what_the_demo_scenario_implies(
    tmp_path: Path,
) -> None:
    with serve_process(clean_env(), "--demo") as (process, port):
        wait_ready(f"http://127.0.0.1:{port}", process)
        config = example_config([f"127.0.0.1:{port}"], [fast_rules(tmp_path)])
        with run_prometheus_config(tmp_path, config) as prometheus:
            evaluated_rules_after_data(prometheus)

            def unexplained() -> set[tuple[str, str]]:
                scheduled = {
                    s["metric"]["product_id"]
                    for s in prometheus.query('adobe_status_maintenances{state="scheduled"} > 0')
                }
                soon = {(STARTING_SOON, product) for product in scheduled}
                return firing(prometheus) - implied(prometheus) - soon

            # The demo changes over minutes; a change between two queries clears on the next.
            poll(unexplained, lambda extra: not extra, timeout=30, what="only implied alerts")
            names = {name for name, _ in firing(prometheus)}
            # The demo's anchor events: a major and a minor incident, a maintenance in
            # progress and one starting within the hour.
            assert {*PRODUCT_STATE_ALERTS} - {"AdobeProductPotentialIssue"} <= names
            assert STARTING_SOON in names
            exporter_alerts = rule_names() - {*PRODUCT_STATE_ALERTS, STARTING_SOON}
            assert not names & exporter_alerts
            assert [
                a for a in prometheus.alerts() if a["labels"]["alertname"] in exporter_alerts
            ] == []


def test_a_job_renamed_without_the_rules_fires_exporter_unreachable(tmp_path: Path) -> None:
    """Why the README insists on the job name: the rules watch `up{job="adobe-status"}`."""
    with serve_process(clean_env(), "--demo") as (process, port):
        wait_ready(f"http://127.0.0.1:{port}", process)
        config = example_config(
            [f"127.0.0.1:{port}"], [fast_rules(tmp_path)], job="adobe-status-exporter"
        )
        with run_prometheus_config(tmp_path, config) as prometheus:
            prometheus.wait_for('adobe_status_up{job="adobe-status-exporter"} == 1', bool)
            poll(
                lambda: alerts_named(prometheus, "AdobeStatusExporterUnreachable"),
                bool,
                timeout=30,
                what="AdobeStatusExporterUnreachable firing",
            )
