"""`python -m exporter.simulator`: serve the simulated IMS and Status API on a port."""

from __future__ import annotations

import argparse
import logging

from exporter.simulator.runner import run_simulator
from exporter.simulator.scale import SCALE_NAMES


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m exporter.simulator",
        description="Simulate Adobe IMS and the Adobe Status API (see the package docstring).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=9721, help="port (0 picks a free one)")
    parser.add_argument("--seed", type=int, default=1, help="scenario seed")
    parser.add_argument("--scale", choices=SCALE_NAMES, default="typical")
    parser.add_argument("--client-id", default="demo-client")
    parser.add_argument("--client-secret", default="demo-secret")
    parser.add_argument("--expires-in", type=int, default=86399, help="token lifetime, seconds")
    parser.add_argument("--no-throttle", action="store_true", help="never answer 429")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    run_simulator(
        args.host,
        args.port,
        seed=args.seed,
        scale=args.scale,
        client_id=args.client_id,
        client_secret=args.client_secret,
        expires_in=args.expires_in,
        throttle=not args.no_throttle,
    )


if __name__ == "__main__":
    main()
