"""Command line: serve, check and simulate. The only module that reads options and environment.

Bad configuration ends the program with exit code 2 and one line naming the option.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

import click
from prometheus_client import CollectorRegistry, generate_latest

from exporter import __version__
from exporter.cache import View
from exporter.collector import ScrapeCollector
from exporter.config import (
    DEFAULT_API_KEY,
    DEFAULT_API_URL,
    DEFAULT_IMS_TOKEN_URL,
    DEFAULT_LISTEN_ADDRESS,
    DEFAULT_SCOPES,
    CollectorConfig,
    ConfigError,
    Selection,
    UpstreamConfig,
)
from exporter.deadline import Deadline
from exporter.logs import FORMATS, LEVELS, setup_logging
from exporter.model import State
from exporter.secret import Secret, SecretFile
from exporter.server import ExporterHTTPServer, parse_listen_address
from exporter.service import build_service
from exporter.webconfig import WebConfigError, load_web_config

log = logging.getLogger("exporter")

PROG = "adobe-status-exporter"
DEMO_CLIENT_ID = "demo-client"
DEMO_CLIENT_SECRET = "demo-secret"  # noqa: S105 - the simulator's public demo credential


class CommaList(click.types.StringParamType):
    """A repeatable option whose environment variable is a comma-separated list."""

    envvar_list_splitter = ","

    def split_envvar_value(self, rv: str) -> list[str]:
        return [item.strip() for item in rv.split(",") if item.strip()]


class BadConfig(Exception):
    """Ends the program with exit code 2 and this one-line message."""


@dataclass(frozen=True)
class Options:
    upstream: dict[str, Any]
    collector: CollectorConfig
    listen_address: str
    web_config_file: str | None
    log_level: str
    log_format: str
    secret_file: str | None


def _env(name: str) -> dict[str, Any]:
    return {"envvar": name, "show_envvar": True}


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The upstream, selection and logging options shared by `serve` and `check`."""
    options = [
        click.option(
            "--client-id",
            help="OAuth server-to-server client id from the Adobe Developer Console.",
            **_env("ADOBE_CLIENT_ID"),
        ),
        click.option(
            "--client-secret",
            help="Client secret. Prefer the environment variable "
            "or --client-secret-file: a flag shows in the process list.",
            **_env("ADOBE_CLIENT_SECRET"),
        ),
        click.option(
            "--client-secret-file",
            type=click.Path(dir_okay=False),
            help="File holding the client secret (read at start and on SIGHUP; "
            "trailing newline stripped).",
            **_env("ADOBE_CLIENT_SECRET_FILE"),
        ),
        click.option(
            "--scopes",
            default=DEFAULT_SCOPES,
            show_default=True,
            help="Comma-separated OAuth scopes.",
            **_env("ADOBE_SCOPES"),
        ),
        click.option(
            "--ims-token-url",
            default=DEFAULT_IMS_TOKEN_URL,
            show_default=True,
            help="Adobe IMS token endpoint.",
            **_env("ADOBE_IMS_TOKEN_URL"),
        ),
        click.option(
            "--api-url",
            default=DEFAULT_API_URL,
            show_default=True,
            help="Adobe Status API base URL.",
            **_env("ADOBE_STATUS_API_URL"),
        ),
        click.option(
            "--api-key",
            default=DEFAULT_API_KEY,
            show_default=True,
            help="Status API key (sent as api_key and x-api-key).",
            **_env("ADOBE_STATUS_API_KEY"),
        ),
        click.option(
            "--product",
            "products",
            type=CommaList(),
            multiple=True,
            help="Watch only this product (id or exact name); repeatable. Default: all products.",
            **_env("ADOBE_STATUS_PRODUCTS"),
        ),
        click.option(
            "--cloud",
            "clouds",
            type=CommaList(),
            multiple=True,
            help="Watch only this cloud (id or exact name); repeatable. Default: all clouds.",
            **_env("ADOBE_STATUS_CLOUDS"),
        ),
        click.option(
            "--region",
            "regions",
            type=CommaList(),
            multiple=True,
            help="Watch only this region (id or exact name); repeatable. Default: all regions.",
            **_env("ADOBE_STATUS_REGIONS"),
        ),
        click.option(
            "--timeout",
            type=float,
            default=10.0,
            show_default=True,
            help="Seconds per upstream request; a scrape never runs past its "
            "X-Prometheus-Scrape-Timeout-Seconds less 0.5 s.",
            **_env("ADOBE_STATUS_TIMEOUT"),
        ),
        click.option(
            "--cache-ttl",
            type=float,
            default=0.0,
            show_default=True,
            help="Serve a collection this many seconds before asking Adobe again "
            "(0: every scrape asks; concurrent scrapes share one query).",
            **_env("ADOBE_STATUS_CACHE_TTL"),
        ),
        click.option(
            "--registry-ttl",
            type=float,
            default=3600.0,
            show_default=True,
            help="Seconds to cache the product and cloud registry.",
            **_env("ADOBE_STATUS_REGISTRY_TTL"),
        ),
        click.option(
            "--max-stale",
            type=float,
            default=300.0,
            show_default=True,
            help="While Adobe fails, keep serving the last good statuses this many "
            "seconds (with adobe_status_up 0), then drop them.",
            **_env("ADOBE_STATUS_MAX_STALE"),
        ),
        click.option(
            "--token-refresh-margin",
            type=float,
            default=300.0,
            show_default=True,
            help="Renew the access token this many seconds before it expires.",
            **_env("ADOBE_STATUS_TOKEN_REFRESH_MARGIN"),
        ),
        click.option(
            "--log-level",
            type=click.Choice(LEVELS, case_sensitive=False),
            default="info",
            show_default=True,
            help="Log level.",
            **_env("ADOBE_STATUS_LOG_LEVEL"),
        ),
        click.option(
            "--log-format",
            type=click.Choice(FORMATS, case_sensitive=False),
            default="text",
            show_default=True,
            help="Log format: text, or json for one JSON object a line.",
            **_env("ADOBE_STATUS_LOG_FORMAT"),
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def options_from(kwargs: dict[str, Any]) -> Options:
    try:
        collector = CollectorConfig(
            selection=Selection(
                products=tuple(kwargs["products"]),
                clouds=tuple(kwargs["clouds"]),
                regions=tuple(kwargs["regions"]),
            ),
            cache_ttl=kwargs["cache_ttl"],
            registry_ttl=kwargs["registry_ttl"],
            max_stale=kwargs["max_stale"],
        )
    except ConfigError as error:
        raise BadConfig(str(error)) from None
    upstream = {
        "client_id": kwargs["client_id"] or "",
        "scopes": kwargs["scopes"],
        "ims_token_url": kwargs["ims_token_url"],
        "api_url": kwargs["api_url"],
        "api_key": kwargs["api_key"],
        "timeout": kwargs["timeout"],
        "token_refresh_margin": kwargs["token_refresh_margin"],
        "client_secret": kwargs["client_secret"] or "",
    }
    return Options(
        upstream=upstream,
        collector=collector,
        listen_address=kwargs.get("listen_address") or DEFAULT_LISTEN_ADDRESS,
        web_config_file=kwargs.get("web_config_file"),
        log_level=kwargs["log_level"].lower(),
        log_format=kwargs["log_format"].lower(),
        secret_file=kwargs["client_secret_file"],
    )


def upstream_config(options: Options) -> tuple[UpstreamConfig, SecretFile | None]:
    """The validated upstream configuration and, when given, the secret file to watch."""
    values = dict(options.upstream)
    secret_file = None
    if options.secret_file:
        try:
            secret_file = SecretFile(options.secret_file)
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or type(error).__name__
            raise BadConfig(
                f"--client-secret-file (ADOBE_CLIENT_SECRET_FILE): cannot read "
                f"{options.secret_file}: {reason}"
            ) from None
        values["client_secret"] = secret_file()
    else:
        values["client_secret"] = Secret(values["client_secret"])
    try:
        return UpstreamConfig(**values), secret_file
    except ConfigError as error:
        raise BadConfig(str(error)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name=PROG)
def cli() -> None:
    """Prometheus exporter for the Adobe Status API: incidents and maintenances of Adobe
    products, per product and per region."""


@cli.command()
@click.option(
    "--web.listen-address",
    "listen_address",
    default=DEFAULT_LISTEN_ADDRESS,
    show_default=True,
    help="Address to listen on ([::]:9720 style accepted).",
    **_env("ADOBE_STATUS_EXPORTER_LISTEN_ADDRESS"),
)
@click.option(
    "--web.config.file",
    "web_config_file",
    type=click.Path(dir_okay=False),
    help="Exporter-toolkit web config (tls_server_config, basic_auth_users).",
    **_env("ADOBE_STATUS_EXPORTER_WEB_CONFIG_FILE"),
)
@click.option(
    "--demo",
    is_flag=True,
    help="Run against the embedded simulator of Adobe IMS and the Status API; "
    "needs no credentials.",
)
@common_options
def serve(demo: bool, **kwargs: Any) -> None:
    """Serve /metrics, the status page /, /-/healthy and /-/ready until SIGTERM."""
    options = options_from(kwargs)
    try:
        parse_listen_address(options.listen_address)
    except ValueError as error:
        raise BadConfig(
            f"--web.listen-address (ADOBE_STATUS_EXPORTER_LISTEN_ADDRESS): {error}"
        ) from None
    web_config = None
    if options.web_config_file:
        try:
            web_config = load_web_config(options.web_config_file)
        except WebConfigError as error:
            raise BadConfig(f"--web.config.file: {error}") from None
    with upstream_for(options, demo) as (upstream, secret_file):
        service = build_service(upstream, options.collector, secret_source=secret_file, demo=demo)
        setup_logging(options.log_level, options.log_format, service.secrets)
        try:
            server = ExporterHTTPServer(service.app, options.listen_address, web_config)
        except OSError as error:
            raise BadConfig(
                f"--web.listen-address (ADOBE_STATUS_EXPORTER_LISTEN_ADDRESS): cannot listen "
                f"on {options.listen_address}: {error.strerror or error}"
            ) from None
        _handle_signals(server.shutdown, secret_file)
        log.info(
            "adobe-status-exporter %s: status page %s/, metrics %s/metrics, upstream %s%s",
            __version__,
            server.url,
            server.url,
            upstream.api_url,
            " (embedded simulator)" if demo else "",
        )
        service.warm_up()
        try:
            server.serve_forever()
        finally:
            service.close()
        log.info("stopped")


@cli.command()
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "prometheus"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option("--demo", is_flag=True, help="Check against the embedded simulator.")
@common_options
def check(output: str, demo: bool, **kwargs: Any) -> None:
    """Collect once and print the result; exit 0 on success, 1 when upstream fails."""
    options = options_from(kwargs)
    with upstream_for(options, demo) as (upstream, secret_file):
        service = build_service(upstream, options.collector, secret_source=secret_file, demo=demo)
        setup_logging(options.log_level, options.log_format, service.secrets)
        try:
            view = service.cache.view(Deadline())
        finally:
            service.close()
    if output == "prometheus":
        registry = CollectorRegistry(auto_describe=False)
        registry.register(ScrapeCollector(view, lambda: service.token_expiry))
        registry.register(service.metrics.registry)
        click.echo(generate_latest(registry).decode(), nl=False)
    else:
        click.echo(_table(view))
    if not view.up:
        click.echo(f"{PROG}: upstream failed: {view.error}", err=True)
        sys.exit(1)


@cli.command()
@click.option(
    "--web.listen-address",
    "listen_address",
    default="127.0.0.1:9721",
    show_default=True,
    help="Address for the simulated IMS and Status API.",
    **_env("ADOBE_STATUS_SIMULATOR_LISTEN_ADDRESS"),
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="Seed of the simulated incidents and maintenances.",
)
@click.option(
    "--scale",
    type=click.Choice(["typical", "forty-day", "stress"]),
    default="typical",
    show_default=True,
    help="How much data to simulate.",
)
@click.option(
    "--expires-in",
    type=int,
    default=86399,
    show_default=True,
    help="Lifetime of simulated access tokens, in seconds.",
)
@click.option(
    "--client-id",
    default=DEMO_CLIENT_ID,
    show_default=True,
    help="Client id the simulated IMS accepts.",
    **_env("ADOBE_CLIENT_ID"),
)
@click.option(
    "--client-secret",
    default=DEMO_CLIENT_SECRET,
    help="Client secret the simulated IMS accepts (default: the demo secret).",
    **_env("ADOBE_CLIENT_SECRET"),
)
@click.option(
    "--throttle/--no-throttle",
    default=True,
    show_default=True,
    help="Answer 429 past 50 requests per 5 s, like Adobe.",
)
def simulate(
    listen_address: str,
    seed: int,
    scale: str,
    expires_in: int,
    client_id: str,
    client_secret: str,
    throttle: bool,
) -> None:
    """Run only the simulator of Adobe IMS and the Status API, for trials and tests."""
    # Imported here: only --demo and simulate need the simulator.
    from exporter.simulator import run_simulator

    try:
        host, port = parse_listen_address(listen_address)
    except ValueError as error:
        raise BadConfig(f"--web.listen-address: {error}") from None
    setup_logging("info", "text")
    run_simulator(
        host,
        port,
        seed=seed,
        scale=scale,
        client_id=client_id,
        client_secret=client_secret,
        expires_in=expires_in,
        throttle=throttle,
    )


@contextmanager
def upstream_for(
    options: Options, demo: bool
) -> Iterator[tuple[UpstreamConfig, SecretFile | None]]:
    """The real upstream from the options, or the embedded simulator with --demo."""
    if not demo:
        yield upstream_config(options)
        return
    from exporter.simulator import Simulator, SimulatorServer

    simulator = Simulator(client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET)
    with SimulatorServer(simulator, host="127.0.0.1", port=0) as sim:
        values = {
            **options.upstream,
            "client_id": DEMO_CLIENT_ID,
            "client_secret": Secret(DEMO_CLIENT_SECRET),
            "ims_token_url": sim.ims_token_url,
            "api_url": sim.api_url,
        }
        try:
            yield UpstreamConfig(**values), None
        except ConfigError as error:
            raise BadConfig(str(error)) from None


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


def _table(view: View) -> str:
    lines = [f"upstream: {'OK' if view.up else 'FAILED'}"]
    if view.snapshot is None:
        lines.append("no data")
        return "\n".join(lines)
    summary = view.snapshot.summary
    rows = sorted(summary.products, key=lambda s: (-s.state, s.product.name))
    width = max((len(s.product.name) for s in rows), default=7)
    lines.append(f"{'PRODUCT':<{width}}  {'ID':<8}  {'STATE':<12}  INCIDENTS  MAINTENANCES")
    for status in rows:
        lines.append(
            f"{status.product.name:<{width}}  {status.product.id:<8}  "
            f"{State(status.state).name.lower():<12}  {sum(status.incidents.values()):>9}  "
            f"{sum(status.maintenances.values()):>12}"
        )
    lines.append(f"{len(rows)} products, {len(summary.events)} open event impacts")
    return "\n".join(lines)


def _fail(message: str) -> NoReturn:
    click.echo(f"{PROG}: error: {message}", err=True)
    sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    """Console script entry point: click without its multi-line usage errors."""
    try:
        code = cli.main(args=argv, prog_name=PROG, standalone_mode=False)
    except BadConfig as error:
        _fail(str(error))
    except click.UsageError as error:  # includes BadParameter, NoSuchOption, MissingParameter
        _fail(error.format_message())
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as error:
        _fail(error.format_message())
    sys.exit(code if isinstance(code, int) else 0)
