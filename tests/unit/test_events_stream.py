"""The events body read one event at a time says exactly what json.loads + parse_events say."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest

from exporter.simulator import Scale, Simulator
from exporter.simulator.feed_snapshot import Filters
from exporter.sources.api.dto import parse_events, read_events
from tests.fixtures import real_events as real
from tests.support import payloads as p
from tests.support.readers import assert_same_as_json_loads as same_as_json_loads
from tests.support.readers import outcome

FROZEN = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def assert_same_as_json_loads(body: bytes, now: float = FROZEN) -> None:
    same_as_json_loads(partial(read_events, now=now), partial(parse_events, now=now), body)


def simulator_body(scale: Scale, seed: int, at: float) -> bytes:
    simulator = Simulator(seed=seed, scale=scale, clock=lambda: at)
    return simulator.snapshot().events_body(Filters())


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("hours", [0, 5, 17])
def test_simulator_feeds_read_alike(seed: int, hours: int) -> None:
    at = FROZEN + hours * 3600
    body = simulator_body(Scale.typical(), seed, at)
    assert read_events(body, now=at).impacts  # the feed has open events to compare
    assert_same_as_json_loads(body, at)


def test_forty_day_feed_reads_alike() -> None:
    assert_same_as_json_loads(simulator_body(Scale.forty_day(), 1, FROZEN))


def sample() -> dict[str, Any]:
    return p.events(
        [
            p.incident(products=[p.incident_product(severity="Minor")]),
            p.incident(event_id="I2", products=[p.incident_product(status="Closed")]),
        ],
        [p.maintenance()],
    )


@pytest.mark.parametrize(
    "dump",
    [
        lambda payload: json.dumps(payload),
        lambda payload: json.dumps(payload, indent=2),
        lambda payload: json.dumps(payload, indent="\t", separators=(" ,\r\n", " : ")),
        lambda payload: " \n" + json.dumps(payload) + "\r\n ",
        lambda payload: json.dumps(payload, ensure_ascii=False),
    ],
)
def test_whitespace_and_escapes_read_alike(dump: Any) -> None:
    assert_same_as_json_loads(dump(sample()).encode())


def test_other_text_encodings_read_alike() -> None:
    text = json.dumps(sample(), ensure_ascii=False)
    for body in (b"\xef\xbb\xbf" + text.encode(), text.encode("utf-16"), text.encode("utf-32")):
        assert_same_as_json_loads(body)


INCIDENT = json.dumps(p.incident())
MAINTENANCE = json.dumps(p.maintenance())


@pytest.mark.parametrize(
    "body",
    [
        "{}",
        '{"incidents": null, "maintenances": null}',
        '{"incidents": [], "maintenances": []}',
        f'{{"maintenances": [{MAINTENANCE}], "incidents": [{INCIDENT}]}}',
        f'{{"incidents": {{"a": {INCIDENT}}}, "maintenances": {{}}}}',
        f'{{"incidents": [1, null, "x", [], {{}}, {INCIDENT}], "maintenances": [true]}}',
        f'{{"other": {{"incidents": 5}}, "incidents": [{INCIDENT}], "tail": [1, [2, {{}}]]}}',
        f'{{"incidents": [{INCIDENT}], "incidents": []}}',
        f'{{"incidents": [], "incidents": [{INCIDENT}]}}',
        f'{{"incidents": [{INCIDENT}], "incidents": null}}',
        f'{{"incidents": 5, "incidents": [{INCIDENT}]}}',
        f'{{"incidents": [{INCIDENT}], "incidents": 5}}',
        '{"incidents": 5}',
        # None of the keys the exporter reads: drift, a ShapeError in both readers.
        '{"data": []}',
        f'{{"data": [{INCIDENT}], "other": null}}',
        '{"Incidents": [], "Maintenances": []}',
        '{"incidents": null}',
        '{"maintenances": {}}',
        '{"incidents": [{"eventId": "1", "products": []}, null, 3], "maintenances": []}',
        '{"incidents": [{"id": "1"}], "maintenances": {"a": {"id": "2"}}}',
        '{"incidents": [{"id": "1"}], "maintenances": {"a": {"id": "2", "products": null}}}',
        '{"maintenances": "x"}',
        '{"incidents": "x", "maintenances": 3}',
        "[]",
        '"events"',
        "null",
        "42",
    ],
)
def test_shapes_and_junk_read_alike(body: str) -> None:
    assert_same_as_json_loads(body.encode())


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"{",
        b'{"incidents": [',
        b'{"incidents": [{}',
        b'{"incidents": [{},]}',
        b'{"incidents": [{}}',
        b'{"incidents": [] "maintenances": []}',
        b'{"a": 1,}',
        b'{"a" 1}',
        b"{a: 1}",
        b'{"incidents": []}}',
        b'{"incidents": []} {}',
        b'{"incidents": 5, "x": }',
        b'{"incidents": ["\x01"]}',
        b"\xff\xfe\xfd",
        b"[1,",
    ],
)
def test_invalid_json_is_a_value_error_before_any_shape_error(body: bytes) -> None:
    assert outcome(partial(read_events, now=FROZEN), body) == (ValueError, "invalid JSON")
    assert_same_as_json_loads(body)


def test_real_shaped_body_reads_alike() -> None:
    body = json.dumps(real.dto(real.scenario())).encode()
    assert len(read_events(body, now=real.NOW).impacts) == 4
    assert_same_as_json_loads(body, real.NOW)


@pytest.mark.parametrize("hours", [-1, 0, 1])
def test_end_times_are_judged_alike(hours: int) -> None:
    # Audience Manager's incident ended at 11:00: open before, closed after, in both readers.
    body = json.dumps(real.dto(real.scenario())).encode()
    assert_same_as_json_loads(body, real.at("2026-11-29T11:00:00") + hours * 3600)
