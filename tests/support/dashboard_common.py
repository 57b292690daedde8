"""What the unit and the integration tests of dashboard share."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.support.paths import REPO

DASHBOARD_PATH = REPO / "grafana" / "adobe-status.json"

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


# -- helpers ------------------------------------------------------------------------------


def load_dashboard() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD_PATH.read_text(encoding="utf-8")))


def all_panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, rows included, with the panels that collapsed rows hold."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def leaf_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in all_panels(dashboard) if p.get("type") != "row"]


def annotation_queries(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """The dashboard's own annotations (Grafana's built-in one left out)."""
    return [a for a in dashboard["annotations"]["list"] if not a.get("builtIn")]


def all_exprs(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, expr) for every panel target and annotation query."""
    panels = [
        (f"{panel.get('title')}/{target.get('refId')}", target["expr"])
        for panel in leaf_panels(dashboard)
        for target in panel.get("targets", [])
        if "expr" in target
    ]
    annotations = [
        (f"annotation {a['name']}", a["target"]["expr"]) for a in annotation_queries(dashboard)
    ]
    return panels + annotations


def panel_by_title(dashboard: dict[str, Any], title: str) -> dict[str, Any]:
    matches = [p for p in all_panels(dashboard) if p.get("title") == title]
    assert len(matches) == 1, f"expected one panel titled {title!r}, found {len(matches)}"
    return matches[0]


def variable(dashboard: dict[str, Any], name: str) -> dict[str, Any]:
    matches = [v for v in dashboard["templating"]["list"] if v["name"] == name]
    assert len(matches) == 1, f"expected one variable {name!r}"
    return dict(matches[0])
