"""Injected faults: per endpoint, a queue of misbehaviours consumed one request at a time."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

# The endpoints a fault can target: the Status API's and IMS's, then the public feed's.
ENDPOINTS = (
    "token",
    "events",
    "products",
    "clouds",
    "regions",
    "incidents",
    "maintenance",
    "scheduled",
    "messages",
    "locales",
    "feed_events",
    "feed_registry",
)

# Without `delay`, a slow body takes this long to trickle out.
DEFAULT_SLOW_BODY_SECONDS = 30.0


@dataclass(frozen=True)
class Fault:
    """How to spoil one answer.

    `status` set: this status answers at once, with `body` or a small JSON error, whatever
    the request was. `status` None: the normal answer, with `body` (if set) in place of its
    body. `delay` waits before answering, except with `slow_body`, where the headers go at
    once and the body trickles out over `delay` seconds. `drop` closes the connection
    without an answer (after `delay`).
    """

    status: int | None = None
    body: bytes | None = None
    content_type: str = "application/json"
    delay: float = 0.0
    retry_after: int | str | None = None  # seconds, or an HTTP date
    headers: Mapping[str, str] = field(default_factory=dict)
    slow_body: bool = False
    drop: bool = False

    def __post_init__(self) -> None:
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"status {self.status} is not an HTTP status")
        if self.delay < 0:
            raise ValueError("delay cannot be negative")

    @property
    def trickle_seconds(self) -> float:
        return self.delay or DEFAULT_SLOW_BODY_SECONDS


@dataclass
class _Pending:
    fault: Fault
    remaining: int | None


class FaultBook:
    """Thread-safe queues of faults; `times` None keeps a fault until cleared."""

    def __init__(self) -> None:
        self._queues: dict[str, list[_Pending]] = {}
        self._lock = threading.Lock()

    def add(self, endpoint: str, fault: Fault, times: int | None) -> None:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; expected one of {ENDPOINTS}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every request)")
        with self._lock:
            self._queues.setdefault(endpoint, []).append(_Pending(fault, times))

    def take(self, endpoint: str) -> Fault | None:
        """The fault that answers this request, if any, using up one of its times."""
        with self._lock:
            queue = self._queues.get(endpoint)
            if not queue:
                return None
            head = queue[0]
            if head.remaining is not None:
                head.remaining -= 1
                if head.remaining == 0:
                    queue.pop(0)
            return head.fault

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()
