"""Scrapes served from a collection's encoded families carry prometheus_client's own bytes."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator

import pytest
from prometheus_client import CollectorRegistry, make_wsgi_app

from exporter.cache import SnapshotCache
from exporter.collector import ScrapeCollector, status_families
from exporter.config import ApiConfig, CacheConfig
from exporter.deadline import Deadline
from exporter.demo import DEMO_CLIENT_SECRET
from exporter.model.report import StatusReport
from exporter.secret import Secret
from exporter.simulator import Simulator, SimulatorServer
from exporter.snapshot import View
from exporter.web.app import ExporterApp
from exporter.web.page import PageInfo
from exporter.wiring import Service, build_service

Answer = tuple[str, list[tuple[str, str]], bytes]


class NeverCollects:
    """A Source a fixed view never asks."""

    retry_at = 0.0

    def collect(self, deadline: Deadline) -> StatusReport:
        raise AssertionError("a fixed view never collects")

    def close(self) -> None:
        pass


class FixedCache(SnapshotCache):
    """Always the same view, so two ways of exposing it can be compared byte for byte."""

    def __init__(self, view: View) -> None:
        super().__init__(NeverCollects(), status_families, CacheConfig())
        self._fixed = view

    def view(self, deadline: Deadline) -> View:
        return self._fixed


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    simulator = Simulator(seed=3, clock=lambda: 1_767_225_600.0)
    with SimulatorServer(simulator) as server:
        upstream = ApiConfig(
            simulator.client_id,
            Secret(DEMO_CLIENT_SECRET),
            ims_token_url=server.ims_token_url,
            api_url=server.api_url,
        )
        built = build_service(upstream, CacheConfig())
        try:
            yield built
        finally:
            built.close()


def call(app: object, method: str = "GET", query: str = "", **headers: str) -> Answer:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": "/metrics", "QUERY_STRING": query, **headers}
    answer: dict[str, object] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        answer.update(status=status, headers=response_headers)

    chunks: Iterable[bytes] = app(environ, start_response)  # type: ignore[operator]
    return str(answer["status"]), list(answer["headers"]), b"".join(chunks)  # type: ignore[call-overload]


def without_length(answer: Answer) -> Answer:
    """The answer as the server sends it, less the Content-Length it adds when missing."""
    status, headers, body = answer
    length = dict(headers).get("Content-Length")
    assert length is None or int(length) == len(body)
    return status, [header for header in headers if header[0] != "Content-Length"], body


def exporter_and_reference(service: Service, up: bool = True) -> tuple[ExporterApp, object]:
    view = service.cache.view(Deadline.after(30))
    assert view.snapshot is not None
    view = View(view.snapshot, up, view.last_success, view.duration, None if up else "down")
    app = ExporterApp(
        FixedCache(view), service.metrics, lambda: 1_767_300_000.0, PageInfo("test", "http://x")
    )
    registry = CollectorRegistry(auto_describe=False, support_collectors_without_names=True)
    registry.register(ScrapeCollector(view, lambda: 1_767_300_000.0))
    registry.register(service.metrics.collector)  # what the contract exposes: no _created
    return app, make_wsgi_app(registry)


ACCEPTS = [
    "",
    "text/plain;version=0.0.4;q=1,*/*;q=0.1",
    "text/plain;version=1.0.0;escaping=allow-utf-8",
    "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.2",
    "application/openmetrics-text;version=0.0.1",
    "application/openmetrics-text;version=1.0.0;escaping=values",
    "application/openmetrics-text",
]


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("up", [True, False])
def test_scrape_bytes_equal_prometheus_clients_for_every_format(
    service: Service, accept: str, up: bool
) -> None:
    app, reference = exporter_and_reference(service, up)
    expected = call(reference, HTTP_ACCEPT=accept)
    assert without_length(call(app, HTTP_ACCEPT=accept)) == expected
    # The second scrape of the collection, from its encoded families.
    assert without_length(call(app, HTTP_ACCEPT=accept)) == expected
    assert expected[2].count(b"# EOF") == (1 if "openmetrics" in expected[1][0][1] else 0)


def test_gzip_scrape_decompresses_to_the_same_bytes(service: Service) -> None:
    app, reference = exporter_and_reference(service)
    status, headers, body = without_length(call(app, HTTP_ACCEPT_ENCODING="gzip, deflate"))
    ref_status, ref_headers, ref_body = call(reference, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert (status, headers) == (ref_status, ref_headers)
    assert ("Content-Encoding", "gzip") in headers
    assert gzip.decompress(body) == gzip.decompress(ref_body)


def test_filtered_scrapes_answer_as_before(service: Service) -> None:
    app, reference = exporter_and_reference(service)
    query = "name[]=adobe_status_up&name[]=adobe_status_product_status"
    assert without_length(call(app, "GET", query)) == call(reference, "GET", query)


@pytest.mark.parametrize("query", ["", "name[]=adobe_status_up"])
@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_head_answers_the_headers_of_get_without_its_body(
    service: Service, query: str, encoding: str
) -> None:
    app, _ = exporter_and_reference(service)
    get_status, get_headers, get_body = call(app, "GET", query, HTTP_ACCEPT_ENCODING=encoding)
    if encoding == "gzip":  # gzip stamps the time in its header, which never changes length
        assert dict(get_headers)["Content-Encoding"] == "gzip"
    assert call(app, "HEAD", query, HTTP_ACCEPT_ENCODING=encoding) == (
        get_status,
        get_headers,
        b"",
    )
    assert int(dict(get_headers)["Content-Length"]) == len(get_body)
