"""The only module that talks HTTP to the Adobe Status API.

One requests session; every request carries the bearer token, the API key (query and
header) and a timeout cut to the scrape's deadline. Bodies are read in bounded chunks
so neither a huge nor a trickling body can outlive the scrape or exhaust memory.
"""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import requests
import urllib3.exceptions

from exporter import __version__
from exporter.config import UpstreamConfig
from exporter.deadline import Deadline
from exporter.errors import Throttled, UpstreamError
from exporter.secret import Secret
from exporter.token import TokenProvider
from exporter.upstream_metrics import UpstreamMetrics

log = logging.getLogger(__name__)

PATHS = {
    "events": "/api/v1/events",
    "products": "/api/v1/products",
    "clouds": "/api/v1/clouds",
    "messages": "/api/v1/messages/{locale}",
}
# Adobe's throttling window is 5 s; wait that long when a 429 says nothing usable.
DEFAULT_RETRY_AFTER = 5.0
MAX_RETRY_AFTER = 3600.0
CHUNK_BYTES = 256 * 1024

Params = Mapping[str, str | Sequence[str]]
Body = bytes | bytearray  # what the decoders are handed (json.loads takes either)
T = TypeVar("T")


class _Unauthorized(Exception):
    """The Status API answered 401: the token may have been revoked."""


class StatusClient:
    """Fetches parsed JSON from the Status API, honouring 401 renewal and 429 back-off."""

    def __init__(
        self,
        config: UpstreamConfig,
        tokens: TokenProvider,
        metrics: UpstreamMetrics,
        *,
        clock: Callable[[], float] = time.time,
        parse_json: Callable[[Body], Any] = json.loads,
    ) -> None:
        self._config = config
        self._tokens = tokens
        self._metrics = metrics
        self._clock = clock
        self._parse_json = parse_json
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Accept": "application/json",
                "User-Agent": f"adobe-status-exporter/{__version__}",
                "x-api-key": config.api_key,
            }
        )
        self._retry_lock = threading.Lock()
        self._retry_at = 0.0

    @property
    def retry_at(self) -> float:
        """Unix time before which no request may be sent (0 when not throttled)."""
        return self._retry_at

    def get(self, endpoint: str, params: Params, deadline: Deadline) -> Any:
        """GET one Status API endpoint, its body decoded by the `parse_json` hook."""
        return self.get_decoded(endpoint, params, deadline, self._parse_json)

    def get_decoded(
        self,
        endpoint: str,
        params: Params,
        deadline: Deadline,
        decode: Callable[[Body], T],
        *,
        path_args: Mapping[str, str] | None = None,
    ) -> T:
        """GET one Status API endpoint and decode its body with `decode`.

        One new token and one retry after a 401. A ValueError from `decode` makes an
        `invalid_response` error: "body is not valid JSON" for a JSON or text encoding
        error, the ValueError's own message otherwise (a shape the model cannot read).
        `path_args` fill the placeholders of the endpoint's path (`{locale}`).
        """
        self._check_throttle(endpoint)
        token = self._tokens.token(deadline)
        try:
            return self._get_once(endpoint, params, token, deadline, decode, path_args)
        except _Unauthorized:
            log.info("Status API refused the token; requesting a new one and retrying once")
            self._tokens.invalidate(token)
        token = self._tokens.token(deadline)
        try:
            return self._get_once(endpoint, params, token, deadline, decode, path_args)
        except _Unauthorized:
            self._metrics.count_error(endpoint, "http")
            raise UpstreamError(endpoint, "http", "HTTP 401 even with a new token") from None

    def close(self) -> None:
        self._session.close()

    def _check_throttle(self, endpoint: str) -> None:
        retry_at = self._retry_at
        if self._clock() < retry_at:
            raise Throttled(endpoint, "waiting for Retry-After before asking again", retry_at)

    def _get_once(
        self,
        endpoint: str,
        params: Params,
        token: Secret,
        deadline: Deadline,
        decode: Callable[[Body], T],
        path_args: Mapping[str, str] | None = None,
    ) -> T:
        try:
            body = self._fetch(endpoint, params, token, deadline, path_args)
        except UpstreamError as error:
            self._metrics.count_error(endpoint, error.reason)
            raise
        try:
            return decode(body)
        except ValueError as error:  # also UnicodeDecodeError and orjson.JSONDecodeError
            self._metrics.count_error(endpoint, "invalid_response")
            raise UpstreamError(endpoint, "invalid_response", _unreadable(error)) from None

    def _fetch(
        self,
        endpoint: str,
        params: Params,
        token: Secret,
        deadline: Deadline,
        path_args: Mapping[str, str] | None = None,
    ) -> bytearray:
        if deadline.expired():
            raise UpstreamError(endpoint, "timeout", "no time left in this scrape")
        url = self._config.api_url.rstrip("/") + api_path(endpoint, path_args)
        timeout = deadline.cap(self._config.timeout)
        code = "error"
        started = time.monotonic()
        try:
            response = self._session.get(
                url,
                params={**params, "api_key": self._config.api_key},
                headers={"Authorization": f"Bearer {token.reveal()}"},
                timeout=timeout,
                stream=True,
                allow_redirects=False,
            )
            with response:
                code = str(response.status_code)
                self._check_status(endpoint, response)
                return self._read_body(endpoint, response, deadline)
        except (requests.Timeout, urllib3.exceptions.ReadTimeoutError, TimeoutError):
            raise UpstreamError(endpoint, "timeout", f"no answer within {timeout:.1f}s") from None
        except urllib3.exceptions.DecodeError:
            raise UpstreamError(endpoint, "invalid_response", "body cannot be decoded") from None
        except requests.ConnectionError as error:
            if _is_timeout(error):
                raise UpstreamError(endpoint, "timeout", "connection timed out") from None
            raise UpstreamError(endpoint, "connection", "could not connect") from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
            # Includes a connection dropped mid-body (urllib3 ProtocolError).
            raise UpstreamError(endpoint, "connection", "request failed") from None
        finally:
            self._metrics.observe_request(endpoint, code, time.monotonic() - started)

    def _check_status(self, endpoint: str, response: requests.Response) -> None:
        status = response.status_code
        if status == 200:
            return
        if status == 401:
            raise _Unauthorized
        if status == 429:
            delay = parse_retry_after(response.headers.get("Retry-After"), self._clock())
            with self._retry_lock:
                self._retry_at = max(self._retry_at, self._clock() + delay)
            log.warning("Status API throttled us; next request in %.0fs", delay)
            raise Throttled(endpoint, f"HTTP 429, retry after {delay:.0f}s", self._retry_at)
        raise UpstreamError(endpoint, "http", f"HTTP {status}")

    def _read_body(
        self, endpoint: str, response: requests.Response, deadline: Deadline
    ) -> bytearray:
        limit = self._config.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise UpstreamError(endpoint, "invalid_response", f"body over {limit} bytes")
        # One growing buffer: no list of chunks to join into a second copy of the body.
        body = bytearray()
        raw = response.raw
        while True:
            _set_read_timeout(raw, deadline.cap(self._config.timeout))
            chunk = raw.read1(CHUNK_BYTES) if hasattr(raw, "read1") else raw.read(CHUNK_BYTES)
            if not chunk:
                break
            if len(body) + len(chunk) > limit:
                raise UpstreamError(endpoint, "invalid_response", f"body over {limit} bytes")
            body += chunk
            if deadline.expired():
                raise UpstreamError(endpoint, "timeout", "body still arriving at the deadline")
        return body


def api_path(endpoint: str, path_args: Mapping[str, str] | None = None) -> str:
    """The endpoint's path, each placeholder filled with its quoted argument."""
    args = {name: quote(value, safe="") for name, value in (path_args or {}).items()}
    return PATHS[endpoint].format_map(args)


def parse_retry_after(value: str | None, now: float) -> float:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return DEFAULT_RETRY_AFTER
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return DEFAULT_RETRY_AFTER
    if when.tzinfo is None:
        return DEFAULT_RETRY_AFTER
    return min(max(when.timestamp() - now, 0.0), MAX_RETRY_AFTER)


def _unreadable(error: ValueError) -> str:
    if isinstance(error, json.JSONDecodeError | UnicodeError):
        return "body is not valid JSON"
    return str(error)


def _set_read_timeout(raw: Any, seconds: float) -> None:
    # requests' read timeout is per socket read; tighten it before each read so a
    # trickling body cannot run past the scrape deadline.
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if isinstance(sock, socket.socket):
        sock.settimeout(seconds)


def _is_timeout(error: requests.ConnectionError) -> bool:
    text = repr(error.args[0]) if error.args else ""
    return "timed out" in text or "TimeoutError" in text
