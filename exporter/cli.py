"""Command line: serve, check and simulate. The only module that reads options and environment.

Bad configuration ends the program with exit code 2 and one line naming the option.
"""

from __future__ import annotations

import copy
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click
from prometheus_client import CollectorRegistry, generate_latest

from exporter import __version__
from exporter.cache import View
from exporter.collector import ScrapeCollector
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
    TIMEOUT_RANGE,
    TOKEN_REFRESH_MARGIN_RANGE,
    CacheConfig,
    ConfigError,
    FeedConfig,
    Seconds,
    Selection,
    UpstreamConfig,
    check_url,
)
from exporter.deadline import Deadline
from exporter.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from exporter.logs import FORMATS, LEVELS, setup_logging
from exporter.memory import return_large_buffers
from exporter.model import State
from exporter.secret import Secret, SecretFile
from exporter.web.config import WebConfigError, load_web_config
from exporter.web.listen import parse_listen_address
from exporter.web.server import ExporterHTTPServer
from exporter.wiring import build_service

log = logging.getLogger("exporter")

PROG = "adobe-status-exporter"


class CommaList(click.types.StringParamType):
    """A repeatable option whose environment variable is a comma-separated list."""

    envvar_list_splitter = ","

    def split_envvar_value(self, rv: str) -> list[str]:
        return [item.strip() for item in rv.split(",") if item.strip()]


class Duration(click.types.FloatParamType):
    """Seconds: a finite number in the option's sensible range, else ConfigError (exit 2)."""

    name = "seconds"

    def __init__(self, limits: Seconds) -> None:
        self.limits = limits

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        option = _named(param)
        given = value if isinstance(value, str) else None
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            raise self.limits.refusal(option, repr(value)) from None
        return self.limits.check(option, seconds, given)


class AliasedOption(click.Option):
    """An option whose names after the first are deprecated aliases: accepted, not in --help."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        return click.Option.get_help_record(self._first_name_only(), ctx)

    def get_error_hint(self, ctx: click.Context | None) -> str:
        return click.Option.get_error_hint(self._first_name_only(), ctx)

    def _first_name_only(self) -> click.Option:
        shown = copy.copy(self)
        shown.opts = self.opts[:1]
        return shown


def _named(param: click.Parameter | None) -> str:
    """How an error names the option: its flag and its environment variable."""
    if param is None:
        return "value"
    flag = param.opts[0] if param.opts else str(param.name)
    return f"{flag} ({param.envvar})" if isinstance(param.envvar, str) else flag


def _env(name: str) -> dict[str, Any]:
    return {"envvar": name, "show_envvar": True}


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _options(*decorators: Decorator) -> Decorator:
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
        **_env("ADOBE_CLIENT_SECRET_FILE"),
    )


def _duration_option(
    flag: str, limits: Seconds, default: float | None, help_text: str, env: str
) -> Decorator:
    return click.option(
        flag,
        type=Duration(limits),
        default=default,
        show_default=default is not None,
        help=f"{help_text} Range {limits}.",
        **_env(env),
    )


# Where Adobe is and how to reach it: serve and check.
upstream_options = _options(
    click.option(
        "--source",
        type=click.Choice(SOURCES),
        default="api",
        show_default=True,
        help="Where statuses come from: api (the Status API, credentials required) or "
        "feed (the public feed status.adobe.com reads; no credentials, none sent).",
        **_env("ADOBE_STATUS_SOURCE"),
    ),
    click.option(
        "--feed-url",
        default=DEFAULT_FEED_URL,
        show_default=True,
        help="Base URL of the public feed (/StatusEvents and /SnowServiceRegistry "
        "beneath); with --source feed.",
        **_env("ADOBE_STATUS_FEED_URL"),
    ),
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
    _duration_option(
        "--timeout",
        TIMEOUT_RANGE,
        10.0,
        "Seconds per upstream request; a scrape never runs past its "
        "X-Prometheus-Scrape-Timeout-Seconds less 0.5 s.",
        "ADOBE_STATUS_TIMEOUT",
    ),
)

# Which statuses to report: serve and check.
selection_options = _options(
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
)

# How long answers are trusted: only a long-running serve keeps anything.
freshness_options = _options(
    _duration_option(
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
    _duration_option(
        "--registry-ttl",
        REGISTRY_TTL_RANGE,
        3600.0,
        "Seconds to cache the product and cloud registry.",
        "ADOBE_STATUS_REGISTRY_TTL",
    ),
    _duration_option(
        "--max-stale",
        MAX_STALE_RANGE,
        300.0,
        "While Adobe fails, keep serving the last good statuses this many "
        "seconds (with adobe_status_up 0), then drop them.",
        "ADOBE_STATUS_MAX_STALE",
    ),
    _duration_option(
        "--token-refresh-margin",
        TOKEN_REFRESH_MARGIN_RANGE,
        300.0,
        "Renew the access token this many seconds before it expires.",
        "ADOBE_STATUS_TOKEN_REFRESH_MARGIN",
    ),
)


def log_options(default_level: str, level_help: str) -> Decorator:
    """--log.level and --log.format, the Prometheus exporters' names; v1's --log-level and
    --log-format still work as hidden aliases."""
    return _options(
        click.option(
            "--log.level",
            "--log-level",
            "log_level",
            cls=AliasedOption,
            type=click.Choice(LEVELS, case_sensitive=False),
            default=default_level,
            show_default=True,
            help=level_help,
            **_env("ADOBE_STATUS_LOG_LEVEL"),
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
            **_env("ADOBE_STATUS_LOG_FORMAT"),
        ),
    )


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
    named = [flag for name, flag in _CREDENTIAL_OPTIONS.items() if params.get(name)]
    if params.get("api_key") not in (None, DEFAULT_API_KEY):
        named.append("--api-key")
    return named


def _say_ignored(params: dict[str, Any]) -> None:
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
@click.option(
    "--locale",
    default=DEFAULT_LOCALE,
    show_default=True,
    help="Language of Adobe's event texts on the status page, a locale tag such as en, fr "
    "or ja; a text missing in it is shown in its language alone, then in en.",
    **_env("ADOBE_STATUS_LOCALE"),
)
@upstream_options
@_secret_file_option(
    "File holding the client secret (read at start and on SIGHUP; trailing newline stripped)."
)
@selection_options
@freshness_options
@log_options("info", "Log level.")
def serve(
    listen_address: str,
    web_config_file: str | None,
    demo: bool,
    locale: str,
    log_level: str,
    log_format: str,
    **params: Any,
) -> None:
    """Serve /metrics, the status page /, /-/healthy and /-/ready until SIGTERM."""
    collector = CacheConfig(
        selection=selection_from(params),
        cache_ttl=cache_ttl_for(params),
        registry_ttl=params["registry_ttl"],
        max_stale=params["max_stale"],
        locale=locale,
    )
    try:
        parse_listen_address(listen_address)
    except ValueError as error:
        raise ConfigError(
            f"--web.listen-address (ADOBE_STATUS_EXPORTER_LISTEN_ADDRESS): {error}"
        ) from None
    web_config = None
    if web_config_file:
        try:
            web_config = load_web_config(web_config_file)
        except WebConfigError as error:
            raise ConfigError(f"--web.config.file: {error}") from None
    with upstream_for(params, demo) as (upstream, secret_file):
        service = build_service(upstream, collector, secret_source=secret_file, demo=demo)
        setup_logging(log_level.lower(), log_format.lower(), service.secrets)
        _say_ignored(params)
        try:
            server = ExporterHTTPServer(service.app, listen_address, web_config)
        except OSError as error:
            raise ConfigError(
                f"--web.listen-address (ADOBE_STATUS_EXPORTER_LISTEN_ADDRESS): cannot listen "
                f"on {listen_address}: {error.strerror or error}"
            ) from None
        _handle_signals(server.shutdown, secret_file)
        return_large_buffers()  # RSS stays flat over a long-running serve (exporter/memory.py)
        log.info(
            "adobe-status-exporter %s: status page %s/, metrics %s/metrics, upstream %s%s",
            __version__,
            server.url,
            server.url,
            upstream.feed_url if isinstance(upstream, FeedConfig) else upstream.api_url,
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
@upstream_options
@_secret_file_option("File holding the client secret (trailing newline stripped).")
@selection_options
# check prints its result, the reason of a failure included, once; the log repeats it.
@log_options("error", "Log level (check prints its own result; info or debug adds the log).")
def check(output: str, demo: bool, log_level: str, log_format: str, **params: Any) -> None:
    """Collect once and print the result; exit 0 on success, 1 when upstream fails."""
    collector = CacheConfig(selection=selection_from(params))
    with upstream_for(params, demo) as (upstream, secret_file):
        service = build_service(upstream, collector, secret_source=secret_file, demo=demo)
        setup_logging(log_level.lower(), log_format.lower(), service.secrets)
        _say_ignored(params)
        try:
            view = service.cache.view(Deadline())
        finally:
            service.close()
    if output == "prometheus":
        registry = CollectorRegistry(auto_describe=False)
        registry.register(ScrapeCollector(view, lambda: service.token_expiry))
        registry.register(service.metrics.collector)
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
        raise ConfigError(
            f"--web.listen-address (ADOBE_STATUS_SIMULATOR_LISTEN_ADDRESS): {error}"
        ) from None
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
    report = view.snapshot.report
    rows = sorted(report.products, key=lambda s: (-s.state, s.product.name))
    width = max((len(s.product.name) for s in rows), default=7)
    lines.append(f"{'PRODUCT':<{width}}  {'ID':<8}  {'STATE':<12}  INCIDENTS  MAINTENANCES")
    for status in rows:
        lines.append(
            f"{status.product.name:<{width}}  {status.product.id:<8}  "
            f"{State(status.state).name.lower():<12}  {sum(status.incidents.values()):>9}  "
            f"{sum(status.maintenances.values()):>12}"
        )
    lines.append(f"{len(rows)} products, {len(report.events)} open event impacts")
    return "\n".join(lines)


def _fail(prog: str, message: str) -> NoReturn:
    click.echo(f"{prog}: error: {message}", err=True)
    sys.exit(2)


def run(command: click.Command, argv: list[str] | None, prog: str) -> NoReturn:
    """Run a click command without click's multi-line usage errors; exit with its code."""
    try:
        code = command.main(args=argv, prog_name=prog, standalone_mode=False)
    except ConfigError as error:  # the one place bad configuration becomes exit 2
        _fail(prog, str(error))
    except click.UsageError as error:  # includes BadParameter, NoSuchOption, MissingParameter
        _fail(prog, error.format_message())
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as error:
        _fail(prog, error.format_message())
    sys.exit(code if isinstance(code, int) else 0)


def main(argv: list[str] | None = None) -> None:
    """Console script entry point (`adobe-status-exporter`, `python -m exporter`)."""
    run(cli, argv, PROG)
