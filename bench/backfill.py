"""`backfill` of Adobe's 40 days: time and peak RSS, beside their targets.

The simulator at forty-day scale (the real catalog, 73 products and their regions, about
2,400 events of the past 40 days in the public feed's shape); `backfill --source feed
--since 40d --step 60` piped into this process, which counts the bytes and samples.

Targets, and why:
- wall time at most 300 s: a one-off that finishes in minutes on a 2-core machine
  (40 days x 1,440 steps x about 770 series is some 44 million samples, over 6 GB of
  OpenMetrics text, which promtool then reads twice);
- peak RSS at most 128 MB: the exporter's own memory limit in the Helm chart, so the
  backfill runs as a Kubernetes Job with the same resources as the exporter. The output
  is streamed: memory grows with the number of Adobe's changes, not with the samples.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass

from bench import procs

TIME_TARGET_S = 300.0
RSS_TARGET_MB = 128.0
_CHUNK = 1 << 20


@dataclass(frozen=True)
class BackfillResult:
    seconds: float
    rss_peak_mb: float
    output_bytes: int
    samples: int
    exit_code: int

    @property
    def passed(self) -> bool:
        return (
            self.exit_code == 0
            and self.seconds <= TIME_TARGET_S
            and self.rss_peak_mb <= RSS_TARGET_MB
        )


def run(days: int = 40, step: int = 60) -> BackfillResult:
    with procs.simulator("forty-day") as sim:
        command = [
            sys.executable,
            "-m",
            "exporter",
            "backfill",
            "--source",
            "feed",
            "--feed-url",
            f"{sim.url}/adobestatus",
            "--since",
            f"{days}d",
            "--step",
            str(step),
        ]
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        assert process.stdout is not None
        size = lines = 0
        while chunk := process.stdout.read(_CHUNK):
            size += len(chunk)
            lines += chunk.count(b"\n")
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - started
    comments = 4 * 2 + 1  # HELP and TYPE of four families, and # EOF
    return BackfillResult(
        seconds=elapsed,
        rss_peak_mb=usage.ru_maxrss * 1024 / 1e6,  # kB on Linux
        output_bytes=size,
        samples=lines - comments,
        exit_code=process.returncode,
    )


def table(result: BackfillResult) -> str:
    rows = [
        ("figure", "measured", "target", "result"),
        (
            "wall time, s",
            f"{result.seconds:.1f}",
            f"<= {TIME_TARGET_S:.0f}",
            _verdict(result.seconds <= TIME_TARGET_S),
        ),
        (
            "peak RSS of backfill, MB",
            f"{result.rss_peak_mb:.1f}",
            f"<= {RSS_TARGET_MB:.0f}",
            _verdict(result.rss_peak_mb <= RSS_TARGET_MB),
        ),
        ("samples written", f"{result.samples:,}", "-", "-"),
        ("OpenMetrics written, MB", f"{result.output_bytes / 1e6:,.0f}", "-", "-"),
        ("exit code", str(result.exit_code), "0", _verdict(result.exit_code == 0)),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    head = "backfill --source feed --since 40d --step 60 (forty-day scale: 73 products)"
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join([head, *lines])


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
