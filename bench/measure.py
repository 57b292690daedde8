"""Timed operations and how their samples are taken.

A scrape and its floor are sampled in alternating rounds (which one goes first alternates
too), so that a noisy neighbour on the machine slows both alike and their ratio stays fair.
"""

from __future__ import annotations

import json
import math
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from bench.procs import API_KEY, ExporterProcess, SimulatorProcess

Timed = Callable[[], float]  # runs the operation once, returns its duration in seconds

# What Prometheus sends, minus gzip: the floors do not compress either.
SCRAPE_HEADERS = {
    "Accept": "text/plain;version=0.0.4;q=1,*/*;q=0.1",
    "Accept-Encoding": "identity",
    "X-Prometheus-Scrape-Timeout-Seconds": "10",
}


@dataclass(frozen=True)
class Latency:
    samples: tuple[float, ...]  # seconds

    def quantile(self, q: float) -> float:
        """Nearest-rank quantile, in milliseconds."""
        ordered = sorted(self.samples)
        return ordered[max(math.ceil(q * len(ordered)) - 1, 0)] * 1000.0

    @property
    def p50(self) -> float:
        return self.quantile(0.5)

    @property
    def p95(self) -> float:
        return self.quantile(0.95)


def interleaved(first: Timed, second: Timed, rounds: int, warmup: int) -> tuple[Latency, Latency]:
    """Samples of `first` and `second` taken in alternating order, after `warmup` rounds."""
    a: list[float] = []
    b: list[float] = []
    for index in range(warmup + rounds):
        if index % 2:
            first_time = first()
            second_time = second()
        else:
            second_time = second()
            first_time = first()
        if index >= warmup:
            a.append(first_time)
            b.append(second_time)
    return Latency(tuple(a)), Latency(tuple(b))


class Scraper:
    """GET /metrics as Prometheus does, over a new connection each time; counts bad answers."""

    def __init__(self, exporter: ExporterProcess) -> None:
        self._url = exporter.metrics_url
        self.failures = 0

    def body(self) -> bytes:
        return requests.get(self._url, headers=SCRAPE_HEADERS, timeout=30).content

    def __call__(self) -> float:
        started = time.perf_counter()
        response = requests.get(self._url, headers=SCRAPE_HEADERS, timeout=30)
        body = response.content
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or b"\nadobe_status_up 1" not in body:
            self.failures += 1
        return elapsed


class FetchFloor:
    """The cold floor: GET a document in one read (keep-alive session), then json.loads."""

    def __init__(
        self,
        url: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self._session = requests.Session()
        self.url = url
        self._params = params or {}
        self._headers = headers or {}
        self.size = len(self._fetch())

    @classmethod
    def events(cls, sim: SimulatorProcess) -> FetchFloor:
        """GET /api/v1/events with the token and API key, as the exporter asks for it."""
        headers = {"Authorization": f"Bearer {sim.token()}", "x-api-key": API_KEY}
        return cls(sim.events_url, params={"api_key": API_KEY}, headers=headers)

    def _fetch(self) -> bytes:
        response = self._session.get(
            self.url, params=self._params, headers=self._headers, stream=True, timeout=30
        )
        with response:
            response.raise_for_status()
            body: bytes = response.raw.read()
        return body

    def __call__(self) -> float:
        started = time.perf_counter()
        json.loads(self._fetch())
        return time.perf_counter() - started

    def close(self) -> None:
        self._session.close()


class _Static:
    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> list[Metric]:
        return self._families


class ExpositionFloor:
    """The warm floor: generate_latest of a static registry holding the scrape's series."""

    def __init__(self, exposition: bytes) -> None:
        families = list(text_string_to_metric_families(exposition.decode()))
        self._registry = CollectorRegistry(auto_describe=False)
        self._registry.register(_Static(families))
        self.size = len(generate_latest(self._registry))

    def __call__(self) -> float:
        started = time.perf_counter()
        generate_latest(self._registry)
        return time.perf_counter() - started


def concurrent_upstream_requests(
    exporter: ExporterProcess, sim: SimulatorProcess, scrapes: int, upstream_delay: float
) -> tuple[int, int]:
    """(upstream requests, 200 answers) for `scrapes` scrapes sent at the same moment.

    The connections are opened first and the requests then written back to back, so the
    scrapes reach the exporter together (threads starting requests one by one would spread
    them over several milliseconds). With `upstream_delay`, the simulator answers the
    events query that late, as Adobe does over the internet rather than over loopback.
    """
    host, port = exporter.address
    request = _request_bytes(host, port)
    sockets = [socket.create_connection((host, port), timeout=30) for _ in range(scrapes)]
    try:
        time.sleep(0.1)  # let the server accept every connection
        if upstream_delay:
            sim.delay_next("events", upstream_delay)
        before = sim.upstream_requests()
        for sock in sockets:
            sock.sendall(request)
        answers = [_read_to_end(sock) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
    ok = sum(1 for answer in answers if answer.split(b" ", 2)[1:2] == [b"200"])
    return sim.upstream_requests() - before, ok


def _request_bytes(host: str, port: int) -> bytes:
    lines = ["GET /metrics HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in SCRAPE_HEADERS.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def _read_to_end(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def series_count(exposition: bytes) -> int:
    return sum(1 for line in exposition.splitlines() if line and not line.startswith(b"#"))
