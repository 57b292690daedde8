"""The Alertmanager example checked by the real tools: `amtool check-config`, its routes, and
a real Alertmanager inhibiting product alerts while the exporter is in trouble.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.alertmanager_routes_common import CONFIG_PATH, PRODUCT_LABELS, amtool, free_port

# -- amtool -------------------------------------------------------------------------------


def test_amtool_check_config_accepts_the_example() -> None:
    result = amtool("check-config", str(CONFIG_PATH))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


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
