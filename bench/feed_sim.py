"""`python -m bench.feed_sim`: the simulator's public feed at Adobe's size, clock frozen.

StatusEvents is the forty-day scenario's (about 10 MB); SnowServiceRegistry is the
catalog's, its services given environments until there are about 19,000 of them (about
2.3 MB, as Adobe's). With `--always-changed` every StatusEvents answer carries a new
ETag, so the exporter downloads and parses it on every scrape (the full-scrape figure);
without it the document never changes and every revalidation is a 304.
Prints the base URL on the first line of stdout and serves until stdin closes.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from typing import Any

from bench.simulator_proc import CLIENT_ID, CLIENT_SECRET, FROZEN_AT
from exporter.simulator import Scale, Simulator, SimulatorServer
from exporter.simulator.public_feed import Document

ENVIRONMENTS = 19_000
REGION_NAMES = ("Americas", "EMEA", "APAC")


class FeedBenchSimulator(Simulator):
    def __init__(self, always_changed: bool) -> None:
        super().__init__(
            seed=1,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            scale=Scale.forty_day(),
            throttle=False,
            clock=lambda: FROZEN_AT,
        )
        self._always_changed = always_changed
        self._versions = itertools.count(1)
        base = super().feed_registry()
        self._enlarged_registry = Document(
            _enlarged(json.loads(base.body)), '"registry"', base.last_modified
        )

    def feed_registry(self) -> Document:
        return self._enlarged_registry

    def feed_events(self) -> Document:
        document = super().feed_events()
        if not self._always_changed:
            return document
        return Document(document.body, f'"v{next(self._versions)}"', document.last_modified)


def _enlarged(registry: dict[str, Any]) -> bytes:
    """The registry with environments added round-robin to its services, up to ENVIRONMENTS."""
    services = list(registry["services"].values())
    environments = registry["environments"]
    for index in range(len(environments), ENVIRONMENTS):
        service = services[index % len(services)]
        env_id = f"9{index:08d}"
        regions = [REGION_NAMES[index % 3]] + (
            [REGION_NAMES[(index + 1) % 3]] if index % 4 == 0 else []
        )
        environments[env_id] = {"id": env_id, "name": f"Production {index}", "regionId": regions}
        service["serviceEnvironments"] = [*service.get("serviceEnvironments", []), env_id]
    return json.dumps(registry).encode()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.feed_sim")
    parser.add_argument("--always-changed", action="store_true")
    args = parser.parse_args(argv)
    simulator = FeedBenchSimulator(args.always_changed)
    simulator.feed_events()  # build the feed now rather than on the first request
    with SimulatorServer(simulator) as server:
        print(server.url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
