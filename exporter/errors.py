"""Why an upstream call could not be used; the reason is a label value users alert on."""

from __future__ import annotations

from typing import Final, Literal, get_args

Reason = Literal["timeout", "connection", "http", "throttled", "invalid_response"]
# Every reason, in the order the `reason` label series are zero-initialised.
ERROR_REASONS: Final[tuple[Reason, ...]] = get_args(Reason)


class UpstreamError(Exception):
    """An upstream request failed. The message is safe to log: it never holds a secret."""

    def __init__(self, endpoint: str, reason: Reason, message: str) -> None:
        super().__init__(f"{endpoint}: {reason}: {message}")
        self.endpoint = endpoint
        self.reason: Reason = reason
        self.message = message


class Throttled(UpstreamError):
    """Adobe said 429, or we are still inside the Retry-After window it asked for."""

    def __init__(self, endpoint: str, message: str, retry_at: float) -> None:
        super().__init__(endpoint, "throttled", message)
        self.retry_at = retry_at
