"""A hand-made record of Adobe's last week, in the feed's `Events` shape, with known minutes.

Times are relative to `now` (any whole second), so the same record can be served to a
console script that reads the real clock. What it holds, window = the last 7 days:

- I1, Adobe Analytics: Trivial at T1 (2 days ago), Major 30 min later, closed 90 min after
  T1 (`endedOn`); a root-cause (CFS) entry an hour ago: 30 min potential, 60 min major.
- I6, Adobe Analytics: Minor from T1 + 60 min to T1 + 120 min, overlapping I1's Major:
  only its last 30 min count as minor for the product.
- I2, Adobe Analytics (EMEA only) and Adobe Audience Manager (Americas only), one event:
  Minor for 45 min, three days ago.
- M1, Adobe Photoshop: scheduled, then canceled before it started: 0 minutes.
- M2, Adobe Photoshop: started four days ago, canceled 40 min later: 40 minutes.
- I3, Adobe Analytics: Major for an hour ten days ago (before the window), with a CFS
  entry two days ago: nothing in the window.
- I4, Adobe Audience Manager: Major since two hours ago, still open: 120 minutes.
"""

from __future__ import annotations

import json
from typing import Any

from exporter.config import Selection
from exporter.model.record import ProductRecord
from exporter.model.report import resolve
from exporter.model.window import AdobeRecord
from exporter.sources.api.dto import parse_catalog
from exporter.sources.feed.status_events import read_feed
from exporter.sources.reading import keeping_records
from tests.support import payloads

MINUTE = 60
HOUR = 3600
DAY = 86400
WINDOW = 7 * DAY
ANALYTICS, AUDIENCE, PHOTOSHOP = "503467", "503486", "503493"
CLOUD = {"id": "503461", "name": "Adobe Experience Cloud", "cloudProducts": [ANALYTICS, AUDIENCE]}

# Per product: minutes at each state over the window, incidents, and rows' seconds.
EXPECTED_MINUTES = {
    ANALYTICS: {"major": 60, "minor": 45 + 30, "potential": 30, "maintenance": 0},
    AUDIENCE: {"major": 120, "minor": 45, "potential": 0, "maintenance": 0},
    PHOTOSHOP: {"major": 0, "minor": 0, "potential": 0, "maintenance": 40},
}
EXPECTED_INCIDENTS = {ANALYTICS: 3, AUDIENCE: 2, PHOTOSHOP: 0}
# (event_id, product_id) -> (severity, seconds or None while open)
EXPECTED_ROWS = {
    ("I1", ANALYTICS): ("major", 90 * MINUTE),
    ("I6", ANALYTICS): ("minor", 60 * MINUTE),
    ("I2", ANALYTICS): ("minor", 45 * MINUTE),
    ("I2", AUDIENCE): ("minor", 45 * MINUTE),
    ("M1", PHOTOSHOP): ("maintenance", 0),
    ("M2", PHOTOSHOP): ("maintenance", 40 * MINUTE),
    ("I4", AUDIENCE): ("major", None),
}
NAMES = {
    ANALYTICS: "Adobe Analytics",
    AUDIENCE: "Adobe Audience Manager",
    PHOTOSHOP: "Adobe Photoshop",
}


def availability(product_id: str) -> float:
    minutes = EXPECTED_MINUTES[product_id]
    return 1 - (minutes["major"] + minutes["minor"]) * MINUTE / WINDOW


def entry(
    status: str,
    severity: str,
    at: int,
    *,
    regions: list[str] | None = None,
    cfs: bool = False,
    title: str = "INC_TITLE",
) -> dict[str, Any]:
    return {
        "status": status,
        "severity": severity,
        "messageType": "CFS" if cfs else "Canned",
        "messageToken": f"MSG_{status.upper()}",
        "titleToken": title,
        "statusTime": at,
        "messageTime": at,
        "locationImpact": {"serviceRegions": regions or [], "serviceEnvironments": []},
    }


def incident(event_id: str, products: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": event_id,
        "products": products,
        "regions": {name: {"id": name, "name": name} for name in ("Americas", "EMEA", "APAC")},
        "clouds": {CLOUD["id"]: CLOUD},
    }


def incident_product(
    product_id: str, entries: list[dict[str, Any]], *, ended: int = 0
) -> dict[str, Any]:
    changes = [e for e in entries if e["messageType"] != "CFS"]
    return {
        "id": product_id,
        "name": NAMES[product_id],
        "startedOn": changes[0]["messageTime"],
        "endedOn": ended,
        "status": changes[-1]["status"],
        "severity": changes[-1]["severity"],
        "history": {str(e["messageTime"]): e for e in entries},
    }


def maintenance(
    event_id: str, product_id: str, entries: list[dict[str, Any]], **fields: Any
) -> dict[str, Any]:
    return {
        "id": event_id,
        "regions": {},
        "clouds": {"503459": {"id": "503459", "name": "Adobe Creative Cloud"}},
        "products": {
            product_id: {
                "id": product_id,
                "name": NAMES[product_id],
                "history": {str(e["messageTime"]): e for e in entries},
            }
        },
        **fields,
    }


def feed(now: int) -> dict[str, Any]:
    """The hand-made record as StatusEvents at `now` (whole Unix seconds)."""
    t1 = now - 2 * DAY
    t2 = now - 3 * DAY
    t3 = now - 10 * DAY
    i1 = incident_product(
        ANALYTICS,
        [
            entry("Opened", "Trivial", t1),
            entry("Updated", "Major", t1 + 30 * MINUTE),
            entry("Closed", "Major", t1 + 90 * MINUTE),
            entry("Closed", "Major", now - HOUR, cfs=True),
        ],
        ended=t1 + 90 * MINUTE,
    )
    i6 = incident_product(
        ANALYTICS,
        [
            entry("Opened", "Minor", t1 + 60 * MINUTE),
            entry("Closed", "Minor", t1 + 120 * MINUTE),
        ],
        ended=t1 + 120 * MINUTE,
    )
    i2 = {
        ANALYTICS: incident_product(
            ANALYTICS,
            [
                entry("Opened", "Minor", t2, regions=["EMEA"]),
                entry("Closed", "Minor", t2 + 45 * MINUTE, regions=["EMEA"]),
            ],
            ended=t2 + 45 * MINUTE,
        ),
        AUDIENCE: incident_product(
            AUDIENCE,
            [
                entry("Opened", "Minor", t2, regions=["Americas"]),
                entry("Closed", "Minor", t2 + 45 * MINUTE, regions=["Americas"]),
            ],
            ended=t2 + 45 * MINUTE,
        ),
    }
    i3 = incident_product(
        ANALYTICS,
        [
            entry("Opened", "Major", t3),
            entry("Closed", "Major", t3 + HOUR),
            entry("Closed", "Major", now - 2 * DAY, cfs=True),
        ],
        ended=t3 + HOUR,
    )
    i4 = incident_product(AUDIENCE, [entry("Opened", "Major", now - 2 * HOUR)])
    m1_scheduled, m1_canceled = now - 4 * DAY, now - 3 * DAY - 12 * HOUR
    m1 = maintenance(
        "M1",
        PHOTOSHOP,
        [
            entry("Scheduled", "None", m1_scheduled, title="MNT_TITLE"),
            entry("Cancelled", "None", m1_canceled, title="MNT_TITLE"),
        ],
        status="Completed",
        cmrStatus="Canceled",
        scheduledDate=now - 3 * DAY,
    )
    m2_start = now - 4 * DAY
    m2 = maintenance(
        "M2",
        PHOTOSHOP,
        [
            entry("Scheduled", "None", now - 5 * DAY, title="MNT_TITLE"),
            entry("Started", "None", m2_start, title="MNT_TITLE"),
            entry("Cancelled", "None", m2_start + 40 * MINUTE, title="MNT_TITLE"),
        ],
        status="Completed",
        cmrStatus="Canceled",
        scheduledDate=m2_start,
        startedOn=m2_start,
        completedOn=m2_start + 40 * MINUTE,
    )
    texts = {
        "en": {
            "INC_TITLE": {"textMessage": "Users may be unable to log in", "htmlMessage": ""},
            "MNT_TITLE": {"textMessage": "Scheduled maintenance", "htmlMessage": ""},
        }
    }
    return {
        "incidentEvent": {
            "incidents": {
                "I1": incident("I1", {ANALYTICS: i1}),
                "I6": incident("I6", {ANALYTICS: i6}),
                "I2": incident("I2", i2),
                "I3": incident("I3", {ANALYTICS: i3}),
                "I4": incident("I4", {AUDIENCE: i4}),
            },
            "messages": texts,
        },
        "maintenanceEvent": {"maintenance": {"M1": m1, "M2": m2}, "messages": texts},
    }


NOW = 1_795_953_600  # 2026-11-29T12:00:00Z


def adobe_record(
    selection: Selection | None = None, now: int = NOW, events_feed: dict[str, Any] | None = None
) -> AdobeRecord:
    """The record a reading at `now` keeps: of the hand-made week, else of `events_feed`."""
    catalog, _ = parse_catalog(payloads.products_payload(), payloads.clouds_payload())
    body = feed(now) if events_feed is None else events_feed
    events = keeping_records(read_feed, now)(json.dumps(body).encode())
    scope = resolve(selection or Selection(), catalog)
    return AdobeRecord(catalog, scope, events.records, now, events.texts)


def kept_records(feed: dict[str, Any], now: float) -> list[ProductRecord]:
    """Every record a reading of `feed` (StatusEvents, any sections) at `now` keeps."""
    return keeping_records(read_feed, now)(json.dumps(feed).encode()).records
