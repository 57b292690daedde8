"""The human status page at `/`: what Adobe says now, per product and region.

Rendered from the last collection without asking upstream, escaped throughout, and
holding no secret: only the version, the public upstream URL and Adobe's data.

Layout, top to bottom: a banner with the worst state and counts per state; the
exporter's own health (version, upstream, last successful update, token expiry); open
events with their start times, Adobe's latest title and message in the configured
locale (plain text: see exporter.model.texts) and a link to the event's page on
status.adobe.com; every product with its state; a product-by-region grid of states in
words, with the legend of state codes (the metrics' values) beside it. Colours follow the
state codes (green, blue, yellow, orange, red for 0 to 4) and every coloured cell also
carries its name as text. An event naming no region shows the product's own regions.
Stable element ids for tests and scripts: `overall`, `version`, `upstream`,
`last-success`, `upstream-state`, `token`, `error`, `no-data`, `events-count`, `events`
(or `events-none`), `products`, `regions`, `legend`; in the events table, each text cell
is `td.says` holding `.title` and `.message`, and the event id is a link (`a.adobe`).
"""

from __future__ import annotations

import html
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from exporter.config import DEFAULT_LOCALE
from exporter.model.report import ProductStatus
from exporter.model.texts import EventText, Texts, event_text
from exporter.model.vocabulary import Impact, Product, State
from exporter.snapshot import View
from exporter.web.page_past import last_days
from exporter.web.page_style import STYLE

STATE_NAMES = {
    State.OPERATIONAL: "Operational",
    State.MAINTENANCE: "Maintenance",
    State.POTENTIAL: "Potential issue",
    State.MINOR: "Minor issue",
    State.MAJOR: "Major issue",
}

# Plural phrases for the banner, worst first.
_BANNER_PHRASES = (
    (State.MAJOR, "with a major issue"),
    (State.MINOR, "with a minor issue"),
    (State.POTENTIAL, "with a potential issue"),
    (State.MAINTENANCE, "under maintenance"),
)


# What each source is called on the page, after the URL it reads.
SOURCE_NAMES = {"api": "Status API", "feed": "public feed"}
FEED_TOKEN_TEXT = "no token: the public feed needs none"  # noqa: S105 - a sentence


@dataclass(frozen=True)
class PageInfo:
    version: str
    upstream_url: str  # the Status API's URL, or the feed's: what --api-url/--feed-url set
    demo: bool = False
    locale: str = DEFAULT_LOCALE  # the language of Adobe's texts on the page
    source: str = "api"  # "api" or "feed" (--source): the feed has no token to show


def render_page(
    info: PageInfo, view: View, token_expiry: float | None, now: float | None = None
) -> str:
    """The whole page as HTML; `now` (Unix seconds, default the wall clock) for "ago" texts."""
    now = time.time() if now is None else now
    e = html.escape
    snapshot = view.snapshot
    statuses = sorted(
        snapshot.report.products if snapshot else [], key=lambda s: (-s.state, s.product.name)
    )
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        '<meta http-equiv="refresh" content="30">',
        f"<title>{e(_title(statuses, snapshot is not None))} · Adobe Status Exporter</title>",
        f"<style>{STYLE}</style></head><body><main>",
        "<header><h1>Adobe status</h1>",
        '<span class="meta">adobe-status-exporter · refreshes every 30 s</span></header>',
        _banner(statuses, view, now),
        '<p class="meta">',
        f'<span id="version">version <b>{e(info.version)}</b></span>',
        f'<span id="upstream">upstream <b>{e(info.upstream_url)}</b>'
        f" ({e(SOURCE_NAMES.get(info.source, info.source))}"
        f"{', demo simulator' if info.demo else ''})</span>",
        f'<span id="last-success">last successful update <b>{e(_when(view.last_success))}</b>'
        f"{e(_relative(view.last_success, now, ' ({})'))}</span>",
        '<span id="upstream-state" class="pill {}">{}</span>'.format(
            "ok" if view.up else "down", "upstream OK" if view.up else "upstream failing"
        ),
        f'<span id="token">{e(_token_text(info, token_expiry, now))}</span>',
        "</p>",
    ]
    if view.error:
        parts.append(
            f'<p class="alert" id="error"><b>Last collection failed:</b> {e(view.error)}</p>'
        )
    if snapshot is None:
        parts.append(
            '<p class="meta" id="no-data">Products, regions and events appear here once a '
            "collection succeeds (at the next scrape of /metrics).</p>"
        )
        parts.append(_footer())
        return "".join(parts)

    report = snapshot.report
    parts.extend(_events(report.events, report.texts, info.locale, now))
    parts.extend(_products(statuses))
    parts.extend(_regions(statuses))
    parts.extend(last_days(report.past))
    anomalies = len(snapshot.report.anomalies)
    if anomalies:
        parts.append(
            f'<p class="meta" id="anomalies">{anomalies} value(s) in the last answer were not '
            "recognised and mapped to their fallback (see adobe_status_unknown_values).</p>"
        )
    parts.append(_footer())
    return "".join(parts)


# -- sections -------------------------------------------------------------------------------


def _title(statuses: list[ProductStatus], have_data: bool) -> str:
    if not have_data:
        return "No data"
    worst = max((s.state for s in statuses), default=State.OPERATIONAL)
    return STATE_NAMES[worst]


def _banner(statuses: list[ProductStatus], view: View, now: float) -> str:
    e = html.escape
    if view.snapshot is None:
        return (
            '<div class="banner stale" id="overall"><strong>No data from Adobe yet</strong></div>'
        )
    by_state = Counter(s.state for s in statuses)
    worst = max(by_state, default=State.OPERATIONAL)
    total = len(statuses)
    if worst == State.OPERATIONAL:
        headline = f"All {total} Adobe products operational"
    else:
        affected = total - by_state[State.OPERATIONAL]
        headline = f"{affected} of {total} Adobe products affected now"
    pills = [
        f'<span class="pill s{int(state)}">{by_state[state]} {e(phrase)}</span>'
        for state, phrase in _BANNER_PHRASES
        if by_state[state]
    ]
    if by_state[State.OPERATIONAL]:
        pills.append(f'<span class="pill s0">{by_state[State.OPERATIONAL]} operational</span>')
    stale = ""
    if not view.up:
        stale = (
            '<span class="pill down">stale: showing the last good answer'
            f"{e(_relative(view.last_success, now, ', from {}'))}</span>"
        )
    css = f"s{int(worst)}" if view.up else "stale"
    return (
        f'<div class="banner {css}" id="overall" data-state="{int(worst)}">'
        f'<strong>{e(headline)}</strong><span class="counts">{"".join(pills)}{stale}</span></div>'
    )


def _events(
    events: list[tuple[Impact, Product]], texts: Texts, locale: str, now: float
) -> list[str]:
    e = html.escape
    ordered = sorted(
        events,
        key=lambda pair: (-pair[0].state, pair[0].start or 0.0, pair[1].name, pair[0].event_id),
    )
    parts = [f'<h2>Open events<small id="events-count">{e(_events_count(ordered))}</small></h2>']
    if not ordered:
        parts.append('<p class="meta" id="events-none">No open incidents or maintenances.</p>')
        return parts
    parts.append(
        '<div class="card"><table id="events"><tr><th>Product</th><th>Cloud</th><th>Kind</th>'
        "<th>Severity</th><th>Status</th><th>Regions</th><th>Start (UTC)</th>"
        "<th>Adobe says</th><th>Event</th></tr>"
    )
    for impact, product in ordered:
        scheduled = _scheduled(impact)
        css = "sched" if scheduled else f"s{int(impact.state)}"
        if impact.kind == "maintenance":
            label = "Scheduled" if scheduled else "Maintenance"
        else:
            label = impact.severity.capitalize()
        regions = ", ".join(impact.region_names or _own_regions(product))
        text = event_text(impact, texts, locale)
        parts.append(
            f'<tr class="{css}" data-event-id="{e(impact.event_id)}" '
            f'data-product-id="{e(product.id)}" data-state="{int(impact.state)}">'
            f'<td class="name">{e(product.name)}</td><td>{e(product.cloud)}</td>'
            f"<td>{e(impact.kind)}</td>"
            f'<td class="nw"><span class="pill {css}">{e(label)}</span></td>'
            f'<td class="nw">{e(_status_text(impact.status))}</td>'
            f"<td>{e(regions)}</td>"
            f'<td class="when">{e(_when(impact.start, seconds=False))}'
            f"<small>{e(_relative(impact.start, now))}</small></td>"
            f"{_says(text)}{_event_cell(impact.event_id, text.link)}</tr>"
        )
    parts.append("</table></div>")
    return parts


def _own_regions(product: Product) -> tuple[str, ...]:
    """An event naming no region affects all of the product's regions: name them."""
    return tuple(sorted(region.name for region in product.regions)) or ("none listed",)


def _events_count(rows: list[tuple[Impact, Product]]) -> str:
    """Rows are event x product. Say what counts where: the events open now and the products
    they affect (the banner's "affected now"), and the maintenances only scheduled, e.g.
    "16 open or scheduled events: 12 open now on 11 products, 4 scheduled"."""
    if not rows:
        return "no open or scheduled events"
    now = [(impact, product) for impact, product in rows if not _scheduled(impact)]
    later = [impact for impact, _ in rows if _scheduled(impact)]
    events = len({(impact.kind, impact.event_id) for impact, _ in rows})
    parts = []
    if now:
        open_events = len({(impact.kind, impact.event_id) for impact, _ in now})
        products = len({product.id for _, product in now})
        parts.append(f"{open_events} open now on {_count(products, 'product')}")
    if later:
        parts.append(f"{len({impact.event_id for impact in later})} scheduled")
    return f"{_count(events, 'open or scheduled event')}: {', '.join(parts)}"


def _scheduled(impact: Impact) -> bool:
    """A maintenance not started yet: listed, but it affects no product now."""
    return impact.kind == "maintenance" and impact.state == State.OPERATIONAL


def _says(text: EventText) -> str:
    """Adobe's title and message: plain text from exporter.model.texts, escaped here once."""
    e = html.escape
    css = "says" if text.found else "says tokens"
    return (
        f'<td class="{css}"><span class="title">{e(text.title)}</span>'
        f'<span class="message">{e(text.message)}</span></td>'
    )


def _event_cell(event_id: str, link: str) -> str:
    e = html.escape
    if not link:
        return f'<td class="id">{e(event_id)}</td>'
    return (
        f'<td class="id"><a class="adobe" href="{e(link)}" rel="noopener noreferrer" '
        f'target="_blank" title="This event on status.adobe.com">{e(event_id)}</a></td>'
    )


def _products(statuses: list[ProductStatus]) -> list[str]:
    e = html.escape
    parts = [
        f"<h2>Products<small>{_count(len(statuses), 'product')}, worst first</small></h2>",
        '<div class="card"><table id="products"><tr><th>Product</th><th>Cloud</th>'
        '<th>State</th><th class="num">Open incidents</th><th class="num">Maintenances</th></tr>',
    ]
    for status in statuses:
        p = status.product
        incidents = sum(status.incidents.values())
        maintenances = sum(status.maintenances.values())
        parts.append(
            f'<tr class="s{int(status.state)}" data-product-id="{e(p.id)}" '
            f'data-state="{int(status.state)}">'
            f'<td class="name">{e(p.name)}</td><td>{e(p.cloud)}</td>'
            f'<td class="nw"><span class="pill s{int(status.state)}">{e(STATE_NAMES[status.state])}</span></td>'
            f"{_number_cell(incidents)}{_number_cell(maintenances)}</tr>"
        )
    parts.append("</table></div>")
    return parts


def _regions(statuses: list[ProductStatus]) -> list[str]:
    e = html.escape
    names = sorted({region.name for s in statuses for region, _ in s.regions.values()})
    parts = [
        "<h2>Regions<small>worst state of each product per region; "
        "an empty cell: the product is not offered there</small></h2>",
        f'<div class="card">{_legend()}<table id="regions" class="grid"><tr><th>Product</th>',
    ]
    parts.extend(f"<th>{e(name)}</th>" for name in names)
    parts.append("</tr>")
    for status in statuses:
        by_name = {region.name: state for region, state in status.regions.values()}
        parts.append(
            f'<tr data-product-id="{e(status.product.id)}">'
            f'<td class="name">{e(status.product.name)}</td>'
        )
        for name in names:
            state = by_name.get(name)
            if state is None:
                parts.append(f'<td class="none" data-region="{e(name)}">·</td>')
            else:
                parts.append(
                    f'<td class="s{int(state)}" data-region="{e(name)}" '
                    f'data-state="{int(state)}" '
                    f'title="{e(status.product.name)}, {e(name)}: state code {int(state)}">'
                    f"{e(STATE_NAMES[state])}</td>"
                )
        parts.append("</tr>")
    parts.append("</table></div>")
    return parts


def _legend() -> str:
    """The state codes the metrics carry, beside the grid that shows them in words."""
    codes = "".join(
        f'<span><span class="pill s{int(state)}">{int(state)}</span> {html.escape(name)}</span>'
        for state, name in STATE_NAMES.items()
    )
    return f'<div class="legend" id="legend">State codes in the metrics: {codes}</div>'


def _footer() -> str:
    return (
        "<footer>"
        '<p><a href="/metrics">/metrics</a> · <a href="/-/healthy">/-/healthy</a> · '
        '<a href="/-/ready">/-/ready</a></p></footer></main></body></html>'
    )


# -- text helpers ---------------------------------------------------------------------------


def _number_cell(number: int) -> str:
    return f'<td class="num{" zero" if number == 0 else ""}">{number}</td>'


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _status_text(status: str) -> str:
    return status.replace("_", " ").capitalize() if status else "unknown"


def _when(timestamp: float | None, *, seconds: bool = True) -> str:
    if timestamp is None:
        return "never"
    pattern = "%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC"
    return datetime.fromtimestamp(timestamp, UTC).strftime(pattern)


def _relative(timestamp: float | None, now: float, template: str = "{}") -> str:
    """ "5 min ago" or "in 2 h 5 min" inside `template`; "" without a timestamp."""
    if timestamp is None:
        return ""
    delta = timestamp - now
    if abs(delta) < 1:
        return template.format("just now")
    span = _span(abs(delta))
    return template.format(f"in {span}" if delta > 0 else f"{span} ago")


def _span(seconds: float) -> str:
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} d {hours % 24} h"


def _token_text(info: PageInfo, expiry: float | None, now: float) -> str:
    if info.source == "feed":
        return FEED_TOKEN_TEXT
    if expiry is None:
        return "no access token cached"
    return f"token expires {_when(expiry)}{_relative(expiry, now, ' ({})')}"
