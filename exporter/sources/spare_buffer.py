"""One body buffer kept from one upstream read to the next.

The exporter keeps every large block on mmap so that its RSS stays flat
(`exporter/memory.py`); the price is that a fresh 9 MB buffer is faulted in page by page
on each collection (about 5 ms on a 2-CPU VM, a twentieth of a feed collection). Reading
into the last body's buffer, resized in place, costs no new pages. The decoders copy what
they keep (`json.loads`, `bytes.decode`), so a buffer is handed back once its body has
been decoded.
"""

from __future__ import annotations

import threading


class SpareBuffer:
    """At most one idle bytearray; concurrent readers never share one."""

    def __init__(self) -> None:
        self._idle: bytearray | None = None
        self._lock = threading.Lock()

    def take(self, size: int | None) -> bytearray:
        """A buffer of `size` bytes (contents undefined): the idle one if any, else new.

        With `size` None (a body of unknown length) the idle buffer comes as it is: its
        length is room to overwrite, cut to the body's length once that is known.
        """
        with self._lock:
            buffer = self._idle
            # A much smaller body gets a buffer of its own: cut by half or more, a
            # bytearray gives its memory back, and the next large body would fault it in.
            if buffer is None or (size is not None and size * 2 < len(buffer)):
                return bytearray(size or 0)
            self._idle = None
        if size is None:
            return buffer
        if len(buffer) < size:
            buffer.extend(bytes(size - len(buffer)))
        else:
            del buffer[size:]
        return buffer

    def give(self, buffer: bytearray) -> None:
        """Keep `buffer` for the next read, unless a larger one is already idle."""
        with self._lock:
            if self._idle is None or len(self._idle) < len(buffer):
                self._idle = buffer
