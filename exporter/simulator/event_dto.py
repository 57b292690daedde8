"""Plans cut at a phase, rendered as the spec's DTOs (what `/api/v1/events` answers).

DTO shape (`IncidentDto`, `MaintenanceDto`): lists, times as ISO 8601 UTC strings, except
`MaintenanceHistoryEvent.messageTime`, which the spec types as an integer (epoch seconds
here). The feed's map shape is in `event_feed`; both share the history entries built here.

Every history entry carries Adobe's vocabulary: `status`, `severity` (`None` for
maintenances), `customerImpact`, `operationsImpact`, `messageType` (Canned, Custom, CFS),
`messageToken`, `titleToken`, `serviceImpact` and `locationImpact` with the product's own
regions. Statuses and severities are passed through as the plan has them, so tests can add
values outside the spec's enums to see how a client copes with schema drift.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from exporter.simulator import canned_texts
from exporter.simulator.catalog import Catalog
from exporter.simulator.plans import Member, Plan, Step

JSON = dict[str, Any]

# What the incident's severity says about customers and operations.
_IMPACT = {
    "Major": ("Most", "Availability"),
    "Minor": ("Some", "Performance"),
    "Potential": ("Unknown", "Unknown"),
    "Trivial": ("None", "None"),
}
# History statuses that are not a maintenance's own status.
_MAINTENANCE_STATUS = {"Cancelled": "Canceled", "Reminder": "Scheduled", "Updated": None}


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_bytes(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def impact(severity: str) -> tuple[str, str]:
    return _IMPACT.get(severity, ("Unknown", "Unknown"))


def _location(plan: Plan, member: Member) -> JSON:
    named = member.named_regions if member.named_regions is not None else plan.region_ids
    return {"serviceRegions": list(named or ()), "serviceEnvironments": []}


def _service_impact(member: Member) -> JSON:
    # A fresh dict each time: payloads handed to tests must not share mutable parts.
    return {
        "productServices": list(member.service_ids[:1]),
        "productOfferings": list(member.offering_ids),
    }


def regions(plan: Plan, catalog: Catalog) -> list[JSON]:
    named = [(rid, catalog.region(rid)) for rid in plan.region_ids or ()]
    return [{"id": rid, "name": region.name if region else rid} for rid, region in named]


def clouds(plan: Plan, catalog: Catalog) -> list[JSON]:
    grouped: dict[str, list[str]] = {}
    for member in plan.members:
        if member.cloud_id:
            grouped.setdefault(member.cloud_id, []).append(member.id)
    found = [(cid, catalog.cloud(cid), pids) for cid, pids in grouped.items()]
    return [
        {"id": cid, "name": cloud.name if cloud else cid, "cloudProducts": pids}
        for cid, cloud, pids in found
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


def step_time(steps: tuple[Step, ...], status: str) -> int | None:
    return next((step.at for step in steps if step.status == status), None)


def title_token(plan: Plan, step: Step) -> str:
    if step.title_token or plan.title_token:
        return step.title_token or plan.title_token
    if plan.kind == "incident":
        return canned_texts.incident_title(plan.steps[0].severity)
    return "MNT_TITLE"


def message_token(plan: Plan, index: int, step: Step) -> str:
    if step.message_token:
        return step.message_token
    if step.message_type == "Custom":
        return f"{plan.id}_{index}"  # a generated custom text (see `canned_texts.pooled`)
    if plan.kind == "incident":
        return canned_texts.incident_message(step.status, index, step.message_type == "CFS")
    return canned_texts.maintenance_message(step.status)


def history_entry(plan: Plan, member: Member, index: int, step: Step) -> JSON:
    """What DTO and feed entries share; times are added by the caller."""
    if plan.kind == "incident":
        customer, operations = impact(step.severity)
        severity = step.severity
    else:
        customer, operations, severity = "Some", "Availability", "None"
    entry: JSON = {
        "id": f"{plan.id}{member.id}{index}",
        "status": step.status,
        "severity": severity,
        "messageType": step.message_type,
        "messageToken": message_token(plan, index, step),
        "titleToken": title_token(plan, step),
        "customerImpact": customer,
        "operationsImpact": operations,
        "showEnvironment": False,
        "locationImpact": _location(plan, member),
        "serviceImpact": _service_impact(member),
    }
    if step.message_type == "CFS":
        entry.update(cfsURL=step.cfs_url, cfsId=step.cfs_url.rsplit("/", 1)[-1], cfsSource="CFS")
    return entry


def dto(plan: Plan, phase: int, catalog: Catalog) -> JSON:
    """The plan as an `IncidentDto` or a `MaintenanceDto` at the given phase."""
    steps = plan.steps[:phase]
    common: JSON = {
        "id": plan.id,
        "region": regions(plan, catalog),
        "clouds": clouds(plan, catalog),
        "environment": [],
        "offering": [],
        "services": [],
    }
    if plan.kind == "incident":
        status = incident_status(steps)
        products = []
        for member in plan.members:
            history = []
            for i, step in enumerate(steps):
                entry = history_entry(plan, member, i, step)
                entry["messageTime"] = iso(step.at)
                history.append(entry)
            product: JSON = {
                "id": member.id,
                "name": member.name,
                "status": status,
                "severity": steps[-1].severity,
                "startedOn": iso(steps[0].at),
                "history": history,
            }
            if status == "Closed":
                product["endedOn"] = iso(closed_at(steps))
            products.append(product)
        return {**common, "products": products}
    maintenance: JSON = {
        **common,
        "status": maintenance_status(steps),
        "maintenanceType": plan.maintenance_type,
        "scheduledDate": iso(plan.scheduled_start),
        "reminderDate": [iso(s.at) for s in steps if s.status == "Reminder"],
        "products": [
            {
                "id": member.id,
                "name": member.name,
                "history": [
                    {**history_entry(plan, member, i, s), "messageTime": s.at}
                    for i, s in enumerate(steps)
                ],
            }
            for member in plan.members
        ],
    }
    for key, status in (("startedOn", "Started"), ("completedOn", "Completed")):
        if (at := step_time(steps, status)) is not None:
            maintenance[key] = iso(at)
    return maintenance


def closed_at(steps: tuple[Step, ...]) -> int:
    """When the incident closed: a root-cause entry weeks later does not move it."""
    return next((s.at for s in steps if s.status == "Closed"), steps[-1].at)
