"""Click parameter types and option classes the commands share.

A value that converts badly raises `ConfigError` naming the option; `exporter.cli.entry.run`
turns it into exit 2.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

import click

from exporter.config import ConfigError, Seconds
from exporter.web.listen import parse_listen_address
from exporter.web.web_config import WebConfig, WebConfigError, load_web_config


def named(param: click.Parameter | None) -> str:
    """How an error names the option: its flag and its environment variable."""
    if param is None:
        return "value"
    flag = param.opts[0] if param.opts else str(param.name)
    return f"{flag} ({param.envvar})" if isinstance(param.envvar, str) else flag


def env(name: str) -> dict[str, Any]:
    """An option's environment variable, shown in --help."""
    return {"envvar": name, "show_envvar": True}


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
        option = named(param)
        given = value if isinstance(value, str) else None
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            raise self.limits.refusal(option, repr(value)) from None
        return self.limits.check(option, seconds, given)


class ListenAddress(click.types.StringParamType):
    """`host:port` as `--web.listen-address` takes it, else ConfigError (exit 2)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        address = super().convert(value, param, ctx)
        try:
            parse_listen_address(address)
        except ValueError as error:
            raise ConfigError(f"{named(param)}: {error}") from None
        return address


class WebConfigFile(click.Path):
    """`--web.config.file`: the file read and validated at start, else ConfigError (exit 2).

    An empty path means no web config, as in the Go exporters.
    """

    def convert(  # type: ignore[override]  # the loaded config, not the path
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> WebConfig | None:
        if value == "":
            return None
        path = super().convert(value, param, ctx)
        try:
            return load_web_config(str(path))
        except WebConfigError as error:
            flag = param.opts[0] if param is not None and param.opts else "--web.config.file"
            raise ConfigError(f"{flag}: {error}") from None


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


_UNITS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
_DURATION = re.compile(
    r"(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?"
)
MAX_SINCE = 366 * 86400.0  # a year: more than either source holds


def prometheus_duration(text: str) -> float:
    """Seconds of a Prometheus duration (`90m`, `12h`, `30d`, `1w`, `1d12h`); ValueError else."""
    match = _DURATION.fullmatch(text.strip())
    if not text.strip() or match is None or not any(match.groups()):
        raise ValueError(text)
    return sum(int(n) * unit for n, unit in zip(match.groups(), _UNITS.values(), strict=True) if n)


class PrometheusDuration(click.types.FloatParamType):
    name = "duration"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        try:
            seconds = prometheus_duration(str(value))
        except ValueError:
            seconds = math.nan
        if not 0 < seconds <= MAX_SINCE:
            raise ConfigError(
                f"{named(param)}: must be a Prometheus duration such as 90m, 12h, 30d or 1w, "
                f"at most 366d, got {str(value)[:40]!r}"
            )
        return seconds
