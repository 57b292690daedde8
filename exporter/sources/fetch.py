"""One upstream GET over HTTP, shared by the Status API client and the public feed.

It bounds the body (size and time, read in chunks so a huge or trickling body cannot
outlive the scrape), counts every request, honours 429 `Retry-After`, refuses HTML, and
makes requests conditional: the validators (`ETag`, `Last-Modified`) of the last answer
that decoded are sent back, and a 304 hands out what that answer decoded to, unparsed.
"""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3.exceptions

from exporter import __version__
from exporter.deadline import Deadline
from exporter.errors import Throttled, UpstreamError
from exporter.sources.spare_buffer import SpareBuffer
from exporter.upstream_metrics import UpstreamMetrics

log = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/adobe-status-exporter/adobe-status-exporter"
# Who is asking, honestly: the feed is not a documented API, so its owner should be able
# to tell our traffic from a browser's and find us.
USER_AGENT = f"adobe-status-exporter/{__version__} (+{PROJECT_URL})"
# Adobe's throttling window is 5 s; wait that long when a 429 says nothing usable.
DEFAULT_RETRY_AFTER = 5.0
MAX_RETRY_AFTER = 3600.0
# Below the exporter's mmap threshold (exporter/memory.py), so each chunk's temporary comes
# from the heap and is reused, not mapped and faulted in afresh.
CHUNK_BYTES = 128 * 1024

Params = Mapping[str, str | Sequence[str]]
Body = bytes | bytearray  # what the decoders are handed (json.loads takes either)
T = TypeVar("T")


class Unauthorized(Exception):
    """The upstream answered 401 (the Status API client renews its token on this)."""


@dataclass(frozen=True)
class _Remembered:
    """The validators of an answer that decoded, and what it decoded to."""

    etag: str | None
    last_modified: str | None
    value: object


class Fetcher:
    """GETs upstream documents; one requests session, one set of validators per request."""

    def __init__(
        self,
        metrics: UpstreamMetrics,
        *,
        timeout: float,
        max_response_bytes: int,
        headers: Mapping[str, str] | None = None,
        url_option: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`url_option` names the option that sets the URLs asked (`--feed-url`): failures
        to reach them say so, beside the URL."""
        self._metrics = metrics
        self._url_option = url_option
        self._timeout = timeout
        self._limit = max_response_bytes
        self._clock = clock
        self._session = requests.Session()
        self._session.headers.update(
            {"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
        )
        self._retry_lock = threading.Lock()
        self._retry_at = 0.0
        self._remembered: dict[tuple[str, str, str], _Remembered] = {}
        self._remembered_lock = threading.Lock()
        self._spare = SpareBuffer()

    @property
    def retry_at(self) -> float:
        """Unix time before which no request may be sent (0 when not throttled)."""
        return self._retry_at

    def check_throttle(self, endpoint: str) -> None:
        retry_at = self._retry_at
        if self._clock() < retry_at:
            raise Throttled(endpoint, "waiting for Retry-After before asking again", retry_at)

    def get(
        self,
        endpoint: str,
        url: str,
        deadline: Deadline,
        decode: Callable[[Body], T],
        *,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
        raise_unauthorized: bool = False,
        conditional: bool = True,
    ) -> T:
        """GET `url` and decode its body, or reuse the last decoded value on a 304.

        Upstream errors are counted under `endpoint` and raised as UpstreamError. A
        ValueError from `decode` is `invalid_response` and forgets the validators, so the
        next request fetches the whole document again. With `conditional` False nothing
        is remembered and no validator is sent. `decode` must not keep the body it is
        handed (copy what it needs): its buffer serves the next read.
        """
        key = (endpoint, url, _params_key(params))
        with self._remembered_lock:
            remembered = self._remembered.get(key) if conditional else None
        validators = _conditional_headers(remembered)
        try:
            body = self._fetch(
                endpoint,
                url,
                params or {},
                {**(headers or {}), **validators},
                deadline,
                raise_unauthorized=raise_unauthorized,
            )
            if body is None:  # 304 Not Modified
                if remembered is None or not validators:
                    raise UpstreamError(endpoint, "http", "HTTP 304 to an unconditional request")
                return cast(T, remembered.value)
        except UpstreamError as error:
            self._metrics.count_error(endpoint, error.reason)
            raise
        try:
            value = decode(body.content)
        except ValueError as error:  # also UnicodeDecodeError and ShapeError
            self._forget(key)
            self._metrics.count_error(endpoint, "invalid_response")
            raise UpstreamError(endpoint, "invalid_response", _unreadable(error)) from None
        finally:
            self._spare.give(body.content)  # decoded: what the value keeps is a copy
        with self._remembered_lock:
            if conditional and (body.etag or body.last_modified):
                self._remembered[key] = _Remembered(body.etag, body.last_modified, value)
            else:
                self._remembered.pop(key, None)
        return value

    def close(self) -> None:
        self._session.close()

    def _forget(self, key: tuple[str, str, str]) -> None:
        with self._remembered_lock:
            self._remembered.pop(key, None)

    def _fetch(
        self,
        endpoint: str,
        url: str,
        params: Params,
        headers: Mapping[str, str],
        deadline: Deadline,
        *,
        raise_unauthorized: bool,
    ) -> _Fetched | None:
        if deadline.expired():
            raise UpstreamError(endpoint, "timeout", "no time left in this scrape")
        timeout = deadline.cap(self._timeout)
        code = "error"
        started = time.monotonic()
        try:
            response = self._session.get(
                url,
                params=params,
                headers=headers,
                timeout=timeout,
                stream=True,
                allow_redirects=False,
            )
            with response:
                code = str(response.status_code)
                if response.status_code == 304:
                    return None
                self._check_status(endpoint, url, response, raise_unauthorized)
                return _Fetched(
                    read_body(
                        endpoint,
                        response,
                        deadline,
                        self._limit,
                        self._timeout,
                        buffers=self._spare,
                    ),
                    response.headers.get("ETag"),
                    response.headers.get("Last-Modified"),
                )
        except (requests.Timeout, urllib3.exceptions.ReadTimeoutError, TimeoutError):
            raise UpstreamError(
                endpoint, "timeout", f"no answer from {shown_url(url)} within {timeout:.1f}s"
            ) from None
        except urllib3.exceptions.DecodeError:
            raise UpstreamError(endpoint, "invalid_response", "body cannot be decoded") from None
        except requests.ConnectionError as error:
            if _is_timeout(error):
                raise UpstreamError(
                    endpoint, "timeout", f"connecting to {shown_url(url)} timed out"
                ) from None
            raise UpstreamError(
                endpoint, "connection", f"could not connect to {self._where(url)}"
            ) from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
            # Includes a connection dropped mid-body (urllib3 ProtocolError).
            raise UpstreamError(
                endpoint, "connection", f"request to {shown_url(url)} failed"
            ) from None
        finally:
            self._metrics.observe_request(endpoint, code, time.monotonic() - started)

    def _where(self, url: str) -> str:
        """The URL as shown in errors, and the option that sets it (if any)."""
        option = f" (set by {self._url_option})" if self._url_option else ""
        return shown_url(url) + option

    def _check_status(
        self, endpoint: str, url: str, response: requests.Response, raise_unauthorized: bool
    ) -> None:
        status = response.status_code
        if status == 200:
            if _is_html(response.headers.get("Content-Type", "")):
                raise UpstreamError(endpoint, "invalid_response", "an HTML page, not JSON")
            return
        if status == 401 and raise_unauthorized:
            raise Unauthorized
        if status == 429:
            delay = parse_retry_after(response.headers.get("Retry-After"), self._clock())
            with self._retry_lock:
                self._retry_at = max(self._retry_at, self._clock() + delay)
            log.warning("%s: upstream throttled us; next request in %.0fs", endpoint, delay)
            raise Throttled(endpoint, f"HTTP 429, retry after {delay:.0f}s", self._retry_at)
        where = self._where(url) if status == 404 else shown_url(url)
        raise UpstreamError(endpoint, "http", f"HTTP {status} from {where}")


def read_body(
    endpoint: str,
    response: requests.Response,
    deadline: Deadline,
    limit: int,
    timeout: float,
    *,
    refuse_html: bool = True,
    buffers: SpareBuffer | None = None,
) -> bytearray:
    """The body of a streamed `response`, at most `limit` bytes, read before `deadline`.

    Each socket read waits at most `timeout` (shortened to the deadline), so a trickling
    body cannot outlive the scrape. `refuse_html`: a body that starts like an HTML page is
    `invalid_response` (a login wall or error page served as JSON). `buffers`: where
    the body's buffer comes from (a new one for each body without it).
    """
    spare = buffers or SpareBuffer()
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise UpstreamError(endpoint, "invalid_response", f"body over {limit} bytes")
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    raw = response.raw
    if declared.isdigit() and encoding in ("", "identity"):
        body = spare.take(int(declared))
        _read_exactly(endpoint, raw, body, deadline, timeout, refuse_html)
        return body
    # Compressed (gzip saves most of the feed's bytes on the wire) or of unknown length:
    # one growing buffer of decoded bytes, no list of chunks to join into a second copy.
    body = spare.take(None)
    used = 0
    while True:
        _set_read_timeout(raw, deadline.cap(timeout))
        chunk = _read_some(raw, CHUNK_BYTES, decode=True)
        if not chunk:
            break
        if not used and refuse_html:
            _refuse_html(endpoint, chunk)
        if used + len(chunk) > limit:
            raise UpstreamError(endpoint, "invalid_response", f"body over {limit} bytes")
        body[used : used + len(chunk)] = chunk  # overwrites, or grows past the end
        used += len(chunk)
        if deadline.expired():
            raise UpstreamError(endpoint, "timeout", "body still arriving at the deadline")
    del body[used:]
    return body


def _read_exactly(
    endpoint: str, raw: Any, body: bytearray, deadline: Deadline, timeout: float, refuse_html: bool
) -> None:
    """Fill `body`, a buffer of the body's known length (no regrowth copies)."""
    size = len(body)
    with memoryview(body) as view:
        got = 0
        while got < size:
            _set_read_timeout(raw, deadline.cap(timeout))
            # read1: whatever has arrived, so a trickling body cannot outlast the deadline.
            chunk = _read_some(raw, min(CHUNK_BYTES, size - got), decode=False)
            if not chunk:
                raise UpstreamError(endpoint, "connection", "body ended early")
            if not got and refuse_html:
                _refuse_html(endpoint, chunk[:64])
            view[got : got + len(chunk)] = chunk
            got += len(chunk)
            if deadline.expired():
                raise UpstreamError(endpoint, "timeout", "body still arriving at the deadline")


def shown_url(url: str) -> str:
    """`url` as errors show it: no user, password or query (which may carry a key)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _read_some(raw: Any, amount: int, *, decode: bool) -> bytes:
    """Up to `amount` bytes: read1 (whatever has arrived) where urllib3 has it (2.x)."""
    if hasattr(raw, "read1"):
        return raw.read1(amount, decode_content=decode)  # type: ignore[no-any-return]
    return raw.read(amount, decode_content=decode)  # type: ignore[no-any-return]


def _refuse_html(endpoint: str, start: bytes) -> None:
    # A login wall or an error page, served with 200 and a JSON content type.
    if start.lstrip()[:1] == b"<":
        raise UpstreamError(endpoint, "invalid_response", "an HTML page, not JSON")


@dataclass(frozen=True)
class _Fetched:
    content: bytearray
    etag: str | None
    last_modified: str | None


def _conditional_headers(remembered: _Remembered | None) -> dict[str, str]:
    if remembered is None:
        return {}
    headers = {}
    if remembered.etag:
        headers["If-None-Match"] = remembered.etag
    if remembered.last_modified:
        headers["If-Modified-Since"] = remembered.last_modified
    return headers


def _params_key(params: Params | None) -> str:
    if not params:
        return ""
    return json.dumps(
        sorted(
            (name, [value] if isinstance(value, str) else list(value))
            for name, value in params.items()
        )
    )


def _is_html(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("text/html", "application/xhtml+xml")


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
