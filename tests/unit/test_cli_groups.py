"""Each option group hands its command one typed object built from the flags and the
environment: what the user gives is what reaches the config objects."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from exporter.cli.configs import Freshness, UpstreamOptions, upstream_for
from exporter.cli.options import FRESHNESS, SELECTION, UPSTREAM
from exporter.config import (
    DEFAULT_API_KEY,
    DEFAULT_FEED_URL,
    DEFAULT_IMS_TOKEN_URL,
    DEFAULT_SCOPES,
    ApiConfig,
    Selection,
)
from tests.support.process import clean_env


def given(*args: str, **environ: str) -> dict[str, object]:
    """What a command taking the three groups receives, from `args` and `environ`."""
    seen: dict[str, object] = {}

    @click.command()
    @UPSTREAM
    @SELECTION
    @FRESHNESS
    def command(upstream: UpstreamOptions, selection: Selection, freshness: Freshness) -> None:
        seen.update(upstream=upstream, selection=selection, freshness=freshness)

    result = CliRunner().invoke(command, list(args), env=clean_env(**environ))
    assert result.exit_code == 0, result.output
    return seen


def test_selection_comes_from_flags_and_comma_separated_environment() -> None:
    seen = given("--product", "Acrobat", "--product", "Photoshop", ADOBE_STATUS_REGIONS="na, eu")
    assert seen["selection"] == Selection(products=("Acrobat", "Photoshop"), regions=("na", "eu"))


def test_freshness_takes_each_duration_and_leaves_cache_ttl_to_the_source() -> None:
    seen = given("--registry-ttl", "60", "--max-stale=0", ADOBE_STATUS_TOKEN_REFRESH_MARGIN="42")
    assert seen["freshness"] == Freshness(
        cache_ttl=None, registry_ttl=60.0, max_stale=0.0, token_refresh_margin=42.0
    )


def test_upstream_options_and_the_token_refresh_margin_reach_the_upstream_config(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    seen = given(
        "--client-id", "me", "--client-secret-file", str(secret), "--timeout", "7",
        ADOBE_STATUS_API_URL="https://status.example/api",
    )  # fmt: skip
    upstream = seen["upstream"]
    assert upstream == UpstreamOptions(
        source="api",
        feed_url=DEFAULT_FEED_URL,
        client_id="me",
        client_secret=None,
        client_secret_file=str(secret),
        scopes=DEFAULT_SCOPES,
        ims_token_url=DEFAULT_IMS_TOKEN_URL,
        api_url="https://status.example/api",
        api_key=DEFAULT_API_KEY,
        timeout=7.0,
    )
    assert isinstance(upstream, UpstreamOptions)
    with upstream_for(upstream, demo=False, token_refresh_margin=42.0) as (config, secret_file):
        assert isinstance(config, ApiConfig)
        assert config.client_secret.reveal() == "s3cret"
        assert config.api_url == "https://status.example/api"
        assert (config.client_id, config.timeout, config.token_refresh_margin) == ("me", 7.0, 42.0)
        assert secret_file is not None and secret_file.path == secret
