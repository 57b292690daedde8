"""From the options to the config objects: the selection, the cache lifetime, the upstream.

Credentials are read here (the secret file included); with --demo, the upstream is an
embedded simulator started here and stopped when the command ends.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from exporter.config import (
    DEFAULT_API_KEY,
    DEFAULT_CACHE_TTL,
    DEFAULT_TOKEN_REFRESH_MARGIN,
    ConfigError,
    FeedConfig,
    Selection,
    UpstreamConfig,
    check_url,
)
from exporter.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from exporter.secret import Secret, SecretFile

log = logging.getLogger("exporter")


def selection_from(params: dict[str, Any]) -> Selection:
    return Selection(
        products=tuple(params["products"]),
        clouds=tuple(params["clouds"]),
        regions=tuple(params["regions"]),
    )


def cache_ttl_for(params: dict[str, Any]) -> float:
    """--cache-ttl as given (0 included), else the source's default."""
    given: float | None = params["cache_ttl"]
    return DEFAULT_CACHE_TTL[params["source"]] if given is None else given


# Options that only the Status API uses: given with --source feed, they are ignored.
_CREDENTIAL_OPTIONS = {
    "client_id": "--client-id",
    "client_secret": "--client-secret",
    "client_secret_file": "--client-secret-file",
}


def ignored_credentials(params: dict[str, Any]) -> list[str]:
    """The credential options given although --source feed needs none."""
    if params["source"] != "feed":
        return []
    given = [flag for name, flag in _CREDENTIAL_OPTIONS.items() if params.get(name)]
    if params.get("api_key") not in (None, DEFAULT_API_KEY):
        given.append("--api-key")
    return given


def say_ignored(params: dict[str, Any]) -> None:
    ignored = ignored_credentials(params)
    if ignored:
        log.warning(
            "--source feed needs no credential: ignoring %s (sent nowhere)", ", ".join(ignored)
        )


def read_secret(params: dict[str, Any]) -> tuple[Secret, SecretFile | None]:
    """The client secret and, when it comes from a file, that file (re-read on SIGHUP)."""
    path = params["client_secret_file"]
    if not path:
        return Secret(params["client_secret"] or ""), None
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
    params: dict[str, Any], demo: bool
) -> Iterator[tuple[UpstreamConfig | FeedConfig, SecretFile | None]]:
    """The real upstream from the options, or the embedded simulator with --demo.

    With --source feed: the public feed (or the simulator's copy of it), no credential read.
    """
    check_url("--feed-url (ADOBE_STATUS_FEED_URL)", params["feed_url"])
    if params["source"] == "feed":
        with _feed_for(params, demo) as feed:
            yield feed, None
        return

    def config(client_id: str, secret: Secret, ims_token_url: str, api_url: str) -> UpstreamConfig:
        return UpstreamConfig(
            client_id=client_id,
            client_secret=secret,
            scopes=params["scopes"],
            ims_token_url=ims_token_url,
            api_url=api_url,
            api_key=params["api_key"],
            timeout=params["timeout"],
            # check renews no token: it asks once and ends.
            token_refresh_margin=params.get("token_refresh_margin", DEFAULT_TOKEN_REFRESH_MARGIN),
        )

    if not demo:
        secret, secret_file = read_secret(params)
        client_id = params["client_id"] or ""
        yield config(client_id, secret, params["ims_token_url"], params["api_url"]), secret_file
        return
    from exporter.simulator import Simulator, SimulatorServer

    simulator = Simulator(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET)
    with SimulatorServer(simulator, host="127.0.0.1", port=0) as sim:
        demo_secret = Secret(DEMO_CLIENT_SECRET)
        yield config(DEMO_CLIENT_ID, demo_secret, sim.ims_token_url, sim.api_url), None


@contextmanager
def _feed_for(params: dict[str, Any], demo: bool) -> Iterator[FeedConfig]:
    if not demo:
        yield FeedConfig(feed_url=params["feed_url"], timeout=params["timeout"])
        return
    from exporter.simulator import Simulator, SimulatorServer

    with SimulatorServer(Simulator(), host="127.0.0.1", port=0) as sim:
        yield FeedConfig(feed_url=sim.feed_url, timeout=params["timeout"])
