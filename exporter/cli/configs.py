"""The typed objects the option groups fill, and from them the config objects.

The option groups (exporter.cli.options) hand each command typed values: a `Selection`,
an `UpstreamOptions`, a `Freshness`, `WebOptions`, `LogOptions`. Credentials are read here (the secret file included);
with --demo, the upstream is an embedded simulator started here and stopped when the
command ends.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from exporter.config import (
    DEFAULT_API_KEY,
    DEFAULT_CACHE_TTL,
    DEFAULT_TOKEN_REFRESH_MARGIN,
    ApiConfig,
    ConfigError,
    FeedConfig,
    check_url,
)
from exporter.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from exporter.secret import Secret, SecretFile
from exporter.web.web_config import WebConfig

log = logging.getLogger("exporter")


@dataclass(frozen=True)
class UpstreamOptions:
    """Where Adobe is and how to reach it, as the options give it (the secret still unread)."""

    source: str
    feed_url: str
    client_id: str | None
    client_secret: str | None
    client_secret_file: str | None
    scopes: str
    ims_token_url: str
    api_url: str
    api_key: str
    timeout: float

    def ignored_credentials(self) -> list[str]:
        """The credential options given although --source feed needs none."""
        if self.source != "feed":
            return []
        given = [
            flag
            for flag, value in (
                ("--client-id", self.client_id),
                ("--client-secret", self.client_secret),
                ("--client-secret-file", self.client_secret_file),
            )
            if value
        ]
        if self.api_key != DEFAULT_API_KEY:
            given.append("--api-key")
        return given


@dataclass(frozen=True)
class Freshness:
    """How long answers are trusted (serve only); cache_ttl None: the source's default."""

    cache_ttl: float | None
    registry_ttl: float
    max_stale: float
    token_refresh_margin: float


@dataclass(frozen=True)
class WebOptions:
    """Where serve listens, and its TLS and basic auth (the web config file, loaded)."""

    listen_address: str
    config: WebConfig | None


@dataclass(frozen=True)
class SimulatorOptions:
    """What `simulate` serves: where, which scenario, and the client its IMS accepts."""

    listen_address: str
    seed: int
    scale: str
    expires_in: int
    client_id: str
    client_secret: str
    throttle: bool


@dataclass(frozen=True)
class LogOptions:
    """--log.level and --log.format as given (any case)."""

    level: str
    format: str


def cache_ttl_for(source: str, cache_ttl: float | None) -> float:
    """--cache-ttl as given (0 included), else the source's default."""
    return DEFAULT_CACHE_TTL[source] if cache_ttl is None else cache_ttl


def say_ignored(upstream: UpstreamOptions) -> None:
    ignored = upstream.ignored_credentials()
    if ignored:
        log.warning(
            "--source feed needs no credential: ignoring %s (sent nowhere)", ", ".join(ignored)
        )


def read_secret(upstream: UpstreamOptions) -> tuple[Secret, SecretFile | None]:
    """The client secret and, when it comes from a file, that file (re-read on SIGHUP)."""
    path = upstream.client_secret_file
    if not path:
        return Secret(upstream.client_secret or ""), None
    try:
        secret_file = SecretFile(path)
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise ConfigError(
            f"--client-secret-file (ADOBE_CLIENT_SECRET_FILE): cannot read {path}: {reason}"
        ) from None
    return secret_file(), secret_file


@contextmanager
def upstream_for(
    given: UpstreamOptions,
    demo: bool,
    # check renews no token: it asks once and ends.
    token_refresh_margin: float = DEFAULT_TOKEN_REFRESH_MARGIN,
) -> Iterator[tuple[ApiConfig | FeedConfig, SecretFile | None]]:
    """The real upstream from the options, or the embedded simulator with --demo.

    With --source feed: the public feed (or the simulator's copy of it), no credential read.
    """
    check_url("--feed-url (ADOBE_STATUS_FEED_URL)", given.feed_url)
    if given.source == "feed":
        with _feed_for(given, demo) as feed:
            yield feed, None
        return

    def config(client_id: str, secret: Secret, ims_token_url: str, api_url: str) -> ApiConfig:
        return ApiConfig(
            client_id=client_id,
            client_secret=secret,
            scopes=given.scopes,
            ims_token_url=ims_token_url,
            api_url=api_url,
            api_key=given.api_key,
            timeout=given.timeout,
            token_refresh_margin=token_refresh_margin,
        )

    if not demo:
        secret, secret_file = read_secret(given)
        client_id = given.client_id or ""
        yield config(client_id, secret, given.ims_token_url, given.api_url), secret_file
        return
    from exporter.simulator import Simulator, SimulatorServer

    simulator = Simulator(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET)
    with SimulatorServer(simulator, host="127.0.0.1", port=0) as sim:
        demo_secret = Secret(DEMO_CLIENT_SECRET)
        yield config(DEMO_CLIENT_ID, demo_secret, sim.ims_token_url, sim.api_url), None


@contextmanager
def _feed_for(given: UpstreamOptions, demo: bool) -> Iterator[FeedConfig]:
    if not demo:
        yield FeedConfig(feed_url=given.feed_url, timeout=given.timeout)
        return
    from exporter.simulator import Simulator, SimulatorServer

    with SimulatorServer(Simulator(), host="127.0.0.1", port=0) as sim:
        yield FeedConfig(feed_url=sim.feed_url, timeout=given.timeout)
