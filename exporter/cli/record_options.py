"""What `history` and `backfill` share: --since, --demo, --locale, and reading Adobe's record.

`--since` is a Prometheus duration (`90m`, `12h`, `30d`, `1w`, or several units as in
`1d12h`); a bad value is a ConfigError naming the option (exit 2).
"""

from __future__ import annotations

import math
import re
import sys
import time
from collections.abc import Callable
from typing import Any

import click

from exporter.cli.configs import UpstreamOptions, say_ignored, upstream_for
from exporter.cli.options import PROG, Decorator, options
from exporter.cli.types import env, named
from exporter.config import DEFAULT_LOCALE, CacheConfig, ConfigError, FeedConfig, Selection
from exporter.deadline import Deadline
from exporter.errors import UpstreamError
from exporter.history import AdobeRecord
from exporter.record import NEVER
from exporter.timeline import instants
from exporter.wiring import build_service

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


record_options = options(
    click.option(
        "--since",
        type=PrometheusDuration(),
        default="30d",
        show_default=True,
        help="How far back: a Prometheus duration such as 90m, 12h, 30d or 1w. The public "
        "feed holds about 40 days.",
        **env("ADOBE_STATUS_SINCE"),
    ),
    click.option("--demo", is_flag=True, help="Read the embedded simulator; no credentials."),
    click.option(
        "--locale",
        default=DEFAULT_LOCALE,
        show_default=True,
        help="Language of Adobe's event titles (a locale tag such as en, fr or ja).",
        **env("ADOBE_STATUS_LOCALE"),
    ),
)


def read_record(
    upstream: UpstreamOptions,
    selection: Selection,
    locale: str,
    demo: bool,
    since: float,
    replay_from: Callable[[float], float] | None = None,
) -> tuple[AdobeRecord, float]:
    """Adobe's record and the window's start, read once; exit 1 when upstream fails.

    The instant of reading is a whole second, so `backfill`'s last step falls on it.
    `replay_from(now)`: keep only each event's replay from then on (`backfill`).
    """
    collector = CacheConfig(selection=selection, locale=locale)
    now = float(math.floor(time.time()))  # one instant for the whole reading
    with upstream_for(upstream, demo) as (config, secret_file):
        service = build_service(
            config, collector, secret_source=secret_file, demo=demo, clock=lambda: now
        )
        say_ignored(upstream)
        try:
            assert service.record is not None
            start = None if replay_from is None else replay_from(now)
            record = service.record(Deadline(), since, start)
        except UpstreamError as error:
            click.echo(f"{PROG}: upstream failed: {error}", err=True)
            sys.exit(1)
        finally:
            service.close()
    start = record.now - since
    if isinstance(config, FeedConfig):
        _say_if_before_the_feed(record, start)
    return record, start


def _say_if_before_the_feed(record: AdobeRecord, start: float) -> None:
    times = [at for one in record.records for at in instants(one) if at != NEVER]
    times += [one.pieces[0].start for one in record.replayed or ()]
    oldest = min(times, default=None)
    if oldest is not None and start < oldest:
        days = (record.now - oldest) / 86400
        click.echo(
            f"{PROG}: the feed's oldest event is {days:.1f} days old: --since reaches past it; "
            "the window before it shows what the feed no longer holds as operational",
            err=True,
        )


def output_option(help_text: str) -> Decorator:
    return click.option(
        "--output", type=click.Path(dir_okay=False, writable=True), default=None, help=help_text
    )
