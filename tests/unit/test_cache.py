"""What a scrape serves: shared in-flight collections, cache TTL, Retry-After and --max-stale."""

from __future__ import annotations

import threading
from typing import Any

from exporter.cache import SnapshotCache
from exporter.collector import status_families
from exporter.config import CacheConfig
from exporter.deadline import Deadline
from exporter.errors import UpstreamError
from exporter.model.report import StatusReport


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Source:
    """A collection that succeeds or fails on command and counts its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail = False
        self.gate: threading.Event | None = None
        self.entered = threading.Event()
        self.retry_at = 0.0  # Unix time before which nothing may be asked

    def close(self) -> None:
        pass

    def collect(self, deadline: Deadline) -> StatusReport:
        self.calls += 1
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(10)
        if self.fail:
            raise UpstreamError("events", "http", "HTTP 500")
        return StatusReport(products=[], events=[])


def make_cache(source: Source, clock: FakeClock, **config: Any) -> SnapshotCache:
    return SnapshotCache(source, status_families, CacheConfig(**config), clock=clock)


def test_every_scrape_queries_upstream_without_cache_ttl() -> None:
    source, clock = Source(), FakeClock()
    cache = make_cache(source, clock)
    for _ in range(3):
        assert cache.view(Deadline()).up
    assert source.calls == 3


def test_fresh_cache_is_served_with_up_1_and_no_query() -> None:
    source, clock = Source(), FakeClock()
    cache = make_cache(source, clock, cache_ttl=60)
    cache.view(Deadline())
    clock.now += 59
    view = cache.view(Deadline())
    assert (view.up, source.calls) == (True, 1)
    clock.now += 2
    cache.view(Deadline())
    assert source.calls == 2


def test_concurrent_scrapes_share_one_inflight_collection() -> None:
    source, clock = Source(), FakeClock()
    source.gate = threading.Event()
    cache = make_cache(source, clock)
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.view(Deadline.after(10)).up))
        for _ in range(10)
    ]
    for thread in threads:
        thread.start()
    assert source.entered.wait(5)
    # Give every follower a chance to join before releasing the leader.
    for _ in range(200):
        if sum(t.is_alive() for t in threads) == 10:
            break
    source.gate.set()
    for thread in threads:
        thread.join(10)
    assert results == [True] * 10
    assert source.calls <= 2  # a latecomer arriving after the release may start a second


def test_failure_serves_last_good_data_within_max_stale_with_up_0() -> None:
    source, clock = Source(), FakeClock()
    cache = make_cache(source, clock, max_stale=300)
    first = cache.view(Deadline())
    source.fail = True
    clock.now += 200
    view = cache.view(Deadline())
    assert view.up is False
    assert view.snapshot is first.snapshot
    assert view.last_success == first.last_success
    assert view.error == "events: http: HTTP 500"


def test_stale_data_is_dropped_after_max_stale() -> None:
    source, clock = Source(), FakeClock()
    cache = make_cache(source, clock, max_stale=300)
    cache.view(Deadline())
    source.fail = True
    clock.now += 301
    view = cache.view(Deadline())
    assert (view.up, view.snapshot) == (False, None)
    assert view.last_success == 1_000_000.0


def test_recovery_on_next_good_answer() -> None:
    source, clock = Source(), FakeClock()
    cache = make_cache(source, clock, max_stale=0)
    source.fail = True
    assert cache.view(Deadline()).up is False
    source.fail = False
    view = cache.view(Deadline())
    assert view.up and view.snapshot is not None and view.error is None


def test_no_upstream_request_inside_retry_after_window() -> None:
    source, clock = Source(), FakeClock()
    cache = make_cache(source, clock)
    cache.view(Deadline())
    source.retry_at = clock.now + 30
    clock.now += 10
    view = cache.view(Deadline())
    assert (view.up, source.calls) == (False, 1)
    assert view.snapshot is not None  # still within --max-stale
    clock.now += 21
    assert cache.view(Deadline()).up
    assert source.calls == 2


def test_unexpected_exception_in_collection_becomes_up_0() -> None:
    clock = FakeClock()

    class Broken(Source):
        def collect(self, deadline: Deadline) -> StatusReport:
            raise KeyError("bug")

    cache = SnapshotCache(Broken(), status_families, CacheConfig(), clock=clock)
    view = cache.view(Deadline())
    assert view.up is False
    assert view.error is not None and "internal error" in view.error


def test_first_attempt_marks_ready_even_when_it_fails() -> None:
    source, clock = Source(), FakeClock()
    source.fail = True
    cache = make_cache(source, clock)
    assert not cache.first_attempt_done.is_set()
    cache.view(Deadline())
    assert cache.first_attempt_done.is_set()


def test_follower_gives_up_at_its_deadline() -> None:
    source, clock = Source(), FakeClock()
    source.gate = threading.Event()
    cache = make_cache(source, clock)
    leader = threading.Thread(target=cache.view, args=(Deadline.after(10),))
    leader.start()
    assert source.entered.wait(5)
    view = cache.view(Deadline.after(0.05))
    assert view.up is False
    source.gate.set()
    leader.join(10)
    assert source.calls == 1
