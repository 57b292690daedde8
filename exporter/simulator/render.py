"""Plans cut at a phase, rendered in the spec's two shapes.

DTO shape (`IncidentDto`, `MaintenanceDto`, what `/api/v1/events` answers): lists, times
as ISO 8601 UTC strings, except `MaintenanceHistoryEvent.messageTime`, which the spec
types as an integer (epoch seconds here). Feed shape (`Events`, what status.adobe.com
reads): maps keyed by id, product history keyed by epoch timestamp, integer epochs.

Statuses and severities are passed through as the plan has them, so tests can add values
outside the spec's enums to see how a client copes with schema drift.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from exporter.simulator.catalog import Catalog
from exporter.simulator.plans import Plan, Step

JSON = dict[str, Any]

# What the incident's severity says about customers and operations.
_IMPACT = {
    "Major": ("Most", "Availability"),
    "Minor": ("Some", "Performance"),
    "Potential": ("Unknown", "Unknown"),
    "Trivial": ("None", "None"),
}
# History statuses that are not a maintenance's own status.
_MAINTENANCE_STATUS = {"Cancelled": "Canceled", "Updated": None}


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_bytes(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _impact(severity: str) -> tuple[str, str]:
    return _IMPACT.get(severity, ("Unknown", "Unknown"))


def _location(plan: Plan) -> JSON:
    return {"serviceRegions": list(plan.region_ids or ()), "serviceEnvironments": []}


def _no_service_impact() -> JSON:
    # A fresh dict each time: payloads handed to tests must not share mutable parts.
    return {"productServices": [], "productOfferings": [], "productCapabilities": []}


def _regions(plan: Plan, catalog: Catalog) -> list[JSON]:
    named = [(rid, catalog.region(rid)) for rid in plan.region_ids or ()]
    return [{"id": rid, "name": region.name if region else rid} for rid, region in named]


def _clouds(plan: Plan, catalog: Catalog) -> list[JSON]:
    grouped: dict[str, list[str]] = {}
    for member in plan.members:
        if member.cloud_id:
            grouped.setdefault(member.cloud_id, []).append(member.id)
    clouds = [(cid, catalog.cloud(cid), pids) for cid, pids in grouped.items()]
    return [
        {"id": cid, "name": cloud.name if cloud else cid, "cloudProducts": pids}
        for cid, cloud, pids in clouds
    ]


def incident_status(steps: tuple[Step, ...]) -> str:
    """The product's own status: the spec's product enum has no Discovery, it counts as open."""
    status = steps[-1].status
    return "Opened" if status == "Discovery" else status


def maintenance_status(steps: tuple[Step, ...]) -> str:
    for step in reversed(steps):
        status = _MAINTENANCE_STATUS.get(step.status, step.status)
        if status is not None:
            return status
    return steps[-1].status


def _step_time(steps: tuple[Step, ...], status: str) -> int | None:
    return next((step.at for step in steps if step.status == status), None)


def _incident_entry(plan: Plan, product_id: str, index: int, step: Step) -> JSON:
    customer, operations = _impact(step.severity)
    return {
        "id": f"{plan.id}-{product_id}-{index}",
        "status": step.status,
        "severity": step.severity,
        "messageTime": iso(step.at),
        "messageType": "Canned",
        "messageToken": f"{plan.id}-m{index}",
        "titleToken": f"{plan.id}-t",
        "customerImpact": customer,
        "operationsImpact": operations,
        "showEnvironment": False,
        "locationImpact": _location(plan),
        "serviceImpact": _no_service_impact(),
    }


def _maintenance_entry(plan: Plan, product_id: str, index: int, step: Step, at: int) -> JSON:
    return {
        "id": f"{plan.id}-{product_id}-{index}",
        "status": step.status,
        "messageTime": at,
        "messageType": "Canned",
        "messageToken": f"{plan.id}-m{index}",
        "titleToken": f"{plan.id}-t",
        "customerImpact": "Some",
        "operationsImpact": "Availability",
        "showEnvironment": False,
        "locationImpact": _location(plan),
        "serviceImpact": _no_service_impact(),
    }


def dto(plan: Plan, phase: int, catalog: Catalog) -> JSON:
    """The plan as an `IncidentDto` or a `MaintenanceDto` at the given phase."""
    steps = plan.steps[:phase]
    common: JSON = {
        "id": plan.id,
        "region": _regions(plan, catalog),
        "clouds": _clouds(plan, catalog),
        "environment": [],
        "offering": [],
        "services": [],
    }
    if plan.kind == "incident":
        status = incident_status(steps)
        products = []
        for member in plan.members:
            product: JSON = {
                "id": member.id,
                "name": member.name,
                "status": status,
                "severity": steps[-1].severity,
                "startedOn": iso(steps[0].at),
                "history": [_incident_entry(plan, member.id, i, s) for i, s in enumerate(steps)],
            }
            if status == "Closed":
                product["endedOn"] = iso(steps[-1].at)
            products.append(product)
        return {**common, "products": products}
    maintenance: JSON = {
        **common,
        "status": maintenance_status(steps),
        "maintenanceType": plan.maintenance_type,
        "scheduledDate": iso(plan.scheduled_start),
        "reminderDate": [],
        "products": [
            {
                "id": member.id,
                "name": member.name,
                "history": [
                    _maintenance_entry(plan, member.id, i, s, s.at) for i, s in enumerate(steps)
                ],
            }
            for member in plan.members
        ],
    }
    for key, status in (("startedOn", "Started"), ("completedOn", "Completed")):
        if (at := _step_time(steps, status)) is not None:
            maintenance[key] = iso(at)
    return maintenance


def feed(entries: list[tuple[Plan, int]], catalog: Catalog, epoch_ms: bool = False) -> JSON:
    """The plans in the spec's `Events` map shape."""
    scale = 1000 if epoch_ms else 1
    incidents: JSON = {}
    maintenances: JSON = {}
    for plan, phase in entries:
        steps = plan.steps[:phase]
        common: JSON = {
            "id": plan.id,
            "regions": {region["id"]: region for region in _regions(plan, catalog)},
            "clouds": {cloud["id"]: cloud for cloud in _clouds(plan, catalog)},
        }
        if plan.kind == "incident":
            incidents[plan.id] = {**common, "products": _feed_incident_products(plan, steps, scale)}
        else:
            maintenances[plan.id] = _feed_maintenance(plan, steps, scale, common)
    return {
        "incidentEvent": {"incidents": incidents, "messages": _messages(entries, "incident")},
        "maintenanceEvent": {
            "maintenance": maintenances,
            "messages": _messages(entries, "maintenance"),
        },
    }


def _feed_incident_products(plan: Plan, steps: tuple[Step, ...], scale: int) -> JSON:
    products: JSON = {}
    for member in plan.members:
        history: JSON = {}
        previous = Step(0, "None", "None")
        for index, step in enumerate(steps):
            entry = _incident_entry(plan, member.id, index, step)
            customer, operations = _impact(previous.severity)
            entry.update(
                messageTime=step.at * scale,
                statusTime=step.at * scale,
                previousStatus=previous.status,
                previousSeverity=previous.severity,
                previousCustomerImpact=customer if index else "None",
                previousOperationsImpact=operations if index else "None",
            )
            history[str(step.at * scale)] = entry
            previous = step
        product: JSON = {
            "id": member.id,
            "name": member.name,
            "startedOn": steps[0].at * scale,
            "history": history,
        }
        if incident_status(steps) == "Closed":
            product["endedOn"] = steps[-1].at * scale
        products[member.id] = product
    return products


def _feed_maintenance(plan: Plan, steps: tuple[Step, ...], scale: int, common: JSON) -> JSON:
    status = maintenance_status(steps)
    maintenance: JSON = {
        **common,
        "status": status,
        "cmrStatus": status,
        "type": plan.maintenance_type,
        "scheduledDate": plan.scheduled_start * scale,
        "reminderDate": [],
        "products": {
            member.id: {
                "id": member.id,
                "name": member.name,
                "history": {
                    str(s.at * scale): _maintenance_entry(plan, member.id, i, s, s.at * scale)
                    for i, s in enumerate(steps)
                },
            }
            for member in plan.members
        },
    }
    for key, wanted in (("startedOn", "Started"), ("completedOn", "Completed")):
        if (at := _step_time(steps, wanted)) is not None:
            maintenance[key] = at * scale
    return maintenance


def _messages(entries: list[tuple[Plan, int]], kind: str) -> JSON:
    """English text for every message token the history entries name."""
    texts: JSON = {}
    for plan, phase in entries:
        if plan.kind != kind:
            continue
        names = ", ".join(member.name for member in plan.members)
        for index, step in enumerate(plan.steps[:phase]):
            token = f"{plan.id}-m{index}"
            text = f"{names}: {kind} {step.status.lower()}."
            texts[token] = {"token": token, "textMessage": text, "htmlMessage": f"<p>{text}</p>"}
    return {"en": texts} if texts else {}
