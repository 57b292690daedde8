"""A reader that walks a body value by value must say exactly what json.loads plus the
tree parser say: the same events, or the same kind of error."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from exporter.sources.reading import Events, ShapeError

Outcome = Events | tuple[type[BaseException], str]


def outcome(read: Callable[[bytes], Events], body: bytes, *, shape_message: bool = True) -> Outcome:
    """What reading `body` gives: the events, or the error's kind (and, with
    `shape_message`, a ShapeError's message)."""
    try:
        return read(body)
    except ShapeError as error:
        return ShapeError, str(error) if shape_message else ""
    except ValueError:
        return ValueError, "invalid JSON"


def assert_same_as_json_loads(
    stream: Callable[[bytes], Events],
    tree: Callable[[Any], Events],
    body: bytes,
    *,
    shape_message: bool = True,
) -> None:
    """`stream(body)` says what `tree(json.loads(body))` says."""
    expected = outcome(lambda raw: tree(json.loads(raw)), body, shape_message=shape_message)
    assert outcome(stream, body, shape_message=shape_message) == expected
