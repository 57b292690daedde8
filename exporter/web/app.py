"""The exporter's WSGI application: /metrics, /, /-/healthy and /-/ready."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qs

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.exposition import choose_encoder, gzip_accepted

from exporter.cache import SnapshotCache
from exporter.collector import scrape_registry
from exporter.deadline import Deadline
from exporter.snapshot import View
from exporter.upstream_metrics import UpstreamMetrics
from exporter.web.page import PageInfo, render_page

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Answer = tuple[str, list[tuple[str, str]], list[bytes]]

TEXT = [("Content-Type", "text/plain; charset=utf-8")]
OPENMETRICS: Final = "application/openmetrics-text"
EOF: Final = b"# EOF\n"


class ExporterApp:
    """Routes requests; a scrape asks the cache for a view and exposes it."""

    def __init__(
        self,
        cache: SnapshotCache,
        metrics: UpstreamMetrics,
        token_expiry: Callable[[], float | None],
        page_info: PageInfo,
    ) -> None:
        self._cache = cache
        self._metrics = metrics
        self._token_expiry = token_expiry
        self._page_info = page_info

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "HEAD":
            # What a GET would answer, without the body (a HEAD of /metrics collects too).
            answer = _buffered(self, {**environ, "REQUEST_METHOD": "GET"})
            start_response(answer[0], answer[1])
            return []
        if method != "GET":
            return _plain(
                start_response,
                "405 Method Not Allowed",
                "Method not allowed\n",
                [("Allow", "GET, HEAD")],
            )
        if path == "/metrics":
            return self.metrics(environ, start_response)
        if path == "/-/healthy":
            return _plain(start_response, "200 OK", "Healthy\n")
        if path == "/-/ready":
            if self._cache.first_attempt_done.is_set():
                return _plain(start_response, "200 OK", "Ready\n")
            return _plain(
                start_response, "503 Service Unavailable", "Not ready: first collection pending\n"
            )
        if path == "/":
            body = render_page(self._page_info, self._cache.latest, self._token_expiry()).encode()
            start_response(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return _plain(start_response, "404 Not Found", "Not found; try /metrics\n")

    def metrics(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        view = self._cache.view(Deadline.from_scrape(environ))
        snapshot = view.snapshot
        if snapshot is None or not _plain_scrape(environ):
            # prometheus_client's app does name[] filtering; it sends no Content-Length.
            answer = _buffered(make_wsgi_app(self._registry(view)), environ)
            start_response(answer[0], answer[1])
            return answer[2]
        # The same bytes prometheus_client's app would write (format negotiated from Accept,
        # gzip when asked), with the status families encoded once per collection.
        encode, content_type = choose_encoder(environ.get("HTTP_ACCEPT", ""))
        status = snapshot.encoded(content_type, encode)
        if content_type.startswith(OPENMETRICS):
            status = status.removesuffix(EOF)  # the per-scrape part ends the exposition
        # Two parts, not one joined copy: a stress-scale exposition is megabytes.
        parts = [status, encode(self._registry(view, with_status=False))]
        headers = [("Content-Type", content_type)]
        if gzip_accepted(environ.get("HTTP_ACCEPT_ENCODING", "")):
            parts = [gzip.compress(b"".join(parts))]
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(sum(len(part) for part in parts))))
        start_response("200 OK", headers)
        return parts

    def _registry(self, view: View, *, with_status: bool = True) -> CollectorRegistry:
        collector = self._metrics.collector
        return scrape_registry(view, self._token_expiry, collector, with_status=with_status)


def _plain_scrape(environ: WSGIEnvironment) -> bool:
    """A scrape of the whole exposition (no name[] filter)."""
    return "name[]" not in parse_qs(environ.get("QUERY_STRING", ""))


def _plain(
    start_response: StartResponse,
    status: str,
    text: str,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    body = text.encode()
    start_response(status, [*TEXT, ("Content-Length", str(len(body))), *(extra or [])])
    return [body]


def _buffered(app: WSGIApplication, environ: WSGIEnvironment) -> Answer:
    """Run `app` to the end: its status, its headers with Content-Length, and its body."""
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
    ) -> Callable[[bytes], object]:
        started.append((status, list(headers)))
        return lambda data: None  # the write() callable; no app here uses it

    chunks = app(environ, start_response)
    try:
        body = [bytes(chunk) for chunk in chunks]
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    status, headers = started[-1]
    if not any(name.lower() == "content-length" for name, _ in headers):
        headers.append(("Content-Length", str(sum(len(chunk) for chunk in body))))
    return status, headers, body
