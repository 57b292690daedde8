"""Adobe's record as the status series `serve` exposes, one sample every step: OpenMetrics text
for `promtool tsdb create-blocks-from openmetrics`.

OpenMetrics keeps a family's samples together and each series' samples together, in
time order. The record is swept once through time, span by span (`exporter.model.timeline`):
what each span holds is kept as one small array of values per family (runs of equal
spans joined), never as samples; the samples are then written series by series. Memory
grows with the number of changes in Adobe's record, not with the window or the step.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable
from typing import TextIO

from exporter.model.report import ProductStatus, StatusReport
from exporter.model.timeline import spans
from exporter.model.window import AdobeRecord

Lines = Callable[[ProductStatus], Iterable[tuple[str, float]]]
_CHUNK = 2048  # samples per write


def _labels(*pairs: tuple[str, str]) -> str:
    return ",".join(f'{name}="{_escape(value)}"' for name, value in pairs)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _product(status: ProductStatus) -> str:
    p = status.product
    return _labels(("cloud", p.cloud), ("product", p.name), ("product_id", p.id))


def _product_lines(status: ProductStatus) -> Iterable[tuple[str, float]]:
    yield _product(status), float(status.state)


def _region_lines(status: ProductStatus) -> Iterable[tuple[str, float]]:
    ids = _product(status)
    for region, state in status.regions.values():
        yield f"{ids},{_labels(('region', region.name), ('region_id', region.id))}", float(state)


def _incident_lines(status: ProductStatus) -> Iterable[tuple[str, float]]:
    ids = _product(status)
    for severity, count in status.incidents.items():
        yield f"{ids},{_labels(('severity', severity))}", float(count)


def _maintenance_lines(status: ProductStatus) -> Iterable[tuple[str, float]]:
    ids = _product(status)
    for state, count in status.maintenances.items():
        yield f"{ids},{_labels(('state', state))}", float(count)


# name, help (as serve gives it), the lines of one product.
FAMILIES: tuple[tuple[str, str, Lines], ...] = (
    (
        "adobe_status_product_status",
        "Worst current state of the product: 0 operational, 1 maintenance in progress, "
        "2 potential or trivial issue, 3 minor issue, 4 major issue.",
        _product_lines,
    ),
    (
        "adobe_status_region_status",
        "Worst current state of the product in the region (same codes as "
        "adobe_status_product_status); an event naming no region affects all regions.",
        _region_lines,
    ),
    (
        "adobe_status_incidents_open",
        "Open incidents of the product, by severity.",
        _incident_lines,
    ),
    (
        "adobe_status_maintenances",
        "Maintenances of the product, by state (in_progress or scheduled).",
        _maintenance_lines,
    ),
)


def first_step(now: float, since: float, step: float) -> float:
    """The earliest step: the steps fall on `now - k * step`, so the last one is `now`."""
    return now - math.floor((now - since) / step + 1e-9) * step


def stamp(at: float) -> str:
    return str(int(at)) if at == int(at) else f"{at:.3f}"


class _Family:
    """One family's series (labels -> position) and its runs: (first step, last step,
    value per position, -1 where the series is absent)."""

    def __init__(self, name: str, lines: Lines) -> None:
        self.name = name
        self.lines = lines
        self.series: dict[str, int] = {}
        self.runs: list[tuple[int, int, array[int]]] = []

    def add(self, report: StatusReport, first: int, last: int) -> None:
        values = array("h", [-1]) * len(self.series)
        for status in report.products:
            for labels, value in self.lines(status):
                position = self.series.setdefault(labels, len(self.series))
                if position >= len(values):
                    values.extend([-1] * (position + 1 - len(values)))
                values[position] = int(value)
        if self.runs:
            before_first, before_last, before = self.runs[-1]
            if before_last + 1 == first and _same(before, values):
                self.runs[-1] = (before_first, last, before)
                return
        self.runs.append((first, last, values))

    def write(self, out: TextIO, help_text: str, stamps: list[str]) -> int:
        out.write(f"# HELP {self.name} {help_text}\n# TYPE {self.name} gauge\n")
        written = 0
        for labels, position in self.series.items():
            for first, last, values in self.runs:
                value = values[position] if position < len(values) else -1
                if value < 0:
                    continue
                prefix = f"{self.name}{{{labels}}} {value}.0 "
                for at in range(first, last + 1, _CHUNK):  # a few hundred kB at a time
                    out.write(prefix + prefix.join(stamps[at : min(at + _CHUNK, last + 1)]))
                written += last + 1 - first
        return written


def _same(one: array[int], other: array[int]) -> bool:
    if len(one) < len(other):
        one, other = other, one
    return one[: len(other)] == other and all(v < 0 for v in one[len(other) :])


def write(out: TextIO, record: AdobeRecord, since: float, step: float) -> int:
    """The four status families over [since, now] every `step` seconds; samples written."""
    now = record.now
    start = first_step(now, since, step)
    total = round((now - start) / step)  # the index of the last step: now itself
    pieces = [piece for _, _, kept in record.pieces(start) for piece in kept]
    families = [_Family(name, lines) for name, _, lines in FAMILIES]
    for begin, end, impacts in spans(pieces, start, now):
        first = math.ceil((begin - start) / step - 1e-9)
        last = total if end > now else math.ceil((end - start) / step - 1e-9) - 1
        if last < first:
            continue  # no step falls in this span
        report = record.report_at(impacts)
        for family in families:
            family.add(report, first, last)
    del pieces
    stamps = [f"{stamp(start + k * step)}\n" for k in range(total + 1)]
    written = 0
    for family, (_, help_text, _) in zip(families, FAMILIES, strict=True):
        written += family.write(out, help_text, stamps)
    out.write("# EOF\n")
    return written
