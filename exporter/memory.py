"""Give large buffers back to the operating system as soon as they are freed.

Each collection holds the events body (about 10 MB) and its decoded text for a moment.
glibc's malloc serves blocks that large with mmap at first, but raises its threshold
after each is freed, so later ones come from the heap of whichever thread runs the
scrape, and stay there: RSS grew by tens of MB over a few dozen scrapes in `make bench`.
A fixed threshold keeps every large block on mmap (returned to the OS on free) and RSS
flat. Elsewhere (musl, macOS) there is nothing to do.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

_M_MMAP_THRESHOLD = -3  # from glibc's malloc.h
MMAP_THRESHOLD_BYTES = 256 * 1024


def return_large_buffers() -> bool:
    """Fix glibc's mmap threshold; False where the C library has no mallopt."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    log.debug("malloc mmap threshold fixed at %d bytes: %s", MMAP_THRESHOLD_BYTES, done)
    return done
