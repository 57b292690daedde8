"""Builders of Adobe-shaped payloads, field names as in Adobe's Status API spec.

Kept deliberately explicit: each builder returns what the spec's schema describes
(IncidentDto, MaintenanceDto, the `Events` feed maps), so tests read like upstream data.
"""

from __future__ import annotations

from typing import Any

CLOUD = {"id": "503461", "name": "Adobe Experience Cloud", "cloudProducts": ["503467", "503486"]}
# Adobe's regions are keyed by name, and the id is the name.
REGIONS = ("Americas", "EMEA", "APAC")
NOW = 1795953600.0  # 2026-11-29T12:00:00Z: "now" for the payloads here (2026-11-28 events)


def region(name: str, region_id: str | None = None) -> dict[str, str]:
    """A region as Adobe writes it: {"id": name, "name": name} unless told otherwise."""
    return {"id": region_id or name, "name": name}


def incident_product(
    product_id: str = "503467",
    name: str = "Adobe Analytics",
    *,
    severity: str | None = "Major",
    status: str | None = "Opened",
    started: str | None = "2026-11-28T10:00:00Z",
    history: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    product: dict[str, Any] = {"id": product_id, "name": name, "history": history or []}
    if severity is not None:
        product["severity"] = severity
    if status is not None:
        product["status"] = status
    if started is not None:
        product["startedOn"] = started
    return product


def history_entry(status: str, severity: str, message_time: str | int) -> dict[str, Any]:
    return {
        "status": status,
        "severity": severity,
        "messageTime": message_time,
        "messageType": "Custom",
        "customerImpact": "Some",
        "operationsImpact": "Performance",
        "showEnvironment": False,
    }


def incident(
    event_id: str = "202608040123",
    products: list[dict[str, Any]] | None = None,
    regions: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "id": event_id,
        "clouds": [CLOUD],
        "products": products if products is not None else [incident_product()],
        "region": regions or [],
        "environment": [],
        "offering": [],
        "services": [],
    }


def maintenance(
    event_id: str = "CHG005822158",
    *,
    status: str = "Started",
    product_id: str = "503467",
    name: str = "Adobe Analytics",
    regions: list[dict[str, str]] | None = None,
    started: str | None = "2026-11-28T09:00:00Z",
    scheduled: str | None = "2026-11-28T09:00:00Z",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": event_id,
        "status": status,
        "maintenanceType": "Scheduled",
        "clouds": [CLOUD],
        "products": [{"id": product_id, "name": name, "history": []}],
        "region": regions or [],
    }
    if started is not None and status == "Started":
        body["startedOn"] = started
    if scheduled is not None:
        body["scheduledDate"] = scheduled
    return body


def events(
    incidents: list[Any] | None = None, maintenances: list[Any] | None = None
) -> dict[str, Any]:
    return {"incidents": incidents or [], "maintenances": maintenances or []}


def products_payload() -> list[dict[str, Any]]:
    return [
        {
            "id": "503467",
            "name": "Adobe Analytics",
            "regions": [region("Americas"), region("EMEA")],
        },
        {
            "id": "503486",
            "name": "Adobe Audience Manager",
            "regions": [region("Americas")],
        },
        {"id": "503493", "name": "Adobe Photoshop", "regions": []},
    ]


def clouds_payload() -> list[dict[str, Any]]:
    return [
        {
            "id": "503461",
            "name": "Adobe Experience Cloud",
            "cloudProducts": [
                {"id": "503467", "name": "Adobe Analytics"},
                {"id": "503486", "name": "Adobe Audience Manager"},
            ],
        },
        {
            "id": "503459",
            "name": "Adobe Creative Cloud",
            "cloudProducts": [{"id": "503493", "name": "Adobe Photoshop"}],
        },
    ]


def feed(
    incidents: dict[str, Any] | None = None, maintenances: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The spec's `Events` shape: maps keyed by id, product history keyed by epoch."""
    return {
        "incidentEvent": {"incidents": incidents or {}, "messages": {}},
        "maintenanceEvent": {"maintenance": maintenances or {}, "messages": {}},
    }


def feed_incident(
    event_id: str, product_id: str, history: dict[str, dict[str, Any]], started: int = 1764324000
) -> dict[str, Any]:
    return {
        "id": event_id,
        "products": {
            product_id: {
                "id": product_id,
                "name": "Adobe Analytics",
                "startedOn": started,
                "history": history,
            }
        },
        "regions": {},
        "clouds": {"503461": CLOUD},
    }
