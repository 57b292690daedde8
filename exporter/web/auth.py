"""Basic auth: the bcrypt checker for `basic_auth_users` and the middleware that applies it.

The middleware guards every path, `/-/healthy` and `/-/ready` included (as in
exporter-toolkit): probes must send credentials when users are configured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import bcrypt

from exporter.web.config_error import WebConfigError

__all__ = ["CACHE_SIZE", "REALM", "BasicAuth", "with_basic_auth"]

logger = logging.getLogger("exporter.server")  # one logger for the whole HTTP side

REALM = "adobe-status-exporter"
CACHE_SIZE = 100  # verified pairs remembered; exporter-toolkit's size

_BCRYPT_HASH = re.compile(rb"\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}")
_BCRYPT_MAX_PASSWORD = 72  # bcrypt reads no further; htpasswd and Go truncate the same way


class BasicAuth:
    """Checks `Authorization: Basic` headers against bcrypt hashes, with a success cache.

    Raises WebConfigError for a user name or hash that cannot work.
    """

    def __init__(self, users: Mapping[str, bytes]) -> None:
        self.users = users
        costs = [_bcrypt_cost(user, hashed) for user, hashed in users.items()]
        # Unknown users are checked against this, so their answer takes as long as a real one.
        self._dummy_hash = (
            bcrypt.hashpw(os.urandom(16).hex().encode(), bcrypt.gensalt(rounds=max(costs)))
            if costs
            else b""
        )
        # Cache keys are keyed digests: a memory dump does not hold passwords in clear.
        self._key = os.urandom(32)
        self._verified: OrderedDict[bytes, None] = OrderedDict()
        self._cache_lock = threading.Lock()
        # bcrypt releases the GIL: without this lock, a flood of wrong passwords would take
        # every core (exporter-toolkit serialises the same way). Cache hits skip it.
        self._bcrypt_lock = threading.Lock()

    def check(self, header: str | None) -> bool:
        """Whether an `Authorization` value names a user and password; True without users.

        A verified pair is remembered (only a keyed digest of it, never the password)
        because a bcrypt check costs 50-250 ms of CPU and Prometheus sends the same pair
        every scrape.
        """
        if not self.users:
            return True
        credentials = _parse_basic(header)
        if credentials is None:
            return False
        user, password = credentials
        password = password[:_BCRYPT_MAX_PASSWORD]
        user_bytes = user.encode("utf-8")
        message = len(user_bytes).to_bytes(4, "big") + user_bytes + password
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        with self._cache_lock:
            if digest in self._verified:
                self._verified.move_to_end(digest)
                return True
        hashed = self.users.get(user)
        with self._bcrypt_lock:
            ok = bcrypt.checkpw(password, hashed if hashed is not None else self._dummy_hash)
        if not ok or hashed is None:
            return False
        with self._cache_lock:
            self._verified[digest] = None
            while len(self._verified) > CACHE_SIZE:
                self._verified.popitem(last=False)
        return True


def with_basic_auth(app: WSGIApplication, auth: BasicAuth) -> WSGIApplication:
    """`app` behind basic auth; `app` itself when no users are configured."""
    if not auth.users:
        return app

    def app_with_basic_auth(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        # Taken out of the environ so the app cannot log credentials by accident.
        header = environ.pop("HTTP_AUTHORIZATION", None)
        if auth.check(header):
            return app(environ, start_response)
        logger.debug("Basic auth failed for a request from %s", environ.get("REMOTE_ADDR"))
        start_response(
            "401 Unauthorized",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("WWW-Authenticate", f'Basic realm="{REALM}"'),
            ],
        )
        return [b"Unauthorized\n"]

    return app_with_basic_auth


def _bcrypt_cost(user: str, hashed: bytes) -> int:
    match = _BCRYPT_HASH.fullmatch(hashed)
    cost = int(match.group(1)) if match else 0
    if not 4 <= cost <= 31:
        # Never echo the value: it is a password hash.
        raise WebConfigError(
            f"basic_auth_users.{user}",
            "not a bcrypt hash (make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')",
        )
    if ":" in user:
        raise WebConfigError(f"basic_auth_users.{user}", "a user name cannot contain ':'")
    return cost


def _parse_basic(header: str | None) -> tuple[str, bytes] | None:
    """(user, password) from an `Authorization` value, or None when it is not valid Basic."""
    if not header:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
        user_bytes, colon, password = decoded.partition(b":")
        user = user_bytes.decode("utf-8")
    except ValueError:  # bad base64 (binascii.Error), non-ASCII, or non-UTF-8 user
        return None
    return (user, password) if colon else None
