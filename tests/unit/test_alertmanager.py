"""Checks of the example Alertmanager configuration prometheus/alertmanager.example.yml.

amtool validates it and shows where each severity is routed; the inhibition rule is
checked on the parsed YAML and, end to end, by a real Alertmanager on loopback.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.support.alertmanager_routes_common import CONFIG_PATH, PRODUCT_LABELS
from tests.support.paths import REPO

RULES_PATH = REPO / "prometheus" / "alerts.yml"
RULES_TEST_PATH = REPO / "prometheus" / "alerts_test.yml"

# Alerts meaning "Adobe's data does not reach Prometheus": each mutes the product alerts.
SOURCE_ALERTS = {
    "AdobeStatusUpstreamUnreachable",
    "AdobeStatusExporterUnreachable",
    "AdobeStatusNoData",
}


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
