"""Access tokens the simulated IMS issues, and the Status API's throttle."""

from __future__ import annotations

import math
import secrets
import threading
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]

# Expired tokens are forgotten lazily, once the store grows past this.
_PRUNE_AT = 10_000


class TokenStore:
    """Opaque random tokens with their expiry on the simulator's clock."""

    def __init__(self, clock: Clock, expires_in: int) -> None:
        self._clock = clock
        self._expires_in = expires_in
        self._tokens: dict[str, float] = {}
        self._issued = 0
        self._lock = threading.Lock()

    @property
    def expires_in(self) -> int:
        return self._expires_in

    @expires_in.setter
    def expires_in(self, seconds: int) -> None:
        if seconds < 0:
            raise ValueError("expires_in cannot be negative")
        self._expires_in = int(seconds)

    @property
    def issued(self) -> int:
        return self._issued

    def issue(self) -> tuple[str, int]:
        """A new token and its lifetime in seconds."""
        token = secrets.token_urlsafe(48)
        with self._lock:
            now = self._clock()
            if len(self._tokens) >= _PRUNE_AT:
                self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            self._tokens[token] = now + self._expires_in
            self._issued += 1
            return token, self._expires_in

    def valid(self, token: str) -> bool:
        with self._lock:
            expiry = self._tokens.get(token)
            return expiry is not None and self._clock() < expiry

    def revoke_all(self) -> None:
        with self._lock:
            self._tokens.clear()


class RateLimiter:
    """At most `limit` accepted requests per `window` seconds and key (sliding window)."""

    def __init__(self, clock: Clock, limit: int = 50, window: float = 5.0) -> None:
        self._clock = clock
        self._limit = limit
        self._window = window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> int | None:
        """None when the request may go ahead (and is counted), else Retry-After seconds."""
        with self._lock:
            now = self._clock()
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self._window:
                seen.popleft()
            if len(seen) >= self._limit:
                return max(1, math.ceil(seen[0] + self._window - now))
            seen.append(now)
            if len(self._seen) > _PRUNE_AT:
                self._seen = {
                    k: q for k, q in self._seen.items() if q and q[-1] > now - self._window
                }
            return None

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
