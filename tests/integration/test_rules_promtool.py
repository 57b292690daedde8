"""The alerting rules through promtool: `check rules`, their unit tests, and unit tests that
fail when a rule is broken.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.rules_common import ALERTS, RULES_PATH, RULES_TEST_PATH


def run_promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is needed (apt-get install prometheus)"
    return subprocess.run(
        [promtool, *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )


# -- promtool -----------------------------------------------------------------------------


def test_promtool_check_rules_accepts_the_alerts() -> None:
    result = run_promtool("check", "rules", str(RULES_PATH))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in result.stdout


def test_promtool_unit_tests_of_the_alerts_pass() -> None:
    result = run_promtool("test", "rules", str(RULES_TEST_PATH))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize(
    ("alert", "old", "new"),
    [
        ("AdobeProductMajorIncident", "== 4", "== 3"),
        ("AdobeProductMajorIncident", "for: 45s", "for: 30s"),
        # Without it a reclassification resolves the page and pages again.
        ("AdobeProductMajorIncident", "keep_firing_for: 3m", "keep_firing_for: 0s"),
        ("AdobeProductMinorIncident", "for: 2m", "for: 1m"),
        ("AdobeMaintenanceStartingSoon", "< 3600", "< 7200"),
        ("AdobeStatusNoData", '"adobe_status_up", "", ""', '"up", "", ""'),
        ("AdobeStatusExporterUnreachable", '"} == 0', '"} == 1'),
        (
            "AdobeStatusExporterUnreachable",
            'absent(up{job="adobe-status"})',
            'absent(up{job="adobe-status"} == 0)',
        ),
        ("AdobeStatusUpstreamUnreachable", "adobe_status_up == 0", "adobe_status_up < 0"),
        ("AdobeProductMajorIncident", "products/{{ $labels.product_id }}", "products/"),
        (
            "AdobeMaintenanceStartingSoon",
            "products/{{ $labels.product_id }}\n",
            "products/{{ $labels.product }}\n",
        ),
    ],
)
def test_unit_tests_fail_when_a_rule_is_broken(
    tmp_path: Path, alert: str, old: str, new: str
) -> None:
    text = RULES_PATH.read_text(encoding="utf-8")
    start = text.index(f"- alert: {alert}\n")
    end = text.find("- alert:", start + 1)
    end = len(text) if end < 0 else end
    section = text[start:end]
    assert section.count(old) == 1, f"{old!r} not found once in {alert}"
    (tmp_path / "alerts.yml").write_text(
        text[:start] + section.replace(old, new) + text[end:], encoding="utf-8"
    )
    shutil.copy(RULES_TEST_PATH, tmp_path / "alerts_test.yml")
    result = run_promtool("test", "rules", "alerts_test.yml", cwd=tmp_path)
    assert result.returncode != 0
    assert f"alertname: {alert}," in result.stdout + result.stderr
