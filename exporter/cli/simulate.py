"""`simulate`: only the simulator of Adobe IMS, the Status API and the feed, as a process.

Also `python -m exporter.simulator`: these options and this help are the only ones.
"""

from __future__ import annotations

import click

from exporter.cli.types import ListenAddress, env
from exporter.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from exporter.logs import setup_logging
from exporter.web.listen import parse_listen_address


@click.command(short_help="Run only the simulator of Adobe's services.")
@click.option(
    "--web.listen-address",
    "listen_address",
    type=ListenAddress(),
    default="127.0.0.1:9721",
    show_default=True,
    help="Address for the simulated IMS and Status API.",
    **env("ADOBE_STATUS_SIMULATOR_LISTEN_ADDRESS"),
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
    **env("ADOBE_CLIENT_ID"),
)
@click.option(
    "--client-secret",
    default=DEMO_CLIENT_SECRET,
    help="Client secret the simulated IMS accepts (default: the demo secret).",
    **env("ADOBE_CLIENT_SECRET"),
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

    host, port = parse_listen_address(listen_address)  # valid: ListenAddress checked it
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
