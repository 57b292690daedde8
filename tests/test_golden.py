"""Golden expositions (tests/golden/*.prom): a fresh rendering of each fixed scenario equals
its file byte for byte, each file passes `promtool check metrics`, and together they show
every metric family of the contract. How they are made deterministic: tests/golden/__init__.py.
"""

from __future__ import annotations

import difflib
import re

import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from exporter.upstream_metrics import LATENCY_BUCKETS, UpstreamMetrics
from tests.golden import REGENERATE, golden_path, normalise
from tests.golden.scenarios import SCENARIOS
from tests.support.contract import STATUS_FAMILIES, contract_metrics
from tests.support.prometheus import assert_metrics_clean

TYPE_LINE = re.compile(r"^# TYPE (\S+) (\S+)$", re.MULTILINE)


def golden_text(name: str) -> str:
    path = golden_path(name)
    assert path.is_file(), f"{path} is missing; create it with `{REGENERATE}`"
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_fresh_rendering_equals_the_golden_byte_for_byte(name: str) -> None:
    golden = golden_text(name)
    fresh = SCENARIOS[name]()
    if fresh != golden:
        diff = difflib.unified_diff(
            golden.splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            fromfile=str(golden_path(name)),
            tofile=f"fresh rendering of scenario {name!r}",
        )
        pytest.fail(
            "".join(diff) + f"\nThe exposition changed. If that is intended, regenerate the "
            f"goldens with `{REGENERATE}` and review their diff.",
            pytrace=False,
        )


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_promtool_accepts_the_golden(name: str) -> None:
    assert_metrics_clean(golden_text(name))


def test_the_goldens_show_every_family_of_the_contract_with_its_type() -> None:
    shown: dict[str, str] = {}
    for name in SCENARIOS:
        shown.update(TYPE_LINE.findall(golden_text(name)))
    contract = contract_metrics()
    missing = {metric: kind for metric, kind in contract.items() if shown.get(metric) != kind}
    assert not missing, f"no golden shows these families with these types: {missing}"
    unlisted = set(shown) - set(contract)
    assert not unlisted, f"families served but not in the contract: {sorted(unlisted)}"


def test_every_golden_ends_its_last_line() -> None:
    for name in SCENARIOS:
        assert golden_text(name).endswith("\n"), name


def test_the_goldens_show_the_scenarios_they_are_named_for() -> None:
    # A scenario that silently stopped doing its job would still match its own golden.
    healthy, filtered = golden_text("healthy"), golden_text("filtered")
    stale, never = golden_text("failing_stale"), golden_text("failing_never")
    assert "adobe_status_up 1.0\n" in healthy and "adobe_status_up 1.0\n" in filtered
    assert 'severity="major",status="opened"} 1.0' in healthy
    assert 'state="scheduled"} 1.0' in healthy and 'status="in_progress"} 1.0' in healthy
    assert 'region="APAC",region_id="APAC"} 1.0' in healthy
    assert 'product_id="503492",region="EMEA",region_id="EMEA"} 0.0' in healthy
    assert 'region="Americas"' not in filtered and 'product_id="503494"' not in filtered
    assert "adobe_status_up 0.0\n" in stale and "adobe_status_product_status{" in stale
    assert 'adobe_status_token_requests_total{result="failure"} 1.0' in stale
    assert "adobe_status_up 0.0\n" in never and "adobe_status_product_status" not in never
    assert "adobe_status_last_success_timestamp_seconds" not in never


def status_lines(text: str) -> set[str]:
    """The lines (HELP, TYPE, samples) of the families that describe Adobe's status."""
    return {
        line
        for line in text.splitlines()
        if line.removeprefix("# HELP ").removeprefix("# TYPE ").startswith(STATUS_FAMILIES)
    }


def test_the_feed_shows_the_same_statuses_as_the_api_for_the_same_events() -> None:
    # Same events, same catalog, two sources: the contract promises the same families and
    # labels; only the self metrics tell the sources apart.
    api, feed = golden_text("healthy"), golden_text("feed")
    assert status_lines(feed) == status_lines(api)
    assert "adobe_status_token_" not in feed
    assert 'adobe_status_api_requests_total{code="304",endpoint="events"} 1.0\n' in feed
    endpoints = set(re.findall(r'endpoint="([^"]+)"', feed))
    assert endpoints == {"events", "registry"}


def test_normalise_reads_every_duration_as_zero_and_keeps_everything_else() -> None:
    metrics = UpstreamMetrics()
    for seconds in (0.003, 0.7, 12.0):
        metrics.observe_request("events", "200", seconds)
    metrics.count_error("token", "timeout")
    gauge_registry = CollectorRegistry()
    Histogram("other_seconds", "Not a duration we normalise.", registry=gauge_registry).observe(0.7)
    raw = (
        generate_latest(metrics.collector).decode()
        + "# HELP adobe_status_scrape_duration_seconds d\n"
        + "# TYPE adobe_status_scrape_duration_seconds gauge\n"
        + "adobe_status_scrape_duration_seconds 0.0123\n"
        + generate_latest(gauge_registry).decode()
    )
    out = normalise(raw)
    for le in LATENCY_BUCKETS:
        bucket = f'adobe_status_api_request_duration_seconds_bucket{{endpoint="events",le="{le}"}}'
        assert f"{bucket} 3.0\n" in out
    assert 'adobe_status_api_request_duration_seconds_count{endpoint="events"} 3.0\n' in out
    assert 'adobe_status_api_request_duration_seconds_sum{endpoint="events"} 0.0\n' in out
    assert 'adobe_status_api_request_duration_seconds_bucket{endpoint="token",le="1.0"} 0.0' in out
    assert "adobe_status_scrape_duration_seconds 0.0\n" in out
    assert 'adobe_status_upstream_errors_total{endpoint="token",reason="timeout"} 1.0\n' in out
    # Same lines, same order; only duration values differ, and other histograms keep theirs.
    raw_lines, out_lines = raw.splitlines(), out.splitlines()
    assert len(raw_lines) == len(out_lines)
    for before, after in zip(raw_lines, out_lines, strict=True):
        if "duration_seconds" not in before:
            assert before == after
        else:
            assert before.rsplit(" ", 1)[0] == after.rsplit(" ", 1)[0]
    assert 'other_seconds_bucket{le="0.5"} 0.0' in out and "other_seconds_sum 0.7" in out
    assert normalise(out) == out
