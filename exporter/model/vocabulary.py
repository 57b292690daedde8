"""The status model: Adobe's vocabulary mapped to the contract's states, as pure functions.

State codes (higher is worse, so `max` and `>=` work in PromQL):
0 operational, 1 maintenance in progress, 2 potential or trivial issue, 3 minor, 4 major.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Final, Literal, get_args


class State(IntEnum):
    OPERATIONAL = 0
    MAINTENANCE = 1
    POTENTIAL = 2
    MINOR = 3
    MAJOR = 4


SEVERITIES: Final = ("major", "minor", "potential", "trivial", "unknown")
MAINTENANCE_STATES: Final = ("in_progress", "scheduled")

_SEVERITY_STATE: Final = {
    "major": State.MAJOR,
    "minor": State.MINOR,
    "potential": State.POTENTIAL,
    "trivial": State.POTENTIAL,
}
_INCIDENT_OPEN: Final = frozenset({"opened", "discovery", "reopened", "updated"})
_INCIDENT_CLOSED: Final = frozenset(
    {"closed", "dismissed", "canceled", "cancelled", "completed", "resolved"}
)
# Adobe's maintenance vocabulary: Scheduled, then a Reminder before each one, Started,
# and Completed, Canceled (event and change request) or Cancelled (history), or Closed.
_MAINTENANCE: Final = {
    "started": "in_progress",
    "scheduled": "scheduled",
    "reminder": "scheduled",
    "completed": None,
    "canceled": None,
    "cancelled": None,
    "closed": None,
}
# Values that say "nothing here": fall back to the next source (e.g. history).
_ABSENT: Final = frozenset({"", "none", "empty", "null"})
# Epoch values above this are milliseconds (1e11 s is the year 5138).
_MS_THRESHOLD: Final = 1e11


@dataclass(frozen=True, slots=True)
class Region:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str
    cloud: str  # the cloud's name, as the `cloud` label shows it
    cloud_id: str
    regions: tuple[Region, ...] = ()


@dataclass(frozen=True)
class ProductCatalog:
    """Adobe's product catalog: what exists, so that silence can be reported as 0."""

    products: dict[str, Product]  # by id, in catalog order
    clouds: dict[str, str]  # cloud id -> name


# What an anomaly is about: the `field` label of adobe_status_unknown_values.
AnomalyField = Literal["incident_status", "maintenance_status", "severity", "malformed_entry"]
ANOMALY_FIELDS: Final[tuple[AnomalyField, ...]] = get_args(AnomalyField)


@dataclass(frozen=True, slots=True)
class Anomaly:
    """An upstream value the model did not recognise and mapped to its fallback."""

    field: AnomalyField
    value: str


@dataclass(frozen=True, slots=True)
class Text:
    """One of Adobe's texts behind a `titleToken` / `messageToken` (spec: `Message`).

    Either may hold the placeholders `{startDateTime}`, `{endDateTime}` and `{CFS_URL}`;
    `html` is Adobe's HTML as given, not safe to embed unescaped.
    """

    text: str  # `textMessage`
    html: str  # `htmlMessage`


@dataclass(frozen=True, slots=True)
class Impact:
    """One open event as it touches one product.

    The text fields come from the product's latest history entry, whatever its kind (a
    late root-cause `CFS` entry included): they are Adobe's latest words on the event.
    Look the tokens up in `Events.texts[locale]` (feed) or `/api/v1/messages` (API).
    """

    event_id: str
    kind: str  # "incident" or "maintenance"
    product_id: str
    product_name: str
    severity: str  # one of SEVERITIES, or "none" for maintenances
    status: str  # lower-case upstream status (incidents) or a MAINTENANCE_STATES value
    state: State  # what it does to the product: OPERATIONAL for a scheduled maintenance
    region_ids: tuple[str, ...]  # empty: the event names no region, so all are affected
    region_names: tuple[str, ...]
    clouds: tuple[tuple[str, str], ...]  # (id, name) of the clouds the event names
    start: float | None  # Unix seconds
    # Incident: the product's `endedOn` (None while 0); maintenance: its `completedOn` (the
    # spec gives no scheduled end). Unix seconds: what `{endDateTime}` stands for.
    end: float | None = None
    title_token: str = ""  # latest history entry's `titleToken` ("" when absent)
    message_token: str = ""  # latest history entry's `messageToken`
    cfs_url: str = ""  # latest history entry's `cfsURL`: Adobe's root-cause report


def clean_text(value: str) -> str:
    """Text safe to expose: JSON may escape lone surrogates, which UTF-8 cannot encode."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def norm(value: object) -> str:
    """Upstream enum text, compared without case; non-strings read as absent."""
    return clean_text(value.strip().lower()) if isinstance(value, str) else ""


def is_absent(value: str) -> bool:
    return value in _ABSENT


def severity_label(raw: object) -> tuple[str, Anomaly | None]:
    """The `severity` label of an incident; None, empty and unknown values read as 'unknown'."""
    value = norm(raw)
    if value in _SEVERITY_STATE:
        return value, None
    anomaly = None if is_absent(value) else Anomaly("severity", str(raw))
    return "unknown", anomaly


def severity_state(label: str) -> State:
    # Unknown severities count as minor: visible, but not paging as major.
    return _SEVERITY_STATE.get(label, State.MINOR)


def incident_is_open(status: str) -> tuple[bool, Anomaly | None]:
    """Whether an incident with this (normalised, present) status is open."""
    if status in _INCIDENT_OPEN:
        return True, None
    if status in _INCIDENT_CLOSED:
        return False, None
    # An unknown status counts as open: a false alarm beats a missed incident.
    return True, Anomaly("incident_status", status)


def maintenance_state(status: str) -> tuple[str | None, Anomaly | None]:
    """'in_progress', 'scheduled', or None when over; unknown statuses read as scheduled."""
    if status in _MAINTENANCE:
        return _MAINTENANCE[status], None
    return "scheduled", Anomaly("maintenance_status", status)


def maintenance_is_over(status: str) -> bool:
    """Whether this (normalised) status says the maintenance is over: Completed, Canceled..."""
    return status in _MAINTENANCE and _MAINTENANCE[status] is None


def parse_time(value: object) -> float | None:
    """Unix seconds from an epoch (seconds or milliseconds, number or string) or ISO 8601."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            return _epoch(float(value))
        except OverflowError:  # an integer beyond any float
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text[4:5] == "-":  # a date: no number has a '-' there unless after an 'e'
        when = _iso(text)
        return when if when is not None else _number(text)
    try:
        number = float(text)
    except ValueError:
        return _iso(text)
    return _epoch(number)


def _number(text: str) -> float | None:
    try:
        return _epoch(float(text))
    except ValueError:
        return None


def _iso(text: str) -> float | None:
    try:
        when = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def _epoch(number: float) -> float | None:
    if not math.isfinite(number) or number <= 0:
        return None
    return number / 1000.0 if number > _MS_THRESHOLD else number
