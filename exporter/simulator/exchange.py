"""A request and its answer, as the routing sees them (the transport fills and sends them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from exporter.simulator.event_dto import to_bytes

STATUS_JSON = "application/json;charset=UTF-8"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, list[str]]
    # Lower-case names.
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = STATUS_JSON
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0
    # > 0: send the headers, then trickle the body out over this many seconds.
    slow_seconds: float = 0.0
    drop: bool = False


def json_reply(status: int, payload: object, content_type: str = STATUS_JSON) -> Reply:
    return Reply(status, to_bytes(payload), content_type)
