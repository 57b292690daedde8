"""Plans in the spec's `Events` map shape: what StatusEvents (status.adobe.com's feed) holds.

Maps keyed by id, product history keyed by epoch timestamp, integer epochs (seconds, or
milliseconds on request). Feed entries add `csoStatus`, `previousStatus`,
`previousSeverity`, `statusTime` and `messageTime`; incident products `startedOn` and
`endedOn` (0 while open). A canceled maintenance says `status: Completed` while its
`cmrStatus` says `Canceled`, as Adobe's feed does. Each section's `messages{locale}{token}`
holds the texts its entries name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from exporter.simulator import canned_texts
from exporter.simulator.catalog import Catalog
from exporter.simulator.event_dto import (
    JSON,
    closed_at,
    clouds,
    history_entry,
    impact,
    incident_status,
    maintenance_status,
    message_token,
    regions,
    step_time,
    title_token,
    to_bytes,
)
from exporter.simulator.plans import Plan, Step

# Texts added by tests: token -> texts by locale.
TextBook = Mapping[str, Mapping[str, canned_texts.Text]]


def feed(
    entries: list[tuple[Plan, int]],
    catalog: Catalog,
    book: TextBook | None = None,
    epoch_ms: bool = False,
) -> JSON:
    """The plans in the spec's `Events` map shape."""
    scale = 1000 if epoch_ms else 1
    incidents: JSON = {}
    maintenances: JSON = {}
    for plan, phase in entries:
        chosen = incidents if plan.kind == "incident" else maintenances
        chosen[plan.id] = event(plan, phase, catalog, scale)
    return {
        "incidentEvent": {"incidents": incidents, "messages": messages(entries, "incident", book)},
        "maintenanceEvent": {
            "maintenance": maintenances,
            "messages": messages(entries, "maintenance", book),
        },
    }


def feed_bytes(
    fragments: list[tuple[Plan, bytes]], entries: list[tuple[Plan, int]], book: TextBook
) -> bytes:
    """`feed` as JSON, joined from per-event fragments (`"id":{...}`, see `fragment`)."""

    def join(kind: str) -> bytes:
        return b",".join(f for plan, f in fragments if plan.kind == kind)

    return b"".join(
        (
            b'{"incidentEvent":{"incidents":{',
            join("incident"),
            b'},"messages":',
            to_bytes(messages(entries, "incident", book)),
            b'},"maintenanceEvent":{"maintenance":{',
            join("maintenance"),
            b'},"messages":',
            to_bytes(messages(entries, "maintenance", book)),
            b"}}",
        )
    )


def fragment(plan: Plan, phase: int, catalog: Catalog) -> bytes:
    """One event's `"id":{...}` member of its section, epoch seconds."""
    return to_bytes(plan.id) + b":" + to_bytes(event(plan, phase, catalog, 1))


def event(plan: Plan, phase: int, catalog: Catalog, scale: int) -> JSON:
    """An `Incident` or a `Maintenance` of the feed."""
    steps = plan.steps[:phase]
    common: JSON = {
        "id": plan.id,
        "regions": {region["id"]: region for region in regions(plan, catalog)},
        "clouds": {cloud["id"]: cloud for cloud in clouds(plan, catalog)},
    }
    if plan.kind == "incident":
        return {**common, "products": _incident_products(plan, steps, scale)}
    return _maintenance(plan, steps, scale, common)


def _history(plan: Plan, steps: tuple[Step, ...], scale: int, member_index: int) -> JSON:
    member = plan.members[member_index]
    history: JSON = {}
    previous = Step(0, "None", "None")
    status_since = steps[0].at
    for index, step in enumerate(steps):
        entry = history_entry(plan, member, index, step)
        if step.status != previous.status:
            status_since = step.at
        customer, operations = impact(previous.severity)
        entry.update(
            messageTime=step.at * scale,
            statusTime=status_since * scale,
            csoStatus=step.status,
            previousStatus=previous.status,
            previousSeverity=(previous.severity or "None") if plan.kind == "incident" else "None",
        )
        if plan.kind == "incident":
            entry.update(
                previousCustomerImpact=customer if index else "None",
                previousOperationsImpact=operations if index else "None",
            )
        history[str(step.at * scale)] = entry
        previous = step
    return history


def _incident_products(plan: Plan, steps: tuple[Step, ...], scale: int) -> JSON:
    closed = incident_status(steps) == "Closed"
    return {
        member.id: {
            "id": member.id,
            "name": member.name,
            "startedOn": steps[0].at * scale,
            "endedOn": closed_at(steps) * scale if closed else 0,
            "history": _history(plan, steps, scale, index),
        }
        for index, member in enumerate(plan.members)
    }


def _maintenance(plan: Plan, steps: tuple[Step, ...], scale: int, common: JSON) -> JSON:
    status = maintenance_status(steps)
    maintenance: JSON = {
        **common,
        "status": "Completed" if status == "Canceled" else status,
        "cmrStatus": status,
        "type": plan.maintenance_type,
        "scheduledDate": plan.scheduled_start * scale,
        "reminderDate": [s.at * scale for s in steps if s.status == "Reminder"],
        "products": {
            member.id: {
                "id": member.id,
                "name": member.name,
                "history": _history(plan, steps, scale, index),
            }
            for index, member in enumerate(plan.members)
        },
    }
    for key, wanted in (("startedOn", "Started"), ("completedOn", "Completed")):
        if (at := step_time(steps, wanted)) is not None:
            maintenance[key] = at * scale
    return maintenance


def plan_texts(
    plan: Plan, phase: int, book: TextBook
) -> Iterator[tuple[str, Mapping[str, canned_texts.Text]]]:
    """(token, texts by locale) for every title and message token the plan's entries name.

    Canned tokens come in every locale; custom ones in English (or as a test gave them);
    a token nobody has a text for is left out, as an unknown token would be upstream.
    """
    canned = canned_texts.canned(plan.kind)
    for index, step in enumerate(plan.steps[:phase]):
        for token in (title_token(plan, step), message_token(plan, index, step)):
            if token in book:
                yield token, book[token]
            elif token in canned:
                yield token, canned[token]
            elif step.message_type == "Custom" and not step.message_token:
                yield token, {"en": canned_texts.pooled(token, plan.kind, step.status)}


def messages(entries: list[tuple[Plan, int]], kind: str, book: TextBook | None) -> JSON:
    """A section's `messages{locale}{token}`."""
    book = book or {}
    chosen = [
        pair
        for plan, phase in entries
        if plan.kind == kind
        for pair in plan_texts(plan, phase, book)
    ]
    return canned_texts.section(chosen)


# Texts by kind ("incident", "maintenance"), then token, then locale.
TextIndex = dict[str, dict[str, Mapping[str, canned_texts.Text]]]


def text_index(entries: list[tuple[Plan, int]], book: TextBook) -> TextIndex:
    """Every text `/api/v1/messages` knows now: all canned ones, and those events name."""
    index: TextIndex = {
        "incident": dict(canned_texts.INCIDENT_CANNED),
        "maintenance": dict(canned_texts.MAINTENANCE_CANNED),
    }
    for plan, phase in entries:
        index[plan.kind].update(plan_texts(plan, phase, book))
    return index


def messages_dtos(index: TextIndex, locales: list[str], tokens: frozenset[str]) -> list[JSON]:
    """`MessagesDto` per locale, limited to `tokens` when any are given."""

    def section(kind: str, locale: str) -> JSON:
        return {
            token: canned_texts.message_json(token, by_locale[locale])
            for token, by_locale in index[kind].items()
            if locale in by_locale and (not tokens or token in tokens)
        }

    return [
        {
            "languageCode": locale,
            "incidentMessages": section("incident", locale),
            "maintenanceMessages": section("maintenance", locale),
        }
        for locale in locales
    ]
