"""`backfill`: Adobe's record as OpenMetrics, through promtool into a real Prometheus.

- The hand-made week (tests/support/record_cases.py) backfilled at 60 s steps, turned
  into blocks by `promtool tsdb create-blocks-from openmetrics`, and a Prometheus started
  on them answers the minutes at each state and the availability computed by hand.
- The last step is what `serve` serves at that instant, for both sources.
- The console script: valid OpenMetrics ending in `# EOF`; a bad --step exits 2.
"""

from __future__ import annotations

import io
import itertools
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from exporter import record_series as backfill
from exporter.config import CacheConfig, Selection
from exporter.deadline import Deadline
from exporter.simulator import Simulator, SimulatorServer
from exporter.wiring import build_service
from tests.support import record_cases as case
from tests.support.exporters import CLIENT_ID, CLIENT_SECRET, upstream_on
from tests.support.prometheus import run_prometheus, value
from tests.support.record_cases import adobe_record

pytestmark = pytest.mark.integration

CONSOLE_SCRIPT = str(Path(sys.executable).parent / "adobe-status-exporter")
FAMILIES = {name for name, _, _ in backfill.FAMILIES}
Series = set[tuple[str, frozenset[tuple[str, str]], float]]


def at(text: str, instant: float) -> Series:
    """The samples of an OpenMetrics text at one instant."""
    return {
        (s.name, frozenset(s.labels.items()), s.value)
        for family in text_string_to_metric_families(text)  # type: ignore[no-untyped-call]
        for s in family.samples
        if s.timestamp is not None and float(s.timestamp) == instant
    }


def test_blocks_from_the_backfill_answer_the_hand_computed_minutes_and_availability(
    tmp_path: Path,
) -> None:
    now = int(time.time()) // 60 * 60  # a whole minute: the queries' steps meet the samples
    record = adobe_record(now=now)
    openmetrics = tmp_path / "adobe.om"
    with openmetrics.open("w", encoding="utf-8") as out:
        backfill.write(out, record, now - case.WINDOW, 60.0)
    storage = tmp_path / "tsdb"
    subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(openmetrics), str(storage)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with run_prometheus(tmp_path, [], storage=storage) as prom:
        # Each sample stands for the minute that follows it: the window's 10,080 points
        # run from a week ago to a minute ago.
        window = f"{case.WINDOW // 60 - 1}m:1m"

        def ask(expr: str) -> dict[str, float]:
            data = prom.api("/api/v1/query", query=expr, time=str(now - 60))
            return {item["metric"]["product_id"]: value(item) for item in data["result"]}

        for state, code in (("major", 4), ("minor", 3), ("potential", 2), ("maintenance", 1)):
            minutes = ask(f"count_over_time((adobe_status_product_status == {code})[{window}])")
            for product_id, expected in case.EXPECTED_MINUTES.items():
                assert minutes.get(product_id, 0) == expected[state], (product_id, state)
        available = ask(f"avg_over_time((adobe_status_product_status < bool 3)[{window}])")
        for product_id in case.EXPECTED_MINUTES:
            assert available[product_id] == pytest.approx(case.availability(product_id), abs=1e-12)
        emea = ask(
            'count_over_time((adobe_status_region_status{region="EMEA"} == 3)[' + window + "])"
        )
        assert emea[case.ANALYTICS] == 45 + 30  # I2 named EMEA; I6 named no region
        americas = ask(
            'count_over_time((adobe_status_region_status{region="Americas"} == 3)[' + window + "])"
        )
        assert americas[case.ANALYTICS] == 30  # I6 only


FROZEN = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorServer]:
    sim = Simulator(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, throttle=False, clock=lambda: FROZEN
    )
    with SimulatorServer(sim) as server:
        yield server


@pytest.mark.parametrize("source", ["api", "feed"])
@pytest.mark.parametrize("selection", [Selection(), Selection(regions=("EMEA",))])
def test_the_last_step_is_what_serve_serves_at_that_instant(
    simulator: SimulatorServer, source: str, selection: Selection
) -> None:
    config = upstream_on(simulator, source)
    service = build_service(config, CacheConfig(selection=selection), clock=lambda: FROZEN)
    try:
        view = service.cache.view(Deadline())
        assert service.record is not None
        record = service.record(Deadline(), FROZEN - 3600, FROZEN - 3600)
    finally:
        service.close()
    assert view.snapshot is not None
    served: Series = {
        (s.name, frozenset(s.labels.items()), s.value)
        for family in view.snapshot.families
        if family.name in FAMILIES
        for s in family.samples
    }
    out = io.StringIO()
    backfill.write(out, record, FROZEN - 3600, 60.0)
    assert at(out.getvalue(), FROZEN) == served
    assert any(value > 0 for *_, value in served)  # something is going on


def run_backfill(*args: str) -> subprocess.CompletedProcess[str]:
    command = [CONSOLE_SCRIPT, "backfill", "--demo", "--source", "feed", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_the_console_script_writes_openmetrics_every_step_ending_in_eof(tmp_path: Path) -> None:
    target = tmp_path / "out.om"
    done = run_backfill("--since", "90m", "--step", "300", "--output", str(target))
    assert done.returncode == 0, done.stderr
    text = target.read_text("utf-8")
    assert text.endswith("# EOF\n")
    families = {f.name: f for f in text_string_to_metric_families(text)}  # type: ignore[no-untyped-call]
    assert set(families) == FAMILIES
    stamps = sorted({float(s.timestamp) for s in families["adobe_status_product_status"].samples})
    assert len(stamps) == 90 // 5 + 1
    assert {b - a for a, b in itertools.pairwise(stamps)} == {300.0}
    assert len(families["adobe_status_product_status"].samples) == 73 * len(stamps)


@pytest.mark.parametrize("step", ["0", "301", "1e9", "abc"])
def test_a_bad_step_exits_2_naming_the_option(step: str) -> None:
    done = run_backfill("--step", step)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--step" in done.stderr
    assert json.dumps(done.stdout) == '""'
