"""--source and --feed-url on the command line: the demo through the feed, and bad values."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from exporter.cli import cache_ttl_for
from tests.support.cli import run


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--source", "rss"], "--source"),
        (["--source", "feed", "--feed-url", "ftp://data.status.adobe.com/x"], "--feed-url"),
        (["--source", "feed", "--feed-url", "data.status.adobe.com"], "--feed-url"),
        (["--source", "api", "--feed-url", "not a url"], "--feed-url"),
    ],
)
def test_a_bad_source_or_feed_url_exits_2_with_one_line_naming_it(
    argv: list[str], option: str, capfd: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["check", "--demo", *argv], capfd)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert option in lines[0]


def test_the_environment_chooses_the_source(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ADOBE_STATUS_SOURCE", "nonsense")
    code, _, err = run(["check", "--demo"], capfd)
    assert code == 2
    assert "ADOBE_STATUS_SOURCE" in err


def test_help_states_the_cache_ttl_default_of_each_source(
    capfd: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["serve", "--help"], capfd)
    assert code == 0
    text = " ".join(out.split())
    assert "0 with --source api, 60 with --source feed" in text
    assert "--feed-url" in text and "ADOBE_STATUS_FEED_URL" in text


@pytest.mark.parametrize(
    ("source", "given", "expected"),
    [("api", None, 0.0), ("feed", None, 60.0), ("feed", 0.0, 0.0), ("api", 30.0, 30.0)],
)
def test_cache_ttl_defaults_by_source_and_an_explicit_value_wins(
    source: str, given: float | None, expected: float
) -> None:
    assert cache_ttl_for(source, given) == expected


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
