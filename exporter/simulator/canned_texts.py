"""The texts behind history entries' `titleToken` / `messageToken`, in several locales.

Canned texts are shared by every event and translated; custom texts belong to one event's
entry and exist in English only. Texts may hold Adobe's placeholders (`{startDateTime}`,
`{endDateTime}`, `{CFS_URL}`) and HTML, as Adobe's do: a client fills and escapes them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# localeCode -> languageName, as /api/v1/locales lists them.
LOCALES: dict[str, str] = {"en": "English", "fr": "Français", "de": "Deutsch"}


@dataclass(frozen=True)
class Text:
    text: str
    html: str


def _canned(en: str, fr: str, de: str, html: str | None = None) -> dict[str, Text]:
    # Only English carries HTML of its own; other locales wrap the text in a paragraph.
    return {
        "en": Text(en, html if html is not None else f"<p>{en}</p>"),
        "fr": Text(fr, f"<p>{fr}</p>"),
        "de": Text(de, f"<p>{de}</p>"),
    }


INCIDENT_CANNED: dict[str, dict[str, Text]] = {
    "INC_TITLE_AVAILABILITY": _canned(
        "Users may be unable to access the service",
        "Les utilisateurs ne peuvent peut-être pas accéder au service",
        "Benutzer können möglicherweise nicht auf den Dienst zugreifen",
    ),
    "INC_TITLE_PERFORMANCE": _canned(
        "Users may experience degraded performance",
        "Les utilisateurs peuvent constater des performances dégradées",
        "Benutzer bemerken möglicherweise eine verminderte Leistung",
    ),
    "INC_INVESTIGATING": _canned(
        "We're investigating an issue affecting some users.",
        "Nous examinons un problème qui affecte certains utilisateurs.",
        "Wir untersuchen ein Problem, das einige Benutzer betrifft.",
    ),
    "INC_IDENTIFIED": _canned(
        "We've identified the cause and are working on a fix.",
        "Nous avons identifié la cause et travaillons à une correction.",
        "Wir haben die Ursache gefunden und arbeiten an einer Lösung.",
    ),
    "INC_RESOLVED": _canned(
        "The issue has been resolved.",
        "Le problème a été résolu.",
        "Das Problem wurde behoben.",
    ),
    "INC_ROOT_CAUSE": _canned(
        "The root cause analysis is available: {CFS_URL}",
        "L'analyse des causes est disponible : {CFS_URL}",
        "Die Ursachenanalyse ist verfügbar: {CFS_URL}",
        html='<p>The <a href="{CFS_URL}">root cause analysis</a> is available.</p>',
    ),
}
MAINTENANCE_CANNED: dict[str, dict[str, Text]] = {
    "MNT_TITLE": _canned(
        "Scheduled maintenance",
        "Maintenance planifiée",
        "Geplante Wartung",
    ),
    "MNT_SCHEDULED": _canned(
        "We've scheduled a maintenance from {startDateTime} to {endDateTime}.",
        "Nous avons planifié une maintenance du {startDateTime} au {endDateTime}.",
        "Wir haben eine Wartung von {startDateTime} bis {endDateTime} geplant.",
        html="<p>We've scheduled a maintenance from <b>{startDateTime}</b> "
        "to <b>{endDateTime}</b>.</p>",
    ),
    "MNT_REMINDER": _canned(
        "Reminder: a maintenance starts at {startDateTime}.",
        "Rappel : une maintenance commence le {startDateTime}.",
        "Erinnerung: Eine Wartung beginnt am {startDateTime}.",
    ),
    "MNT_STARTED": _canned(
        "We've started a maintenance",
        "Nous avons commencé une maintenance",
        "Wir haben eine Wartung begonnen",
    ),
    "MNT_COMPLETED": _canned(
        "We've completed the maintenance.",
        "Nous avons terminé la maintenance.",
        "Wir haben die Wartung abgeschlossen.",
    ),
    "MNT_CANCELED": _canned(
        "We've canceled the maintenance.",
        "Nous avons annulé la maintenance.",
        "Wir haben die Wartung abgesagt.",
    ),
    "MNT_UPDATED": _canned(
        "We've updated the maintenance: it now ends at {endDateTime}.",
        "Nous avons mis à jour la maintenance : elle se termine le {endDateTime}.",
        "Wir haben die Wartung aktualisiert: Sie endet am {endDateTime}.",
    ),
}

# Custom texts the generated scenario gives some entries (English, some with HTML), each
# pool fitting an event's kind and the state its entry reports: an open incident tells its
# symptoms, a closed one its recovery, a maintenance what its window means.
INCIDENT_OPEN_POOL: tuple[Text, ...] = (
    Text(
        "Some customers may see timeouts when publishing content.",
        "<p>Some customers may see <b>timeouts</b> when publishing content.</p>",
    ),
    Text(
        "Sign-in is slower than usual for a subset of users in this region.",
        "<p>Sign-in is slower than usual for a subset of users in this region.</p>",
    ),
    Text(
        "A fix has been deployed; we continue to monitor.",
        "<p>A fix has been deployed; we continue to <i>monitor</i>.</p>",
    ),
    Text(
        "Reports may be delayed by up to 2 hours & will catch up automatically.",
        "<p>Reports may be delayed by up to 2 hours &amp; will catch up automatically.</p>",
    ),
    Text(
        "Customers using the API may receive HTTP 503 <errors> intermittently.",
        "<ul><li>Customers using the API may receive HTTP 503 errors intermittently.</li></ul>",
    ),
)
INCIDENT_CLOSED_POOL: tuple[Text, ...] = (
    Text(
        "Service has recovered; delayed reports have caught up.",
        "<p>Service has <b>recovered</b>; delayed reports have caught up.</p>",
    ),
)
MAINTENANCE_UPCOMING_POOL: tuple[Text, ...] = (
    Text(
        "Publishing may pause for a few minutes during this window.",
        "<p>Publishing may pause for a few minutes during this window.</p>",
    ),
)
MAINTENANCE_STARTED_POOL: tuple[Text, ...] = (
    Text(
        "Maintenance window extended until {endDateTime}.",
        "<p>Maintenance window extended until <b>{endDateTime}</b>.</p>",
    ),
    *MAINTENANCE_UPCOMING_POOL,
)
MAINTENANCE_OVER_POOL: tuple[Text, ...] = (
    Text(
        "The maintenance finished ahead of schedule.",
        "<p>The maintenance finished <i>ahead of schedule</i>.</p>",
    ),
)
_OVER = frozenset({"closed", "dismissed", "resolved", "completed", "canceled", "cancelled"})
_UPCOMING = frozenset({"scheduled", "reminder"})


def custom_pool(kind: str, status: str) -> tuple[Text, ...]:
    """The custom texts that fit an entry of this kind of event in this status."""
    status = status.lower()
    if kind == "incident":
        return INCIDENT_CLOSED_POOL if status in _OVER else INCIDENT_OPEN_POOL
    if status in _OVER:
        return MAINTENANCE_OVER_POOL
    return MAINTENANCE_UPCOMING_POOL if status in _UPCOMING else MAINTENANCE_STARTED_POOL


def incident_title(severity: str) -> str:
    return "INC_TITLE_AVAILABILITY" if severity == "Major" else "INC_TITLE_PERFORMANCE"


def incident_message(status: str, index: int, cfs: bool) -> str:
    if cfs:
        return "INC_ROOT_CAUSE"
    if status in ("Closed", "Dismissed"):
        return "INC_RESOLVED"
    return "INC_INVESTIGATING" if index == 0 else "INC_IDENTIFIED"


def maintenance_message(status: str) -> str:
    known = {
        "Scheduled": "MNT_SCHEDULED",
        "Reminder": "MNT_REMINDER",
        "Started": "MNT_STARTED",
        "Completed": "MNT_COMPLETED",
        "Cancelled": "MNT_CANCELED",
        "Canceled": "MNT_CANCELED",
    }
    return known.get(status, "MNT_UPDATED")


def pooled(token: str, kind: str, status: str) -> Text:
    """The generated custom text a token stands for (the same on every run), one that fits
    the kind of event and the status of its entry."""
    pool = custom_pool(kind, status)
    digest = hashlib.blake2b(token.encode(), digest_size=2).digest()
    return pool[int.from_bytes(digest) % len(pool)]


def canned(kind: str) -> Mapping[str, dict[str, Text]]:
    return INCIDENT_CANNED if kind == "incident" else MAINTENANCE_CANNED


def message_json(token: str, text: Text) -> dict[str, str]:
    """The spec's `Message`."""
    return {"token": token, "textMessage": text.text, "htmlMessage": text.html}


def section(
    tokens: Iterable[tuple[str, Mapping[str, Text]]],
) -> dict[str, dict[str, dict[str, str]]]:
    """`messages{locale}{token}` for (token, texts by locale) pairs."""
    result: dict[str, dict[str, dict[str, str]]] = {}
    for token, by_locale in tokens:
        for locale, text in by_locale.items():
            result.setdefault(locale, {})[token] = message_json(token, text)
    return result


# For tests of escaping: a script tag, unbalanced HTML and 10 KB of text.
HOSTILE = Text(
    "<script>alert('owned')</script>Service <b>degraded & " + "x" * 10_000,
    "<p><script>alert('owned')</script><img src=x onerror=alert(1)><div><b>degraded "
    + "y" * 10_000,
)
