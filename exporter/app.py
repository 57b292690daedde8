"""The exporter's WSGI application: /metrics, /, /-/healthy and /-/ready."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, make_wsgi_app

from exporter.cache import SnapshotCache
from exporter.collector import ScrapeCollector
from exporter.deadline import Deadline
from exporter.page import PageInfo, render_page
from exporter.upstream_metrics import UpstreamMetrics

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

TEXT = [("Content-Type", "text/plain; charset=utf-8")]


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
        if method not in ("GET", "HEAD"):
            return _plain(start_response, "405 Method Not Allowed", "Method not allowed\n")
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
        # Collectors here describe no names up front (that would mean collecting twice);
        # without this flag prometheus_client's name[] filter would skip them.
        registry = CollectorRegistry(auto_describe=False, support_collectors_without_names=True)
        registry.register(ScrapeCollector(view, self._token_expiry))
        registry.register(self._metrics.registry)
        # prometheus_client does the OpenMetrics negotiation, gzip and name[] filtering.
        return make_wsgi_app(registry)(environ, start_response)  # type: ignore[no-any-return]


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [*TEXT, ("Content-Length", str(len(body)))])
    return [body]
