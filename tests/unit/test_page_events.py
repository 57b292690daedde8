"""The page's open-events section rendered from a collection: its count, Adobe's texts, links.

The rendered HTML is parsed with a stdlib DOM; tests/test_status_page.py checks the same
page in headless Chromium.
"""

from __future__ import annotations

import time
from dataclasses import replace

from exporter.model.report import Scope, StatusReport, summarize
from exporter.model.vocabulary import Impact, Product, ProductCatalog, Region, State, Text
from exporter.snapshot import Snapshot, View
from exporter.web.page import PageInfo, render_page
from tests.support.impacts import an_impact
from tests.support.live import Node, parse_html

NOW = 1_790_000_000.0
ALL = Scope(None, None, None)
EMEA_ONLY = (Region("EMEA", "EMEA"),)
PRODUCTS = {
    pid: Product(pid, name, "Adobe Experience Cloud", "503461", regions)
    for pid, name, regions in [
        ("503467", "Adobe Analytics", EMEA_ONLY),
        # Offered in two of Adobe's three regions, as Adobe Target is in the real catalog.
        ("503486", "Adobe Target", (Region("APAC", "APAC"), Region("Americas", "Americas"))),
        ("503493", "Adobe Photoshop", EMEA_ONLY),
        ("512699", "Adobe Acrobat", EMEA_ONLY),
    ]
}
REGISTRY = ProductCatalog(PRODUCTS, {"503461": "Adobe Experience Cloud"})


def impact(event_id: str, product_id: str, **overrides: object) -> Impact:
    settings: dict[str, object] = {
        "product_id": product_id,
        "product_name": PRODUCTS[product_id].name,
        "start": NOW - 600,
        "title_token": f"{event_id}-t",
        "message_token": f"{event_id}-m",
    }
    return an_impact(event_id, **{**settings, **overrides})


def page_of(
    impacts: list[Impact],
    texts: dict[str, dict[str, Text]] | None = None,
    locale: str = "en",
) -> tuple[str, Node]:
    summary: StatusReport = summarize(REGISTRY, impacts, ALL)
    summary = replace(summary, texts=texts or {})
    view = View(Snapshot(summary, [], NOW - 5), True, NOW - 5, 0.1)
    text = render_page(PageInfo("test", "https://status.adobe.io", locale=locale), view, None, NOW)
    return text, parse_html(text)


def event_rows(page: Node) -> list[Node]:
    return [row for row in page.by_id("events").iter("tr") if "data-event-id" in row.attrs]


def says(row: Node) -> Node:
    (cell,) = [node for node in row.iter("td") if "says" in node.classes]
    return cell


def part(cell: Node, css: str) -> str:
    (node,) = [node for node in cell.iter("span") if css in node.classes]
    return node.text()


def test_count_says_what_is_open_now_and_what_is_only_scheduled() -> None:
    # Three events; the first touches three products, the second one of them again.
    impacts = [
        impact("202609140001", "503467"),
        impact("202609140001", "503486"),
        impact("202609140001", "503493"),
        impact("202609140002", "503467"),
        impact(
            "CHG005822158",
            "512699",
            kind="maintenance",
            severity="none",
            status="scheduled",
            state=State.OPERATIONAL,
        ),
    ]
    _, page = page_of(impacts)
    assert page.by_id("events-count").text() == (
        "3 open or scheduled events: 2 open now on 3 products, 1 scheduled"
    )
    assert len(event_rows(page)) == 5
    # The banner counts the same products as affected now: a scheduled one is not.
    assert page.by_id("overall").text().startswith("3 of 4 Adobe products affected now")


def test_count_of_one_event_on_one_product_is_singular() -> None:
    _, page = page_of([impact("202609140001", "503467")])
    assert page.by_id("events-count").text() == "1 open or scheduled event: 1 open now on 1 product"


def test_same_id_as_incident_and_maintenance_counts_as_two_events() -> None:
    impacts = [
        impact("42", "503467"),
        impact(
            "42",
            "503486",
            kind="maintenance",
            severity="none",
            status="scheduled",
            state=State.OPERATIONAL,
        ),
    ]
    _, page = page_of(impacts)
    assert page.by_id("events-count").text() == (
        "2 open or scheduled events: 1 open now on 1 product, 1 scheduled"
    )


def test_no_open_events_says_so() -> None:
    _, page = page_of([])
    assert page.by_id("events-count").text() == "no open or scheduled events"
    assert page.by_id("events-none").text() == "No open incidents or maintenances."


def regions_cell(page: Node, event_id: str, product_id: str) -> str:
    header = [cell.text() for cell in page.by_id("events").rows()[0]]
    [row] = [
        row
        for row in event_rows(page)
        if (row.attrs["data-event-id"], row.attrs["data-product-id"]) == (event_id, product_id)
    ]
    return [c for c in row.iter("td")][header.index("Regions")].text()


def test_an_event_naming_no_region_shows_the_products_own_regions() -> None:
    impacts = [
        impact("202609140001", "503486"),  # names no region: Target's two
        impact("202609140001", "503467"),  # the same event on Analytics: EMEA only
        impact("202609140002", "503486", region_ids=("APAC",), region_names=("APAC",)),
    ]
    _, page = page_of(impacts)
    assert (
        regions_cell(page, "202609140001", "503486") == "APAC, Americas"
    )  # in the grid's column order
    assert regions_cell(page, "202609140001", "503467") == "EMEA"
    assert regions_cell(page, "202609140002", "503486") == "APAC"
    assert "all regions" not in page.by_id("events").text()


def test_each_row_shows_adobe_title_message_and_a_link_to_the_event_page() -> None:
    texts = {
        "en": {
            "202609140001-t": Text("Adobe Analytics: degraded performance", ""),
            "202609140001-m": Text("", "<p>Reports are delayed since {startDateTime}.</p>"),
        }
    }
    _, page = page_of([impact("202609140001", "503467")], texts)
    (row,) = event_rows(page)
    cell = says(row)
    assert part(cell, "title") == "Adobe Analytics: degraded performance"
    start = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(NOW - 600))
    assert part(cell, "message") == f"Reports are delayed since {start}."
    (link,) = [a for a in row.iter("a") if "adobe" in a.classes]
    assert link.attrs["href"] == "https://status.adobe.com/products/503467/202609140001"
    assert link.text() == "202609140001"
    assert link.attrs["rel"] == "noopener noreferrer"


def test_locale_of_the_page_picks_the_text_with_english_fallback() -> None:
    texts = {
        "en": {"E-t": Text("Maintenance scheduled", ""), "E-m": Text("In English", "")},
        "de": {"E-t": Text("Wartung geplant", "")},
    }
    _, page = page_of([impact("E", "503467")], texts, locale="de")
    cell = says(event_rows(page)[0])
    assert (part(cell, "title"), part(cell, "message")) == ("Wartung geplant", "In English")


def test_unknown_texts_show_their_tokens_marked_as_such() -> None:
    _, page = page_of([impact("202609140001", "503467")])
    cell = says(event_rows(page)[0])
    assert "tokens" in cell.classes
    assert part(cell, "title") == "202609140001-t"
    assert part(cell, "message") == "202609140001-m"


def test_adobe_markup_never_reaches_the_page_as_markup() -> None:
    hostile = Text(
        '<img src=x onerror="document.title=1">&lt;script&gt;alert(1)&lt;/script&gt;',
        "",
    )
    texts = {"en": {"X-t": hostile, "X-m": Text("<b>bold</b> & <i>plain</i>", "")}}
    tricky = impact("X", "503467", message_token="X-m", title_token="X-t")
    source, page = page_of([tricky], texts)
    cell = says(event_rows(page)[0])
    # The entity-escaped script is shown as the text it spells, and escaped again on output.
    assert part(cell, "title") == "<script>alert(1)</script>"
    assert part(cell, "message") == "bold & plain"
    assert "<script" not in source and "<img" not in source and "onerror" not in source
    assert [node.tag for node in cell.iter()] == ["td", "span", "span"]
