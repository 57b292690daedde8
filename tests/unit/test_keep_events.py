"""The readers show each event's text, as Adobe wrote it, to a `KeepEvents` before reading
it, with the kind of event it is; a section or array they decode whole shows no text.

That text is what exporter/model/replay_cache.py keys its replays on: an event must never
be taken for another, of the other kind or written otherwise.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from exporter.model.impacts import Keep
from exporter.model.record import ProductRecord
from exporter.sources.api.dto import read_events
from exporter.sources.feed.status_events import read_feed
from tests.support import record_cases as week

NOW = week.NOW


class Recorder:
    """A `KeepEvents` that notes what it is shown and keeps every record."""

    texts = True

    def __init__(self) -> None:
        self.shown: list[tuple[str, str | None]] = []
        self.records: list[ProductRecord] = []

    def event(self, what: str, raw: str | None) -> Keep | None:
        self.shown.append((what, raw))
        return self.records.append


def feed_document() -> dict[str, Any]:
    return week.feed(NOW)


def test_the_feed_shows_each_event_its_kind_and_its_text_as_written() -> None:
    document = feed_document()
    body = json.dumps(document, indent=1).encode()  # spaces inside and between events
    recorder = Recorder()
    read_feed(body, now=NOW, keep_events=recorder)
    incidents = document["incidentEvent"]["incidents"]
    maintenances = document["maintenanceEvent"]["maintenance"]
    assert [what for what, _ in recorder.shown] == ["incident"] * len(incidents) + [
        "maintenance"
    ] * len(maintenances)
    texts = [raw for _, raw in recorder.shown]
    assert all(raw is not None for raw in texts)
    assert [json.loads(raw) for raw in texts if raw is not None] == [
        *incidents.values(),
        *maintenances.values(),
    ]
    assert all(raw is not None and raw in body.decode() for raw in texts)
    assert {record.event.event_id for record in recorder.records} == {
        *incidents,
        *maintenances,
    }


def dto_body(document: dict[str, Any]) -> bytes:
    incidents = list(document["incidentEvent"]["incidents"].values())
    maintenances = list(document["maintenanceEvent"]["maintenance"].values())
    return json.dumps({"incidents": incidents, "maintenances": maintenances}).encode()


def test_the_api_shows_each_event_its_kind_and_its_text_as_written() -> None:
    document = feed_document()
    body = dto_body(document)
    recorder = Recorder()
    read_events(body, now=NOW, keep_events=recorder)
    expected = [
        ("incident", event) for event in document["incidentEvent"]["incidents"].values()
    ] + [("maintenance", event) for event in document["maintenanceEvent"]["maintenance"].values()]
    assert [(what, json.loads(raw or "null")) for what, raw in recorder.shown] == expected
    assert len(recorder.records) == sum(len(event["products"]) for _, event in expected)


@pytest.mark.parametrize("feed", [True, False], ids=["feed", "api"])
def test_events_decoded_whole_show_their_kind_and_no_text(feed: bool) -> None:
    document = feed_document()
    incidents = list(document["incidentEvent"]["incidents"].values())
    if feed:  # a list where the feed has a map: read whole
        document["incidentEvent"]["incidents"] = incidents
        document["maintenanceEvent"] = {}
        body = json.dumps(document).encode()
    else:  # a map where the API has an array: read whole
        by_id = {str(index): event for index, event in enumerate(incidents)}
        body = json.dumps({"incidents": by_id, "maintenances": []}).encode()
    recorder = Recorder()
    (read_feed if feed else read_events)(body, now=NOW, keep_events=recorder)
    assert recorder.shown == [("incident", None)] * len(incidents)
    assert len(recorder.records) == sum(len(event["products"]) for event in incidents)
