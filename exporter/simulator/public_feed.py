"""The public feed status.adobe.com reads: two JSON documents, no credentials, conditional GET.

`GET /adobestatus/StatusEvents` (the spec's `Events` map shape) and
`GET /adobestatus/SnowServiceRegistry` (clouds, products, offerings, services and
environments, each a map keyed by id). Both carry `ETag` (a hash of the body, so it changes
exactly when the document does) and `Last-Modified`, and answer 304 to a matching
`If-None-Match`, or, without one, to an `If-Modified-Since` no older than the document.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime

from exporter.simulator.exchange import Reply, Request

FEED_PREFIX = "/adobestatus"
# Path -> endpoint name, for counts and faults.
FEED_ENDPOINTS = {
    f"{FEED_PREFIX}/StatusEvents": "feed_events",
    f"{FEED_PREFIX}/SnowServiceRegistry": "feed_registry",
}
FEED_JSON = "application/json"


@dataclass(frozen=True)
class Document:
    """One version of a feed document."""

    body: bytes
    etag: str  # quoted, as sent
    last_modified: int  # epoch seconds


class Versions:
    """The current version of one document: a body with a new hash is a new version.

    Last-Modified is the simulated time the new body was first built, and always at least
    a second after the previous version's, so a client holding the old date sees the change
    even when the simulated clock stands still.
    """

    def __init__(self) -> None:
        self._current: Document | None = None
        self._lock = threading.Lock()

    def update(self, body: bytes, now: float) -> Document:
        etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
        with self._lock:
            current = self._current
            if current is not None and current.etag == etag:
                return current
            modified = int(now) if current is None else max(int(now), current.last_modified + 1)
            self._current = Document(body, etag, modified)
            return self._current


def not_modified(request: Request, document: Document) -> bool:
    """Whether the client's validators match (RFC 9110: If-None-Match wins when present)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or document.etag in tags
    since = request.headers.get("if-modified-since")
    if not since:
        return False
    try:
        stamp = parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False  # an unreadable date is ignored, as RFC 9110 says
    return document.last_modified <= stamp


def answer(request: Request, document: Document) -> Reply:
    """200 with the document, or 304 without a body; validators on both."""
    if request.method not in ("GET", "HEAD"):
        reply = Reply(405, b'{"error":"Method Not Allowed"}', FEED_JSON)
        reply.headers.append(("Allow", "GET, HEAD"))
        return reply
    headers = [
        ("ETag", document.etag),
        ("Last-Modified", formatdate(document.last_modified, usegmt=True)),
        ("Cache-Control", "public, max-age=60"),
    ]
    if not_modified(request, document):
        return Reply(304, b"", FEED_JSON, headers)
    return Reply(200, document.body, FEED_JSON, headers)
