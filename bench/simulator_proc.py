"""`python -m bench.simulator_proc`: the simulator at one scale, its clock frozen.

Its clock stands still at FROZEN_AT, so the feed (and the bytes the exporter and the floor
fetch) is the same for the whole run, and from one run to the next. No throttle: the bench
scrapes faster than Adobe's 50 requests per 5 s.
Prints the base URL on the first line of stdout and serves until stdin closes.
"""

from __future__ import annotations

import argparse
import sys

from exporter.simulator import Scale, Simulator, SimulatorServer
from exporter.simulator.scale import SCALE_NAMES

CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret"  # noqa: S105 (made up, shared with the bench)
FROZEN_AT = 1_767_274_200.0  # 2026-01-01T13:30:00Z: about 20 open events at the typical scale


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.simulator_proc")
    parser.add_argument("--scale", choices=SCALE_NAMES, default="typical")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    simulator = Simulator(
        seed=args.seed,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scale=Scale.named(args.scale),
        throttle=False,
        clock=lambda: FROZEN_AT,
    )
    simulator.snapshot()  # build the feed now rather than on the first request
    with SimulatorServer(simulator) as server:
        print(server.url, flush=True)
        sys.stdin.read()  # the bench closes our stdin (or exits) when done


if __name__ == "__main__":
    main()
