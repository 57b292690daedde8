"""Large buffers go back to the OS on glibc (the feed's 10 MB bodies, every scrape)."""

from __future__ import annotations

import platform
import subprocess
import sys

from exporter.memory import return_large_buffers


def test_large_buffers_are_returned_to_the_os_where_the_c_library_allows() -> None:
    assert return_large_buffers() is (platform.libc_ver()[0] == "glibc")


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
