"""`serve`: /metrics, the status page, /-/healthy and /-/ready until SIGTERM."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

import click

from exporter import __version__
from exporter.cli.configs import (
    Freshness,
    LogOptions,
    UpstreamOptions,
    WebOptions,
    cache_ttl_for,
    say_ignored,
    upstream_for,
)
from exporter.cli.declare import SectionedCommand
from exporter.cli.options import DEMO, FRESHNESS, LOCALE, LOG, SELECTION, UPSTREAM, WEB
from exporter.config import CacheConfig, ConfigError, FeedConfig, Selection
from exporter.logs import setup_logging
from exporter.memory import return_large_buffers
from exporter.secret import SecretFile
from exporter.web.server import ExporterHTTPServer
from exporter.wiring import build_service

log = logging.getLogger("exporter")
PAST_DAYS = 30.0  # the status page's "Last 30 days"


@click.command(cls=SectionedCommand, short_help="Serve /metrics and the status page.")
@WEB
@DEMO.option()
@UPSTREAM.but(
    "client_secret_file",
    help="File holding the client secret (read at start and on SIGHUP; trailing newline stripped).",
)
@SELECTION
@LOCALE.option()
@FRESHNESS
@LOG
def serve(
    web: WebOptions,
    demo: bool,
    upstream: UpstreamOptions,
    selection: Selection,
    locale: str,
    freshness: Freshness,
    log_options: LogOptions,
) -> None:
    """Serve /metrics, the status page /, /-/healthy and /-/ready until SIGTERM."""
    collector = CacheConfig(
        selection=selection,
        cache_ttl=cache_ttl_for(upstream.source, freshness.cache_ttl),
        registry_ttl=freshness.registry_ttl,
        max_stale=freshness.max_stale,
        locale=locale,
        past_days=PAST_DAYS,
    )
    margin = freshness.token_refresh_margin
    with upstream_for(upstream, demo, margin) as (config, secret_file):
        service = build_service(config, collector, secret_source=secret_file, demo=demo)
        setup_logging(log_options.level.lower(), log_options.format.lower(), service.secrets)
        say_ignored(upstream)
        try:
            server = ExporterHTTPServer(service.app, web.listen_address, web.config)
        except OSError as error:
            raise ConfigError(
                f"--web.listen-address (ADOBE_STATUS_EXPORTER_LISTEN_ADDRESS): cannot listen "
                f"on {web.listen_address}: {error.strerror or error}"
            ) from None
        _handle_signals(server.shutdown, secret_file)
        return_large_buffers()  # RSS stays flat over a long-running serve (exporter/memory.py)
        log.info(
            "adobe-status-exporter %s: status page %s/, metrics %s/metrics, upstream %s%s",
            __version__,
            server.url,
            server.url,
            config.feed_url if isinstance(config, FeedConfig) else config.api_url,
            " (embedded simulator)" if demo else "",
        )
        service.warm_up()
        try:
            server.serve_forever()
        finally:
            service.close()
        log.info("stopped")


def _handle_signals(stop: Callable[[], None], secret_file: SecretFile | None) -> None:
    def on_stop(signum: int, frame: object) -> None:
        log.info("received %s, shutting down", signal.Signals(signum).name)
        # shutdown() waits for serve_forever to return: never call it on that thread.
        threading.Thread(target=stop, name="shutdown", daemon=True).start()

    def on_hup(signum: int, frame: object) -> None:
        if secret_file is None:
            log.info("SIGHUP: no secret file to reload")
            return
        try:
            changed = secret_file.reload()
        except (OSError, UnicodeDecodeError) as error:
            log.error(
                "SIGHUP: cannot re-read %s (%s); keeping the current secret",
                secret_file.path,
                getattr(error, "strerror", None) or type(error).__name__,
            )
            return
        log.info(
            "SIGHUP: client secret re-read from %s (%s)",
            secret_file.path,
            "changed" if changed else "unchanged",
        )

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGHUP, on_hup)
