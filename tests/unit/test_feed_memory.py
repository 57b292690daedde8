"""Large buffers go back to the OS on glibc (the feed's 10 MB bodies, every scrape).

Measured in a fresh interpreter: the forty-day feed body (about 9 MB) is read again and again,
each time in a new thread as the server's scrapes are, and the resident set size is read from
/proc/self/statm after each read. No timing: a fixed number of reads, sizes only. The tests
run where the exporter ships, on glibc (Linux, Debian-based image).
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys

from exporter.memory import return_large_buffers

READS = 8
# What one read may leave resident once it is over: well under the body it read.
MARGIN = 1 / 4

MEASURE = """
import gc, json, os, sys, threading
from exporter.memory import return_large_buffers
from exporter.simulator import Scale, Simulator
from exporter.sources.feed.status_events import read_feed

def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

if sys.argv[1] == "fixed":
    assert return_large_buffers()
at = 1_767_225_600.0
body = json.dumps(Simulator(seed=1, scale=Scale.forty_day(), clock=lambda: at).payload_feed())
body = body.encode()
gc.collect()
before = rss()
after = []
for _ in range(int(sys.argv[2])):
    scrape = threading.Thread(target=lambda: read_feed(body, now=at))
    scrape.start()
    scrape.join()
    gc.collect()
    after.append(rss() - before)
print(json.dumps({"body": len(body), "grown": after}))
"""


def resident_growth(threshold: str) -> tuple[int, list[int]]:
    """The body's size and, after each read, how far RSS stands above where it was before."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, threshold, str(READS)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    measured = json.loads(result.stdout)
    return measured["body"], measured["grown"]


def test_large_buffers_are_returned_to_the_os_where_the_c_library_allows() -> None:
    assert return_large_buffers() is (platform.libc_ver()[0] == "glibc")


def test_memory_returns_to_the_os_after_each_read_of_a_large_feed() -> None:
    body, grown = resident_growth("fixed")
    assert body > 8 * 2**20  # the forty-day feed: large enough to see
    assert len(grown) == READS
    assert max(grown) < body * MARGIN, f"RSS above the start after each read: {grown}"


def test_without_the_fixed_threshold_a_body_sized_block_stays_resident() -> None:
    """What the fixed threshold prevents, measured the same way: the check above can fail."""
    body, grown = resident_growth("glibc-default")
    assert grown[-1] >= body * MARGIN, f"RSS above the start after each read: {grown}"


def test_the_feed_source_never_loads_authlib() -> None:
    """The token provider's Authlib (about 13 MB) is for the Status API only."""
    program = (
        "import sys\n"
        "from exporter.config import CacheConfig, FeedConfig\n"
        "from exporter.wiring import build_service\n"
        "build_service(FeedConfig(), CacheConfig()).close()\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'authlib'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
