"""`check`: collect once, print the result as a table or as Prometheus text, exit 0 or 1."""

from __future__ import annotations

import sys

import click
from prometheus_client import generate_latest

from exporter.cli.configs import LogOptions, UpstreamOptions, say_ignored, upstream_for
from exporter.cli.declare import SectionedCommand
from exporter.cli.options import DEMO, LOG, PROG, SELECTION, UPSTREAM
from exporter.collector import scrape_registry
from exporter.config import CacheConfig, Selection
from exporter.deadline import Deadline
from exporter.logs import setup_logging
from exporter.model.vocabulary import State
from exporter.snapshot import View
from exporter.wiring import build_service


@click.command(cls=SectionedCommand, short_help="Collect once and print the result.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "prometheus"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@DEMO.option()
@UPSTREAM
@SELECTION
# check prints its result, the reason of a failure included, once; the log repeats it.
@LOG.but(
    "level",
    default="error",
    help="Log level (check prints its own result; info or debug adds the log).",
)
def check(
    output: str,
    demo: bool,
    upstream: UpstreamOptions,
    selection: Selection,
    log_options: LogOptions,
) -> None:
    """Collect once and print the result; exit 0 on success, 1 when upstream fails."""
    collector = CacheConfig(selection=selection)
    with upstream_for(upstream, demo) as (config, secret_file):
        service = build_service(config, collector, secret_source=secret_file, demo=demo)
        setup_logging(log_options.level.lower(), log_options.format.lower(), service.secrets)
        say_ignored(upstream)
        try:
            view = service.cache.view(Deadline())
        finally:
            service.close()
    if output == "prometheus":
        registry = scrape_registry(view, lambda: service.token_expiry, service.metrics.collector)
        click.echo(generate_latest(registry).decode(), nl=False)
    else:
        click.echo(_table(view))
    if not view.up:
        click.echo(f"{PROG}: upstream failed: {view.error}", err=True)
        sys.exit(1)


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
