"""`make soak` (`python -m bench.soak`): minutes of Adobe misbehaving, both sources at once.

The simulator (its own process, driven over its control API) and two exporters (one per
source, each its own process) run while:

- the scenario changes every few seconds (an incident added on, or removed from, one of a
  few watched products);
- faults rotate across every endpoint of both sources, one per source at a time: 500,
  503 with an HTML page, a hang, a trickling body, truncated JSON, 429 with Retry-After,
  and the API's tokens revoked;
- several scrapers per exporter scrape concurrently, as Prometheus does, with a deadline.

It prints each figure beside its bound and exits 1 when one is broken:

- every scrape answered 200 within its deadline;
- whenever `up` is 1, the watched products' statuses are the scenario's (one of the
  scenarios that held while that collection ran);
- upstream requests per minute, per kind of endpoint, within a bound derived from the
  contract's rules (printed with its derivation): concurrent scrapes never multiply
  requests, auxiliary calls are never retried on every scrape;
- the exporters' RSS, open file descriptors and threads flat: end within a stated margin
  of the start (both sampled while no scrape is in flight).

It lives in bench/ beside `make bench`, not in tests/: it runs for minutes, measures real
processes and reports figures beside bounds; `make test` stays minutes shorter.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
from prometheus_client.parser import text_string_to_metric_families

from bench.procs import SimulatorProcess, serve, simulator

SCRAPE_TIMEOUT = 3.0  # X-Prometheus-Scrape-Timeout-Seconds each scraper sends
SCRAPE_INTERVAL = 1.0  # each scraper's pause between scrapes
SCRAPERS = 3  # concurrent scrapers per exporter (an HA pair and a person with curl)
SCENARIO_EVERY = 3.0
FAULT_EVERY = 5.0
REGISTRY_TTL = 20.0  # short, so catalog refreshes (and their failures) happen in minutes
BACKOFF_FLOOR = 30.0  # the contract's wait after an auxiliary failure
HANG = SCRAPE_TIMEOUT + 2.0
WATCHED = 6  # products the scenario plays with
SEVERITY_STATE = {"Major": 4, "Minor": 3}
# Flat: the end sample may exceed the start by at most this much.
RSS_MARGIN_MB = 16.0
FD_MARGIN = 8
THREAD_MARGIN = 4

FAULTS: dict[str, dict[str, Any]] = {
    "500": {"status": 500},
    "html-503": {
        "status": 503,
        "body": "<html><body><h1>503 Service Unavailable</h1></body></html>",
        "content_type": "text/html",
    },
    "hang": {"delay": HANG},
    "trickle": {"slow_body": True, "delay": HANG},
    "truncated-json": {"status": 200, "body": '{"incidents": [{"id": "1", "prod'},
    "429": {"status": 429, "retry_after": "2"},
}
API_ENDPOINTS = ("token", "events", "products", "clouds", "messages")
FEED_ENDPOINTS = ("feed_events", "feed_registry")
API_ROTATION = [*itertools.product(API_ENDPOINTS, FAULTS), ("token", "revoked")]
FEED_ROTATION = list(itertools.product(FEED_ENDPOINTS, FAULTS))


@dataclass
class Exporter:
    source: str
    url: str
    pid: int
    scrapes: int = 0
    late: list[str] = field(default_factory=list)  # scrapes not answered 200 in time
    wrong: list[str] = field(default_factory=list)  # up 1 with statuses not the scenario's
    up: int = 0


class Scenario:
    """The incidents added on the watched products, and when each state began."""

    def __init__(self, sim: SimulatorProcess, products: list[str]) -> None:
        self._sim = sim
        self._products = products
        self._open: dict[str, list[tuple[str, str]]] = {p: [] for p in products}
        self._lock = threading.Lock()
        self.faults = "none"  # the faults injected now, for the report
        self._history: list[tuple[float, dict[str, int]]] = [(time.monotonic(), self.expected())]

    def expected(self) -> dict[str, int]:
        return {
            product: max((SEVERITY_STATE[sev] for _, sev in events), default=0)
            for product, events in self._open.items()
        }

    def change(self, rng: random.Random) -> None:
        product = rng.choice(self._products)
        events = self._open[product]
        if events and rng.random() < 0.5:
            event_id, _ = events.pop(rng.randrange(len(events)))
            _control("DELETE", f"{self._sim.url}/_sim/events/{event_id}")
        else:
            severity = rng.choice(list(SEVERITY_STATE))
            answer = _control(
                "POST",
                f"{self._sim.url}/_sim/incidents",
                {"product_id": product, "severity": severity, "title": "soak"},
            )
            events.append((answer["id"], severity))
        with self._lock:
            self._history.append((time.monotonic(), self.expected()))

    def held_between(self, start: float, end: float) -> list[dict[str, int]]:
        """Every state that held at some moment in [start, end]."""
        with self._lock:
            history = list(self._history)
        held = [state for (at, state) in history if start <= at <= end]
        before = [state for (at, state) in history if at < start]
        return held + before[-1:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=4.0, help="how long (default 4)")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with simulator("typical") as sim, _exporter(sim, "api") as api, _exporter(sim, "feed") as feed:
        exporters = [api, feed]
        baseline = _statuses(_samples(_scrape(api.url).text))
        products = sorted(p for p, state in baseline.items() if state == 0)[:WATCHED]
        scenario = Scenario(sim, products)
        stop_at = time.monotonic() + args.minutes * 60
        pause, quiet = threading.Event(), threading.Semaphore(len(exporters) * SCRAPERS)
        threads = [
            threading.Thread(
                target=_scraper, args=(e, scenario, products, stop_at, pause, quiet), daemon=True
            )
            for e in exporters
            for _ in range(SCRAPERS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(FAULT_EVERY)  # warm: every lazy import and first pool connection made
        start = {e.source: _quiet_sample(e, pause, quiet, len(threads)) for e in exporters}
        counts = [(time.monotonic(), _counts(sim))]
        _drive(sim, scenario, rng, stop_at, counts)
        for thread in threads:
            thread.join()
        end = {e.source: _quiet_sample(e, pause, quiet, len(threads)) for e in exporters}
        counts.append((time.monotonic(), _counts(sim)))
    return _report(exporters, start, end, counts, args.minutes)


def _drive(
    sim: SimulatorProcess,
    scenario: Scenario,
    rng: random.Random,
    stop_at: float,
    counts: list[tuple[float, dict[str, int]]],
) -> None:
    """The scenario every SCENARIO_EVERY s, the faults every FAULT_EVERY s, counts each minute."""
    window = 0
    next_fault = next_change = time.monotonic()
    next_count = next_fault + 60
    while (now := time.monotonic()) < stop_at:
        if now >= next_fault:
            _control("DELETE", f"{sim.url}/_sim/faults")
            for endpoint, fault in (
                API_ROTATION[window % len(API_ROTATION)],
                FEED_ROTATION[window % len(FEED_ROTATION)],
            ):
                if fault == "revoked":
                    _control("POST", f"{sim.url}/_sim/revoke")
                else:
                    fault_args = {"endpoint": endpoint, "times": None, **FAULTS[fault]}
                    _control("POST", f"{sim.url}/_sim/faults", fault_args)
            scenario.faults = " and ".join(
                " ".join(pair)
                for pair in (
                    API_ROTATION[window % len(API_ROTATION)],
                    FEED_ROTATION[window % len(FEED_ROTATION)],
                )
            )
            window += 1
            next_fault += FAULT_EVERY
        if now >= next_change:
            scenario.change(rng)
            next_change += SCENARIO_EVERY
        if now >= next_count:
            counts.append((now, _counts(sim)))
            next_count += 60
        time.sleep(max(min(next_fault, next_change, stop_at) - time.monotonic(), 0.01))
    _control("DELETE", f"{sim.url}/_sim/faults")


def _scraper(
    exporter: Exporter,
    scenario: Scenario,
    products: list[str],
    stop_at: float,
    pause: threading.Event,
    quiet: threading.Semaphore,
) -> None:
    while time.monotonic() < stop_at:
        while pause.is_set():
            time.sleep(0.05)
        with quiet:
            started, faults = time.monotonic(), scenario.faults
            try:
                response = _scrape(exporter.url)
                code, ended = response.status_code, time.monotonic()
            except requests.RequestException as error:
                code, ended, response = 0, time.monotonic(), None
                exporter.late.append(f"{type(error).__name__} after {_since(started)} ({faults})")
        exporter.scrapes += 1
        if code and (code != 200 or ended - started > SCRAPE_TIMEOUT):
            exporter.late.append(f"HTTP {code} after {ended - started:.2f}s ({faults})")
        samples = _samples(response.text) if response is not None else {}
        if samples.get("up") == 1:
            exporter.up += 1
            got = {p: s for p, s in _statuses(samples).items() if p in products}
            # A scrape may join a collection that began up to one deadline earlier.
            if got not in scenario.held_between(started - SCRAPE_TIMEOUT, ended):
                exporter.wrong.append(f"{got} at {started:.1f}")
        time.sleep(SCRAPE_INTERVAL)


def _scrape(url: str) -> requests.Response:
    return requests.get(
        f"{url}/metrics",
        headers={"X-Prometheus-Scrape-Timeout-Seconds": str(SCRAPE_TIMEOUT)},
        timeout=SCRAPE_TIMEOUT,
    )


def _samples(text: str) -> dict[str, Any]:
    """`up` and the product statuses by product id (parsed after the clock stopped)."""
    samples: dict[str, Any] = {"products": {}}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "adobe_status_up":
                samples["up"] = sample.value
            elif sample.name == "adobe_status_product_status":
                samples["products"][sample.labels["product_id"]] = int(sample.value)
    return samples


def _statuses(samples: dict[str, Any]) -> dict[str, int]:
    statuses: dict[str, int] = samples.get("products", {})
    return statuses


def _quiet_sample(
    exporter: Exporter, pause: threading.Event, quiet: threading.Semaphore, slots: int
) -> dict[str, float]:
    """RSS (MB), open fds and threads of the exporter while no scrape is in flight."""
    pause.set()
    for _ in range(slots):
        quiet.acquire()
    try:
        time.sleep(0.5)  # the exporter's own handler threads finish
        return _process_sample(exporter.pid)
    finally:
        for _ in range(slots):
            quiet.release()
        pause.clear()


def _process_sample(pid: int) -> dict[str, float]:
    figures = {"fds": float(len(os.listdir(f"/proc/{pid}/fd")))}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key == "VmRSS":
                figures["rss_mb"] = int(rest.split()[0]) * 1024 / 1e6
            elif key == "Threads":
                figures["threads"] = float(rest.strip())
    return figures


def _counts(sim: SimulatorProcess) -> dict[str, int]:
    counts: dict[str, int] = sim.stats()["requests"]
    return counts


def _per_minute(counts: list[tuple[float, dict[str, int]]], endpoints: tuple[str, ...]) -> float:
    """The highest rate of requests to `endpoints` over the windows between samples."""
    rates = []
    for (t0, c0), (t1, c1) in itertools.pairwise(counts):
        if t1 - t0 >= 10:  # a tail shorter than that says little about a rate
            got = sum(c1.get(e, 0) - c0.get(e, 0) for e in endpoints)
            rates.append(got * 60 / (t1 - t0))
    return max(rates, default=0.0)


def _report(
    exporters: list[Exporter],
    start: dict[str, dict[str, float]],
    end: dict[str, dict[str, float]],
    counts: list[tuple[float, dict[str, int]]],
    minutes: float,
) -> int:
    scrapes_per_minute = SCRAPERS * 60 / SCRAPE_INTERVAL
    refreshes = 60 / min(REGISTRY_TTL, BACKOFF_FLOOR) + 1  # a success waits the TTL, a failure 30 s
    new_texts = 60 / SCENARIO_EVERY + 60 / BACKOFF_FLOOR + 1
    print(f"soak: {minutes:g} min, {SCRAPERS} scrapers per exporter every {SCRAPE_INTERVAL:g} s,")
    print(f"  deadline {SCRAPE_TIMEOUT:g} s; scenario change every {SCENARIO_EVERY:g} s; faults:")
    print(
        f"  api {len(API_ROTATION)} and feed {len(FEED_ROTATION)} in rotation, {FAULT_EVERY:g} s each"
    )
    print(f"  (a full api rotation takes {len(API_ROTATION) * FAULT_EVERY / 60:.1f} min)")
    print("bounds on upstream requests per minute (S = scrapes per minute of one exporter):")
    print("  events+token <= S x 4 (token renewal, event, one new token and one retry after a 401)")
    print(
        "  catalog      <= 2 x (60/min(registry_ttl, 30 s) + 1) (products and clouds per refresh)"
    )
    print(
        "  messages     <= 60/scenario change + 60/30 s + 1 (new tokens, retries after a failure)"
    )
    checks = [
        ("api events+token /min", _per_minute(counts, ("events", "token")), scrapes_per_minute * 4),
        ("api catalog /min", _per_minute(counts, ("products", "clouds")), 2 * refreshes),
        ("api messages /min", _per_minute(counts, ("messages",)), new_texts),
        ("feed events /min", _per_minute(counts, ("feed_events",)), scrapes_per_minute),
        ("feed registry /min", _per_minute(counts, ("feed_registry",)), refreshes),
    ]
    for exporter in exporters:
        name = exporter.source
        checks += [
            (f"{name} scrapes late or not 200", len(exporter.late), 0),
            (f"{name} up-1 scrapes with wrong statuses", len(exporter.wrong), 0),
            (f"{name} RSS MB growth", end[name]["rss_mb"] - start[name]["rss_mb"], RSS_MARGIN_MB),
            (f"{name} open fds growth", end[name]["fds"] - start[name]["fds"], FD_MARGIN),
            (
                f"{name} threads growth",
                end[name]["threads"] - start[name]["threads"],
                THREAD_MARGIN,
            ),
        ]
        print(
            f"{name}: {exporter.scrapes} scrapes, {exporter.up} with up 1; start {start[name]}, "
            f"end {end[name]}"
        )
        for line in (exporter.late + exporter.wrong)[:5]:
            print(f"  e.g. {line}")
    failed = 0
    for label, figure, bound in checks:
        ok = figure <= bound
        failed += not ok
        print(f"{label:42} {figure:10.1f}   bound {bound:8.1f}   {'ok' if ok else 'BROKEN'}")
    print(f"soak: {'all bounds hold' if not failed else f'{failed} bound(s) broken'}")
    return 1 if failed else 0


@contextlib.contextmanager
def _exporter(sim: SimulatorProcess, source: str) -> Iterator[Exporter]:
    if source == "feed":
        upstream: tuple[str, ...] = ("--feed-url", f"{sim.url}/adobestatus")
    else:
        upstream = ("--ims-token-url", sim.ims_token_url, "--api-url", sim.url)
    ttls = ("--cache-ttl", "0", "--registry-ttl", str(REGISTRY_TTL))
    with serve("--source", source, *upstream, *ttls, credentials=source == "api") as process:
        yield Exporter(source, process.url, process.pid)


def _control(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    response = requests.request(method, url, json=body, timeout=30)
    response.raise_for_status()
    return response.json() if response.content else None


def _since(started: float) -> str:
    return f"{time.monotonic() - started:.2f}s"


if __name__ == "__main__":
    sys.exit(main())
