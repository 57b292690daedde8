"""The metrics of the shared contract (../shared/CONTRACT.md beside the repository).

`contract_metrics()` reads the contract's metrics table (name -> type); when the contract
is not checked out beside the repository it falls back to a copy of that table.
"""

from __future__ import annotations

import re

from tests.support.paths import REPO

CONTRACT_PATH = REPO.parent / "shared" / "CONTRACT.md"

# The families that describe Adobe's status (the rest describe the exporter): the same
# from either source for the same events.
STATUS_FAMILIES = (
    "adobe_status_product_status",
    "adobe_status_region_status",
    "adobe_status_incidents_open",
    "adobe_status_maintenances",
    "adobe_status_event_info",
    "adobe_status_event_start_timestamp_seconds",
    "adobe_status_unknown_values",
)

# Used only when ../shared/CONTRACT.md is not beside the repository.
FALLBACK_CONTRACT_METRICS = {
    "adobe_status_product_status": "gauge",
    "adobe_status_region_status": "gauge",
    "adobe_status_incidents_open": "gauge",
    "adobe_status_maintenances": "gauge",
    "adobe_status_event_info": "gauge",
    "adobe_status_event_start_timestamp_seconds": "gauge",
    "adobe_status_token_expiry_timestamp_seconds": "gauge",
    "adobe_status_token_requests_total": "counter",
    "adobe_status_api_request_duration_seconds": "histogram",
    "adobe_status_api_requests_total": "counter",
    "adobe_status_upstream_errors_total": "counter",
    "adobe_status_up": "gauge",
    "adobe_status_last_success_timestamp_seconds": "gauge",
    "adobe_status_scrape_duration_seconds": "gauge",
    "adobe_status_unknown_values": "gauge",
    "adobe_status_exporter_build_info": "gauge",
}


def contract_metrics() -> dict[str, str]:
    """Metric name -> type, from the contract's metrics table."""
    if not CONTRACT_PATH.is_file():
        return dict(FALLBACK_CONTRACT_METRICS)
    rows = re.findall(
        r"^\|\s*`(adobe_status_[a-z0-9_]+)`\s*\|\s*(\w+)",
        CONTRACT_PATH.read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    assert rows, f"no metric table found in {CONTRACT_PATH}"
    return dict(rows)
