"""The status page's "Last 30 days": Adobe's record per product from the last collection
that read it (incidents, minutes at major and minor, maintenance minutes, availability)."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from exporter.model.past import Past
from exporter.model.vocabulary import State


def last_days(past: Past | None) -> list[str]:
    if past is None:
        return []
    e = html.escape
    days = round((past.until - past.since) / 86400)
    span = f"{_day(past.since)} to {_day(past.until)}"
    parts = [
        f'<h2 id="past-title">Last {days} days<small>Adobe\'s record, {e(span)}; '
        "availability: the share of the time not at minor or major</small></h2>",
        '<div class="card"><table id="past"><tr><th>Product</th><th class="num">Incidents</th>'
        '<th class="num">Major, min</th><th class="num">Minor, min</th>'
        '<th class="num">Maintenance, min</th><th class="num">Availability</th></tr>',
    ]
    for item in sorted(past.totals, key=lambda t: (t.availability, t.product.name)):
        cells = (
            str(item.incidents),
            f"{item.minutes(State.MAJOR):.0f}",
            f"{item.minutes(State.MINOR):.0f}",
            f"{item.minutes(State.MAINTENANCE):.0f}",
            f"{item.availability * 100:.2f}%",
        )
        names = ("incidents", "major", "minor", "maintenance", "availability")
        parts.append(
            f'<tr data-product-id="{e(item.product.id)}"><td class="name">{e(item.product.name)}</td>'
            + "".join(
                f'<td class="num" data-col="{name}">{e(cell)}</td>'
                for name, cell in zip(names, cells, strict=True)
            )
            + "</tr>"
        )
    parts.append("</table></div>")
    return parts


def _day(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")
