"""The collection that reads everything, against its floor: catalog, events, last 30 days.

Most collections read one document (`bench/run.py`, `bench/feed.py`). At most every
--registry-ttl a collection also refreshes the catalog and reads Adobe's last 30 days for
the status page. With --registry-ttl 0 every collection does, and this measures it at
forty-day scale for each source:

- feed: SnowServiceRegistry, then StatusEvents read once, whole, into records;
- API: /products, /clouds, /api/v1/events, and /api/v1/events with `from` and `to`.

The floor is every one of those documents fetched and `json.loads`-ed, in the same rounds
(interleaved, medians of wall time). The simulator serves from its own process, as in
`make bench`; the collection runs in this one, its clock frozen at the simulator's
instant, so that the 30 days asked for are the simulator's 30 days. The targets are issue 18's: at most 0.7x the
floor with the feed, 0.6x with the API. Events Adobe left alone reuse their replays from
the reading before (exporter/model/replay_cache.py), so the first collection after start
costs more: it is printed beside, without a target.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from bench import feed, procs
from bench.measure import FetchFloor, interleaved
from bench.procs import API_KEY
from bench.run import Timing
from bench.simulator_proc import CLIENT_ID, CLIENT_SECRET, FROZEN_AT
from exporter.config import ApiConfig, CacheConfig, FeedConfig
from exporter.deadline import Deadline
from exporter.secret import Secret
from exporter.wiring import Service, build_service

ROUNDS = 15
WARMUP = 2
PAST_DAYS = 30
TARGETS = {"feed": 0.7, "api": 0.6}
EVERYTHING_DUE = CacheConfig(cache_ttl=0.0, registry_ttl=0.0, past_days=PAST_DAYS)


@dataclass(frozen=True)
class RecordRound:
    source: str  # "feed" or "api"
    documents: tuple[str, ...]
    document_bytes: int
    collection: Timing
    floor: Timing
    target: float
    first_ms: float  # the first collection after start: nothing to reuse yet (no target)

    @property
    def ratio(self) -> float:
        return self.collection.p50_ms / self.floor.p50_ms

    @property
    def passed(self) -> bool:
        return self.ratio <= self.target


def run() -> list[RecordRound]:
    return [_measure("feed", _feed), _measure("api", _api)]


Setup = Callable[[], contextlib.AbstractContextManager[tuple[Service, list[FetchFloor]]]]


def _measure(source: str, setup: Setup) -> RecordRound:
    with setup() as (service, floors):
        try:
            collect = _collection(service)
            first = collect()
            floor = _together(floors)
            collections, floor_times = interleaved(collect, floor, ROUNDS, WARMUP)
        finally:
            for one in floors:
                one.close()
            service.close()
    return RecordRound(
        source=source,
        documents=tuple(one.url for one in floors),
        document_bytes=sum(one.size for one in floors),
        collection=Timing.of(collections),
        floor=Timing.of(floor_times),
        target=TARGETS[source],
        first_ms=round(first * 1000.0, 1),
    )


def _collection(service: Service) -> Callable[[], float]:
    def collect() -> float:
        started = time.perf_counter()
        snapshot = service.cache.view(Deadline.after(60.0))
        elapsed = time.perf_counter() - started
        if not snapshot.up:
            raise RuntimeError("a measured collection failed")
        return elapsed

    return collect


def _together(floors: list[FetchFloor]) -> Callable[[], float]:
    return lambda: sum(floor() for floor in floors)


def _frozen() -> float:
    return FROZEN_AT


@contextlib.contextmanager
def _feed() -> Iterator[tuple[Service, list[FetchFloor]]]:
    with feed.feed_simulator(always_changed=True) as sim:  # no 304: every document whole
        base = f"{sim.url}/adobestatus"
        service = build_service(FeedConfig(feed_url=base), EVERYTHING_DUE, clock=_frozen)
        floors = [FetchFloor(f"{base}/SnowServiceRegistry"), FetchFloor(f"{base}/StatusEvents")]
        yield service, floors


@contextlib.contextmanager
def _api() -> Iterator[tuple[Service, list[FetchFloor]]]:
    with procs.simulator("forty-day") as sim:
        config = ApiConfig(
            client_id=CLIENT_ID,
            client_secret=Secret(CLIENT_SECRET),
            ims_token_url=sim.ims_token_url,
            api_url=sim.url,
            api_key=API_KEY,
        )
        service = build_service(config, EVERYTHING_DUE, clock=_frozen)
        headers = {"Authorization": f"Bearer {sim.token()}", "x-api-key": API_KEY}
        window = {"from": _day(FROZEN_AT - PAST_DAYS * 86400), "to": _day(FROZEN_AT)}

        def floor(path: str, **params: str) -> FetchFloor:
            query = {"api_key": API_KEY, **params}
            return FetchFloor(f"{sim.url}/api/v1/{path}", params=query, headers=headers)

        floors = [floor("products"), floor("clouds"), floor("events"), floor("events", **window)]
        yield service, floors


def _day(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")


def table(rounds: list[RecordRound]) -> str:
    rows = [
        ("source", "documents, MB", "collection p50", "floor p50", "ratio", "target", "", "first")
    ]
    for one in rounds:
        rows.append(
            (
                one.source,
                f"{len(one.documents)}, {one.document_bytes / 1e6:.1f}",
                f"{one.collection.p50_ms:.1f} ms",
                f"{one.floor.p50_ms:.1f} ms",
                f"{one.ratio:.2f}",
                f"<= {one.target:.1f}",
                "PASS" if one.passed else "FAIL",
                f"{one.first_ms:.0f} ms",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "a collection due for everything (catalog, events, last 30 days), forty-day scale;",
        "first: the first one after start, with no replay to reuse yet (once per process)",
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)
