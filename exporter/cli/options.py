"""The options, grouped per concern; each command lists the groups it takes.

Groups: `upstream_options` (where Adobe is: --source, the feed URL, the Status API and its
credentials, --timeout, the secret file), `selection_options` (products, clouds, regions),
`freshness_options` (cache lifetimes, serve only), `web_options` (listen address and web
config, serve only) and `log_options`. The order given is the order --help lists.

The upstream, selection and freshness groups hand the command one typed object each
(`upstream: UpstreamOptions`, `selection: Selection`, `freshness: Freshness`), built from
their options as click parses them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from exporter.cli.configs import Freshness, UpstreamOptions
from exporter.cli.types import AliasedOption, CommaList, Duration, ListenAddress, WebConfigFile, env
from exporter.config import (
    CACHE_TTL_RANGE,
    DEFAULT_API_KEY,
    DEFAULT_API_URL,
    DEFAULT_CACHE_TTL,
    DEFAULT_FEED_URL,
    DEFAULT_IMS_TOKEN_URL,
    DEFAULT_LISTEN_ADDRESS,
    DEFAULT_SCOPES,
    MAX_STALE_RANGE,
    REGISTRY_TTL_RANGE,
    SOURCES,
    TIMEOUT_RANGE,
    TOKEN_REFRESH_MARGIN_RANGE,
    Seconds,
    Selection,
)
from exporter.logs import FORMATS, LEVELS

# The program's name, in usage lines and error messages.
PROG = "adobe-status-exporter"

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def options(*decorators: Decorator) -> Decorator:
    """Apply option decorators in the order given (the order --help lists them)."""

    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


def _secret_file_option(help_text: str) -> Decorator:
    return click.option(
        "--client-secret-file",
        type=click.Path(dir_okay=False),
        help=help_text,
        **env("ADOBE_CLIENT_SECRET_FILE"),
    )


def duration_option(
    flag: str, limits: Seconds, default: float | None, help_text: str, envvar: str
) -> Decorator:
    return click.option(
        flag,
        type=Duration(limits),
        default=default,
        show_default=default is not None,
        help=f"{help_text} Range {limits}.",
        **env(envvar),
    )


# Where Adobe is and how to reach it: serve and check.
_UPSTREAM = options(
    click.option(
        "--source",
        type=click.Choice(SOURCES),
        default="api",
        show_default=True,
        help="Where statuses come from: api (the Status API, credentials required) or "
        "feed (the public feed status.adobe.com reads; no credentials, none sent).",
        **env("ADOBE_STATUS_SOURCE"),
    ),
    click.option(
        "--feed-url",
        default=DEFAULT_FEED_URL,
        show_default=True,
        help="Base URL of the public feed (/StatusEvents and /SnowServiceRegistry "
        "beneath); with --source feed.",
        **env("ADOBE_STATUS_FEED_URL"),
    ),
    click.option(
        "--client-id",
        help="OAuth server-to-server client id from the Adobe Developer Console.",
        **env("ADOBE_CLIENT_ID"),
    ),
    click.option(
        "--client-secret",
        help="Client secret. Prefer the environment variable "
        "or --client-secret-file: a flag shows in the process list.",
        **env("ADOBE_CLIENT_SECRET"),
    ),
    click.option(
        "--scopes",
        default=DEFAULT_SCOPES,
        show_default=True,
        help="Comma-separated OAuth scopes.",
        **env("ADOBE_SCOPES"),
    ),
    click.option(
        "--ims-token-url",
        default=DEFAULT_IMS_TOKEN_URL,
        show_default=True,
        help="Adobe IMS token endpoint.",
        **env("ADOBE_IMS_TOKEN_URL"),
    ),
    click.option(
        "--api-url",
        default=DEFAULT_API_URL,
        show_default=True,
        help="Adobe Status API base URL.",
        **env("ADOBE_STATUS_API_URL"),
    ),
    click.option(
        "--api-key",
        default=DEFAULT_API_KEY,
        show_default=True,
        help="Status API key (sent as api_key and x-api-key).",
        **env("ADOBE_STATUS_API_KEY"),
    ),
    duration_option(
        "--timeout",
        TIMEOUT_RANGE,
        10.0,
        "Seconds per upstream request; a scrape never runs past its "
        "X-Prometheus-Scrape-Timeout-Seconds less 0.5 s.",
        "ADOBE_STATUS_TIMEOUT",
    ),
)


def upstream_options(secret_file_help: str) -> Decorator:
    """The upstream options and --client-secret-file; the command takes `upstream`."""

    def wrap(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def given(
            *,
            source: str,
            feed_url: str,
            client_id: str | None,
            client_secret: str | None,
            client_secret_file: str | None,
            scopes: str,
            ims_token_url: str,
            api_url: str,
            api_key: str,
            timeout: float,
            **rest: Any,
        ) -> Any:
            upstream = UpstreamOptions(
                source=source,
                feed_url=feed_url,
                client_id=client_id,
                client_secret=client_secret,
                client_secret_file=client_secret_file,
                scopes=scopes,
                ims_token_url=ims_token_url,
                api_url=api_url,
                api_key=api_key,
                timeout=timeout,
            )
            return command(upstream=upstream, **rest)

        return options(_UPSTREAM, _secret_file_option(secret_file_help))(given)

    return wrap


# Which statuses to report: serve and check.
_SELECTION = options(
    click.option(
        "--product",
        "products",
        type=CommaList(),
        multiple=True,
        help="Watch only this product (id or exact name); repeatable. Default: all products.",
        **env("ADOBE_STATUS_PRODUCTS"),
    ),
    click.option(
        "--cloud",
        "clouds",
        type=CommaList(),
        multiple=True,
        help="Watch only this cloud (id or exact name); repeatable. Default: all clouds.",
        **env("ADOBE_STATUS_CLOUDS"),
    ),
    click.option(
        "--region",
        "regions",
        type=CommaList(),
        multiple=True,
        help="Watch only this region (id or exact name); repeatable. Default: all regions.",
        **env("ADOBE_STATUS_REGIONS"),
    ),
)


def selection_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--product, --cloud, --region; the command takes `selection`."""

    @functools.wraps(command)
    def given(
        *,
        products: tuple[str, ...],
        clouds: tuple[str, ...],
        regions: tuple[str, ...],
        **rest: Any,
    ) -> Any:
        selection = Selection(
            products=tuple(products), clouds=tuple(clouds), regions=tuple(regions)
        )
        return command(selection=selection, **rest)

    return _SELECTION(given)


# How long answers are trusted: only a long-running serve keeps anything.
_FRESHNESS = options(
    duration_option(
        "--cache-ttl",
        CACHE_TTL_RANGE,
        None,  # depends on --source: see cache_ttl_for
        "Serve a collection this many seconds before asking Adobe again "
        "(0: every scrape asks; concurrent scrapes share one query). "
        f"Default: {DEFAULT_CACHE_TTL['api']:g} with --source api, "
        f"{DEFAULT_CACHE_TTL['feed']:g} with --source feed (the 8 MB feed at most once a "
        "minute; unchanged, it costs a 304).",
        "ADOBE_STATUS_CACHE_TTL",
    ),
    duration_option(
        "--registry-ttl",
        REGISTRY_TTL_RANGE,
        3600.0,
        "Seconds to cache the product and cloud registry.",
        "ADOBE_STATUS_REGISTRY_TTL",
    ),
    duration_option(
        "--max-stale",
        MAX_STALE_RANGE,
        300.0,
        "While Adobe fails, keep serving the last good statuses this many "
        "seconds (with adobe_status_up 0), then drop them.",
        "ADOBE_STATUS_MAX_STALE",
    ),
    duration_option(
        "--token-refresh-margin",
        TOKEN_REFRESH_MARGIN_RANGE,
        300.0,
        "Renew the access token this many seconds before it expires.",
        "ADOBE_STATUS_TOKEN_REFRESH_MARGIN",
    ),
)


def freshness_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The cache lifetimes and the token refresh margin; the command takes `freshness`."""

    @functools.wraps(command)
    def given(
        *,
        cache_ttl: float | None,
        registry_ttl: float,
        max_stale: float,
        token_refresh_margin: float,
        **rest: Any,
    ) -> Any:
        freshness = Freshness(
            cache_ttl=cache_ttl,
            registry_ttl=registry_ttl,
            max_stale=max_stale,
            token_refresh_margin=token_refresh_margin,
        )
        return command(freshness=freshness, **rest)

    return _FRESHNESS(given)


def log_options(default_level: str, level_help: str) -> Decorator:
    """--log.level and --log.format, the Prometheus exporters' names; v1's --log-level and
    --log-format still work as hidden aliases."""
    return options(
        click.option(
            "--log.level",
            "--log-level",
            "log_level",
            cls=AliasedOption,
            type=click.Choice(LEVELS, case_sensitive=False),
            default=default_level,
            show_default=True,
            help=level_help,
            **env("ADOBE_STATUS_LOG_LEVEL"),
        ),
        click.option(
            "--log.format",
            "--log-format",
            "log_format",
            cls=AliasedOption,
            type=click.Choice(FORMATS, case_sensitive=False),
            default="text",
            show_default=True,
            help="Log format: text, or json for one JSON object a line.",
            **env("ADOBE_STATUS_LOG_FORMAT"),
        ),
    )


# Where the exporter listens: serve only.
web_options = options(
    click.option(
        "--web.listen-address",
        "listen_address",
        type=ListenAddress(),
        default=DEFAULT_LISTEN_ADDRESS,
        show_default=True,
        help="Address to listen on ([::]:9720 style accepted).",
        **env("ADOBE_STATUS_EXPORTER_LISTEN_ADDRESS"),
    ),
    click.option(
        "--web.config.file",
        "web_config",
        type=WebConfigFile(dir_okay=False),
        help="Exporter-toolkit web config (tls_server_config, basic_auth_users).",
        **env("ADOBE_STATUS_EXPORTER_WEB_CONFIG_FILE"),
    ),
)
