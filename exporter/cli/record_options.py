"""What `history` and `backfill` share: reading Adobe's record once, over --since.

The options themselves are declared with the others, in `exporter.cli.options` (`SINCE`,
`STEP`, `OUTPUT`); `--since` is a Prometheus duration (`exporter.cli.types`).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

import click

from exporter.cli.configs import UpstreamOptions, say_ignored, upstream_for
from exporter.cli.options import PROG
from exporter.config import CacheConfig, FeedConfig, Selection
from exporter.deadline import Deadline
from exporter.errors import UpstreamError
from exporter.model.record import NEVER
from exporter.model.timeline import instants
from exporter.model.window import AdobeRecord
from exporter.wiring import build_service


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
