"""`history` through the console script, in its three formats, on a hand-made week.

The simulator serves the real catalog and, as StatusEvents, the week of
tests/support/record_cases.py, timed relative to the test's clock.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from exporter.model.window import COLUMNS
from exporter.simulator import Simulator, SimulatorServer
from tests.support import record_cases as case

pytestmark = pytest.mark.integration

CONSOLE_SCRIPT = str(Path(sys.executable).parent / "adobe-status-exporter")


@pytest.fixture(scope="module")
def feed_url() -> Iterator[str]:
    sim = Simulator(dynamic=False, throttle=False)
    body = json.dumps(case.feed(int(time.time()))).encode()
    sim.inject("feed_events", body=body, times=None)
    with SimulatorServer(sim) as server:
        yield server.feed_url


def history(feed_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [CONSOLE_SCRIPT, "history", "--source", "feed", "--feed-url", feed_url, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_json_lists_one_row_per_event_and_product_with_the_contracts_fields(
    feed_url: str,
) -> None:
    done = history(feed_url, "--since", "1w", "--format", "json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert all(list(row) == list(COLUMNS) for row in found)
    got = {(row["event_id"], row["product_id"]): (row["severity"], row["seconds"]) for row in found}
    assert got == case.EXPECTED_ROWS
    i2 = [row for row in found if row["event_id"] == "I2"]
    assert {row["product"]: row["regions"] for row in i2} == {
        "Adobe Analytics": ["EMEA"],
        "Adobe Audience Manager": ["Americas"],
    }
    assert {row["cloud"] for row in i2} == {"Adobe Experience Cloud"}
    assert next(row for row in found if row["event_id"] == "I4")["end"] is None


def test_csv_has_a_header_then_the_same_rows(feed_url: str) -> None:
    done = history(feed_url, "--since", "7d", "--format", "csv")
    assert done.returncode == 0, done.stderr
    table = list(csv.reader(io.StringIO(done.stdout)))
    assert tuple(table[0]) == COLUMNS
    by_key = {(line[0], line[2]): dict(zip(COLUMNS, line, strict=True)) for line in table[1:]}
    assert set(by_key) == set(case.EXPECTED_ROWS)
    assert by_key[("I2", case.AUDIENCE)]["regions"] == "Americas"
    assert by_key[("M2", case.PHOTOSHOP)]["seconds"] == str(40 * 60)
    assert by_key[("I4", case.AUDIENCE)]["end"] == ""


def test_table_adds_per_product_minutes_incidents_and_availability(feed_url: str) -> None:
    done = history(
        feed_url, "--since", "168h", "--product", case.ANALYTICS, "--product", case.PHOTOSHOP
    )
    assert done.returncode == 0, done.stderr
    totals = {}
    for line in done.stdout.splitlines():
        for pid, name in case.NAMES.items():
            if line.startswith(name + " ") and line.rstrip().endswith("%"):
                totals[pid] = line[len(name) :].split()
    assert set(totals) == {case.ANALYTICS, case.PHOTOSHOP}
    for pid, cells in totals.items():
        expected = case.EXPECTED_MINUTES[pid]
        assert cells[:4] == [
            str(expected[state]) for state in ("major", "minor", "potential", "maintenance")
        ]
        assert cells[4] == str(case.EXPECTED_INCIDENTS[pid])
        assert cells[5] == f"{case.availability(pid) * 100:.3f}%"
    assert "I4" not in done.stdout  # Audience Manager's incident: not selected


def test_a_window_past_the_feeds_oldest_event_says_so_once_and_goes_on(feed_url: str) -> None:
    done = history(feed_url, "--since", "30d", "--format", "json")
    assert done.returncode == 0
    assert len(done.stderr.strip().splitlines()) == 1
    assert "--since reaches past" in done.stderr
    found = {(row["event_id"], row["product_id"]) for row in json.loads(done.stdout)}
    assert found == {*case.EXPECTED_ROWS, ("I3", case.ANALYTICS)}  # ten days ago


@pytest.mark.parametrize("value", ["30", "3x", "-1d", "400d", "0m"])
def test_a_bad_since_exits_2_naming_the_option(feed_url: str, value: str) -> None:
    done = history(feed_url, "--since", value)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--since" in done.stderr


@pytest.mark.parametrize("source", ["api", "feed"])
def test_demo_reads_the_embedded_simulator_through_either_source(source: str) -> None:
    command = [CONSOLE_SCRIPT, "history", "--demo", "--source", source, "--since", "6h"]
    done = subprocess.run(
        [*command, "--format", "json"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found, "the demo always has open events"
    assert {row["kind"] for row in found} <= {"incident", "maintenance"}
    assert all(row["url"].startswith("https://status.adobe.com/products/") for row in found)
