"""Token requests over a simulated day: simulator and exporter share one fake clock.

Runs in a process of its own (`python -m bench.tokens`), so the simulator it holds never
weighs on the bench's own measurements. Tokens live LIFETIME seconds; the exporter renews
them `margin` early (the default 300 s, at most half a lifetime), so a day holds
ceil(DAY / (LIFETIME - margin)) token lifetimes: the most token requests it should make.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from dataclasses import asdict, dataclass

from bench.simulator_proc import CLIENT_ID, CLIENT_SECRET
from exporter.config import ApiConfig, CacheConfig
from exporter.deadline import Deadline
from exporter.secret import Secret
from exporter.simulator import Scale, Simulator, SimulatorServer
from exporter.wiring import build_service

DAY = 86400.0
LIFETIME = 3600
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@dataclass(frozen=True)
class TokenDay:
    token_requests: int
    lifetimes: int  # token lifetimes (renewal periods) begun during the day
    scrapes: int
    interval: float  # seconds between scrapes, on the fake clock
    failed_scrapes: int


def token_day(scale: str, interval: float) -> TokenDay:
    """Scrape every `interval` simulated seconds for a day; count what reached IMS."""
    now = START

    def clock() -> float:
        return now

    simulator = Simulator(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        expires_in=LIFETIME,
        scale=Scale.named(scale),
        throttle=False,
        clock=clock,
    )
    scrapes = int(DAY // interval)
    failed = 0
    with SimulatorServer(simulator) as server:
        upstream = ApiConfig(
            CLIENT_ID,
            Secret(CLIENT_SECRET),
            ims_token_url=server.ims_token_url,
            api_url=server.api_url,
        )
        service = build_service(upstream, CacheConfig(cache_ttl=0), clock=clock)
        try:
            for step in range(scrapes):
                now = START + step * interval
                if not service.cache.view(Deadline.after(30)).up:
                    failed += 1
        finally:
            service.close()
        margin = min(upstream.token_refresh_margin, LIFETIME / 2)
    return TokenDay(
        token_requests=simulator.requests("token"),
        lifetimes=math.ceil(DAY / (LIFETIME - margin)),
        scrapes=scrapes,
        interval=interval,
        failed_scrapes=failed,
    )


def run(scale: str, interval: float) -> TokenDay:
    """`token_day` in a child process."""
    command = [sys.executable, "-m", "bench.tokens", "--scale", scale, "--interval", str(interval)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return TokenDay(**json.loads(output))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tokens")
    parser.add_argument("--scale", default="typical")
    parser.add_argument("--interval", type=float, default=60.0)
    args = parser.parse_args(argv)
    print(json.dumps(asdict(token_day(args.scale, args.interval))))


if __name__ == "__main__":
    main()
