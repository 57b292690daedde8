"""How soon an Adobe incident reaches the pager: the budget at the defaults, and a live run.

The budget (tests.support.alert_budget) adds up each step's worst case from the shipped
configuration; at the defaults it must meet the issue's targets (a major incident within
3 minutes, a minor one within 5, with either source) and docs/alert-latency.md must show
those figures.

The live run compresses time: the simulator (over HTTP, its control API), the exporter
(API source, or the feed with its cache TTL), a real Prometheus and a real Alertmanager,
with every interval of the defaults divided by SCALE: scrape, cache TTL, rule evaluation,
`for:`, `keep_firing_for:`, group_wait and group_interval. It posts a major and a minor
incident and awaits the pager's and the ticket queue's webhooks. Timing depends on the
machine, so it only asserts what a slow machine cannot break (one notification each, not
before `for:` + group_wait, and a reclassification that keeps the same alert) and prints
the measured latency, scaled back, beside the worst case and the target.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.alert_budget import (
    ALERTMANAGER_PATH,
    REPO,
    RULES_PATH,
    SOURCES,
    TARGETS,
    VALUES_PATH,
    Budget,
    load_yaml,
    worst_case,
)
from tests.support.alert_latency_common import MAJOR

LATENCY_DOC = REPO / "docs" / "alert-latency.md"
README = REPO / "README.md"


# -- the budget at the defaults -----------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("alert", sorted(TARGETS))
def test_worst_case_at_the_defaults_meets_the_target(source: str, alert: str) -> None:
    budget = worst_case(source, alert)
    print(f"{alert} via {source}: worst case {budget.total:.0f} s, target {budget.target:.0f} s")
    assert budget.total <= budget.target, budget


def test_budget_counts_the_old_rules_at_seven_to_nine_minutes() -> None:
    """The rules and chart before issue 16 (for: 5m, 60 s scrapes, 1m evaluation) miss it."""
    rules = load_yaml(RULES_PATH)
    for group in rules["groups"]:
        group.pop("interval", None)
        for rule in group["rules"]:
            if rule.get("alert") == MAJOR:
                rule["for"] = "5m"
    values = load_yaml(VALUES_PATH)
    values["serviceMonitor"]["interval"] = "60s"
    alertmanager = load_yaml(ALERTMANAGER_PATH)
    alertmanager["route"]["routes"][0].pop("group_wait", None)
    old = {
        source: worst_case(source, MAJOR, rules=rules, values=values, alertmanager=alertmanager)
        for source in SOURCES
    }
    assert {source: budget.total for source, budget in old.items()} == {"api": 460, "feed": 520}
    assert all(budget.total > budget.target for budget in old.values())


def table_row(budget: Budget) -> str:
    steps = (budget.read, budget.collection, budget.evaluation, budget.pending)
    cells = [f"{step:g} s" for step in (*steps, budget.group_wait, budget.total)]
    return (
        f"| {budget.alert} | {budget.source} | " + " | ".join(cells) + f" | {budget.target:g} s |"
    )


@pytest.mark.parametrize("document", [LATENCY_DOC, README], ids=["alert-latency.md", "README"])
def test_documents_show_the_budget_as_computed(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    rows = [table_row(worst_case(source, alert)) for alert in sorted(TARGETS) for source in SOURCES]
    missing = [row for row in rows if row not in text]
    assert missing == [], f"{document.name} lacks these rows (or shows other figures)"
