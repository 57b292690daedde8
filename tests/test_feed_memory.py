"""Large buffers go back to the OS on glibc (the feed's 10 MB bodies, every scrape)."""

from __future__ import annotations

import platform

from exporter.memory import return_large_buffers


def test_large_buffers_are_returned_to_the_os_where_the_c_library_allows() -> None:
    assert return_large_buffers() is (platform.libc_ver()[0] == "glibc")
