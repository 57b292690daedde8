"""OAuth server-to-server access tokens from Adobe IMS, cached and renewed in time.

Authlib does the client-credentials exchange (form encoding, client authentication,
IMS error parsing). We add what it lacks for a scraped exporter: a lock so parallel
scrapes send one token request, a renewal margin that adapts to short lifetimes,
validation of what IMS returned, metrics, and the caps every upstream read has: IMS's
answer is read by the fetcher's `read_body` (in a response hook, before Authlib sees
it), so it is at most --max-response-bytes and ends within the scrape's deadline however
slowly it trickles.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
import urllib3.exceptions
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from exporter.config import ApiConfig
from exporter.deadline import Deadline
from exporter.errors import UpstreamError
from exporter.secret import Secret
from exporter.sources.fetch import read_body, shown_url
from exporter.upstream_metrics import UpstreamMetrics

log = logging.getLogger(__name__)

# IMS tokens live about 24 h; a lifetime far beyond that is a broken answer, not a gift.
MAX_TOKEN_LIFETIME = 86400.0


@dataclass(frozen=True)
class CachedToken:
    value: Secret
    expires_at: float  # Unix seconds
    renew_at: float  # Unix seconds


class TokenProvider:
    """Hands out a valid access token, asking IMS for a new one only when needed."""

    def __init__(
        self,
        config: ApiConfig,
        metrics: UpstreamMetrics,
        *,
        secret_source: Callable[[], Secret] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._metrics = metrics
        self._secret_source = secret_source or (lambda: config.client_secret)
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: CachedToken | None = None
        # Bumped by every fetch attempt, so threads that waited on the lock during a
        # failed fetch re-raise that failure instead of asking IMS again.
        self._attempts = 0
        self._last_error: UpstreamError | None = None
        self._session = OAuth2Session(
            client_id=config.client_id,
            scope=config.scopes,  # a string: Authlib would join a list with spaces
            token_endpoint_auth_method="client_secret_post",  # noqa: S106 - a method name
        )
        self._session.hooks["response"].append(self._read_capped)
        self._last_status: int | None = None
        self._deadline = Deadline()  # the deadline of the token request in flight
        # IMS reads client_id from the query string (Adobe's samples put it there).
        self._token_url = _with_query(config.ims_token_url, client_id=config.client_id)
        self._shown_url = shown_url(config.ims_token_url)  # for errors: no query, no client id

    @property
    def expires_at(self) -> float | None:
        cached = self._cached
        return None if cached is None else cached.expires_at

    def current_values(self) -> tuple[Secret, ...]:
        """The secrets this provider holds now, for the log redactor."""
        cached = self._cached
        return () if cached is None else (cached.value,)

    def token(self, deadline: Deadline) -> Secret:
        """A token that is valid for at least the renewal margin."""
        seen = self._attempts
        if not self._lock.acquire(timeout=_lock_wait(deadline)):
            raise UpstreamError("token", "timeout", "gave up waiting for a token request")
        try:
            cached = self._cached
            if cached is not None and self._clock() < cached.renew_at:
                return cached.value
            if self._attempts != seen and self._last_error is not None:
                raise self._last_error
            return self._fetch(deadline).value
        finally:
            self._lock.release()

    def invalidate(self, value: Secret) -> None:
        """Forget `value` (the Status API refused it) unless it was already replaced."""
        with self._lock:
            if self._cached is not None and self._cached.value == value:
                self._cached = None

    def close(self) -> None:
        self._session.close()

    def _fetch(self, deadline: Deadline) -> CachedToken:
        self._attempts += 1
        try:
            cached = self._request(deadline)
        except UpstreamError as error:
            self._last_error = error
            self._metrics.token_requests.labels(result="failure").inc()
            self._metrics.count_error("token", error.reason)
            # Debug only: the collection that needed the token warns of the same failure.
            log.debug("token request failed: %s", error.message)
            raise
        self._last_error = None
        self._cached = cached
        self._metrics.token_requests.labels(result="success").inc()
        log.debug("new access token, expires at %.0f", cached.expires_at)
        return cached

    def _request(self, deadline: Deadline) -> CachedToken:
        if deadline.expired():
            raise UpstreamError("token", "timeout", "no time left in this scrape")
        timeout = deadline.cap(self._config.timeout)
        self._last_status = None
        self._deadline = deadline
        self._session.client_secret = self._secret_source().reveal()
        started = time.monotonic()
        try:
            answer = self._session.fetch_token(
                self._token_url, grant_type="client_credentials", timeout=timeout
            )
        except requests.Timeout:
            raise UpstreamError(
                "token", "timeout", f"IMS ({self._shown_url}) did not answer within {timeout:.1f}s"
            ) from None
        except requests.ConnectionError:
            raise UpstreamError(
                "token",
                "connection",
                f"could not connect to IMS at {self._shown_url} (set by --ims-token-url)",
            ) from None
        except OAuthError as error:
            # IMS's own error code and text (e.g. invalid_client); they never echo the secret.
            raise UpstreamError("token", "http", f"IMS refused: {error.error}") from None
        except requests.HTTPError:
            raise UpstreamError("token", "http", f"IMS answered HTTP {self._last_status}") from None
        except (ValueError, TypeError, KeyError, AttributeError):
            raise UpstreamError("token", "invalid_response", "IMS answer is not a token") from None
        finally:
            self._session.client_secret = None
            code = "error" if self._last_status is None else str(self._last_status)
            self._metrics.observe_request("token", code, time.monotonic() - started)
        return self._validate(answer)

    def _validate(self, answer: object) -> CachedToken:
        if not isinstance(answer, dict):
            raise UpstreamError("token", "invalid_response", "IMS answer is not a JSON object")
        if self._last_status is not None and self._last_status >= 300:
            raise UpstreamError("token", "http", f"IMS answered HTTP {self._last_status}")
        access_token = answer.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise UpstreamError("token", "invalid_response", "IMS answer has no access_token")
        lifetime = _lifetime(answer.get("expires_in"))
        if lifetime is None:
            raise UpstreamError("token", "invalid_response", "IMS answer has no usable expires_in")
        if lifetime > MAX_TOKEN_LIFETIME:
            log.warning(
                "IMS token lifetime of %.0fs is implausible; treating it as %.0fs",
                lifetime,
                MAX_TOKEN_LIFETIME,
            )
            lifetime = MAX_TOKEN_LIFETIME
        now = self._clock()
        # Renew `margin` before expiry, but never in the first half of a short lifetime,
        # or a token shorter than the margin would be renewed on every scrape.
        margin = min(self._config.token_refresh_margin, lifetime / 2)
        return CachedToken(Secret(access_token), now + lifetime, now + lifetime - margin)

    def _read_capped(
        self, response: requests.Response, *args: object, **kwargs: object
    ) -> requests.Response:
        """Reads IMS's answer under the size cap and the deadline, before Authlib does."""
        self._last_status = response.status_code
        try:
            body = read_body(
                "token",
                response,
                self._deadline,
                self._config.max_response_bytes,
                self._config.timeout,
                refuse_html=response.status_code < 300,
            )
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
            raise UpstreamError(
                "token", "timeout", "IMS answer still arriving at the deadline"
            ) from None
        except urllib3.exceptions.DecodeError:
            raise UpstreamError("token", "invalid_response", "body cannot be decoded") from None
        except (urllib3.exceptions.HTTPError, OSError):
            raise UpstreamError("token", "connection", "IMS answer cut off") from None
        response._content = bytes(body)  # what requests' .content and .json() then read
        response._content_consumed = True  # type: ignore[attr-defined]
        response.close()  # hands the connection back to the pool
        return response


def _lifetime(raw: object) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        try:
            raw = float(raw)
        except ValueError:
            return None
    if not isinstance(raw, int | float) or not raw > 0:  # NaN is not > 0 either
        return None
    try:
        return float(raw)
    except OverflowError:  # an integer beyond any float: absurd, and capped by the caller
        return float("inf")


def _lock_wait(deadline: Deadline) -> float:
    left = deadline.remaining()
    return -1 if left is None else max(left, 0.0)


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))
