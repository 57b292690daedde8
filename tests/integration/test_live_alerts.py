"""The alerting rules against live data: a real Prometheus scrapes the exporter on the simulator.

prometheus/alerts.yml is loaded as shipped except that every `for:` is 0s (a temporary
copy), so an alert fires on the first rule evaluation that sees its condition. Each test
first checks the "not firing" state on real data, then changes the simulated Adobe and
waits for the alert in Prometheus's /api/v1/alerts.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.live import (
    JOB,
    LiveStack,
    alerts_named,
    fast_rules,
    live_stack,
    poll,
    wait_for_rule_evaluation,
)
from tests.support.prometheus import value

pytestmark = pytest.mark.integration

ANALYTICS = "503467"  # Adobe Analytics, Adobe Experience Cloud
CAMPAIGN = "503475"  # Adobe Campaign, the same cloud: a minor incident beside the major one
ALERT_TIMEOUT = 30.0


def wait_for_quiet_rules(stack: LiveStack, *names: str) -> None:
    """Every product is in Prometheus and `names` were evaluated on that data, not firing."""
    products = len(stack.simulator.catalog.products)
    stack.prometheus.wait_for(
        f'count(adobe_status_product_status{{job="{JOB}"}} == 0)',
        lambda result: bool(result) and value(result[0]) == products,
    )
    seen = time.time()
    for name in names:
        rule = wait_for_rule_evaluation(stack.prometheus, name, after=seen)
        assert rule["state"] == "inactive", rule
        assert rule["alerts"] == [], rule
        assert alerts_named(stack.prometheus, name, "firing") == []
        assert alerts_named(stack.prometheus, name, "pending") == []


def exported_regions(stack: LiveStack, product_id: str) -> dict[str, str]:
    """region_id -> region of a product, as the exporter exposes them (not hard-coded: the
    simulator's regions are Adobe's, and Adobe keys them by name)."""
    result = stack.prometheus.query(f'adobe_status_region_status{{product_id="{product_id}"}}')
    regions = {sample["metric"]["region_id"]: sample["metric"]["region"] for sample in result}
    assert len(regions) >= 2, f"product {product_id} has fewer than two regions: {regions}"
    return regions


def test_major_incident_fires_major_alert_for_that_product_only(tmp_path: Path) -> None:
    with live_stack(tmp_path, [fast_rules(tmp_path)]) as stack:
        wait_for_quiet_rules(stack, "AdobeProductMajorIncident", "AdobeProductMinorIncident")
        # One region of several is hit: the description must name that one only.
        region_id, region = sorted(exported_regions(stack, ANALYTICS).items())[0]

        stack.simulator.add_incident(product_id=ANALYTICS, severity="Major", region_ids=[region_id])
        stack.simulator.add_incident(product_id=CAMPAIGN, severity="Minor")

        major = poll(
            lambda: alerts_named(stack.prometheus, "AdobeProductMajorIncident"),
            bool,
            timeout=ALERT_TIMEOUT,
            what="AdobeProductMajorIncident firing",
        )
        assert major == [
            {
                "alertname": "AdobeProductMajorIncident",
                "cloud": "Adobe Experience Cloud",
                "product": "Adobe Analytics",
                "product_id": ANALYTICS,
                "severity": "critical",
            }
        ]
        # The minor incident next door fires its own alert, and never the major one.
        minor = poll(
            lambda: alerts_named(stack.prometheus, "AdobeProductMinorIncident"),
            bool,
            timeout=ALERT_TIMEOUT,
            what="AdobeProductMinorIncident firing",
        )
        assert [(a["product_id"], a["severity"]) for a in minor] == [(CAMPAIGN, "warning")]
        assert alerts_named(stack.prometheus, "AdobeProductMajorIncident") == major

        [alert] = [
            a
            for a in stack.prometheus.alerts()
            if a["labels"]["alertname"] == "AdobeProductMajorIncident"
        ]
        description = alert["annotations"]["description"]
        assert "Adobe Analytics" in description
        assert f"Regions at major: {region}." in description, description
        assert alert["annotations"]["runbook_url"].endswith("#adobeproductmajorincident")
        assert alert["annotations"]["adobe_status_url"] == (
            f"https://status.adobe.com/products/{ANALYTICS}"
        )


def test_refused_token_fires_upstream_unreachable_and_recovery_resolves_it(
    tmp_path: Path,
) -> None:
    with live_stack(tmp_path, [fast_rules(tmp_path)]) as stack:
        wait_for_quiet_rules(
            stack, "AdobeStatusUpstreamUnreachable", "AdobeStatusExporterUnreachable"
        )

        # The IMS refuses the credentials from now on, and the token in hand stops working.
        stack.simulator.inject(
            "token",
            status=401,
            body=b'{"error": "invalid_client", "error_description": "revoked"}',
            times=None,
        )
        stack.simulator.revoke_tokens()

        down = poll(
            lambda: alerts_named(stack.prometheus, "AdobeStatusUpstreamUnreachable"),
            bool,
            timeout=ALERT_TIMEOUT,
            what="AdobeStatusUpstreamUnreachable firing",
        )
        assert down == [
            {
                "alertname": "AdobeStatusUpstreamUnreachable",
                "instance": stack.exporter.target,
                "job": JOB,
                "severity": "warning",
            }
        ]
        # The reason is visible beside the alert, and the product states are still served
        # (the last good ones, within --max-stale), so no "no data" alert piles on.
        failures = stack.prometheus.query(
            'adobe_status_upstream_errors_total{endpoint="token", reason="http"} > 0'
        )
        assert failures, "token failures not counted"
        assert stack.prometheus.query("count(adobe_status_product_status)")
        assert alerts_named(stack.prometheus, "AdobeStatusNoData") == []
        assert alerts_named(stack.prometheus, "AdobeProductMajorIncident") == []
        # The exporter still answers its scrapes: not the alert that says it is down.
        assert alerts_named(stack.prometheus, "AdobeStatusExporterUnreachable") == []
        assert alerts_named(stack.prometheus, "AdobeStatusExporterUnreachable", "pending") == []

        stack.simulator.clear_faults()
        poll(
            lambda: alerts_named(stack.prometheus, "AdobeStatusUpstreamUnreachable"),
            lambda alerts: alerts == [],
            timeout=ALERT_TIMEOUT,
            what="AdobeStatusUpstreamUnreachable resolved",
        )


def test_stopped_exporter_fires_exporter_unreachable_not_upstream(tmp_path: Path) -> None:
    with live_stack(tmp_path, [fast_rules(tmp_path)]) as stack:
        wait_for_quiet_rules(
            stack, "AdobeStatusExporterUnreachable", "AdobeStatusUpstreamUnreachable"
        )

        # The exporter stops answering (a crashed pod); Adobe is fine.
        stack.exporter.server.shutdown()

        unreachable = poll(
            lambda: alerts_named(stack.prometheus, "AdobeStatusExporterUnreachable"),
            bool,
            timeout=ALERT_TIMEOUT,
            what="AdobeStatusExporterUnreachable firing",
        )
        assert unreachable == [
            {
                "alertname": "AdobeStatusExporterUnreachable",
                "instance": stack.exporter.target,
                "job": JOB,
                "severity": "warning",
            }
        ]
        # The upstream alert is evaluated after the scrape failed, and stays quiet.
        seen = time.time()
        rule = wait_for_rule_evaluation(
            stack.prometheus, "AdobeStatusUpstreamUnreachable", after=seen
        )
        assert rule["alerts"] == [], rule
