"""The wiring: builds the Service (the upstream source, cache and web app) from its configuration.

One of two sources, chosen by the configuration: the Status API (a token provider and
the API client) or the public feed (no credential). Both collect into the same StatusReport,
so the cache, the metric families and the web app are shared.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exporter import __version__
from exporter.app import ExporterApp
from exporter.cache import SnapshotCache
from exporter.collector import status_families
from exporter.config import CacheConfig, FeedConfig, UpstreamConfig
from exporter.deadline import Deadline
from exporter.feed import AdobeFeed
from exporter.messages import MessageCache, api_fetch
from exporter.page import PageInfo
from exporter.secret import Secret
from exporter.upstream_metrics import UpstreamMetrics

if TYPE_CHECKING:
    from exporter.token import TokenProvider


@dataclass
class Service:
    app: ExporterApp
    cache: SnapshotCache
    metrics: UpstreamMetrics
    timeout: float  # seconds per upstream request
    closers: tuple[Callable[[], None], ...]
    tokens: TokenProvider | None = None  # None with the feed: it needs no token
    secret_source: Callable[[], Secret] | None = None

    @property
    def token_expiry(self) -> float | None:
        """When the cached token expires (None with the feed, or before the first token)."""
        return None if self.tokens is None else self.tokens.expires_at

    def secrets(self) -> tuple[Secret, ...]:
        """Every secret the process holds now, for the log redactor."""
        if self.tokens is None or self.secret_source is None:
            return ()
        return (self.secret_source(), *self.tokens.current_values())

    def warm_up(self) -> threading.Thread:
        """Collect once in the background so /-/ready turns 200 without waiting for a scrape."""
        thread = threading.Thread(
            target=self.cache.view,
            args=(Deadline.after(self.timeout * 4),),
            name="first-collection",
            daemon=True,
        )
        thread.start()
        return thread

    def close(self) -> None:
        for close in self.closers:
            close()


def build_service(
    upstream: UpstreamConfig | FeedConfig,
    cache_config: CacheConfig,
    *,
    secret_source: Callable[[], Secret] | None = None,
    demo: bool = False,
    clock: Callable[[], float] = time.time,
) -> Service:
    """The service for the Status API (an UpstreamConfig) or the public feed (a FeedConfig)."""
    if isinstance(upstream, FeedConfig):
        return _feed_service(upstream, cache_config, demo=demo, clock=clock)
    # Imported here: the token provider brings in Authlib (about 13 MB of memory), which
    # the feed source, needing no token, does without.
    from exporter.client import StatusClient
    from exporter.token import TokenProvider
    from exporter.upstream import AdobeStatus

    metrics = UpstreamMetrics()
    source = secret_source or (lambda: upstream.client_secret)
    tokens = TokenProvider(upstream, metrics, secret_source=source, clock=clock)
    client = StatusClient(upstream, tokens, metrics, clock=clock)

    def secrets() -> tuple[Secret, ...]:  # as Service.secrets: masked in Adobe's texts too
        return (source(), *tokens.current_values())

    texts = MessageCache(api_fetch(client, secrets), cache_config.locale, clock=clock)
    adobe = AdobeStatus(client, cache_config, metrics, clock=clock, texts=texts)
    cache = SnapshotCache(
        adobe.collect, status_families, cache_config, retry_at=lambda: client.retry_at, clock=clock
    )
    app = ExporterApp(
        cache,
        metrics,
        lambda: tokens.expires_at,
        PageInfo(
            version=__version__, api_url=upstream.api_url, demo=demo, locale=cache_config.locale
        ),
    )
    return Service(
        app, cache, metrics, upstream.timeout, (client.close, tokens.close), tokens, source
    )


def _feed_service(
    feed: FeedConfig, cache_config: CacheConfig, *, demo: bool, clock: Callable[[], float]
) -> Service:
    metrics = UpstreamMetrics(feed=True)
    adobe = AdobeFeed(feed, cache_config, metrics, clock=clock)
    cache = SnapshotCache(
        adobe.collect, status_families, cache_config, retry_at=lambda: adobe.retry_at, clock=clock
    )
    app = ExporterApp(
        cache,
        metrics,
        lambda: None,
        PageInfo(version=__version__, api_url=feed.feed_url, demo=demo, locale=cache_config.locale),
    )
    return Service(app, cache, metrics, feed.timeout, (adobe.close,))
