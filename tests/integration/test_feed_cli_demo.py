"""--source and --feed-url on the command line: the demo through the feed, and bad values."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.cli import run


def test_check_demo_runs_through_the_simulators_feed(capfd: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--demo", "--source", "feed", "--format", "prometheus"], capfd)
    assert code == 0
    families = {family.name: family for family in text_string_to_metric_families(out)}
    assert families["adobe_status_up"].samples[0].value == 1
    assert len(families["adobe_status_product_status"].samples) == 73
    assert not [name for name in families if name.startswith("adobe_status_token")]
    endpoints = {
        sample.labels["endpoint"]
        for sample in families["adobe_status_api_requests"].samples
        if sample.value
    }
    assert endpoints == {"events", "registry"}
