"""One scale, measured end to end: simulator and exporter processes, scrapes and floors.

The cold floor is what the measured collection reads, fetched and json.loads-ed, in the
same rounds. With --cache-ttl 0 every scrape collects; the catalog (/products, /clouds)
and the last 30 days (an extra `/events?from&to`) are read at most every --registry-ttl
(an hour, longer than the run), and Adobe's texts once per token, so after the warm-up
rounds each measured collection reads one document, `/api/v1/events`, and the floor is its fetch plus
json.loads. `python -m bench.profile` shows where the time of one collection goes.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench import procs, tokens
from bench.measure import (
    ExpositionFloor,
    FetchFloor,
    Latency,
    Scraper,
    concurrent_upstream_requests,
    interleaved,
    series_count,
)

WARM_CACHE_TTL = 86400.0  # long enough that every warm scrape is served from the cache
CONCURRENT_SCRAPES = 10
CONCURRENT_TRIALS = 3
UPSTREAM_DELAY = 0.1  # seconds: Adobe's latency over the internet, not loopback's


@dataclass(frozen=True)
class Plan:
    """How much to sample at one scale: enough for a stable p95, little enough for ~5 min."""

    scale: str
    cold_rounds: int
    warm_rounds: int
    token_interval: float  # simulated seconds between scrapes over the token day
    warmup: int = 3


PLANS = (
    Plan("typical", cold_rounds=200, warm_rounds=300, token_interval=60.0),
    Plan("forty-day", cold_rounds=40, warm_rounds=150, token_interval=1800.0),
    Plan("stress", cold_rounds=20, warm_rounds=40, token_interval=1800.0),
)


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    p95_ms: float
    samples: int

    @classmethod
    def of(cls, latency: Latency) -> Timing:
        return cls(round(latency.p50, 3), round(latency.p95, 3), len(latency.samples))


@dataclass(frozen=True)
class Cold:
    """The exporter with --cache-ttl 0: every scrape fetches and decodes the feed."""

    events_bytes: int
    series: int
    exposition_bytes: int
    scrape: Timing
    floor: Timing  # fetch of /api/v1/events plus json.loads
    failed_scrapes: int
    concurrent_upstream_requests: int  # the most over CONCURRENT_TRIALS trials
    concurrent_ok: int  # the fewest 200 answers over those trials
    concurrent_loopback_upstream_requests: int  # the same, upstream answering at once
    concurrent_loopback_ok: int
    rss_peak_mb: float


@dataclass(frozen=True)
class Warm:
    """The exporter with a long --cache-ttl: every scrape is served from the cache."""

    scrape: Timing
    floor: Timing  # generate_latest of a static registry with the same series
    failed_scrapes: int
    rss_peak_mb: float


@dataclass(frozen=True)
class ScaleResult:
    scale: str
    incidents: int
    maintenances: int
    cold: Cold
    warm: Warm
    tokens: tokens.TokenDay


def run(plan: Plan) -> ScaleResult:
    with procs.simulator(plan.scale) as sim:
        events = sim.stats()["events"]
        with procs.exporter(sim, cache_ttl=0) as cold_exporter:
            cold = _cold(plan, sim, cold_exporter)
        with procs.exporter(sim, cache_ttl=WARM_CACHE_TTL) as warm_exporter:
            warm = _warm(plan, warm_exporter)
    return ScaleResult(
        scale=plan.scale,
        incidents=events["incidents"],
        maintenances=events["maintenances"],
        cold=cold,
        warm=warm,
        tokens=tokens.run(plan.scale, plan.token_interval),
    )


def _cold(plan: Plan, sim: procs.SimulatorProcess, exporter: procs.ExporterProcess) -> Cold:
    scraper = Scraper(exporter)
    exposition = scraper.body()
    floor = FetchFloor.events(sim)
    try:
        scrapes, floors = interleaved(scraper, floor, plan.cold_rounds, plan.warmup)
    finally:
        floor.close()
    trials = [
        concurrent_upstream_requests(exporter, sim, CONCURRENT_SCRAPES, UPSTREAM_DELAY)
        for _ in range(CONCURRENT_TRIALS)
    ]
    loopback = [
        concurrent_upstream_requests(exporter, sim, CONCURRENT_SCRAPES, 0.0)
        for _ in range(CONCURRENT_TRIALS)
    ]
    _, peak = exporter.memory_mb()
    return Cold(
        events_bytes=floor.size,
        series=series_count(exposition),
        exposition_bytes=len(exposition),
        scrape=Timing.of(scrapes),
        floor=Timing.of(floors),
        failed_scrapes=scraper.failures,
        concurrent_upstream_requests=max(requests for requests, _ in trials),
        concurrent_ok=min(ok for _, ok in trials),
        concurrent_loopback_upstream_requests=max(requests for requests, _ in loopback),
        concurrent_loopback_ok=min(ok for _, ok in loopback),
        rss_peak_mb=round(peak, 1),
    )


def _warm(plan: Plan, exporter: procs.ExporterProcess) -> Warm:
    scraper = Scraper(exporter)
    floor = ExpositionFloor(scraper.body())
    scrapes, floors = interleaved(scraper, floor, plan.warm_rounds, plan.warmup)
    _, peak = exporter.memory_mb()
    return Warm(
        scrape=Timing.of(scrapes),
        floor=Timing.of(floors),
        failed_scrapes=scraper.failures,
        rss_peak_mb=round(peak, 1),
    )
