"""Walking a JSON text value by value, so a large array never becomes one Python tree.

Used for Adobe's events feed: a 40-day feed is 6-7 MB of JSON and over 30 MB as one tree,
and the cyclic garbage collector spends most of json.loads's time walking such a tree as
it grows. Each value is still decoded by the json module's own C scanner (`raw_decode`),
and errors are json's own `JSONDecodeError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, NoReturn

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


class JsonScanner:
    """Walks a JSON text value by value, with the json module's own C scanner."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._skip_space(0)

    def peek(self) -> str:
        return self._text[self._pos : self._pos + 1]

    def value(self) -> Any:
        """The whole value that starts here."""
        value, end = _DECODER.raw_decode(self._text, self._pos)
        self._skip_space(end)
        return value

    def members(self) -> Iterator[str]:
        """The keys of the object that starts here; the caller reads each key's value."""
        self._expect("{", "Expecting '{'")
        if self.peek() == "}":
            self._skip_space(self._pos + 1)
            return
        while True:
            if self.peek() != '"':
                self._fail("Expecting property name enclosed in double quotes")
            key = self.value()
            self._expect(":", "Expecting ':' delimiter")
            yield key
            if self.peek() == ",":
                self._skip_space(self._pos + 1)
                continue
            self._expect("}", "Expecting ',' delimiter")
            return

    def items(self) -> Iterator[Any]:
        """The elements of the array that starts here, decoded one at a time."""
        self._expect("[", "Expecting '['")
        if self.peek() == "]":
            self._skip_space(self._pos + 1)
            return
        while True:
            yield self.value()
            if self.peek() == ",":
                self._skip_space(self._pos + 1)
                continue
            self._expect("]", "Expecting ',' delimiter")
            return

    def end(self) -> None:
        if self._pos != len(self._text):
            self._fail("Extra data")

    def _expect(self, char: str, message: str) -> None:
        if self.peek() != char:
            self._fail(message)
        self._skip_space(self._pos + 1)

    def _skip_space(self, pos: int) -> None:
        match = _SPACE.match(self._text, pos)
        self._pos = match.end() if match else pos

    def _fail(self, message: str) -> NoReturn:
        raise json.JSONDecodeError(message, self._text, self._pos)
