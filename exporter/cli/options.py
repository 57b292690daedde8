"""Every option of the command line, declared once (see exporter.cli.declare).

Groups, each filling one typed object: `UPSTREAM` (where Adobe is: --source, the feed URL,
the credentials, the Status API, --timeout) -> `UpstreamOptions`; `SELECTION` (products,
clouds, regions) -> `Selection`; `FRESHNESS` (cache lifetimes, serve only) -> `Freshness`;
`WEB` (listen address and web config, serve only) -> `WebOptions`; `LOG` -> `LogOptions`
(as `log_options`).
`SIMULATOR` (the `simulate` command) -> `SimulatorOptions`. Single options: `DEMO`, `LOCALE`,
and for `history` and `backfill` `SINCE`, `STEP`, `OUTPUT`. A command takes the groups it needs, in the order its
--help lists them; `advanced=True` puts an option under "Advanced options".
"""

from __future__ import annotations

import click

from exporter.cli.configs import (
    Freshness,
    LogOptions,
    SimulatorOptions,
    UpstreamOptions,
    WebOptions,
)
from exporter.cli.declare import Group, Opt
from exporter.cli.types import (
    CommaList,
    Duration,
    ListenAddress,
    PrometheusDuration,
    WebConfigFile,
)
from exporter.config import (
    CACHE_TTL_RANGE,
    DEFAULT_API_KEY,
    DEFAULT_API_URL,
    DEFAULT_CACHE_TTL,
    DEFAULT_FEED_URL,
    DEFAULT_IMS_TOKEN_URL,
    DEFAULT_LISTEN_ADDRESS,
    DEFAULT_LOCALE,
    DEFAULT_SCOPES,
    DEFAULT_TOKEN_REFRESH_MARGIN,
    MAX_STALE_RANGE,
    REGISTRY_TTL_RANGE,
    SOURCES,
    STEP_RANGE,
    TIMEOUT_RANGE,
    TOKEN_REFRESH_MARGIN_RANGE,
    Selection,
)
from exporter.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from exporter.logs import FORMATS, LEVELS

# The program's name, in usage lines and error messages.
PROG = "adobe-status-exporter"

# Where Adobe is and how to reach it.
UPSTREAM = Group(
    "upstream",
    UpstreamOptions,
    (
        Opt(
            "--source",
            "source",
            "Where statuses come from: api (the Status API, credentials required) or feed "
            "(the public feed status.adobe.com reads; no credentials, none sent).",
            envvar="ADOBE_STATUS_SOURCE",
            type=click.Choice(SOURCES),
            default="api",
        ),
        Opt(
            "--client-id",
            "client_id",
            "OAuth server-to-server client id from the Adobe Developer Console.",
            envvar="ADOBE_CLIENT_ID",
        ),
        Opt(
            "--client-secret",
            "client_secret",
            "Client secret. Prefer the environment variable or --client-secret-file: "
            "a flag shows in the process list.",
            envvar="ADOBE_CLIENT_SECRET",
        ),
        Opt(
            "--client-secret-file",
            "client_secret_file",
            "File holding the client secret (trailing newline stripped).",
            envvar="ADOBE_CLIENT_SECRET_FILE",
            type=click.Path(dir_okay=False),
        ),
        Opt(
            "--feed-url",
            "feed_url",
            "Base URL of the public feed (/StatusEvents and /SnowServiceRegistry beneath); "
            "with --source feed.",
            envvar="ADOBE_STATUS_FEED_URL",
            default=DEFAULT_FEED_URL,
            advanced=True,
        ),
        Opt(
            "--scopes",
            "scopes",
            "Comma-separated OAuth scopes.",
            envvar="ADOBE_SCOPES",
            default=DEFAULT_SCOPES,
            advanced=True,
        ),
        Opt(
            "--ims-token-url",
            "ims_token_url",
            "Adobe IMS token endpoint.",
            envvar="ADOBE_IMS_TOKEN_URL",
            default=DEFAULT_IMS_TOKEN_URL,
            advanced=True,
        ),
        Opt(
            "--api-url",
            "api_url",
            "Adobe Status API base URL.",
            envvar="ADOBE_STATUS_API_URL",
            default=DEFAULT_API_URL,
            advanced=True,
        ),
        Opt(
            "--api-key",
            "api_key",
            "Status API key (sent as api_key and x-api-key).",
            envvar="ADOBE_STATUS_API_KEY",
            default=DEFAULT_API_KEY,
            advanced=True,
        ),
        Opt(
            "--timeout",
            "timeout",
            "Seconds per upstream request; a scrape never runs past its "
            "X-Prometheus-Scrape-Timeout-Seconds less 0.5 s.",
            envvar="ADOBE_STATUS_TIMEOUT",
            type=Duration(TIMEOUT_RANGE),
            default=10.0,
            advanced=True,
        ),
    ),
)

# Which statuses to report.
SELECTION = Group(
    "selection",
    Selection,
    tuple(
        Opt(
            f"--{what}",
            f"{what}s",
            f"Watch only this {what} (id or exact name); repeatable. Default: all {what}s.",
            envvar=f"ADOBE_STATUS_{what.upper()}S",
            type=CommaList(),
            multiple=True,
        )
        for what in ("product", "cloud", "region")
    ),
)

# How long answers are trusted: only a long-running serve keeps anything.
FRESHNESS = Group(
    "freshness",
    Freshness,
    (
        Opt(
            "--cache-ttl",
            "cache_ttl",
            "Serve a collection this many seconds before asking Adobe again "
            "(0: every scrape asks; concurrent scrapes share one query). "
            f"Default: {DEFAULT_CACHE_TTL['api']:g} with --source api, "
            f"{DEFAULT_CACHE_TTL['feed']:g} with --source feed (the 8 MB feed at most once a "
            "minute; unchanged, it costs a 304).",
            envvar="ADOBE_STATUS_CACHE_TTL",
            type=Duration(CACHE_TTL_RANGE),
            default=None,  # depends on --source: see cache_ttl_for
            advanced=True,
        ),
        Opt(
            "--registry-ttl",
            "registry_ttl",
            "Seconds to keep the catalog of products and clouds before asking for it again.",
            envvar="ADOBE_STATUS_REGISTRY_TTL",
            type=Duration(REGISTRY_TTL_RANGE),
            default=3600.0,
            advanced=True,
        ),
        Opt(
            "--max-stale",
            "max_stale",
            "While Adobe fails, keep serving the last good statuses this many seconds "
            "(with adobe_status_up 0), then drop them.",
            envvar="ADOBE_STATUS_MAX_STALE",
            type=Duration(MAX_STALE_RANGE),
            default=300.0,
            advanced=True,
        ),
        Opt(
            "--token-refresh-margin",
            "token_refresh_margin",
            "Renew the access token this many seconds before it expires.",
            envvar="ADOBE_STATUS_TOKEN_REFRESH_MARGIN",
            type=Duration(TOKEN_REFRESH_MARGIN_RANGE),
            default=DEFAULT_TOKEN_REFRESH_MARGIN,
            advanced=True,
        ),
    ),
)

# Where the exporter listens: serve only.
WEB = Group(
    "web",
    WebOptions,
    (
        Opt(
            "--web.listen-address",
            "listen_address",
            "Address to listen on ([::]:9720 style accepted).",
            envvar="ADOBE_STATUS_EXPORTER_LISTEN_ADDRESS",
            type=ListenAddress(),
            default=DEFAULT_LISTEN_ADDRESS,
        ),
        Opt(
            "--web.config.file",
            "config",
            "Exporter-toolkit web config (tls_server_config, basic_auth_users).",
            envvar="ADOBE_STATUS_EXPORTER_WEB_CONFIG_FILE",
            type=WebConfigFile(dir_okay=False),
            advanced=True,
        ),
    ),
)

# --log.level and --log.format, the Prometheus exporters' names; v1's --log-level and
# --log-format still work as hidden aliases.
LOG = Group(
    "log_options",
    LogOptions,
    (
        Opt(
            "--log.level",
            "level",
            "Log level.",
            envvar="ADOBE_STATUS_LOG_LEVEL",
            type=click.Choice(LEVELS, case_sensitive=False),
            default="info",
            aliases=("--log-level",),
        ),
        Opt(
            "--log.format",
            "format",
            "Log format: text, or json for one JSON object a line.",
            envvar="ADOBE_STATUS_LOG_FORMAT",
            type=click.Choice(FORMATS, case_sensitive=False),
            default="text",
            aliases=("--log-format",),
            advanced=True,
        ),
    ),
)

DEMO = Opt(
    "--demo",
    "demo",
    "Run against the embedded simulator of Adobe IMS and the Status API; needs no credentials.",
    is_flag=True,
)

LOCALE = Opt(
    "--locale",
    "locale",
    "Language of Adobe's event texts, a locale tag such as en, fr or ja; a text missing in "
    "it is shown in its language alone, then in en.",
    envvar="ADOBE_STATUS_LOCALE",
    default=DEFAULT_LOCALE,
    advanced=True,
)

# The simulator alone (`simulate`, `python -m exporter.simulator`).
SIMULATOR = Group(
    "simulator",
    SimulatorOptions,
    (
        Opt(
            "--web.listen-address",
            "listen_address",
            "Address for the simulated IMS and Status API.",
            envvar="ADOBE_STATUS_SIMULATOR_LISTEN_ADDRESS",
            type=ListenAddress(),
            default="127.0.0.1:9721",
        ),
        Opt(
            "--seed",
            "seed",
            "Seed of the simulated incidents and maintenances.",
            type=int,
            default=1,
        ),
        Opt(
            "--scale",
            "scale",
            "How much data to simulate.",
            type=click.Choice(["typical", "forty-day", "stress"]),
            default="typical",
        ),
        Opt(
            "--expires-in",
            "expires_in",
            "Lifetime of simulated access tokens, in seconds.",
            type=int,
            default=86399,
            advanced=True,
        ),
        Opt(
            "--client-id",
            "client_id",
            "Client id the simulated IMS accepts.",
            envvar="ADOBE_CLIENT_ID",
            default=DEMO_CLIENT_ID,
            advanced=True,
        ),
        Opt(
            "--client-secret",
            "client_secret",
            "Client secret the simulated IMS accepts (default: the demo secret).",
            envvar="ADOBE_CLIENT_SECRET",
            default=DEMO_CLIENT_SECRET,
            show_default=False,
            advanced=True,
        ),
        Opt(
            "--throttle/--no-throttle",
            "throttle",
            "Answer 429 past 50 requests per 5 s, like Adobe.",
            default=True,
            advanced=True,
        ),
    ),
)

SINCE = Opt(
    "--since",
    "since",
    "How far back: a Prometheus duration such as 90m, 12h, 30d or 1w. The public feed holds "
    "about 40 days.",
    envvar="ADOBE_STATUS_SINCE",
    type=PrometheusDuration(),
    default="30d",
)

STEP = Opt(
    "--step",
    "step",
    "Seconds between two samples (at most 300, Prometheus's lookback, so a series never "
    "goes stale between two samples).",
    envvar="ADOBE_STATUS_STEP",
    type=Duration(STEP_RANGE),
    default=60.0,
)

OUTPUT = Opt(
    "--output",
    "output",
    "Write to this file (default: standard output).",
    type=click.Path(dir_okay=False, writable=True),
)
