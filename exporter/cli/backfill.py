"""`backfill`: Adobe's record as the status series, one sample every --step seconds over
--since, as OpenMetrics for `promtool tsdb create-blocks-from openmetrics`."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from typing import TextIO

import click

from exporter import backfill as series
from exporter.cli.configs import UpstreamOptions
from exporter.cli.options import duration_option, log_options, selection_options, upstream_options
from exporter.cli.record_options import output_option, read_record, record_options
from exporter.config import Seconds, Selection
from exporter.logs import setup_logging

# At most 5 minutes: Prometheus's lookback, so a backfilled series never goes stale
# between two samples.
STEP_RANGE = Seconds(0.0, 300.0, low_included=False)
_BUFFER = 1 << 20


@click.command()
@record_options
@duration_option("--step", STEP_RANGE, 60.0, "Seconds between two samples.", "ADOBE_STATUS_STEP")
@output_option("Write to this file (default: standard output).")
@upstream_options("File holding the client secret (trailing newline stripped).")
@selection_options
@log_options("error", "Log level.")
def backfill(
    since: float,
    demo: bool,
    locale: str,
    step: float,
    output: str | None,
    upstream: UpstreamOptions,
    selection: Selection,
    log_level: str,
    log_format: str,
) -> None:
    """Adobe's record as the status series serve exposes, for promtool (OpenMetrics)."""
    setup_logging(log_level.lower(), log_format.lower(), tuple)
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
