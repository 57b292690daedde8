"""The status page's "Last 30 days", as headless Chromium renders it, through both sources.

The simulator holds a past: an incident on Adobe Analytics three days ago (Minor for 10
minutes, then Major for 20, then closed) and a 40-minute maintenance on Adobe Photoshop
five days ago. `serve` keeps the last 30 days of the record; the page shows per product
the incidents, minutes at major and minor, maintenance minutes and availability.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from exporter.config import CacheConfig
from exporter.simulator import Simulator, SimulatorServer
from exporter.web.server import ExporterHTTPServer
from exporter.wiring import build_service
from tests.support.exporters import (
    FakeClock,
    RunningExporter,
    upstream_on,
)
from tests.support.live import Node, chromium_dump_dom, parse_html

pytestmark = pytest.mark.integration

ANALYTICS, PHOTOSHOP, ACROBAT = "503467", "503493", "512699"
DAY = 86400
WINDOW_MINUTES = 30 * 24 * 60


@pytest.fixture
def past_world(simulator: Simulator, clock: FakeClock) -> Iterator[SimulatorServer]:
    now = clock.now
    clock.now = now - 3 * DAY
    incident = simulator.add_incident(ANALYTICS, "Minor")
    clock.advance(600)
    simulator.update_incident(incident, severity="Major")
    clock.advance(1200)
    simulator.update_incident(incident, status="Closed")
    clock.now = now - 5 * DAY
    maintenance = simulator.add_maintenance(PHOTOSHOP, status="Started")
    clock.advance(2400)
    simulator.update_maintenance(maintenance, status="Completed")
    clock.now = now
    with SimulatorServer(simulator) as server:
        yield server


def serve(server: SimulatorServer, source: str, clock: FakeClock) -> Iterator[RunningExporter]:
    config = upstream_on(server, source)
    service = build_service(config, CacheConfig(past_days=30), clock=clock)
    http = ExporterHTTPServer(service.app, "127.0.0.1:0")
    http.start_in_thread()
    try:
        yield RunningExporter(service, http)
    finally:
        http.shutdown()
        service.close()


def past_row(page: Node, product_id: str) -> dict[str, str]:
    table = page.by_id("past")
    rows = [row for row in table.iter("tr") if row.attrs.get("data-product-id") == product_id]
    assert len(rows) == 1
    return {
        cell.attrs["data-col"]: cell.text()
        for cell in rows[0].children
        if isinstance(cell, Node) and "data-col" in cell.attrs
    }


@pytest.mark.parametrize("source", ["api", "feed"])
def test_the_page_shows_the_last_30_days_per_product(
    past_world: SimulatorServer, clock: FakeClock, source: str
) -> None:
    for exporter in serve(past_world, source, clock):
        assert exporter.scrape()[("adobe_status_up", frozenset())] == 1
        page = parse_html(chromium_dump_dom(exporter.url + "/"))
    assert page.by_id("past-title").text().startswith("Last 30 days")
    assert past_row(page, ANALYTICS) == {
        "incidents": "1",
        "major": "20",
        "minor": "10",
        "maintenance": "0",
        "availability": f"{(1 - 30 / WINDOW_MINUTES) * 100:.2f}%",
    }
    assert past_row(page, PHOTOSHOP) == {
        "incidents": "0",
        "major": "0",
        "minor": "0",
        "maintenance": "40",
        "availability": "100.00%",
    }
    assert past_row(page, ACROBAT)["availability"] == "100.00%"
    # Worst first: the product with the least availability heads the table.
    first = next(row for row in page.by_id("past").iter("tr") if "data-product-id" in row.attrs)
    assert first.attrs["data-product-id"] == ANALYTICS
