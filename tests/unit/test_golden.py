"""Golden expositions (tests/golden/*.prom): a fresh rendering of each fixed scenario has its
file's families and samples, parsed (and equals it byte for byte: the diff a reviewer reads),
each file passes `promtool check metrics`, and together they show every metric family of
the contract. How they are made deterministic: tests/golden/__init__.py.
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
from tests.support.golden_common import Sample, golden_text, parsed, value

TYPE_LINE = re.compile(r"^# TYPE (\S+) (\S+)$", re.MULTILINE)


def names(text: str) -> set[str]:
    return {name for name, _ in parsed(text)[1]}


def byte_diff(name: str, golden: str, fresh: str) -> str:
    diff = difflib.unified_diff(
        golden.splitlines(keepends=True),
        fresh.splitlines(keepends=True),
        fromfile=str(golden_path(name)),
        tofile=f"fresh rendering of scenario {name!r}",
    )
    return "".join(diff) + (
        f"\nThe exposition changed. If that is intended, regenerate the goldens with "
        f"`{REGENERATE}` and review their diff."
    )


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_fresh_rendering_has_the_goldens_families_and_samples(name: str) -> None:
    golden, fresh = golden_text(name), SCENARIOS[name]()
    if parsed(fresh) != parsed(golden):
        pytest.fail(byte_diff(name, golden, fresh), pytrace=False)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_fresh_rendering_equals_the_golden_byte_for_byte(name: str) -> None:
    # Order and formatting too: what `make golden` shows a reviewer as a diff.
    golden, fresh = golden_text(name), SCENARIOS[name]()
    if fresh != golden:
        pytest.fail(byte_diff(name, golden, fresh), pytrace=False)


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
    assert value(healthy, "adobe_status_up") == 1 and value(filtered, "adobe_status_up") == 1
    _, samples = parsed(healthy)
    info = [dict(labels) for (n, labels), v in samples.items() if n == "adobe_status_event_info"]
    assert any(one.get("severity") == "major" and one.get("status") == "opened" for one in info)
    assert any(one.get("status") == "in_progress" for one in info)
    scheduled = [
        v
        for (n, labels), v in samples.items()
        if n == "adobe_status_maintenances" and dict(labels)["state"] == "scheduled"
    ]
    assert 1 in scheduled
    regions = [
        dict(labels) | {"v": str(v)}
        for (n, labels), v in samples.items()
        if n == "adobe_status_region_status"
    ]
    assert any(r["region"] == "APAC" and r["v"] == "1.0" for r in regions)
    assert any(
        r["product_id"] == "503492" and r["region"] == "EMEA" and r["v"] == "0.0" for r in regions
    )
    _, only = parsed(filtered)
    assert all(dict(labels).get("region") != "Americas" for _, labels in only)
    assert all(dict(labels).get("product_id") != "503494" for _, labels in only)
    assert value(stale, "adobe_status_up") == 0 and "adobe_status_product_status" in names(stale)
    assert value(stale, "adobe_status_token_requests_total", result="failure") == 1
    assert value(never, "adobe_status_up") == 0 and "adobe_status_product_status" not in names(
        never
    )
    assert "adobe_status_last_success_timestamp_seconds" not in names(never)


def status_part(text: str) -> tuple[dict[str, tuple[str, str]], dict[Sample, float]]:
    """The families (type, help) and samples that describe Adobe's status."""
    families, samples = parsed(text)
    return (
        {name: kind for name, kind in families.items() if name.startswith(STATUS_FAMILIES)},
        {key: v for key, v in samples.items() if key[0].startswith(STATUS_FAMILIES)},
    )


def test_the_feed_shows_the_same_statuses_as_the_api_for_the_same_events() -> None:
    # Same events, same catalog, two sources: the contract promises the same families and
    # labels; only the self metrics tell the sources apart.
    api, feed = golden_text("healthy"), golden_text("feed")
    assert status_part(feed) == status_part(api)
    assert not any(name.startswith("adobe_status_token_") for name in names(feed))
    assert value(feed, "adobe_status_api_requests_total", code="304", endpoint="events") == 1
    _, samples = parsed(feed)
    endpoints = {dict(labels)["endpoint"] for _, labels in samples if "endpoint" in dict(labels)}
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
