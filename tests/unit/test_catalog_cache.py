"""What both sources share: log-once of odd upstream values (exporter.sources.catalog_cache)."""

from __future__ import annotations

import logging

import pytest

from exporter.model.vocabulary import Anomaly
from exporter.sources.catalog_cache import MAX_LOGGED_VALUES, LogOnce

LOGGER = "tests.source_catalog"


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


def test_an_odd_value_seen_every_scrape_is_warned_about_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log_once = LogOnce(logging.getLogger(LOGGER))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for _ in range(3):
            log_once.anomalies([Anomaly("severity", "catastrophic"), Anomaly("severity", "odd")])
    assert warnings(caplog) == [
        "unrecognised upstream value severity='catastrophic', using its fallback",
        "unrecognised upstream value severity='odd', using its fallback",
    ]


def test_a_hostile_upstream_cannot_grow_the_remembered_values_forever(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log_once = LogOnce(logging.getLogger(LOGGER))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        log_once.malformed_entries(Anomaly("malformed_entry", str(i)) for i in range(5000))
    assert len(warnings(caplog)) == MAX_LOGGED_VALUES
