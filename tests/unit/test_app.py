"""The exporter's WSGI application (exporter/web/app.py), called as a WSGI server calls it:
/metrics, the status page, /-/healthy and /-/ready, HEAD, and what it refuses."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.support.exporters import ExporterFactory, RunningExporter

Answer = tuple[str, dict[str, str], bytes]


def call(exporter: RunningExporter, path: str, method: str = "GET", **environ: str) -> Answer:
    path, _, query = path.partition("?")
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        started.update(status=status, headers=dict(headers))

    wsgi: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        **environ,
    }
    chunks: Iterable[bytes] = exporter.service.app(wsgi, start_response)  # type: ignore[arg-type]
    body = b"".join(chunks)
    return started["status"], started["headers"], body


def families(body: bytes) -> set[str]:
    return {family.name for family in text_string_to_metric_families(body.decode())}


def test_healthy_answers_200_at_once(exporter: RunningExporter) -> None:
    status, headers, body = call(exporter, "/-/healthy")
    assert (status, body) == ("200 OK", b"Healthy\n")
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Content-Length"] == str(len(body))


def test_ready_answers_503_until_the_first_collection_then_200(
    exporter: RunningExporter,
) -> None:
    status, _, body = call(exporter, "/-/ready")
    assert (status, body) == ("503 Service Unavailable", b"Not ready: first collection pending\n")
    call(exporter, "/metrics")
    assert call(exporter, "/-/ready")[:3:2] == ("200 OK", b"Ready\n")


def test_metrics_serve_the_exposition_with_its_length(exporter: RunningExporter) -> None:
    status, headers, body = call(exporter, "/metrics")
    assert status == "200 OK"
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert headers["Content-Length"] == str(len(body))
    assert {"adobe_status_up", "adobe_status_product_status", "adobe_status_api_requests"} <= (
        families(body)
    )


def test_metrics_are_gzipped_when_the_scraper_accepts_it(exporter: RunningExporter) -> None:
    plain = call(exporter, "/metrics")[2]
    status, headers, body = call(exporter, "/metrics", HTTP_ACCEPT_ENCODING="gzip")
    assert status == "200 OK"
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Length"] == str(len(body))
    assert families(gzip.decompress(body)) == families(plain)


def test_openmetrics_is_served_when_asked_and_ends_once(exporter: RunningExporter) -> None:
    accept = "application/openmetrics-text; version=1.0.0"
    status, headers, body = call(exporter, "/metrics", HTTP_ACCEPT=accept)
    assert status == "200 OK"
    assert headers["Content-Type"].startswith("application/openmetrics-text")
    assert body.endswith(b"# EOF\n")
    assert body.count(b"# EOF") == 1


def test_name_filters_select_families(exporter: RunningExporter) -> None:
    query = "name[]=adobe_status_up&name[]=adobe_status_product_status"
    status, headers, body = call(exporter, f"/metrics?{query}")
    assert status == "200 OK"
    assert families(body) == {"adobe_status_up", "adobe_status_product_status"}
    assert headers["Content-Length"] == str(len(body))


def test_head_answers_what_get_would_without_a_body(make_exporter: ExporterFactory) -> None:
    exporter = make_exporter(cache_ttl=60.0)  # one collection for both requests
    get = call(exporter, "/metrics")
    status, headers, body = call(exporter, "/metrics", method="HEAD")
    assert (status, body) == ("200 OK", b"")
    assert headers["Content-Type"] == get[1]["Content-Type"]
    assert int(headers["Content-Length"]) > 0


def test_the_status_page_is_html_with_its_length(exporter: RunningExporter) -> None:
    status, headers, body = call(exporter, "/")
    assert status == "200 OK"
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Length"] == str(len(body))
    assert body.lstrip().lower().startswith(b"<!doctype html>")


def test_an_unknown_path_is_404(exporter: RunningExporter) -> None:
    status, _, body = call(exporter, "/metric")
    assert (status, body) == ("404 Not Found", b"Not found; try /metrics\n")


def test_other_methods_are_405_naming_the_allowed_ones(exporter: RunningExporter) -> None:
    for method in ("POST", "PUT", "DELETE"):
        status, headers, _ = call(exporter, "/metrics", method=method)
        assert status == "405 Method Not Allowed"
        assert headers["Allow"] == "GET, HEAD"
