"""Figures next to their targets: a table a reader can compare, a summary line, and JSON."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.run import UPSTREAM_DELAY, ScaleResult, Timing

COLD_RATIO_TARGET = 0.6  # at the 40-day scale
WARM_RATIO_TARGET = 1.2
RSS_TARGET_MB = 80.0  # at the 40-day scale
TARGET_SCALE = "forty-day"


@dataclass(frozen=True)
class Row:
    figure: str
    measured: str
    floor: str = ""
    ratio: str = ""
    target: str = "-"
    passed: bool | None = None  # None: reported, no target

    @property
    def result(self) -> str:
        return {None: "-", True: "PASS", False: "FAIL"}[self.passed]


def rows(result: ScaleResult) -> list[Row]:
    cold, warm, tokens = result.cold, result.warm, result.tokens
    at_target_scale = result.scale == TARGET_SCALE
    cold_ratio = _ratio(cold.scrape, cold.floor)
    warm_ratio = _ratio(warm.scrape, warm.floor)
    return [
        Row(
            "cold scrape p50 / p95, ms (--cache-ttl 0)",
            _timing(cold.scrape),
            _timing(cold.floor) + " fetch+json.loads",
            _ratios(cold.scrape, cold.floor),
            f"<= {COLD_RATIO_TARGET:.2f}" if at_target_scale else "-",
            cold_ratio <= COLD_RATIO_TARGET if at_target_scale else None,
        ),
        Row(
            "warm scrape p50 / p95, ms (cached)",
            _timing(warm.scrape),
            _timing(warm.floor) + " generate_latest",
            _ratios(warm.scrape, warm.floor),
            f"<= {WARM_RATIO_TARGET:.2f}",
            warm_ratio <= WARM_RATIO_TARGET,
        ),
        Row(
            "upstream requests, 10 concurrent scrapes",
            f"{cold.concurrent_upstream_requests} ({cold.concurrent_ok}/10 answered)",
            floor=f"upstream answering in {UPSTREAM_DELAY * 1000:.0f} ms",
            target="1",
            passed=cold.concurrent_upstream_requests == 1 and cold.concurrent_ok == 10,
        ),
        Row(
            "  the same, upstream on loopback",
            f"{cold.concurrent_loopback_upstream_requests} "
            f"({cold.concurrent_loopback_ok}/10 answered)",
            floor="upstream answering at once",
        ),
        Row(
            "token requests, simulated day",
            f"{tokens.token_requests} in {tokens.scrapes} scrapes",
            target=f"<= {tokens.lifetimes} (1 per lifetime)",
            passed=1 <= tokens.token_requests <= tokens.lifetimes and not tokens.failed_scrapes,
        ),
        Row(
            "peak RSS of the exporter, MB",
            f"{cold.rss_peak_mb:.1f} (warm {warm.rss_peak_mb:.1f})",
            target=f"<= {RSS_TARGET_MB:.0f}" if at_target_scale else "-",
            passed=max(cold.rss_peak_mb, warm.rss_peak_mb) <= RSS_TARGET_MB
            if at_target_scale
            else None,
        ),
        Row("series", f"{cold.series:,}"),
    ]


def table(result: ScaleResult) -> str:
    cold = result.cold
    title = (
        f"{result.scale}: {result.incidents:,} incidents + {result.maintenances:,} maintenances "
        f"in the feed, /api/v1/events {cold.events_bytes / 1e6:.2f} MB, "
        f"/metrics {cold.exposition_bytes / 1e3:,.0f} kB"
    )
    header = Row("figure", "measured", "floor", "ratio p50 (p95)", "target")
    lines = [title, _line(header, "result")]
    lines += [_line(row, row.result) for row in rows(result)]
    failed = cold.failed_scrapes + result.warm.failed_scrapes
    if failed:
        lines.append(f"  note: {failed} scrapes did not answer 200 with adobe_status_up 1")
    return "\n".join(lines)


def summary(results: Iterable[ScaleResult]) -> str:
    checked = [(r.scale, row) for r in results for row in rows(r) if row.passed is not None]
    failed = [f"{scale} {row.figure.split(',')[0]}" for scale, row in checked if not row.passed]
    met = len(checked) - len(failed)
    verdict = "all targets met" if not failed else "FAIL: " + "; ".join(failed)
    return f"bench: {met}/{len(checked)} targets met ({verdict})"


def write_json(path: Path, results: list[ScaleResult], line: str) -> None:
    document = {
        "meta": _meta(),
        "summary": line,
        "scales": [asdict(result) for result in results],
        "checks": [
            {"scale": result.scale, **asdict(row), "result": row.result}
            for result in results
            for row in rows(result)
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _meta() -> dict[str, Any]:
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "commit": _git("rev-parse", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return ""
    return done.stdout.strip()


def _ratio(scrape: Timing, floor: Timing) -> float:
    return scrape.p50_ms / floor.p50_ms if floor.p50_ms else float("inf")


def _ratios(scrape: Timing, floor: Timing) -> str:
    p95 = scrape.p95_ms / floor.p95_ms if floor.p95_ms else float("inf")
    return f"{_ratio(scrape, floor):.2f} ({p95:.2f})"


def _timing(timing: Timing) -> str:
    return f"{timing.p50_ms:.1f} / {timing.p95_ms:.1f}"


_WIDTHS = (42, 22, 36, 17, 25)


def _line(row: Row, result: str) -> str:
    cells = (row.figure, row.measured, row.floor, row.ratio, row.target)
    return (
        "  "
        + "".join(cell.ljust(width) for cell, width in zip(cells, _WIDTHS, strict=True))
        + result
    )
