"""The Status API client: every request carries the bearer token and the API key.

The HTTP itself (bounded bodies, 429 back-off, conditional requests) is `Fetcher`'s;
this adds what the Status API needs: credentials, and one new token and one retry
after a 401.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from exporter.config import ApiConfig
from exporter.deadline import Deadline
from exporter.errors import UpstreamError
from exporter.secret import Secret
from exporter.sources.api.token import TokenProvider
from exporter.sources.fetch import Body, Fetcher, Params, Unauthorized
from exporter.upstream_metrics import UpstreamMetrics

log = logging.getLogger(__name__)

PATHS = {
    "events": "/api/v1/events",
    "products": "/api/v1/products",
    "clouds": "/api/v1/clouds",
    "messages": "/api/v1/messages/{locale}",
}
# Answers whose validators are not kept: each call asks for other message tokens, so
# remembering one ETag per distinct query would grow without bound.
UNCONDITIONAL = frozenset({"messages"})
T = TypeVar("T")


class StatusClient:
    """Fetches decoded JSON from the Status API, honouring 401 renewal and 429 back-off."""

    def __init__(
        self,
        config: ApiConfig,
        tokens: TokenProvider,
        metrics: UpstreamMetrics,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._tokens = tokens
        self._metrics = metrics
        self._fetcher = Fetcher(
            metrics,
            timeout=config.timeout,
            max_response_bytes=config.max_response_bytes,
            headers={"x-api-key": config.api_key},
            url_option="--api-url",
            clock=clock,
        )

    @property
    def retry_at(self) -> float:
        """Unix time before which no request may be sent (0 when not throttled)."""
        return self._fetcher.retry_at

    def get(self, endpoint: str, params: Params, deadline: Deadline) -> Any:
        """GET one Status API endpoint, its body decoded as JSON."""
        return self.get_decoded(endpoint, params, deadline, json.loads)

    def get_decoded(
        self,
        endpoint: str,
        params: Params,
        deadline: Deadline,
        decode: Callable[[Body], T],
        path_args: Mapping[str, str] | None = None,
        *,
        conditional: bool = True,
    ) -> T:
        """GET one Status API endpoint and decode its body with `decode`.

        One new token and one retry after a 401. A ValueError from `decode` makes an
        `invalid_response` error: "body is not valid JSON" for a JSON or text encoding
        error, the ValueError's own message otherwise (a shape the model cannot read).
        A 304 (the API sent a validator before) reuses what the last answer decoded to.
        `path_args` fill the placeholders of the endpoint's path (`{locale}`). With
        `conditional` False no validator is sent or kept (a window of Adobe's record).
        """
        self._fetcher.check_throttle(endpoint)
        token = self._tokens.token(deadline)
        try:
            return self._get_once(endpoint, params, token, deadline, decode, path_args, conditional)
        except Unauthorized:
            log.info("Status API refused the token; requesting a new one and retrying once")
            self._tokens.invalidate(token)
        token = self._tokens.token(deadline)
        try:
            return self._get_once(endpoint, params, token, deadline, decode, path_args, conditional)
        except Unauthorized:
            self._metrics.count_error(endpoint, "http")
            raise UpstreamError(endpoint, "http", "HTTP 401 even with a new token") from None

    def close(self) -> None:
        self._fetcher.close()

    def _get_once(
        self,
        endpoint: str,
        params: Params,
        token: Secret,
        deadline: Deadline,
        decode: Callable[[Body], T],
        path_args: Mapping[str, str] | None,
        conditional: bool = True,
    ) -> T:
        return self._fetcher.get(
            endpoint,
            self._config.api_url.rstrip("/") + api_path(endpoint, path_args),
            deadline,
            decode,
            params={**params, "api_key": self._config.api_key},
            headers={"Authorization": f"Bearer {token.reveal()}"},
            raise_unauthorized=True,
            conditional=conditional and endpoint not in UNCONDITIONAL,
        )


def api_path(endpoint: str, path_args: Mapping[str, str] | None = None) -> str:
    """The endpoint's path, each placeholder filled with its quoted argument."""
    args = {name: quote(value, safe="") for name, value in (path_args or {}).items()}
    return PATHS[endpoint].format_map(args)
