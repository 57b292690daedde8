"""`simulate`: only the simulator of Adobe IMS, the Status API and the feed, as a process.

The simulator itself (`exporter.simulator`) knows nothing of the command line: this module
reads the options and starts it.
"""

from __future__ import annotations

import click

from exporter.cli.configs import SimulatorOptions
from exporter.cli.declare import SectionedCommand
from exporter.cli.options import SIMULATOR
from exporter.logs import setup_logging
from exporter.web.listen import parse_listen_address


@click.command(cls=SectionedCommand, short_help="Run only the simulator of Adobe's services.")
@SIMULATOR
def simulate(simulator: SimulatorOptions) -> None:
    """Run only the simulator of Adobe IMS and the Status API, for trials and tests."""
    # Imported here: only --demo and simulate need the simulator.
    from exporter.simulator import run_simulator

    # valid: ListenAddress checked it
    host, port = parse_listen_address(simulator.listen_address)
    setup_logging("info", "text")
    run_simulator(
        host,
        port,
        seed=simulator.seed,
        scale=simulator.scale,
        client_id=simulator.client_id,
        client_secret=simulator.client_secret,
        expires_in=simulator.expires_in,
        throttle=simulator.throttle,
    )
