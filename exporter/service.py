"""Wires the parts together: token provider, client, collection, cache and web app."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from exporter import __version__
from exporter.app import ExporterApp
from exporter.cache import SnapshotCache
from exporter.client import StatusClient
from exporter.collector import status_families
from exporter.config import CollectorConfig, UpstreamConfig
from exporter.deadline import Deadline
from exporter.messages import MessageCache, api_fetch
from exporter.page import PageInfo
from exporter.secret import Secret
from exporter.token import TokenProvider
from exporter.upstream import AdobeStatus
from exporter.upstream_metrics import UpstreamMetrics


@dataclass
class Service:
    app: ExporterApp
    cache: SnapshotCache
    tokens: TokenProvider
    client: StatusClient
    metrics: UpstreamMetrics
    upstream: UpstreamConfig
    secret_source: Callable[[], Secret]

    def secrets(self) -> tuple[Secret, ...]:
        """Every secret the process holds now, for the log redactor."""
        return (self.secret_source(), *self.tokens.current_values())

    def warm_up(self) -> threading.Thread:
        """Collect once in the background so /-/ready turns 200 without waiting for a scrape."""
        thread = threading.Thread(
            target=self.cache.view,
            args=(Deadline.after(self.upstream.timeout * 4),),
            name="first-collection",
            daemon=True,
        )
        thread.start()
        return thread

    def close(self) -> None:
        self.client.close()
        self.tokens.close()


def build_service(
    upstream: UpstreamConfig,
    collector: CollectorConfig,
    *,
    secret_source: Callable[[], Secret] | None = None,
    demo: bool = False,
    clock: Callable[[], float] = time.time,
) -> Service:
    metrics = UpstreamMetrics()
    source = secret_source or (lambda: upstream.client_secret)
    tokens = TokenProvider(upstream, metrics, secret_source=source, clock=clock)
    client = StatusClient(upstream, tokens, metrics, clock=clock)

    def secrets() -> tuple[Secret, ...]:  # as Service.secrets: masked in Adobe's texts too
        return (source(), *tokens.current_values())

    texts = MessageCache(api_fetch(client, secrets), collector.locale, clock=clock)
    adobe = AdobeStatus(client, collector, metrics, clock=clock, texts=texts)
    cache = SnapshotCache(
        adobe.collect, status_families, collector, retry_at=lambda: client.retry_at, clock=clock
    )
    app = ExporterApp(
        cache,
        metrics,
        lambda: tokens.expires_at,
        PageInfo(version=__version__, api_url=upstream.api_url, demo=demo, locale=collector.locale),
    )
    return Service(app, cache, tokens, client, metrics, upstream, source)
