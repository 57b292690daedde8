"""The status page `/` as a browser renders it: headless Chromium on a live exporter.

The exporter runs on the simulator with known events and has collected once; Chromium
loads `/` and its serialized DOM (`--dump-dom`) is parsed and checked cell by cell. A
screenshot goes to test-artifacts/status-page.png for people to look at.

Adobe's texts reach the page through `/api/v1/messages/{locale}`; hostile ones (scripts,
event handlers, `javascript:` links) must show as inert text: Chromium runs the page's
DOM, so a script that got through would have renamed the document (`PWNED`).
"""

from __future__ import annotations

import struct
import time

import pytest

import exporter as exporter_package
from exporter.config import CacheConfig, FeedConfig
from exporter.deadline import Deadline
from exporter.simulator import Simulator, SimulatorServer
from exporter.web.server import ExporterHTTPServer
from exporter.wiring import build_service
from tests.support.exporters import CLIENT_SECRET, FakeClock, RunningExporter
from tests.support.live import (
    ARTIFACTS,
    Node,
    chromium_dump_dom,
    chromium_screenshot,
    parse_html,
)

pytestmark = pytest.mark.integration

ANALYTICS = "503467"
PHOTOSHOP = "503493"
ACROBAT = "512699"
EMEA = "EMEA"  # Adobe's regions are keyed by name: Americas, EMEA, APAC
TITLE = "Analytics reports are delayed"
MESSAGE = "Reports in <b>EMEA</b> are delayed since {startDateTime}."
PWNED = "PWNED"
# Every way Adobe's text could try to run code: tags, handlers, links, escaped markup.
HOSTILE_TITLE = "&lt;script&gt;document.title='PWNED'&lt;/script&gt; Sign-in issue"
HOSTILE_MESSAGE = (
    "<script>document.title='PWNED'</script>"
    "<img src=x onerror=\"document.title='PWNED'\">"
    "<p>Users may <a href=\"javascript:document.title='PWNED'\">click</a> "
    "<svg onload=\"document.title='PWNED'\"></svg>see errors"
    "<style>body{display:none}</style><iframe srcdoc=\"<script>top.document.title='PWNED'</script>\">"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def row_for(table: Node, attribute: str, value: str) -> Node:
    rows = [row for row in table.iter("tr") if row.attrs.get(attribute) == value]
    assert len(rows) == 1, f"expected one row with {attribute}={value!r}, found {len(rows)}"
    return rows[0]


def cells(row: Node) -> list[Node]:
    return [c for c in row.children if isinstance(c, Node) and c.tag in {"td", "th"}]


def column(table: Node, header: str) -> int:
    names = [cell.text() for cell in table.rows()[0]]
    assert header in names, names
    return names.index(header)


@pytest.fixture
def scenario(simulator: Simulator, exporter: RunningExporter) -> dict[str, str]:
    """A major incident on Adobe Analytics in EMEA and a maintenance on Photoshop, collected."""
    ids = {
        "major": simulator.add_incident(
            product_id=ANALYTICS, severity="Major", region_ids=[EMEA], title=TITLE, message=MESSAGE
        ),
        "maintenance": simulator.add_maintenance(product_id=PHOTOSHOP, status="Started"),
    }
    samples = exporter.scrape()
    assert samples[("adobe_status_up", frozenset())] == 1
    return ids


def test_rendered_page_shows_states_events_regions_and_exporter_health(
    simulator: Simulator, exporter: RunningExporter, scenario: dict[str, str]
) -> None:
    dom = chromium_dump_dom(exporter.url + "/")
    assert CLIENT_SECRET not in dom
    page = parse_html(dom)

    products = page.by_id("products")
    analytics = row_for(products, "data-product-id", ANALYTICS)
    assert "s4" in analytics.classes
    assert cells(analytics)[column(products, "Product")].text() == "Adobe Analytics"
    assert cells(analytics)[column(products, "State")].text() == "Major issue"
    assert cells(analytics)[column(products, "Open incidents")].text() == "1"
    photoshop = row_for(products, "data-product-id", PHOTOSHOP)
    assert "s1" in photoshop.classes
    assert cells(photoshop)[column(products, "State")].text() == "Maintenance"
    acrobat = row_for(products, "data-product-id", ACROBAT)
    assert cells(acrobat)[column(products, "State")].text() == "Operational"
    # Worst first: the major incident heads the table.
    assert products.rows()[1][0].text() == "Adobe Analytics"

    events = page.by_id("events")
    major = row_for(events, "data-event-id", scenario["major"])
    assert cells(major)[column(events, "Product")].text() == "Adobe Analytics"
    assert cells(major)[column(events, "Severity")].text() == "Major"
    assert cells(major)[column(events, "Regions")].text() == "EMEA"
    assert cells(major)[column(events, "Event")].text() == scenario["major"]
    assert " UTC" in cells(major)[column(events, "Start (UTC)")].text()
    maintenance = row_for(events, "data-event-id", scenario["maintenance"])
    assert cells(maintenance)[column(events, "Product")].text() == "Adobe Photoshop"
    assert cells(maintenance)[column(events, "Status")].text() == "In progress"
    assert page.by_id("events-count").text() == (
        "2 open or scheduled events: 2 open now on 2 products"
    )

    regions = page.by_id("regions")
    grid = row_for(regions, "data-product-id", ANALYTICS)
    emea = cells(grid)[column(regions, "EMEA")]
    assert emea.text() == "Major issue" and "s4" in emea.classes
    assert emea.attrs["data-state"] == "4"
    americas = cells(grid)[column(regions, "Americas")]
    assert americas.text() == "Operational" and "s0" in americas.classes
    # A product not offered in a region: an empty, not an operational, cell.
    product, region = next(
        (p, r)
        for p in simulator.catalog.products
        for r in simulator.catalog.regions
        if r.id not in p.region_ids
    )
    grid = row_for(regions, "data-product-id", product.id)
    assert "s0" not in cells(grid)[column(regions, region.name)].classes

    assert exporter_package.__version__ in page.by_id("version").text()
    last = page.by_id("last-success").text()
    assert "UTC" in last and "never" not in last
    assert page.by_id("upstream-state").text() == "upstream OK"
    assert page.by_id("overall").text().startswith("2 of 73 Adobe products affected now")


def test_rendered_page_names_each_products_regions_counts_in_words_and_keeps_the_legend_by_the_grid(
    simulator: Simulator, exporter: RunningExporter, scenario: dict[str, str]
) -> None:
    regions = {region.id: region.name for region in simulator.catalog.regions}
    partial = next(p for p in simulator.catalog.products if 1 < len(p.region_ids) < len(regions))
    unnamed = simulator.add_incident(product_id=partial.id, severity="Minor")
    simulator.add_maintenance(product_id=ACROBAT, status="Scheduled", start_at=time.time() + 7200)
    assert exporter.scrape()[("adobe_status_up", frozenset())] == 1
    page = parse_html(chromium_dump_dom(exporter.url + "/"))

    events = page.by_id("events")
    row = row_for(events, "data-event-id", unnamed)
    own = sorted(regions[region_id] for region_id in partial.region_ids)
    assert cells(row)[column(events, "Regions")].text() == ", ".join(own)
    assert "all regions" not in events.text()
    # The grid shows that product in exactly those regions.
    grid = row_for(page.by_id("regions"), "data-product-id", partial.id)
    offered = [c.attrs["data-region"] for c in cells(grid)[1:] if "none" not in c.classes]
    assert sorted(offered) == own

    # Counts in words that agree: 3 products affected now, and a scheduled maintenance
    # listed as such, not as a product affected.
    assert page.by_id("overall").text().startswith("3 of 73 Adobe products affected now")
    assert page.by_id("events-count").text() == (
        "4 open or scheduled events: 3 open now on 3 products, 1 scheduled"
    )

    # The legend of the state codes sits in the grid's card, just above the grid.
    legend = page.by_id("legend")
    card = legend.parent
    assert card is not None and "card" in card.classes
    siblings = [child for child in card.children if isinstance(child, Node)]
    assert [node.attrs.get("id") for node in siblings] == ["legend", "regions"]
    assert "4 Major issue" in legend.text() and "0 Operational" in legend.text()
    footer = next(page.iter("footer"))
    assert "State codes" not in footer.text()


def says(row: Node, css: str) -> str:
    (cell,) = [td for td in row.iter("td") if "says" in td.classes]
    (part,) = [span for span in cell.iter("span") if css in span.classes]
    return part.text()


def test_rendered_page_shows_adobe_words_and_links_to_status_adobe_com(
    exporter: RunningExporter, scenario: dict[str, str], clock: FakeClock
) -> None:
    dom = chromium_dump_dom(exporter.url + "/")
    assert CLIENT_SECRET not in dom
    events = parse_html(dom).by_id("events")

    major = row_for(events, "data-event-id", scenario["major"])
    start = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(clock.now)))
    assert says(major, "title") == TITLE
    assert says(major, "message") == f"Reports in EMEA are delayed since {start}."
    (link,) = cells(major)[column(events, "Event")].iter("a")
    assert link.attrs["href"] == (
        f"https://status.adobe.com/products/{ANALYTICS}/{scenario['major']}"
    )
    assert link.text() == scenario["major"]

    maintenance = row_for(events, "data-event-id", scenario["maintenance"])
    assert says(maintenance, "title") == "Scheduled maintenance"
    assert says(maintenance, "message") == "We've started a maintenance"
    (link,) = cells(maintenance)[column(events, "Event")].iter("a")
    assert link.attrs["href"] == (
        f"https://status.adobe.com/products/{PHOTOSHOP}/{scenario['maintenance']}"
    )


def test_hostile_adobe_text_is_shown_as_inert_text(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    event = simulator.add_incident(
        product_id=ANALYTICS, severity="Minor", title=HOSTILE_TITLE, message=HOSTILE_MESSAGE
    )
    assert exporter.scrape()[("adobe_status_up", frozenset())] == 1

    dom = chromium_dump_dom(exporter.url + "/")
    page = parse_html(dom)
    # Nothing ran: the document keeps its own title, and no element of Adobe's exists.
    (title,) = page.iter("title")
    assert PWNED not in title.text()
    assert title.text().endswith("Adobe Status Exporter")
    for tag in ("script", "img", "svg", "iframe"):
        assert not list(page.iter(tag)), f"a {tag} element reached the page"
    handlers = [n.tag for n in page.iter() if any(a.startswith("on") for a in n.attrs)]
    assert handlers == []
    assert not [a for a in page.iter("a") if "javascript" in a.attrs.get("href", "").lower()]

    row = row_for(page.by_id("events"), "data-event-id", event)
    # Escaped markup in Adobe's text is shown as the characters it spells.
    assert says(row, "title") == "<script>document.title='PWNED'</script> Sign-in issue"
    assert says(row, "message") == "Users may click see errors"
    path = chromium_screenshot(exporter.url + "/", ARTIFACTS / "status-page-hostile.png")
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_failing_upstream_shows_stale_state_and_the_error_without_the_secret(
    simulator: Simulator, exporter: RunningExporter, scenario: dict[str, str]
) -> None:
    simulator.revoke_tokens()
    simulator.inject(
        "token",
        status=401,
        body=f'{{"error": "invalid_client", "error_description": "bad {CLIENT_SECRET}"}}',
        times=None,
    )
    samples = exporter.scrape()
    assert samples[("adobe_status_up", frozenset())] == 0

    dom = chromium_dump_dom(exporter.url + "/")
    assert CLIENT_SECRET not in dom
    page = parse_html(dom)
    assert page.by_id("upstream-state").text() == "upstream failing"
    assert "token" in page.by_id("error").text()
    assert "stale" in page.by_id("overall").classes
    # The last good state is still shown, within --max-stale.
    analytics = row_for(page.by_id("products"), "data-product-id", ANALYTICS)
    assert "s4" in analytics.classes


def test_screenshot_of_the_page_is_written_to_test_artifacts(
    exporter: RunningExporter, scenario: dict[str, str]
) -> None:
    path = chromium_screenshot(exporter.url + "/", ARTIFACTS / "status-page.png", height=1400)
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    assert (width, height) == (1280, 1400)
    assert len(data) > 10_000, "a blank page compresses to a few kB"


def test_page_before_any_successful_collection_says_there_is_no_data(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    simulator.inject("token", status=401, times=None)
    samples = exporter.scrape()
    assert samples[("adobe_status_up", frozenset())] == 0

    page = parse_html(chromium_dump_dom(exporter.url + "/"))
    assert page.by_id("overall").text() == "No data from Adobe yet"
    assert page.by_id("last-success").text() == "last successful update never"
    assert page.by_id("upstream-state").text() == "upstream failing"
    assert page.by_id("no-data").text()
    assert not [node for node in page.iter("table")], "no tables without data"


def test_the_page_in_feed_mode_names_the_feed_as_its_upstream_and_no_token(
    simulator: Simulator, sim_server: SimulatorServer, clock: FakeClock
) -> None:
    service = build_service(FeedConfig(feed_url=sim_server.feed_url), CacheConfig(), clock=clock)
    server = ExporterHTTPServer(service.app, "127.0.0.1:0")
    server.start_in_thread()
    try:
        simulator.add_incident(product_id=ANALYTICS, severity="Major", title=TITLE)
        assert service.cache.view(Deadline()).up
        page = parse_html(chromium_dump_dom(server.url + "/"))
    finally:
        server.shutdown()
        service.close()
    assert page.by_id("upstream").text() == f"upstream {sim_server.feed_url} (public feed)"
    assert page.by_id("token").text() == "no token: the public feed needs none"
    assert page.by_id("upstream-state").text() == "upstream OK"
    analytics = row_for(page.by_id("products"), "data-product-id", ANALYTICS)
    assert "s4" in analytics.classes


def test_the_page_with_the_status_api_names_the_api_and_its_token(
    sim_server: SimulatorServer, exporter: RunningExporter, scenario: dict[str, str]
) -> None:
    page = parse_html(chromium_dump_dom(exporter.url + "/"))
    assert page.by_id("upstream").text() == f"upstream {sim_server.api_url} (Status API)"
    assert page.by_id("token").text().startswith("token expires ")
