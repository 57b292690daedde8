"""The command group and the entry points: the one place an error becomes an exit code."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from exporter import __version__
from exporter.cli.backfill import backfill
from exporter.cli.check import check
from exporter.cli.history import history
from exporter.cli.options import PROG
from exporter.cli.serve import serve
from exporter.cli.simulate import simulate
from exporter.config import ConfigError


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    invoke_without_command=True,
)
@click.version_option(__version__, prog_name=PROG)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Prometheus exporter for Adobe's status: incidents and maintenances of Adobe products,
    per product and per region, from the Status API or the public feed.

    Start with `serve --demo` (no credentials needed); `COMMAND --help` tells more.
    """
    if ctx.invoked_subcommand is None:  # the bare command: its usage, as kubectl and helm do
        click.echo(ctx.get_help())


cli.add_command(serve)
cli.add_command(check)
cli.add_command(simulate)
cli.add_command(history)
cli.add_command(backfill)


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
