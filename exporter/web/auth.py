"""Basic auth: the bcrypt checker for `basic_auth_users` and the middleware that applies it.

The middleware guards every path, `/-/healthy` and `/-/ready` included (as in
exporter-toolkit): probes must send credentials when users are configured.
"""

from __future__ import annotations

import base64
import functools
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

__all__ = [
    "CACHE_SIZE",
    "DUMMY_COST",
    "REALM",
    "REFUSED_CACHE_SIZE",
    "BasicAuth",
    "with_basic_auth",
]

logger = logging.getLogger("exporter.server")  # one logger for the whole HTTP side

REALM = "adobe-status-exporter"
CACHE_SIZE = 100  # verified pairs remembered; exporter-toolkit's size
REFUSED_CACHE_SIZE = 1000  # refused pairs remembered, in a cache of their own
DUMMY_COST = 10  # what unknown users are checked against: exporter-toolkit's fixed cost

_BCRYPT_HASH = re.compile(rb"\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}")
_BCRYPT_MAX_PASSWORD = 72  # bcrypt reads no further; htpasswd and Go truncate the same way


class BasicAuth:
    """Checks `Authorization: Basic` headers against bcrypt hashes; no stranger can stall it.

    bcrypt costs 50 ms (cost 10) to seconds (cost 15 and up) of CPU per check and releases
    the GIL, so checks are bounded without one lock shared by everyone:

    - each configured user has a lock of their own: wrong passwords for one user queue only
      behind each other, never in front of another user's login;
    - unknown users are checked, one at a time, against a fixed cost-10 dummy hash made on
      first need (never at the costliest cost in the file, never at load): their refusal
      costs the same whatever the file holds, and never waits behind a real user's hash;
    - verified pairs and refused pairs are remembered in two bounded caches (keyed digests,
      never passwords), so Prometheus's every scrape and a flood of one wrong password each
      cost one hash, and refusals can never push a verified pair out.

    Raises WebConfigError for a user name or hash that cannot work.
    """

    def __init__(self, users: Mapping[str, bytes]) -> None:
        for user, hashed in users.items():
            _check_user(user, hashed)
        self.users = users
        # Cache keys are keyed digests: a memory dump does not hold passwords in clear.
        self._key = os.urandom(32)
        self._verified = _DigestCache(CACHE_SIZE)
        self._refused = _DigestCache(REFUSED_CACHE_SIZE)
        self._user_locks = {user: threading.Lock() for user in users}
        self._stranger_lock = threading.Lock()

    def check(self, header: str | None) -> bool:
        """Whether an `Authorization` value names a user and password; True without users."""
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
        known = self._known(digest)
        if known is not None:
            return known
        hashed = self.users.get(user)
        with self._user_locks.get(user, self._stranger_lock):
            # The check this one waited for may have been of the very same pair.
            known = self._known(digest)
            if known is not None:
                return known
            if hashed is None:
                # Refused whatever bcrypt says; checked so the refusal costs a hash.
                bcrypt.checkpw(password, _dummy_hash())
                ok = False
            else:
                ok = bcrypt.checkpw(password, hashed)
            (self._verified if ok else self._refused).add(digest)
        return ok

    def _known(self, digest: bytes) -> bool | None:
        if digest in self._verified:
            return True
        if digest in self._refused:
            return False
        return None


class _DigestCache:
    """A bounded set of digests that forgets the least recently used first; thread-safe."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._digests: OrderedDict[bytes, None] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, digest: bytes) -> bool:
        with self._lock:
            if digest not in self._digests:
                return False
            self._digests.move_to_end(digest)
            return True

    def add(self, digest: bytes) -> None:
        with self._lock:
            self._digests[digest] = None
            self._digests.move_to_end(digest)
            while len(self._digests) > self._size:
                self._digests.popitem(last=False)


@functools.cache
def _dummy_hash() -> bytes:
    """A cost-10 hash of a random password (no one knows it), made once per process."""
    return bcrypt.hashpw(os.urandom(16).hex().encode(), bcrypt.gensalt(rounds=DUMMY_COST))


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


def _check_user(user: str, hashed: bytes) -> None:
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
