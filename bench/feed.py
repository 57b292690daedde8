"""Feed mode at Adobe's size: full scrapes against their floor, 304 scrapes, memory.

Targets: a full scrape (download and read ~9 MB of StatusEvents) at most 0.7x its floor; a
scrape answered by 304 at most 0.1x a full scrape; peak RSS at most 80 MB; RSS flat (within
5 MB) over 1,000 full scrapes.

The floor is what the measured collection reads, fetched and json.loads-ed, in the same
rounds (interleaved, medians). With --cache-ttl 0 every scrape collects; the catalog
(SnowServiceRegistry) and the last 30 days are read at most every --registry-ttl (an hour,
longer than the run), so after the warm-up rounds each measured collection reads one
document, StatusEvents, and the floor is its fetch plus json.loads. (A collection that is
due for the 30 days reads that same StatusEvents once, whole, so its floor would be the
same one document; the catalog's refresh is not part of any measured round.)
`python -m bench.profile` shows where the time of one collection goes.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import requests

from bench import procs
from bench.measure import FetchFloor, Latency, Scraper, interleaved
from bench.run import Timing

FULL_RATIO_TARGET = 0.7
NOT_MODIFIED_RATIO_TARGET = 0.1
RSS_TARGET_MB = 80.0
RSS_DRIFT_TARGET_MB = 5.0
ROUNDS = 40
WARMUP = 3
LONG_RUN = 1000


@dataclass(frozen=True)
class FeedResult:
    events_bytes: int
    registry_bytes: int
    full: Timing
    floor: Timing
    not_modified: Timing
    not_modified_upstream: dict[str, int]  # 304 answers and requests at the simulator
    failed_scrapes: int
    rss_peak_mb: float
    rss_after_warmup_mb: float
    rss_after_long_run_mb: float
    long_run_scrapes: int

    @property
    def full_ratio(self) -> float:
        return self.full.p50_ms / self.floor.p50_ms

    @property
    def not_modified_ratio(self) -> float:
        return self.not_modified.p50_ms / self.full.p50_ms

    @property
    def rss_drift_mb(self) -> float:
        return self.rss_after_long_run_mb - self.rss_after_warmup_mb


def run(long_run: int = LONG_RUN) -> FeedResult:
    with feed_simulator(always_changed=True) as sim, feed_exporter(sim) as exporter:
        base = f"{sim.url}/adobestatus"
        registry_bytes = len(requests.get(f"{base}/SnowServiceRegistry", timeout=30).content)
        scraper = Scraper(exporter)
        floor = FetchFloor(f"{base}/StatusEvents")
        try:
            full, floors = interleaved(scraper, floor, ROUNDS, WARMUP)
        finally:
            floor.close()
        after_warmup, _ = exporter.memory_mb()
        for _ in range(long_run):
            scraper()
        after_long_run, peak = exporter.memory_mb()
        failures = scraper.failures
    with feed_simulator(always_changed=False) as sim, feed_exporter(sim) as exporter:
        scraper = Scraper(exporter)
        for _ in range(WARMUP):
            scraper()
        before = sim.stats()
        cheap = Latency(tuple(scraper() for _ in range(ROUNDS)))
        after = sim.stats()
        failures += scraper.failures
        _, peak_304 = exporter.memory_mb()
    return FeedResult(
        events_bytes=floor.size,
        registry_bytes=registry_bytes,
        full=Timing.of(full),
        floor=Timing.of(floors),
        not_modified=Timing.of(cheap),
        not_modified_upstream={
            "requests": _delta(before, after, "requests"),
            "not_modified": _delta(before, after, "not_modified"),
        },
        failed_scrapes=failures,
        rss_peak_mb=round(max(peak, peak_304), 1),
        rss_after_warmup_mb=round(after_warmup, 1),
        rss_after_long_run_mb=round(after_long_run, 1),
        long_run_scrapes=long_run,
    )


def table(result: FeedResult) -> str:
    def timing(value: Timing) -> str:
        return f"{value.p50_ms:.1f} / {value.p95_ms:.1f}"

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    rows = [
        ("figure", "measured", "compared with", "target", "result"),
        (
            "full scrape p50 / p95, ms",
            timing(result.full),
            f"{timing(result.floor)} fetch+json.loads; ratio {result.full_ratio:.2f}",
            f"<= {FULL_RATIO_TARGET:.1f}x floor",
            verdict(result.full_ratio <= FULL_RATIO_TARGET),
        ),
        (
            "304 scrape p50 / p95, ms",
            timing(result.not_modified),
            f"full scrape p50; ratio {result.not_modified_ratio:.3f}",
            f"<= {NOT_MODIFIED_RATIO_TARGET:.1f}x full",
            verdict(result.not_modified_ratio <= NOT_MODIFIED_RATIO_TARGET),
        ),
        (
            "  upstream during the 304 scrapes",
            f"{result.not_modified_upstream['not_modified']} x 304 "
            f"of {result.not_modified_upstream['requests']} requests",
            "",
            "",
            "-",
        ),
        (
            "peak RSS of the exporter, MB",
            f"{result.rss_peak_mb:.1f}",
            "",
            f"<= {RSS_TARGET_MB:.0f}",
            verdict(result.rss_peak_mb <= RSS_TARGET_MB),
        ),
        (
            f"RSS drift over {result.long_run_scrapes} full scrapes, MB",
            f"{result.rss_drift_mb:+.1f}",
            f"{result.rss_after_warmup_mb:.1f} -> {result.rss_after_long_run_mb:.1f}",
            f"within {RSS_DRIFT_TARGET_MB:.0f}",
            verdict(abs(result.rss_drift_mb) <= RSS_DRIFT_TARGET_MB),
        ),
        ("failed scrapes", str(result.failed_scrapes), "", "0", verdict(not result.failed_scrapes)),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        f"feed (--source feed): StatusEvents {result.events_bytes / 1e6:.1f} MB, "
        f"SnowServiceRegistry {result.registry_bytes / 1e6:.1f} MB"
    ]
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join(lines)


def passed(result: FeedResult) -> bool:
    return (
        result.full_ratio <= FULL_RATIO_TARGET
        and result.not_modified_ratio <= NOT_MODIFIED_RATIO_TARGET
        and result.rss_peak_mb <= RSS_TARGET_MB
        and abs(result.rss_drift_mb) <= RSS_DRIFT_TARGET_MB
        and not result.failed_scrapes
    )


@contextlib.contextmanager
def feed_simulator(*, always_changed: bool) -> Iterator[procs.SimulatorProcess]:
    command = [sys.executable, "-m", "bench.feed_sim"]
    if always_changed:
        command.append("--always-changed")
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            if not url:
                raise RuntimeError("the feed simulator did not start")
            yield procs.SimulatorProcess(url, process.pid)
        finally:
            procs.stop(process, stdin=True)


def feed_exporter(
    sim: procs.SimulatorProcess,
) -> contextlib.AbstractContextManager[procs.ExporterProcess]:
    """`python -m exporter serve --source feed` with --cache-ttl 0: every scrape asks."""
    feed = ("--source", "feed", "--feed-url", f"{sim.url}/adobestatus")
    return procs.serve(*feed, "--cache-ttl", "0")


def _delta(before: dict[str, object], after: dict[str, object], key: str) -> int:
    def count(stats: dict[str, object]) -> int:
        values = stats.get(key, {})
        return int(values.get("feed_events", 0)) if isinstance(values, dict) else 0

    return count(after) - count(before)
