"""What reached the simulator: requests per endpoint, 304 answers and credentials sent.

Tests read these to assert what a client did: that it asked only for unknown message
tokens, that a feed client revalidated (304) instead of downloading again, and that no
credential ever went to the public feed.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

# Where a credential can ride: header names, and the API key's query parameter.
CREDENTIALS = ("authorization", "x-api-key", "api_key")
# Header values kept in the last-headers record are replaced by this for credentials.
_REDACTED = "<redacted>"


class RequestLog:
    """Thread-safe counters per endpoint name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._not_modified: Counter[str] = Counter()
        self._credentials: dict[str, Counter[str]] = {}
        self._last_headers: dict[str, dict[str, str]] = {}

    def record(
        self,
        endpoint: str,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Count one request; `headers` (lower-case names) and `query` when known."""
        headers, query = headers or {}, query or {}
        sent = [name for name in CREDENTIALS if headers.get(name) or any(query.get(name, ()) or ())]
        seen = {
            name: _REDACTED if name in CREDENTIALS else value for name, value in headers.items()
        }
        with self._lock:
            self._requests[endpoint] += 1
            self._credentials.setdefault(endpoint, Counter()).update(sent)
            if headers:
                self._last_headers[endpoint] = seen

    def record_not_modified(self, endpoint: str) -> None:
        with self._lock:
            self._not_modified[endpoint] += 1

    def requests(self, endpoint: str) -> int:
        with self._lock:
            return self._requests[endpoint]

    def not_modified(self, endpoint: str) -> int:
        with self._lock:
            return self._not_modified[endpoint]

    def credentials(self, endpoint: str) -> dict[str, int]:
        """How many requests to `endpoint` carried each kind of credential (0 when none)."""
        with self._lock:
            seen = self._credentials.get(endpoint, Counter())
            return {name: seen[name] for name in CREDENTIALS}

    def last_headers(self, endpoint: str) -> dict[str, str]:
        """The headers of the last request to `endpoint`, credential values redacted."""
        with self._lock:
            return dict(self._last_headers.get(endpoint, {}))

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._not_modified.clear()
            self._credentials.clear()
            self._last_headers.clear()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(self._requests),
                "not_modified": dict(self._not_modified),
                "credentials": {
                    endpoint: {name: seen[name] for name in CREDENTIALS}
                    for endpoint, seen in self._credentials.items()
                },
                "last_headers": {k: dict(v) for k, v in self._last_headers.items()},
            }
