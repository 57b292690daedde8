"""The worst-case time from Adobe posting an incident to the notification, from the config.

Every step is read from what ships: the chart's scrape interval (values.yaml), the
contract's `--cache-ttl` and `--timeout` defaults (exporter.config), the rule group's
`interval:` and each alert's `for:` (prometheus/alerts.yml), and the route's `group_wait`
(prometheus/alertmanager.example.yml). docs/alert-latency.md explains each step.

    budget = worst_case("feed", "AdobeProductMajorIncident")
    budget.total  # seconds
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from exporter.config import DEFAULT_CACHE_TTL, FeedConfig

REPO = Path(__file__).resolve().parents[2]
RULES_PATH = REPO / "prometheus" / "alerts.yml"
ALERTMANAGER_PATH = REPO / "prometheus" / "alertmanager.example.yml"
VALUES_PATH = REPO / "helm" / "adobe-status-exporter" / "values.yaml"

# The targets, seconds from Adobe's post to the notification, at the defaults.
TARGETS = {"AdobeProductMajorIncident": 180.0, "AdobeProductMinorIncident": 300.0}
SOURCES = ("api", "feed")

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86_400.0, "w": 604_800.0}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")


def seconds(duration: str) -> float:
    """A Prometheus duration ("1m30s", "45s", "500ms") in seconds."""
    parts = _DURATION.findall(duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"not a Prometheus duration: {duration!r}")
    return sum(float(number) * _UNITS[unit] for number, unit in parts)


def duration(value: float) -> str:
    """Seconds as a Prometheus duration in whole milliseconds ("4500ms")."""
    return f"{round(value * 1000)}ms"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def read_period(scrape_interval: float, cache_ttl: float) -> float:
    """How often the exporter reads Adobe when scraped every `scrape_interval` seconds.

    A collection is reused while younger than the TTL, its age counted from the end of the
    collection: at the first scrape `cache_ttl` or more after it, the next read happens.
    With a TTL that is a multiple of the interval, that scrape is one interval later
    (the previous read is not quite `cache_ttl` old at the scrape before).
    """
    if cache_ttl <= 0:
        return scrape_interval
    return (math.floor(cache_ttl / scrape_interval) + 1) * scrape_interval


@dataclass(frozen=True)
class Budget:
    """Each step's worst case, in seconds, in the order an incident goes through them."""

    source: str
    alert: str
    read: float  # the exporter's next read of Adobe after the post
    collection: float  # that read's request, at most --timeout
    evaluation: float  # the rule group's next evaluation
    pending: float  # the alert's `for:`
    group_wait: float  # Alertmanager's wait before the first notification of a group

    @property
    def total(self) -> float:
        return self.read + self.collection + self.evaluation + self.pending + self.group_wait

    @property
    def floor(self) -> float:
        """The least it can take: no step below can be cut short by a fast machine."""
        return self.pending + self.group_wait

    @property
    def target(self) -> float:
        return TARGETS[self.alert]


def alert_rule(rules: Any, alert: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(group, rule) of the alerting rule `alert`."""
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == alert:
                return group, rule
    raise KeyError(alert)


def route_group_wait(config: Any, severity: str) -> float:
    """group_wait of the route an alert of `severity` takes (first match, else the root)."""
    root = config["route"]
    for route in root.get("routes", []):
        if f'severity="{severity}"' in route.get("matchers", []):
            return seconds(route.get("group_wait", root.get("group_wait", "30s")))
    return seconds(root.get("group_wait", "30s"))


def worst_case(
    source: str,
    alert: str,
    *,
    rules: Any = None,
    alertmanager: Any = None,
    values: Any = None,
    evaluation_interval: float = 60.0,
) -> Budget:
    """The budget at the shipped defaults (or the given documents).

    `evaluation_interval` is Prometheus's global one, used only for a group without its own.
    """
    rules = load_yaml(RULES_PATH) if rules is None else rules
    alertmanager = load_yaml(ALERTMANAGER_PATH) if alertmanager is None else alertmanager
    values = load_yaml(VALUES_PATH) if values is None else values
    group, rule = alert_rule(rules, alert)
    scrape = seconds(values["serviceMonitor"]["interval"])
    evaluation = seconds(group["interval"]) if "interval" in group else evaluation_interval
    return Budget(
        source=source,
        alert=alert,
        read=read_period(scrape, DEFAULT_CACHE_TTL[source]),
        collection=FeedConfig().timeout,  # --timeout's default, the same for both sources
        evaluation=evaluation,
        pending=seconds(rule["for"]),
        group_wait=route_group_wait(alertmanager, rule["labels"]["severity"]),
    )
