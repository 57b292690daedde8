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
from exporter.cache import SnapshotCache
from exporter.collector import status_families
from exporter.config import ApiConfig, CacheConfig, FeedConfig
from exporter.deadline import Deadline
from exporter.model.window import AdobeRecord
from exporter.secret import Secret
from exporter.sources import Source
from exporter.sources.feed.feed_source import FeedSource
from exporter.upstream_metrics import UpstreamMetrics
from exporter.web.app import ExporterApp
from exporter.web.page import PageInfo

if TYPE_CHECKING:
    from exporter.sources.api.token import TokenProvider


@dataclass
class Service:
    app: ExporterApp
    cache: SnapshotCache
    metrics: UpstreamMetrics
    timeout: float  # seconds per upstream request
    closers: tuple[Callable[[], None], ...]
    tokens: TokenProvider | None = None  # None with the feed: it needs no token
    # Every secret the process holds now (none with the feed), for the log redactor.
    secrets: Callable[[], tuple[Secret, ...]] = tuple
    # Adobe's record since an instant (`history`, `backfill`): the source's `record`
    # (deadline, since, replay_from or None).
    record: Callable[[Deadline, float, float | None], AdobeRecord] | None = None

    @property
    def token_expiry(self) -> float | None:
        """When the cached token expires (None with the feed, or before the first token)."""
        return None if self.tokens is None else self.tokens.expires_at

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
    upstream: ApiConfig | FeedConfig,
    cache_config: CacheConfig,
    *,
    secret_source: Callable[[], Secret] | None = None,
    demo: bool = False,
    clock: Callable[[], float] = time.time,
) -> Service:
    """The service for the Status API (an ApiConfig) or the public feed (a FeedConfig)."""
    if isinstance(upstream, FeedConfig):
        return _feed_service(upstream, cache_config, demo=demo, clock=clock)
    # Imported here: the token provider brings in Authlib (about 13 MB of memory), which
    # the feed source, needing no token, does without.
    from exporter.sources.api.api_source import ApiSource
    from exporter.sources.api.client import StatusClient
    from exporter.sources.api.text_cache import TextCache, api_fetch
    from exporter.sources.api.token import TokenProvider

    metrics = UpstreamMetrics()
    client_secret = secret_source or (lambda: upstream.client_secret)
    tokens = TokenProvider(upstream, metrics, secret_source=client_secret, clock=clock)
    client = StatusClient(upstream, tokens, metrics, clock=clock)

    def secrets() -> tuple[Secret, ...]:  # masked in logs and in Adobe's texts alike
        return (client_secret(), *tokens.current_values())

    texts = TextCache(
        api_fetch(client, secrets),
        cache_config.locale,
        backoff_ceiling=cache_config.registry_ttl,
        clock=clock,
    )
    source = ApiSource(client, cache_config, metrics, clock=clock, texts=texts)
    info = PageInfo(
        version=__version__, upstream_url=upstream.api_url, demo=demo, locale=cache_config.locale
    )
    app, cache = _app_and_cache(
        source, cache_config, metrics, lambda: tokens.expires_at, info, clock=clock
    )
    closers = (source.close, tokens.close)
    return Service(app, cache, metrics, upstream.timeout, closers, tokens, secrets, source.record)


def _feed_service(
    feed: FeedConfig, cache_config: CacheConfig, *, demo: bool, clock: Callable[[], float]
) -> Service:
    metrics = UpstreamMetrics(feed=True)
    source = FeedSource(feed, cache_config, metrics, clock=clock)
    info = PageInfo(
        version=__version__,
        upstream_url=feed.feed_url,
        demo=demo,
        locale=cache_config.locale,
        source="feed",
    )
    app, cache = _app_and_cache(source, cache_config, metrics, lambda: None, info, clock=clock)
    return Service(app, cache, metrics, feed.timeout, (source.close,), record=source.record)


def _app_and_cache(
    source: Source,
    cache_config: CacheConfig,
    metrics: UpstreamMetrics,
    token_expiry: Callable[[], float | None],
    info: PageInfo,
    *,
    clock: Callable[[], float],
) -> tuple[ExporterApp, SnapshotCache]:
    """What both sources share: the cache over the source, and the web app over the cache."""
    cache = SnapshotCache(source, status_families, cache_config, clock=clock)
    return ExporterApp(cache, metrics, token_expiry, info), cache
