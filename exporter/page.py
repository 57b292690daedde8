"""The human status page at `/`: what Adobe says now, per product and region.

Rendered from the last collection without asking upstream, escaped throughout, and
holding no secret: only the version, the public upstream URL and Adobe's data.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime

from exporter.cache import View
from exporter.model import State

STATE_NAMES = {
    State.OPERATIONAL: "Operational",
    State.MAINTENANCE: "Maintenance",
    State.POTENTIAL: "Potential issue",
    State.MINOR: "Minor issue",
    State.MAJOR: "Major issue",
}

STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;background:#fafafa}
h1{font-size:1.4rem;margin:0 0 .3rem} h2{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;font-size:.85rem;background:#fff}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}
th{background:#f0f0f0;position:sticky;top:0}
.meta{color:#555;font-size:.85rem} .meta span{margin-right:1.2rem}
.s0{background:#d7f5dd}.s1{background:#d6e6ff}.s2{background:#fff4c2}
.s3{background:#ffd9b0}.s4{background:#ffc2c2;font-weight:600}
.down{color:#b00020;font-weight:600} .ok{color:#1b7f3b;font-weight:600}
.grid td{text-align:center;min-width:2.5rem}
"""


@dataclass(frozen=True)
class PageInfo:
    version: str
    api_url: str
    demo: bool = False


def render_page(info: PageInfo, view: View, token_expiry: float | None) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta http-equiv="refresh" content="30">',
        f"<title>Adobe Status Exporter</title><style>{STYLE}</style></head><body>",
        "<h1>Adobe Status Exporter</h1>",
        '<p class="meta">',
        f'<span id="version">version {e(info.version)}</span>',
        f'<span id="upstream">upstream {e(info.api_url)}{" (demo simulator)" if info.demo else ""}</span>',
        f'<span id="last-success">last successful update {e(_when(view.last_success))}</span>',
        '<span id="upstream-state" class="{}">{}</span>'.format(
            "ok" if view.up else "down", "upstream OK" if view.up else "upstream failing"
        ),
        "</p>",
        '<p class="meta"><a href="/metrics">/metrics</a> · <a href="/-/healthy">/-/healthy</a>'
        ' · <a href="/-/ready">/-/ready</a></p>',
    ]
    if view.error:
        parts.append(f'<p class="down" id="error">Last collection failed: {e(view.error)}</p>')
    snapshot = view.snapshot
    if snapshot is None:
        parts.append('<p id="no-data">No current data from Adobe yet.</p></body></html>')
        return "".join(parts)
    products = sorted(snapshot.summary.products, key=lambda s: (-s.state, s.product.name))
    parts.append("<h2>Open events</h2>")
    events = sorted(snapshot.summary.events, key=lambda pair: (-pair[0].state, pair[1].name))
    if events:
        parts.append(
            '<table id="events"><tr><th>Product</th><th>Kind</th><th>Severity</th>'
            "<th>Status</th><th>Regions</th><th>Started (UTC)</th><th>Event</th></tr>"
        )
        for impact, product in events:
            regions = ", ".join(impact.region_names) or "all regions"
            parts.append(
                f'<tr class="s{int(impact.state)}"><td>{e(product.name)}</td><td>{e(impact.kind)}</td>'
                f"<td>{e(impact.severity)}</td><td>{e(impact.status)}</td><td>{e(regions)}</td>"
                f"<td>{e(_when(impact.start))}</td><td>{e(impact.event_id)}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append('<p id="events-none">No open incidents or maintenances.</p>')

    parts.append("<h2>Products</h2>")
    parts.append(
        '<table id="products"><tr><th>Product</th><th>Cloud</th><th>State</th>'
        "<th>Open incidents</th><th>Maintenances</th></tr>"
    )
    for status in products:
        p = status.product
        incidents = sum(status.incidents.values())
        maintenances = sum(status.maintenances.values())
        parts.append(
            f'<tr class="s{int(status.state)}" data-product-id="{e(p.id)}" data-state="{int(status.state)}">'
            f"<td>{e(p.name)}</td><td>{e(p.cloud)}</td><td>{e(STATE_NAMES[status.state])}</td>"
            f"<td>{incidents}</td><td>{maintenances}</td></tr>"
        )
    parts.append("</table>")

    region_names = sorted({reg.name for s in products for reg, _ in s.regions.values()})
    parts.append("<h2>Regions</h2>")
    parts.append('<table id="regions" class="grid"><tr><th>Product</th>')
    parts.extend(f"<th>{e(name)}</th>" for name in region_names)
    parts.append("</tr>")
    for status in products:
        by_name = {reg.name: state for reg, state in status.regions.values()}
        parts.append(f"<tr><td>{e(status.product.name)}</td>")
        for name in region_names:
            state = by_name.get(name)
            if state is None:
                parts.append("<td></td>")
            else:
                parts.append(
                    f'<td class="s{int(state)}" title="{e(STATE_NAMES[state])}">{int(state)}</td>'
                )
        parts.append("</tr>")
    parts.append("</table>")
    parts.append(
        f'<p class="meta">{_token_text(token_expiry)} State codes: '
        + ", ".join(f"{int(k)} {v}" for k, v in STATE_NAMES.items())
        + ".</p></body></html>"
    )
    return "".join(parts)


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "never"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _token_text(expiry: float | None) -> str:
    return "No access token cached." if expiry is None else f"Token expires {_when(expiry)}."
