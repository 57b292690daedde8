"""Checks of the example Alertmanager configuration prometheus/alertmanager.example.yml.

amtool validates it and shows where each severity is routed; the inhibition rule is
checked on the parsed YAML and, end to end, by a real Alertmanager on loopback.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import REPO

CONFIG_PATH = REPO / "prometheus" / "alertmanager.example.yml"
RULES_PATH = REPO / "prometheus" / "alerts.yml"
RULES_TEST_PATH = REPO / "prometheus" / "alerts_test.yml"

# Alerts meaning "Adobe's data does not reach Prometheus": each mutes the product alerts.
SOURCE_ALERTS = {
    "AdobeStatusUpstreamUnreachable",
    "AdobeStatusExporterUnreachable",
    "AdobeStatusNoData",
}
PRODUCT_LABELS = {"cloud": "Adobe Creative Cloud", "product": "Adobe Aero", "product_id": "503511"}


def load_config() -> dict[str, Any]:
    return dict(yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8")))


def alert_rules() -> dict[str, dict[str, Any]]:
    groups = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))["groups"]
    return {rule["alert"]: rule for group in groups for rule in group["rules"] if "alert" in rule}


def product_alert_names() -> set[str]:
    """Alerts that carry a `product` label, as their promtool unit tests expect them."""
    tests = yaml.safe_load(RULES_TEST_PATH.read_text(encoding="utf-8"))["tests"]
    return {
        case["alertname"]
        for test in tests
        for case in test.get("alert_rule_test", [])
        for alert in case.get("exp_alerts") or []
        if "product" in alert["exp_labels"]
    }


def amtool(*args: str) -> subprocess.CompletedProcess[str]:
    path = shutil.which("amtool")
    assert path, "amtool is needed (apt-get install prometheus-alertmanager)"
    return subprocess.run([path, *args], capture_output=True, text=True, timeout=60, check=False)


def parse_matcher(text: str) -> tuple[str, str, str]:
    match = re.fullmatch(r'\s*(\w+)\s*(=~|!~|!=|=)\s*"((?:\\.|[^"\\])*)"\s*', text)
    assert match, f"cannot parse matcher {text!r}"
    name, op, value = match.groups()
    return name, op, value


def matches(matchers: list[str], labels: dict[str, str]) -> bool:
    """Alertmanager's semantics: all matchers hold; regexes are anchored."""
    for text in matchers:
        name, op, value = parse_matcher(text)
        got = labels.get(name, "")
        ok = {
            "=": got == value,
            "!=": got != value,
            "=~": re.fullmatch(value, got) is not None,
            "!~": re.fullmatch(value, got) is None,
        }[op]
        if not ok:
            return False
    return True


# -- amtool -------------------------------------------------------------------------------


@pytest.mark.integration
def test_amtool_check_config_accepts_the_example() -> None:
    result = amtool("check-config", str(CONFIG_PATH))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.integration
@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        (
            ["severity=critical", "alertname=AdobeProductMajorIncident", "product=X"],
            "adobe-status-pager",
        ),
        (
            ["severity=warning", "alertname=AdobeProductMinorIncident", "product=X"],
            "adobe-status-tickets",
        ),
        (["severity=warning", "alertname=AdobeStatusUpstreamUnreachable"], "adobe-status-tickets"),
        (
            ["severity=info", "alertname=AdobeMaintenanceInProgress", "product=X"],
            "adobe-status-low-noise",
        ),
        (["alertname=SomethingElse", "product=X"], "adobe-status-tickets"),
    ],
    ids=["critical", "warning", "warning-exporter", "info", "no-severity"],
)
def test_amtool_routes_alert_by_severity(labels: list[str], receiver: str) -> None:
    result = amtool("config", "routes", "test", f"--config.file={CONFIG_PATH}", *labels)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == [receiver]


def test_every_alert_severity_has_its_own_route() -> None:
    routes = load_config()["route"]["routes"]
    by_severity = {}
    for route in routes:
        (matcher,) = route["matchers"]
        name, op, value = parse_matcher(matcher)
        assert (name, op) == ("severity", "=")
        by_severity[value] = route["receiver"]
    severities = {rule["labels"]["severity"] for rule in alert_rules().values()}
    assert severities <= set(by_severity)
    assert len(set(by_severity.values())) == 3, "pager, tickets and low-noise differ"


def test_alerts_are_grouped_by_alertname_cloud_and_product() -> None:
    assert load_config()["route"]["group_by"] == ["alertname", "cloud", "product"]


def test_receivers_are_placeholder_webhooks_on_loopback_or_example() -> None:
    for receiver in load_config()["receivers"]:
        for webhook in receiver["webhook_configs"]:
            assert re.match(
                r"https?://(127\.0\.0\.1|localhost|[\w.-]*example\.(com|org))[:/]", webhook["url"]
            )


# -- inhibition ---------------------------------------------------------------------------


def inhibit_rule() -> dict[str, Any]:
    """The inhibition rule that mutes product alerts."""
    product_alert = {"alertname": "AdobeProductMajorIncident", **PRODUCT_LABELS}
    rules = [
        rule
        for rule in load_config().get("inhibit_rules", [])
        if matches(rule["target_matchers"], product_alert)
    ]
    assert len(rules) == 1, "one inhibition rule mutes the product alerts"
    return dict(rules[0])


def sources_of(rule: dict[str, Any]) -> set[str]:
    """The alerts of alerts.yml that the rule's source matchers match."""
    return {name for name in alert_rules() if matches(rule["source_matchers"], {"alertname": name})}


def test_inhibition_source_is_any_alert_meaning_no_fresh_adobe_data() -> None:
    assert set(alert_rules()) >= SOURCE_ALERTS
    assert sources_of(inhibit_rule()) == SOURCE_ALERTS


def test_scrape_failure_mutes_the_no_data_alert_it_causes_and_nothing_else() -> None:
    """Prometheus not scraping the exporter also makes adobe_status_up absent: one cause,
    one notification. Filters matching no product are another cause and stay visible."""
    rules = [
        rule
        for rule in load_config()["inhibit_rules"]
        if matches(
            rule["target_matchers"],
            {"alertname": "AdobeStatusNoData"} | {"missing": "adobe_status_up"},
        )
    ]
    assert len(rules) == 1
    (rule,) = rules
    assert sources_of(rule) == {"AdobeStatusExporterUnreachable"}
    for name, alert in alert_rules().items():
        labels = {"alertname": name, "severity": alert["labels"]["severity"]}
        assert not matches(rule["target_matchers"], labels), name
    assert not matches(
        rule["target_matchers"],
        {"alertname": "AdobeStatusNoData", "missing": "adobe_status_product_status"},
    )


def test_inhibition_targets_every_alert_with_a_product_label_and_no_other() -> None:
    rule = inhibit_rule()
    assert "equal" not in rule, "product alerts share no label with the exporter alerts"
    rules = alert_rules()
    products = product_alert_names()
    assert products >= {
        "AdobeProductMajorIncident",
        "AdobeProductMinorIncident",
        "AdobeProductPotentialIssue",
        "AdobeMaintenanceInProgress",
        "AdobeMaintenanceStartingSoon",
    }
    for name, alert in rules.items():
        labels = {"alertname": name, "severity": alert["labels"]["severity"]}
        if name in products:
            labels.update(PRODUCT_LABELS)
        assert matches(rule["target_matchers"], labels) == (name in products), name


def test_matcher_helper_anchors_regexes() -> None:
    assert matches(['product=~".+"'], {"product": "Adobe Aero"})
    assert not matches(['product=~".+"'], {"alertname": "X"})
    assert not matches(['alertname=~"AdobeStatusNoData"'], {"alertname": "AdobeStatusNoDataX"})


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api(base: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        text = response.read().decode()
    return json.loads(text) if text else None


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[str]:
    """A real Alertmanager on loopback running the example configuration."""
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    assert binary, "Alertmanager is needed (apt-get install prometheus-alertmanager)"
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={CONFIG_PATH}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "alertmanager.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, (tmp_path / "alertmanager.log").read_text()
            try:
                with urllib.request.urlopen(base + "/-/ready", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "Alertmanager did not become ready"
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def alert_key(labels: dict[str, str]) -> str:
    """An alert's name, with its `missing` label when it has one."""
    name = labels["alertname"]
    return f"{name}/{labels['missing']}" if "missing" in labels else name


def alert_states(base: str) -> dict[str, dict[str, Any]]:
    return {alert_key(a["labels"]): a["status"] for a in api(base, "/api/v2/alerts")}


def wait_for_states(base: str, wanted: dict[str, str]) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + 15
    while True:
        states = alert_states(base)
        if {name: states.get(name, {}).get("state") for name in wanted} == wanted:
            return states
        assert time.monotonic() < deadline, f"wanted {wanted}, got {states}"
        time.sleep(0.1)


@pytest.mark.integration
def test_alertmanager_inhibits_product_alerts_while_upstream_is_unreachable(
    alertmanager: str,
) -> None:
    product = PRODUCT_LABELS
    api(
        alertmanager,
        "/api/v2/alerts",
        [
            {
                "labels": {
                    "alertname": "AdobeProductMajorIncident",
                    "severity": "critical",
                    **product,
                }
            },
            {"labels": {"alertname": "AdobeStatusTokenRequestsFailing", "severity": "warning"}},
        ],
    )
    wait_for_states(
        alertmanager,
        {"AdobeProductMajorIncident": "active", "AdobeStatusTokenRequestsFailing": "active"},
    )
    api(
        alertmanager,
        "/api/v2/alerts",
        [
            {
                "labels": {
                    "alertname": "AdobeStatusUpstreamUnreachable",
                    "severity": "warning",
                    "instance": "exporter:9720",
                }
            }
        ],
    )
    states = wait_for_states(
        alertmanager,
        {
            "AdobeProductMajorIncident": "suppressed",
            "AdobeStatusTokenRequestsFailing": "active",
            "AdobeStatusUpstreamUnreachable": "active",
        },
    )
    assert states["AdobeProductMajorIncident"]["inhibitedBy"]


@pytest.mark.integration
def test_alertmanager_scrape_failure_mutes_products_and_its_no_data_consequence(
    alertmanager: str,
) -> None:
    def no_data(missing: str) -> dict[str, Any]:
        return {
            "labels": {"alertname": "AdobeStatusNoData", "severity": "warning", "missing": missing}
        }

    api(
        alertmanager,
        "/api/v2/alerts",
        [
            {
                "labels": {"alertname": "AdobeProductMinorIncident", "severity": "warning"}
                | PRODUCT_LABELS
            },
            no_data("adobe_status_up"),
            no_data("adobe_status_product_status"),
        ],
    )
    # NoData itself mutes the product alert; both NoData cases are active.
    wait_for_states(
        alertmanager,
        {
            "AdobeProductMinorIncident": "suppressed",
            "AdobeStatusNoData/adobe_status_up": "active",
            "AdobeStatusNoData/adobe_status_product_status": "active",
        },
    )
    api(
        alertmanager,
        "/api/v2/alerts",
        [
            {
                "labels": {
                    "alertname": "AdobeStatusExporterUnreachable",
                    "severity": "warning",
                    "job": "adobe-status",
                }
            }
        ],
    )
    states = wait_for_states(
        alertmanager,
        {
            "AdobeStatusExporterUnreachable": "active",
            "AdobeStatusNoData/adobe_status_up": "suppressed",
            "AdobeStatusNoData/adobe_status_product_status": "active",
            "AdobeProductMinorIncident": "suppressed",
        },
    )
    assert states["AdobeStatusNoData/adobe_status_up"]["inhibitedBy"]
