"""The human status page at `/`: what Adobe says now, per product and region.

Rendered from the last collection without asking upstream, escaped throughout, and
holding no secret: only the version, the public upstream URL and Adobe's data.

Layout, top to bottom: a banner with the worst state and counts per state; the
exporter's own health (version, upstream, last successful update, token expiry); open
events with their start times; every product with its state; a product-by-region grid
of state codes; a legend. Colours follow the state codes (green, blue, yellow, orange,
red for 0 to 4) and every coloured cell also carries its code or name as text. Stable
element ids for tests and scripts: `overall`, `version`, `upstream`, `last-success`,
`upstream-state`, `token`, `error`, `no-data`, `events` (or `events-none`), `products`,
`regions`.
"""

from __future__ import annotations

import html
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from exporter.cache import View
from exporter.model import Impact, Product, State
from exporter.summary import ProductStatus

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

STYLE = """
:root{--fg:#1f2328;--muted:#59636e;--bg:#f6f8fa;--card:#fff;--line:#d1d9e0;
--c0:#1a7f37;--b0:#dafbe1;--c1:#0969da;--b1:#ddf4ff;--c2:#7d4e00;--b2:#fff8c5;
--c3:#bc4c00;--b3:#ffe2cc;--c4:#cf222e;--b4:#ffd8d6;--cs:#59636e;--bs:#eff2f5;
--k1:#0969da;--k2:#d4a72c;--k3:#e16f24;--k4:#cf222e;--q0:#f0fbf2}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;
--card:#151b23;--line:#3d444d;--c0:#3fb950;--b0:#12331d;--c1:#4493f8;--b1:#0f2a4a;
--c2:#d29922;--b2:#3a2e08;--c3:#f0883e;--b3:#42230d;--c4:#f85149;--b4:#4a1515;
--cs:#9198a1;--bs:#212830;--k1:#4493f8;--k2:#d29922;--k3:#f0883e;--k4:#f85149;--q0:#0f2418}}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
color:var(--fg);background:var(--bg)}
main{max-width:1240px;margin:0 auto;padding:20px 24px 32px}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 16px}
h1{font-size:22px;margin:0} h2{font-size:16px;margin:28px 0 8px}
h2 small{font-weight:400;color:var(--muted);font-size:13px;margin-left:6px}
a{color:var(--c1)}
.meta{color:var(--muted);font-size:13px;display:flex;flex-wrap:wrap;gap:4px 18px;margin:6px 0 0}
.meta b{color:var(--fg);font-weight:600}
.banner{margin:16px 0 0;padding:14px 18px;border-radius:8px;border:1px solid var(--line);
border-left:6px solid var(--cs);background:var(--card);display:flex;flex-wrap:wrap;
align-items:center;gap:8px 24px}
.banner strong{font-size:18px}
.banner.s0{border-left-color:var(--c0)}.banner.s1{border-left-color:var(--k1)}
.banner.s2{border-left-color:var(--k2)}.banner.s3{border-left-color:var(--k3)}
.banner.s4{border-left-color:var(--k4)}.banner.stale{border-left-color:var(--cs)}
.counts{display:flex;flex-wrap:wrap;gap:6px}
.pill{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;
font-weight:600;white-space:nowrap;border:1px solid transparent}
.pill.s0{color:var(--c0);background:var(--b0)}.pill.s1{color:var(--c1);background:var(--b1)}
.pill.s2{color:var(--c2);background:var(--b2)}.pill.s3{color:var(--c3);background:var(--b3)}
.pill.s4{color:var(--c4);background:var(--b4)}.pill.sched{color:var(--cs);background:var(--bs)}
.pill.ok{color:var(--c0);background:var(--b0)}.pill.down{color:var(--c4);background:var(--b4)}
.alert{margin:12px 0 0;padding:10px 14px;border-radius:8px;color:var(--c4);
background:var(--b4);border:1px solid var(--c4)}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:auto}
table{border-collapse:separate;border-spacing:0;width:100%;font-size:13px}
th,td{padding:5px 10px;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}
th,td.nw{white-space:nowrap}
tr:last-child td{border-bottom:0}
th{position:sticky;top:0;z-index:1;background:var(--bs);font-weight:600;color:var(--muted)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.id{white-space:nowrap;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;color:var(--muted)}
.when{white-space:nowrap}.when small{display:block;color:var(--muted)}
tr.s1 td:first-child{box-shadow:inset 4px 0 var(--k1)}
tr.s2 td:first-child{box-shadow:inset 4px 0 var(--k2)}
tr.s3 td:first-child{box-shadow:inset 4px 0 var(--k3)}
tr.s4 td:first-child{box-shadow:inset 4px 0 var(--k4)}
tr.s4 td.name{font-weight:600}
.zero{color:var(--muted)}
#products .pill.s0{background:transparent;padding-left:0}
.grid th:not(:first-child){text-align:center;white-space:normal;width:76px;vertical-align:bottom}
.grid td{text-align:center;white-space:nowrap;font-variant-numeric:tabular-nums;padding:4px 6px;
border-left:1px solid var(--bg)}
.grid td:first-child,.grid th:first-child{text-align:left;position:sticky;left:0;
background:var(--card);z-index:1}
.grid th:first-child{z-index:2;background:var(--bs);vertical-align:bottom}
.grid td.s0{color:var(--c0);background:var(--q0)}.grid td.s1{color:var(--c1);background:var(--b1)}
.grid td.s2{color:var(--c2);background:var(--b2)}.grid td.s3{color:var(--c3);background:var(--b3)}
.grid td.s4{color:#fff;background:var(--c4);font-weight:700}
.grid td.none{color:var(--line)}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;color:var(--muted);
font-size:12px;margin:12px 0 0}
footer{margin-top:20px;color:var(--muted);font-size:12px}
"""


@dataclass(frozen=True)
class PageInfo:
    version: str
    api_url: str
    demo: bool = False


def render_page(
    info: PageInfo, view: View, token_expiry: float | None, now: float | None = None
) -> str:
    """The whole page as HTML; `now` (Unix seconds, default the wall clock) for "ago" texts."""
    now = time.time() if now is None else now
    e = html.escape
    snapshot = view.snapshot
    statuses = sorted(
        snapshot.summary.products if snapshot else [], key=lambda s: (-s.state, s.product.name)
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
        f'<span id="upstream">upstream <b>{e(info.api_url)}</b>'
        f"{' (demo simulator)' if info.demo else ''}</span>",
        f'<span id="last-success">last successful update <b>{e(_when(view.last_success))}</b>'
        f"{e(_relative(view.last_success, now, ' ({})'))}</span>",
        '<span id="upstream-state" class="pill {}">{}</span>'.format(
            "ok" if view.up else "down", "upstream OK" if view.up else "upstream failing"
        ),
        f'<span id="token">{e(_token_text(token_expiry, now))}</span>',
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

    parts.extend(_events(snapshot.summary.events, now))
    parts.extend(_products(statuses))
    parts.extend(_regions(statuses))
    anomalies = len(snapshot.summary.anomalies)
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
        headline = f"{affected} of {total} Adobe products affected"
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


def _events(events: list[tuple[Impact, Product]], now: float) -> list[str]:
    e = html.escape
    ordered = sorted(
        events,
        key=lambda pair: (-pair[0].state, pair[0].start or 0.0, pair[1].name, pair[0].event_id),
    )
    parts = [f"<h2>Open events<small>{_count(len(ordered), 'event')}</small></h2>"]
    if not ordered:
        parts.append('<p class="meta" id="events-none">No open incidents or maintenances.</p>')
        return parts
    parts.append(
        '<div class="card"><table id="events"><tr><th>Product</th><th>Cloud</th><th>Kind</th>'
        "<th>Severity</th><th>Status</th><th>Regions</th><th>Start (UTC)</th><th>Event</th></tr>"
    )
    for impact, product in ordered:
        scheduled = impact.kind == "maintenance" and impact.state == State.OPERATIONAL
        css = "sched" if scheduled else f"s{int(impact.state)}"
        if impact.kind == "maintenance":
            label = "Scheduled" if scheduled else "Maintenance"
        else:
            label = impact.severity.capitalize()
        regions = ", ".join(impact.region_names) or "all regions"
        parts.append(
            f'<tr class="{css}" data-event-id="{e(impact.event_id)}" '
            f'data-product-id="{e(product.id)}" data-state="{int(impact.state)}">'
            f'<td class="name">{e(product.name)}</td><td class="nw">{e(product.cloud)}</td>'
            f"<td>{e(impact.kind)}</td>"
            f'<td class="nw"><span class="pill {css}">{e(label)}</span></td>'
            f'<td class="nw">{e(_status_text(impact.status))}</td>'
            f"<td>{e(regions)}</td>"
            f'<td class="when">{e(_when(impact.start, seconds=False))}'
            f"<small>{e(_relative(impact.start, now))}</small></td>"
            f'<td class="id">{e(impact.event_id)}</td></tr>'
        )
    parts.append("</table></div>")
    return parts


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
        '<div class="card"><table id="regions" class="grid"><tr><th>Product</th>',
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
                    f'title="{e(status.product.name)}, {e(name)}: {e(STATE_NAMES[state])}">'
                    f"{int(state)}</td>"
                )
        parts.append("</tr>")
    parts.append("</table></div>")
    return parts


def _footer() -> str:
    legend = "".join(
        f'<span><span class="pill s{int(state)}">{int(state)}</span> {html.escape(name)}</span>'
        for state, name in STATE_NAMES.items()
    )
    return (
        f'<footer><div class="legend">State codes: {legend}</div>'
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


def _token_text(expiry: float | None, now: float) -> str:
    if expiry is None:
        return "no access token cached"
    return f"token expires {_when(expiry)}{_relative(expiry, now, ' ({})')}"
