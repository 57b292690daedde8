"""`backfill`: Adobe's record as the status series, one sample every --step seconds over
--since, as OpenMetrics for `promtool tsdb create-blocks-from openmetrics`."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from typing import TextIO

import click

from exporter import record_series as series
from exporter.cli.configs import LogOptions, UpstreamOptions
from exporter.cli.declare import SectionedCommand
from exporter.cli.options import DEMO, LOCALE, LOG, OUTPUT, SELECTION, SINCE, STEP, UPSTREAM
from exporter.cli.record_options import read_record
from exporter.config import Selection
from exporter.logs import setup_logging

_BUFFER = 1 << 20


@click.command(cls=SectionedCommand, short_help="Write Adobe's record as series for promtool.")
@SINCE.option()
@STEP.option()
@OUTPUT.option()
@DEMO.option()
@UPSTREAM
@SELECTION
@LOCALE.option()
@LOG.but("level", default="error")
def backfill(
    since: float,
    step: float,
    output: str | None,
    demo: bool,
    upstream: UpstreamOptions,
    selection: Selection,
    locale: str,
    log_options: LogOptions,
) -> None:
    """Adobe's record as the status series serve exposes, for promtool (OpenMetrics)."""
    setup_logging(log_options.level.lower(), log_options.format.lower(), tuple)
    # Only each event's replay is kept, as the events stream in: they themselves die young.
    record, start = read_record(
        upstream,
        selection,
        locale,
        demo,
        since,
        replay_from=lambda now: series.first_step(now, now - since, step),
    )
    target: TextIO
    with (
        open(output, "w", encoding="utf-8", newline="\n", buffering=_BUFFER)
        if output
        else nullcontext(sys.stdout)
    ) as target:
        series.write(target, record, start, step)
