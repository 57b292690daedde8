"""The Helm chart's monitoring objects (ServiceMonitor, PrometheusRule, dashboard
ConfigMap), PodDisruptionBudget and NetworkPolicy (rendered with the real Helm library)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.chart_values import (
    ALL_FEATURES,
    FEED,
    SCENARIOS,
    api,
    merged,
)
from tests.support.helm import (
    DASHBOARD_COPY,
    NAMESPACE,
    RELEASE,
    RULES_COPY,
    Manifest,
    all_schema_errors,
    by_kind,
    notes,
    one,
    render,
)

# Runs Helm (in-process) and node/npm (prometheus-operator validators).
pytestmark = pytest.mark.integration


# --- monitoring objects -----------------------------------------------------------------------

MONITORING_FLAGS = {
    "serviceMonitor": "ServiceMonitor",
    "prometheusRule": "PrometheusRule",
    "grafanaDashboard": "ConfigMap",
    "podDisruptionBudget": "PodDisruptionBudget",
    "networkPolicy": "NetworkPolicy",
}


@pytest.mark.parametrize(("flag", "kind"), MONITORING_FLAGS.items(), ids=MONITORING_FLAGS)
def test_optional_objects_exist_only_when_enabled(flag: str, kind: str) -> None:
    assert by_kind(render(api()), kind) == []
    assert by_kind(render(api({flag: {"enabled": False}})), kind) == []
    enabled = render(api({flag: {"enabled": True}}))
    assert len(by_kind(enabled, kind)) == 1
    others = set(MONITORING_FLAGS.values()) - {kind}
    assert [m["kind"] for m in enabled if m["kind"] in others] == []


def test_service_monitor_scrapes_the_service() -> None:
    manifests = render(ALL_FEATURES)
    monitor = one(manifests, "ServiceMonitor")
    service = one(manifests, "Service")
    assert monitor["metadata"]["namespace"] == "observability"
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    assert (
        monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    )
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] == service["spec"]["ports"][0]["name"] == "http"
    assert endpoint["path"] == "/metrics"
    assert endpoint["interval"] == "2m"
    assert endpoint["scrapeTimeout"] == "45s"
    assert endpoint["honorLabels"] is True
    assert endpoint["relabelings"] == ALL_FEATURES["serviceMonitor"]["relabelings"]
    assert endpoint["metricRelabelings"] == ALL_FEATURES["serviceMonitor"]["metricRelabelings"]


def test_service_monitor_defaults() -> None:
    monitor = one(render(api({"serviceMonitor": {"enabled": True}})), "ServiceMonitor")
    assert monitor["metadata"]["namespace"] == NAMESPACE
    assert "namespaceSelector" not in monitor["spec"]
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["interval"] == "30s"
    assert endpoint["scrapeTimeout"] == "30s"
    assert endpoint["honorLabels"] is False
    assert "relabelings" not in endpoint
    assert "metricRelabelings" not in endpoint


RULES_DEFAULT_JOB = 'job="adobe-status"'
RULES_DEFAULT_RUNBOOK = (
    "https://github.com/adobe-status-exporter/adobe-status-exporter/blob/main/docs/runbook.md"
)


def shipped_rules(job: str, runbook: str) -> Any:
    """The groups of files/alerts.yml with its default job and runbook base replaced."""
    text = RULES_COPY.read_text(encoding="utf-8")
    assert RULES_DEFAULT_JOB in text and f"{RULES_DEFAULT_RUNBOOK}#" in text
    text = text.replace(RULES_DEFAULT_JOB, f'job="{job}"')
    text = text.replace(f"{RULES_DEFAULT_RUNBOOK}#", f"{runbook}#")
    return yaml.safe_load(text)["groups"]


def rule_exprs_and_runbooks(rule: Manifest) -> tuple[list[str], list[str]]:
    rules = [r for group in rule["spec"]["groups"] for r in group["rules"] if "alert" in r]
    return [r["expr"] for r in rules], [r["annotations"]["runbook_url"] for r in rules]


def test_prometheus_rule_ships_the_rules_file() -> None:
    rule = one(render(ALL_FEATURES), "PrometheusRule")
    job = f"{RELEASE}-adobe-status-exporter"
    assert rule["spec"]["groups"] == shipped_rules(job, RULES_DEFAULT_RUNBOOK)
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"


def test_prometheus_rule_watches_the_service_monitors_job_by_default() -> None:
    """prometheus-operator names a ServiceMonitor's job after the Service."""
    manifests = render(api({"prometheusRule": {"enabled": True}}))
    service = one(manifests, "Service")["metadata"]["name"]
    exprs, _ = rule_exprs_and_runbooks(one(manifests, "PrometheusRule"))
    scrape = [e for e in exprs if "up{" in e]
    assert scrape and all(f'up{{job="{service}"}}' in e for e in scrape)
    assert not any(RULES_DEFAULT_JOB in e for e in exprs)


def test_prometheus_rule_job_and_runbook_base_are_values() -> None:
    runbook = "https://wiki.example.com/sre/adobe-status-runbook"
    values = api(
        {
            "prometheusRule": {"enabled": True, "job": "vendors/adobe"},
            "runbookBaseUrl": runbook,
            "grafanaDashboard": {"enabled": True},
        }
    )
    manifests = render(values)
    rule = one(manifests, "PrometheusRule")
    assert rule["spec"]["groups"] == shipped_rules("vendors/adobe", runbook)
    exprs, runbooks = rule_exprs_and_runbooks(rule)
    assert sum('up{job="vendors/adobe"}' in e for e in exprs) == 1
    assert runbooks and all(url.startswith(f"{runbook}#") for url in runbooks)
    assert RULES_DEFAULT_RUNBOOK not in json.dumps(rule)
    # The dashboard's runbook link follows, and the notes show where the runbook is.
    dashboard = json.loads(one(manifests, "ConfigMap")["data"]["adobe-status.json"])
    assert {link["title"]: link["url"] for link in dashboard["links"]}["Runbook"] == runbook
    assert runbook in notes(values)
    assert "vendors/adobe" in notes(values)
    assert all_schema_errors(manifests) == []


def test_rendered_rules_with_a_custom_job_pass_promtool(tmp_path: Path) -> None:
    values = api(
        {
            "prometheusRule": {"enabled": True, "job": "vendors/adobe:9720"},
            "runbookBaseUrl": "https://wiki.example.com/runbook",
        }
    )
    rule = one(render(values), "PrometheusRule")
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}), encoding="utf-8")
    promtool = shutil.which("promtool")
    assert promtool, "promtool is needed (apt-get install prometheus)"
    result = subprocess.run(
        [promtool, "check", "rules", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize("values", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_notes_link_the_runbook(values: dict[str, Any]) -> None:
    assert RULES_DEFAULT_RUNBOOK in notes(values)


def test_dashboard_config_map_ships_the_dashboard() -> None:
    config_map = one(render(ALL_FEATURES), "ConfigMap")
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert config_map["metadata"]["labels"]["team"] == "sre"
    assert config_map["metadata"]["annotations"]["grafana_folder"] == "Vendors"
    assert config_map["data"] == {
        "adobe-status.json": DASHBOARD_COPY.read_bytes().decode("utf-8"),
    }
    json.loads(config_map["data"]["adobe-status.json"])


def test_dashboard_folder_default() -> None:
    config_map = one(render(api({"grafanaDashboard": {"enabled": True}})), "ConfigMap")
    assert config_map["metadata"]["annotations"]["grafana_folder"] == "Adobe Status"


# --- PodDisruptionBudget and NetworkPolicy ------------------------------------------------------


def test_pod_disruption_budget() -> None:
    default = one(render(api({"podDisruptionBudget": {"enabled": True}})), "PodDisruptionBudget")
    assert default["spec"]["maxUnavailable"] == 1
    assert "minAvailable" not in default["spec"]
    pinned = one(render(ALL_FEATURES), "PodDisruptionBudget")
    assert pinned["spec"]["minAvailable"] == 1
    assert "maxUnavailable" not in pinned["spec"]
    deployment = one(render(api()), "Deployment")
    assert default["spec"]["selector"] == deployment["spec"]["selector"]


def test_network_policy_allows_scrapes_dns_and_https_only() -> None:
    policy = one(render(api({"networkPolicy": {"enabled": True}})), "NetworkPolicy")
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    (ingress,) = policy["spec"]["ingress"]
    assert ingress["ports"] == [{"port": "http", "protocol": "TCP"}]
    assert "from" not in ingress
    egress_ports = [
        sorted((p["port"], p["protocol"]) for p in rule["ports"])
        for rule in policy["spec"]["egress"]
    ]
    assert egress_ports == [[(53, "TCP"), (53, "UDP")], [(443, "TCP")]]
    assert policy["spec"]["podSelector"] == one(render(api()), "Deployment")["spec"]["selector"]


def adobe_egress_ports(values: dict[str, Any]) -> list[tuple[int, str]]:
    """The ports of the egress rule to Adobe (the one after DNS)."""
    policy = one(render(merged(values, {"networkPolicy": {"enabled": True}})), "NetworkPolicy")
    dns, adobe = policy["spec"]["egress"][:2]
    assert {p["port"] for p in dns["ports"]} == {53}
    return sorted((p["port"], p["protocol"]) for p in adobe["ports"])


def test_network_policy_allows_the_feed_in_feed_mode() -> None:
    assert adobe_egress_ports(FEED) == [(443, "TCP")]
    mirror = FEED | {"feedUrl": "http://mirror.example.com:8080/adobestatus"}
    assert adobe_egress_ports(mirror) == [(8080, "TCP")]
    assert adobe_egress_ports(FEED | {"feedUrl": "http://mirror.example.com/a"}) == [(80, "TCP")]


def test_network_policy_follows_the_api_urls() -> None:
    assert adobe_egress_ports(api()) == [(443, "TCP")]
    moved = api({"adobe": {"apiUrl": "https://status.example.com:8443"}})
    assert adobe_egress_ports(moved) == [(443, "TCP"), (8443, "TCP")]


def test_network_policy_peers_and_extra_egress() -> None:
    policy = one(render(ALL_FEATURES), "NetworkPolicy")
    assert policy["spec"]["ingress"][0]["from"] == ALL_FEATURES["networkPolicy"]["ingressFrom"]
    assert policy["spec"]["egress"][-1] == ALL_FEATURES["networkPolicy"]["extraEgress"][0]
