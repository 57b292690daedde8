"""`history`: Adobe's record over --since, one row per event and product, then totals.

`--format table` (for people) adds per-product totals after the rows; `csv` (a header
line, then the rows) and `json` (one list) carry the rows only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

import click

from exporter.cli.configs import LogOptions, UpstreamOptions
from exporter.cli.declare import SectionedCommand
from exporter.cli.options import DEMO, LOCALE, LOG, SELECTION, SINCE, UPSTREAM
from exporter.cli.record_options import read_record
from exporter.config import Selection
from exporter.logs import setup_logging
from exporter.model.past import Totals
from exporter.model.vocabulary import State
from exporter.model.window import COLUMNS, Row, rfc3339, rows, totals


@click.command(cls=SectionedCommand, short_help="Print Adobe's record of past events.")
@SINCE.option()
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table (rows, then per-product totals), csv or json (the rows only).",
)
@DEMO.option()
@UPSTREAM
@SELECTION
@LOCALE.option()
@LOG.but("level", default="error")
def history(
    since: float,
    output: str,
    demo: bool,
    upstream: UpstreamOptions,
    selection: Selection,
    locale: str,
    log_options: LogOptions,
) -> None:
    """Adobe's record over --since: one row per event and product, closed and open."""
    setup_logging(log_options.level.lower(), log_options.format.lower(), tuple)
    record, start = read_record(upstream, selection, locale, demo, since)
    found = rows(record, start)
    if output == "json":
        click.echo(json.dumps([row.as_dict() for row in found], ensure_ascii=False, indent=1))
    elif output == "csv":
        click.echo(as_csv(found), nl=False)
    else:
        click.echo(table(found, totals(record, start)))


def as_csv(found: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in found:
        values = row.as_dict()
        values["regions"] = ";".join(row.regions)
        writer.writerow(["" if values[c] is None else values[c] for c in COLUMNS])
    return buffer.getvalue()


def table(found: list[Row], per_product: list[Totals]) -> str:
    lines: list[str] = []
    header = ["START", "END", "MINUTES", "KIND", "SEVERITY", "PRODUCT", "REGIONS", "EVENT", "TITLE"]
    cells = [
        (
            rfc3339(row.start),
            "open" if row.end is None else rfc3339(row.end),
            "-" if row.seconds is None else f"{row.seconds / 60:.0f}",
            row.kind,
            row.severity,
            row.product,
            ",".join(row.regions),
            row.event_id,
            row.title,
        )
        for row in found
    ]
    lines += _aligned(header, cells)
    lines.append(f"{len(found)} rows")
    lines.append("")
    header = ["PRODUCT", "MAJOR MIN", "MINOR MIN", "POTENTIAL MIN", "MAINTENANCE MIN"]
    header += ["INCIDENTS", "AVAILABILITY"]
    totals_cells = [
        (
            item.product.name,
            f"{item.minutes(State.MAJOR):.0f}",
            f"{item.minutes(State.MINOR):.0f}",
            f"{item.minutes(State.POTENTIAL):.0f}",
            f"{item.minutes(State.MAINTENANCE):.0f}",
            str(item.incidents),
            f"{item.availability * 100:.3f}%",
        )
        for item in sorted(per_product, key=lambda t: (t.availability, t.product.name))
    ]
    lines += _aligned(header, totals_cells)
    lines.append("availability: Adobe-reported, the share of the window not at minor or major")
    return "\n".join(lines)


def _aligned(header: Sequence[str], cells: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *cells, strict=True)]
    return [
        "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in (header, *cells)
    ]
