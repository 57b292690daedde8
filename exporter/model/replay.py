"""Adobe's record replayed to an instant: `impact_at(record, t)`, the contract's status rules.

One function for the live collector (asked at the instant the record was read) and for
`history`, `backfill` and the page's "Last 30 days" (asked at any instant before):

- At or after the instant of reading, the product's own fields decide, as they stand: its
  status (else its latest history entry's), its severity, `endedOn`. Nothing here sorts
  a history unless those fields leave the question open.
- Before it, the history decides. An incident counts from its start (`startedOn`, else
  its first entry) to its `endedOn` (or the entry that closed it), at the status and
  severity of its latest entry by then, root-cause (`CFS`) entries aside: an escalation
  from Trivial to Major reads 2, then 4. A maintenance counts as scheduled from its first
  entry and in progress from `Started` until an entry says it is over (Completed,
  Canceled): one canceled before it started is never in progress. One whose history
  stops at `Started` while the event's own `status` or `cmrStatus` says it is over ran
  until its `completedOn`, else until the instant of reading (the record's first word of
  its end: Adobe's spec gives a maintenance no other end). Once no entry follows
  the instant asked (an `Updated` one included: its text and regions count from its own
  time), the product's own fields decide again: they are the latest word.
- Regions are those the product's own latest entry by then names, else the event's.
"""

from __future__ import annotations

from collections.abc import Callable

from exporter.model.record import NEVER, Entry, ProductRecord, service_regions, text
from exporter.model.vocabulary import (
    Anomaly,
    Impact,
    State,
    incident_is_open,
    is_absent,
    maintenance_is_over,
    maintenance_state,
    norm,
    parse_time,
    severity_label,
    severity_state,
)


def impact_at(
    record: ProductRecord, t: float, anomalies: list[Anomaly] | None = None
) -> Impact | None:
    """What the event does to the product at `t` (Unix seconds); None when nothing.

    Odd values met while deciding (unknown statuses, severities) go to `anomalies`.
    """
    sink: list[Anomaly] = [] if anomalies is None else anomalies
    if record.event.kind == "incident":
        return _incident(record, t, sink)
    return _maintenance(record, t, sink)


def first_present(own: object, history: Callable[[], list[Entry]], key: str) -> tuple[str, object]:
    """The product's own value, else the latest history entry's that says something."""
    value = norm(own)
    if not is_absent(value):
        return value, own
    for entry in reversed(history()):
        raw = entry.get(key)
        value = norm(raw)
        if not is_absent(value):
            return value, raw
    return "", None


def _impact(
    record: ProductRecord, change: Entry | None, latest: Entry | None, **values: object
) -> Impact:
    """An Impact with what both kinds read alike: regions from `change`, texts from `latest`."""
    event = record.event
    affected = service_regions(change, event.regions) or event.regions
    latest = latest or {}
    return Impact(
        event_id=event.event_id,
        kind=event.kind,
        product_id=record.product_id,
        product_name=record.product_name,
        region_ids=tuple(region.id for region in affected),
        region_names=tuple(region.name for region in affected),
        clouds=event.clouds,
        title_token=text(latest.get("titleToken")),
        message_token=text(latest.get("messageToken")),
        cfs_url=text(latest.get("cfsURL")),
        **values,  # type: ignore[arg-type]
    )


def _latest_by(timed: list[tuple[float, Entry]], t: float) -> list[Entry]:
    return [entry for at, entry in timed if at <= t]


# --- incidents -----------------------------------------------------------------------


def incident_start(record: ProductRecord) -> float | None:
    """`startedOn`, else the time of its first entry (root-cause reports aside)."""
    start = record.started_on
    if start is None and (changes := record.history.changes()):
        start = parse_time(changes[0].get("messageTime"))
    return start


def _incident(record: ProductRecord, t: float, anomalies: list[Anomaly]) -> Impact | None:
    end = record.ended_on  # 0 while open reads as None
    if end is not None and end <= t:
        return None  # closed by its end time, whatever a status says
    if t >= record.event.read_at:
        return _incident_now(record, end, anomalies)
    changes = record.history.timed_changes()
    start = record.started_on
    if start is None:
        start = next((at for at, _ in changes if at != NEVER), None)
    if start is None or t < start:
        return None
    if not changes or changes[-1][0] <= t:
        return _incident_now(record, end, [])  # no later word: its own fields decide
    by_then = _latest_by(changes, t) or [changes[0][1]]
    status, _ = first_present(None, lambda: by_then, "status")
    status = status or norm(record.product.get("status"))
    is_open, _ = incident_is_open(status) if status else (True, None)
    if not is_open:
        return None
    _, raw = first_present(None, lambda: by_then, "severity")
    if raw is None:
        raw = record.product.get("severity")
    severity, _ = severity_label(raw)
    said = _latest_by(record.history.timed(), t)
    return _impact(
        record,
        by_then[-1],
        said[-1] if said else by_then[-1],
        severity=severity,
        status=status or "unknown",
        state=severity_state(severity),
        start=incident_start(record),
        end=None,  # not known yet at `t`
    )


def _incident_now(
    record: ProductRecord, end: float | None, anomalies: list[Anomaly]
) -> Impact | None:
    """The product's own fields as they stand (the live rule)."""
    product, history = record.product, record.history
    status, _ = first_present(product.get("status"), history.changes, "status")
    is_open, anomaly = (
        incident_is_open(status) if status else (True, Anomaly("incident_status", "<missing>"))
    )
    if anomaly:
        anomalies.append(anomaly)
    if not is_open:
        return None
    _, raw_severity = first_present(product.get("severity"), history.changes, "severity")
    severity, anomaly = severity_label(raw_severity)
    if anomaly:
        anomalies.append(anomaly)
    changes = history.changes()  # an `Updated` maintenance entry may move it, too
    return _impact(
        record,
        changes[-1] if changes else None,
        history.latest(),
        severity=severity,
        status=status or "unknown",
        state=severity_state(severity),
        start=incident_start(record),
        end=end,
    )


# --- maintenances --------------------------------------------------------------------


def _maintenance(record: ProductRecord, t: float, anomalies: list[Anomaly]) -> Impact | None:
    if t >= record.event.read_at:
        return _maintenance_now(record, anomalies)
    changes = record.history.timed_maintenance_changes()
    timed = [(at, entry) for at, entry in changes if at != NEVER]
    if not timed:  # no timeline: in progress from `startedOn` to `completedOn`, if known
        started, completed = record.event.started, record.event.completed
        if started is None or t < started or (completed is not None and t >= completed):
            return None
        history = record.history
        return _maintenance_impact(record, "in_progress", history.changes(), history.latest(), at=t)
    if record.history.timed()[-1][0] <= t:  # no later word, `Updated` included
        now = _maintenance_now(record, [])  # its own fields decide
        return now if now is not None else _ran_to_its_end(record, t)
    by_then = _latest_by(changes, t)
    if not _latest_by(timed, t):
        return None  # not announced yet
    status, _ = first_present(None, lambda: by_then, "status")
    state, _ = maintenance_state(status) if status else ("scheduled", None)
    if state is None:
        return None
    said = _latest_by(record.history.timed(), t)
    moves = _latest_by(record.history.timed_changes(), t)  # `Updated` may move regions
    return _maintenance_impact(record, state, moves, said[-1] if said else None, at=t)


def _ran_to_its_end(record: ProductRecord, t: float) -> Impact | None:
    """Over by the event's own fields while its history stops at `Started`: in progress
    until `completedOn`, else until the instant of reading (the first word of its end)."""
    history = record.history
    status, _ = first_present(None, history.maintenance_changes, "status")
    state, _ = maintenance_state(status)
    if state != "in_progress":
        return None  # over by an entry, or never started: not in progress from here
    completed = record.event.completed
    end = record.event.read_at if completed is None else completed
    if t >= end:
        return None
    return _maintenance_impact(record, "in_progress", history.changes(), history.latest(), at=t)


def _maintenance_now(record: ProductRecord, anomalies: list[Anomaly]) -> Impact | None:
    """The live rule: over for every product when the event's `status` or `cmrStatus` says
    so (Adobe can say Completed in one and Canceled in the other); otherwise the product's
    latest status decides, else the event's (`cmrStatus` when `status` is empty)."""
    own, cmr = record.event.status, record.event.cmr_status
    if maintenance_is_over(norm(own)) or maintenance_is_over(norm(cmr)):
        return None
    fallback = cmr if is_absent(norm(own)) else own
    history = record.history
    status, _ = first_present(None, history.maintenance_changes, "status")
    if not status and not is_absent(norm(fallback)):
        status = norm(fallback)
    state, anomaly = maintenance_state(status) if status else ("scheduled", None)
    if anomaly:
        anomalies.append(anomaly)
    if state is None:
        return None
    return _maintenance_impact(record, state, history.changes(), history.latest())


def _maintenance_impact(
    record: ProductRecord,
    state: str,
    changes: list[Entry],
    latest: Entry | None,
    at: float | None = None,
) -> Impact:
    """Regions: an `Updated` maintenance entry may move them, so every change counts here.
    `at`: the instant asked, when before reading: start and end as they were known then."""
    event = record.event
    start, end = event.start, event.completed
    if at is not None:
        started = event.started if event.started is not None and event.started <= at else None
        start = started or event.scheduled or event.started
        end = end if end is not None and end <= at else None
    return _impact(
        record,
        changes[-1] if changes else None,
        latest,
        severity="none",
        status=state,
        state=State.MAINTENANCE if state == "in_progress" else State.OPERATIONAL,
        start=start,
        end=end,
    )
