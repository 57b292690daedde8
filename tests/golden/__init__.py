"""Golden expositions: what /metrics serves in fixed scenarios, kept as files and compared
byte for byte (as node_exporter's `collector/fixtures/e2e-output.txt`).

Each `tests/golden/<scenario>.prom` is the body of one `GET /metrics` (Prometheus text
format) from an exporter built by `build_service` and served by its own HTTP server, talking
over loopback to the simulator (IMS and the Status API, or the public feed), both on one
frozen clock. The scenarios (tests/golden/scenarios.py): `healthy` (all 73 products of the
catalog, one event of each kind), `filtered` (--product, --cloud, --region), `failing_stale`
(IMS refuses after a good collection), `failing_never` (no good collection at all) and
`feed` (--source feed, the healthy events; a 304 on the second collection). A change
to a name, a HELP text, a label or a value shows as a diff in review; `make golden`
(`python -m tests.golden`) rewrites the files after a deliberate change.

Deterministic by construction, not by editing:

- Time: the simulator and the exporter share one `FakeClock` set to `FROZEN_NOW`, so event
  ids and starts, token expiry and the last-success time are the same on every run.
- Events: the simulator runs without its generated scenario (`dynamic=False`); each
  scenario adds the few events it is about, with fixed products and regions.
- The build version is the source's `exporter.__version__`: a release changes the goldens.

Normalised, because it cannot be frozen: durations. The exporter measures them on the
monotonic clock of the machine (`adobe_status_scrape_duration_seconds`, and the buckets and
sum of `adobe_status_api_request_duration_seconds`). `normalise` rewrites them as if every
duration were 0 seconds: the scrape duration and each histogram `_sum` become `0.0`, and each
finite bucket takes the value of its `+Inf` bucket (every request in the smallest bucket).
Series, labels, `_count` and `+Inf` stay as measured, so the golden still shows every
family with its HELP and TYPE lines and every label set, how many requests each endpoint
got, and is still a valid exposition (`promtool check metrics` runs on each file).
"""

from __future__ import annotations

import re
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent
REGENERATE = "make golden"  # or: .venv/bin/python -m tests.golden

# 2026-08-29T10:40:00Z, on a 10 s tick of the simulator (its feed changes only on ticks).
FROZEN_NOW = 1_788_000_000.0

HISTOGRAM = "adobe_status_api_request_duration_seconds"
GAUGES_OF_DURATION = ("adobe_status_scrape_duration_seconds",)
ZERO = "0.0"

# One sample line: name, optional {labels}, one space, the value (no timestamps here).
_SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?P<labels>\{.*\})? (?P<value>\S+)$")
_LE = re.compile(r',?le="[^"]*"')


def golden_path(scenario: str) -> Path:
    return GOLDEN_DIR / f"{scenario}.prom"


def normalise(exposition: str) -> str:
    """`exposition` with every measured duration read as 0 seconds (see the module doc)."""
    lines = exposition.split("\n")
    inf_counts: dict[str, str] = {}
    for line in lines:
        sample = _SAMPLE.match(line)
        if sample and sample["name"] == HISTOGRAM + "_bucket" and 'le="+Inf"' in line:
            inf_counts[_without_le(sample["labels"])] = sample["value"]
    out = []
    for line in lines:
        sample = _SAMPLE.match(line)
        if sample is not None:
            name, labels = sample["name"], sample["labels"] or ""
            if name in GAUGES_OF_DURATION or name == HISTOGRAM + "_sum":
                line = f"{name}{labels} {ZERO}"
            elif name == HISTOGRAM + "_bucket":
                line = f"{name}{labels} {inf_counts[_without_le(labels)]}"
        out.append(line)
    return "\n".join(out)


def _without_le(labels: str) -> str:
    return _LE.sub("", labels).replace("{,", "{")
