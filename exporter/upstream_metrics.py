"""Counters and histograms about the exporter's own upstream traffic.

They live for the whole process (unlike the status gauges, which are rebuilt from
each collection) and sit in a registry of their own that each scrape includes, through
`UpstreamMetrics.collector`: without the `_created` series prometheus_client adds to
every counter and histogram, which the contract does not name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from prometheus_client.samples import Sample

from exporter.errors import ERROR_REASONS, Reason

ENDPOINTS: Final = ("token", "events", "products", "clouds", "messages")
# The public feed: StatusEvents is `events`, SnowServiceRegistry is `registry`; no IMS.
FEED_ENDPOINTS: Final = ("events", "registry")

# Upstream latency spans loopback (ms) to a slow vendor API near the 10 s timeout.
LATENCY_BUCKETS: Final = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class UpstreamMetrics:
    """The process-lifetime self metrics, registered in their own registry."""

    def __init__(self, *, feed: bool = False) -> None:
        """`feed`: the public feed's endpoints and no token family (it needs no token)."""
        self.registry = CollectorRegistry(auto_describe=False)
        # Created unregistered with the feed, so it never shows on /metrics.
        self.token_requests = Counter(
            "adobe_status_token_requests_total",
            "Token requests made to Adobe IMS, by result.",
            ["result"],
            registry=None if feed else self.registry,
        )
        self.request_duration = Histogram(
            "adobe_status_api_request_duration_seconds",
            "Duration of upstream HTTP requests to Adobe (IMS, the Status API or the public feed).",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.requests = Counter(
            "adobe_status_api_requests_total",
            "Upstream HTTP requests to Adobe (IMS, the Status API or the public feed), by "
            "HTTP status code ('error' when no answer came).",
            ["endpoint", "code"],
            registry=self.registry,
        )
        self.errors = Counter(
            "adobe_status_upstream_errors_total",
            "Upstream answers the exporter could not use, by endpoint and reason.",
            ["endpoint", "reason"],
            registry=self.registry,
        )
        # Zero-initialise every known series so rate() and alerts see them from the start.
        for result in ("success", "failure"):
            self.token_requests.labels(result=result)
        for endpoint in FEED_ENDPOINTS if feed else ENDPOINTS:
            self.request_duration.labels(endpoint=endpoint)
            for reason in ERROR_REASONS:
                self.errors.labels(endpoint=endpoint, reason=reason)

    @property
    def collector(self) -> Collector:
        """What a scrape exposes of these metrics."""
        return WithoutCreated(self.registry)

    def observe_request(self, endpoint: str, code: str, seconds: float) -> None:
        self.request_duration.labels(endpoint=endpoint).observe(seconds)
        self.requests.labels(endpoint=endpoint, code=code).inc()

    def count_error(self, endpoint: str, reason: Reason) -> None:
        self.errors.labels(endpoint=endpoint, reason=reason).inc()


class WithoutCreated:
    """A collector's families without their `_created` samples.

    Filtering here, rather than prometheus_client's disable_created_metrics() or
    PROMETHEUS_DISABLE_CREATED_SERIES, changes nothing process-wide and does not depend
    on the user's environment or the library's version.
    """

    def __init__(self, source: Collector) -> None:
        self._source = source

    def collect(self) -> Iterator[Metric]:
        for family in self._source.collect():
            created = family.name + "_created"
            kept = [sample for sample in family.samples if sample.name != created]
            yield family if len(kept) == len(family.samples) else _with_samples(family, kept)


def _with_samples(family: Metric, samples: list[Sample]) -> Metric:
    # A copy: the source may hand out the same family object again.
    copy = Metric(family.name, family.documentation, family.type, family.unit)
    copy.samples = samples
    return copy
