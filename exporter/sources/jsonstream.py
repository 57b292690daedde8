"""Walking a JSON text value by value, so a large array never becomes one Python tree.

Used for Adobe's events feed: a 40-day feed is 6-7 MB of JSON and over 30 MB as one tree,
and the cyclic garbage collector spends most of json.loads's time walking such a tree as
it grows. Each value is still decoded by the json module's own C scanner (`raw_decode`),
and errors are json's own `JSONDecodeError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, TypeVar

_DECODER = json.JSONDecoder()
# What raw_decode calls (typeshed does not declare it).
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
_SPACE = re.compile(r"[ \t\n\r]*")
_BLANKS = (" ", "\t", "\n", "\r")
T = TypeVar("T")


class JsonScanner:
    """Walks a JSON text value by value, with the json module's own C scanner."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._skip_space(0)

    @classmethod
    def of_body(cls, body: bytes | bytearray) -> JsonScanner:
        """A scanner over a JSON body, its bytes decoded as json.loads decodes them."""
        return cls(body.decode(json.detect_encoding(body), "surrogatepass"))

    def peek(self) -> str:
        return self._text[self._pos : self._pos + 1]

    def value(self) -> Any:
        """The whole value that starts here."""
        try:  # what raw_decode does, one Python call less per value
            value, end = _SCAN(self._text, self._pos)
        except StopIteration as error:
            raise json.JSONDecodeError("Expecting value", self._text, error.value) from None
        self._skip_space(end)
        return value

    def value_and_text(self) -> tuple[Any, str]:
        """The whole value that starts here, and its text as written."""
        start = self._pos
        try:
            value, end = _SCAN(self._text, start)
        except StopIteration as error:
            raise json.JSONDecodeError("Expecting value", self._text, error.value) from None
        self._skip_space(end)
        return value, self._text[start:end]

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
        return self._elements(JsonScanner.value)

    def items_and_texts(self) -> Iterator[tuple[Any, str]]:
        """Likewise, each element with its text as written."""
        return self._elements(JsonScanner.value_and_text)

    def _elements(self, read: Callable[[JsonScanner], T]) -> Iterator[T]:
        self._expect("[", "Expecting '['")
        if self.peek() == "]":
            self._skip_space(self._pos + 1)
            return
        while True:
            yield read(self)
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
        if self._text[pos : pos + 1] not in _BLANKS:  # compact JSON: no space to skip
            self._pos = pos
            return
        match = _SPACE.match(self._text, pos)
        self._pos = match.end() if match else pos

    def _fail(self, message: str) -> NoReturn:
        raise json.JSONDecodeError(message, self._text, self._pos)
