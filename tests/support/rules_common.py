"""What the unit and the integration tests of rules share."""

from __future__ import annotations

from typing import Any

import yaml

from tests.support.paths import REPO

RULES_PATH = REPO / "prometheus" / "alerts.yml"
RULES_TEST_PATH = REPO / "prometheus" / "alerts_test.yml"


def load_alerts() -> dict[str, dict[str, Any]]:
    groups = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))["groups"]
    alerts: dict[str, dict[str, Any]] = {}
    for group in groups:
        for rule in group["rules"]:
            if "alert" in rule:
                assert rule["alert"] not in alerts, f"duplicate alert {rule['alert']}"
                alerts[rule["alert"]] = rule
    return alerts


ALERTS = load_alerts()
