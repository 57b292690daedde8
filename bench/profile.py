"""`python -m bench.profile`: where the time of one full collection goes, stage by stage.

In one process, against the simulator at the bench's forty-day scale (its clock frozen, as
`make bench` has it), for each source: the events document fetched over loopback, then
each stage of what the exporter does with it run alone: the median CPU time (this
process's, every thread's) of ROUNDS interleaved rounds, so that a busy neighbour on a
shared machine weighs little:

- fetch: GET of the events document with the exporter's own `Fetcher`, bytes in hand;
- decode: the streamed walk alone (`JsonScanner`: every event decoded, nothing read);
- model: reading each event into records and replaying them to now, i.e. the reader
  (`read_feed`, `read_events`) less the decode;
- summarize: the catalog and the open events into a StatusReport;
- families: the report's metric families; encoding: those families in the text format.

Beside them, `json.loads` of the same bytes: what the bench's floor adds to the fetch.
`--cprofile N` adds cProfile's N costliest functions (own time) of one reader call.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import pstats
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from prometheus_client import generate_latest

from bench.feed_sim import FeedBenchSimulator
from bench.procs import API_KEY
from bench.simulator_proc import CLIENT_ID, CLIENT_SECRET, FROZEN_AT
from exporter.collector import status_families
from exporter.deadline import Deadline
from exporter.model.report import Scope, summarize
from exporter.model.vocabulary import ProductCatalog
from exporter.simulator import Scale, Simulator, SimulatorServer
from exporter.snapshot import Snapshot
from exporter.sources.api.dto import parse_catalog, read_events
from exporter.sources.feed.feed_source import read_service_registry
from exporter.sources.feed.status_events import read_feed
from exporter.sources.fetch import Body, Fetcher
from exporter.sources.jsonstream import JsonScanner
from exporter.sources.reading import Events
from exporter.upstream_metrics import UpstreamMetrics

ROUNDS = 15
EVERYTHING = Scope(None, None, None)
STAGES = ("fetch", "decode", "model", "summarize", "families", "encoding")


@dataclass(frozen=True)
class Collection:
    """One source's events document and how the exporter reads it."""

    name: str
    fetch: Callable[[], Body]
    read: Callable[[Body], Events]
    catalog: ProductCatalog


def cpu_ms(operation: Callable[[], object]) -> float:
    """The CPU time of one run (this process, every thread), in milliseconds."""
    started = time.process_time()
    operation()
    return (time.process_time() - started) * 1000.0


def walk(body: Body) -> None:
    """Every value of the document decoded as the readers stream it, nothing read."""
    scanner = JsonScanner.of_body(body)
    _walk(scanner, depth=3)
    scanner.end()


def _walk(scanner: JsonScanner, depth: int) -> None:
    if depth and scanner.peek() == "{":
        for _ in scanner.members():
            _walk(scanner, depth - 1)
    elif depth and scanner.peek() == "[":
        for _ in scanner.items():
            pass
    else:
        scanner.value()


def stages(collection: Collection) -> dict[str, float]:
    """Milliseconds per stage of one collection, and json.loads of the same bytes."""
    body = collection.fetch()
    events = collection.read(body)
    report = summarize(collection.catalog, events.impacts, EVERYTHING, events.anomalies)
    families = status_families(report)
    operations: dict[str, Callable[[], object]] = {
        "fetch": collection.fetch,
        "decode": lambda: walk(body),
        "read": lambda: collection.read(body),
        "summarize": lambda: summarize(collection.catalog, events.impacts, EVERYTHING),
        "families": lambda: status_families(report),
        "encoding": lambda: Snapshot(report, families, 0.0).encoded("", generate_latest),
        "json.loads": lambda: json.loads(body),
    }
    samples: dict[str, list[float]] = {name: [] for name in operations}
    for _ in range(ROUNDS):  # interleaved: a busy neighbour slows every stage alike
        for name, operation in operations.items():
            samples[name].append(cpu_ms(operation))
    figures = {name: statistics.median(values) for name, values in samples.items()}
    reads = zip(samples["read"], samples["decode"], strict=True)
    figures["model"] = max(statistics.median(read - decode for read, decode in reads), 0.0)
    figures["bytes"] = float(len(body))
    return figures


@contextlib.contextmanager
def feed() -> Iterator[Collection]:
    simulator = FeedBenchSimulator(always_changed=False)
    simulator.feed_events()
    with SimulatorServer(simulator) as server, _fetcher() as fetcher:
        base = f"{server.url}/adobestatus"
        catalog, _ = fetcher.get(
            "registry", f"{base}/SnowServiceRegistry", _unbounded(), read_service_registry
        )
        fetch = partial(_get, fetcher, f"{base}/StatusEvents", {})
        yield Collection("feed: StatusEvents", fetch, partial(read_feed, now=FROZEN_AT), catalog)


@contextlib.contextmanager
def api() -> Iterator[Collection]:
    simulator = Simulator(
        seed=1,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scale=Scale.forty_day(),
        throttle=False,
        clock=lambda: FROZEN_AT,
    )
    simulator.snapshot()
    with SimulatorServer(simulator) as server, _fetcher() as fetcher:
        token, _ = simulator.issue_token()
        headers = {"Authorization": f"Bearer {token}", "x-api-key": API_KEY}
        query = partial(_get, fetcher, headers=headers)
        catalog, _ = parse_catalog(
            json.loads(query(f"{server.url}/api/v1/products")),
            json.loads(query(f"{server.url}/api/v1/clouds")),
        )
        fetch = partial(query, f"{server.url}/api/v1/events")
        yield Collection("API: /api/v1/events", fetch, partial(read_events, now=FROZEN_AT), catalog)


@contextlib.contextmanager
def _fetcher() -> Iterator[Fetcher]:
    fetcher = Fetcher(UpstreamMetrics(), timeout=30.0, max_response_bytes=64 << 20)
    try:
        yield fetcher
    finally:
        fetcher.close()


def _unbounded() -> Deadline:
    return Deadline(None)


def _get(fetcher: Fetcher, url: str, headers: dict[str, str]) -> Body:
    body: Body = fetcher.get("events", url, _unbounded(), bytes, headers=headers, conditional=False)
    return body


def table(figures: dict[str, dict[str, float]]) -> str:
    """Milliseconds and shares of the collection (the stages' sum), one column per source."""
    names = list(figures)
    rows = [["stage", *names]]
    for stage in STAGES:
        cells = [stage]
        for name in names:
            total = sum(figures[name][s] for s in STAGES)
            cells.append(f"{figures[name][stage]:7.1f} ms {figures[name][stage] / total:4.0%}")
        rows.append(cells)
    rows.append(["collection", *(f"{sum(figures[n][s] for s in STAGES):7.1f} ms" for n in names)])
    rows.append(["json.loads", *(f"{figures[n]['json.loads']:7.1f} ms" for n in names)])
    rows.append(
        [
            "collection / floor",
            *(
                f"{sum(figures[n][s] for s in STAGES) / (figures[n]['fetch'] + figures[n]['json.loads']):.2f}"
                for n in names
            ),
        ]
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    figures: dict[str, dict[str, float]] = {}
    for source in (feed, api):
        with source() as collection:
            figures[collection.name] = stages(collection)
            if args.cprofile:
                body = collection.fetch()
                profile = cProfile.Profile()
                profile.runcall(collection.read, body)
                print(f"{collection.name}: cProfile of one reader call")
                pstats.Stats(profile).sort_stats("tottime").print_stats(args.cprofile)
    sizes = ", ".join(f"{n} {f['bytes'] / 1e6:.1f} MB" for n, f in figures.items())
    print(f"one full collection at forty-day scale, CPU ms, median of {ROUNDS} ({sizes})")
    print(table(figures))


if __name__ == "__main__":
    main()
