"""Conditional requests to the Status API too, wherever it sends a validator.

The simulator's API sends none of its own; a fault adds `ETag` or `Last-Modified` to a
real answer, and a later fault answers 304, as a revalidating gateway would.
"""

from __future__ import annotations

import pytest

from exporter.simulator import Simulator
from tests.support.exporters import ExporterFactory, FakeClock, series, value

pytestmark = pytest.mark.integration

STATUS = ("adobe_status_product_status", "adobe_status_region_status")


@pytest.mark.parametrize(
    ("validator", "conditional"),
    [
        ({"ETag": '"events-v1"'}, ("if-none-match", '"events-v1"')),
        (
            {"Last-Modified": "Wed, 01 Jan 2026 00:00:00 GMT"},
            ("if-modified-since", "Wed, 01 Jan 2026 00:00:00 GMT"),
        ),
    ],
    ids=["etag", "last-modified"],
)
def test_the_api_is_asked_conditionally_and_a_304_reuses_the_last_answer(
    simulator: Simulator,
    make_exporter: ExporterFactory,
    validator: dict[str, str],
    conditional: tuple[str, str],
) -> None:
    simulator.add_incident("503467", severity="Major")
    exporter = make_exporter()
    simulator.inject("events", headers=validator)  # the real answer, with a validator
    first = exporter.scrape()
    simulator.inject("events", status=304, body=b"")
    second = exporter.scrape()
    name, sent = conditional
    assert simulator.last_headers("events")[name] == sent
    assert value(second, "adobe_status_up") == 1
    assert value(second, "adobe_status_api_requests_total", endpoint="events", code="304") == 1
    for family in STATUS:
        assert series(second, family) == series(first, family)
    labels = {
        "cloud": "Adobe Experience Cloud",
        "product": "Adobe Analytics",
        "product_id": "503467",
    }
    assert value(second, "adobe_status_product_status", **labels) == 4


def test_an_api_answer_without_validators_is_asked_for_unconditionally(
    simulator: Simulator, make_exporter: ExporterFactory
) -> None:
    exporter = make_exporter()
    exporter.scrape()
    exporter.scrape()
    sent = simulator.last_headers("events")
    assert "if-none-match" not in sent
    assert "if-modified-since" not in sent


def test_a_304_to_an_unconditional_request_is_an_upstream_failure(
    simulator: Simulator, make_exporter: ExporterFactory
) -> None:
    exporter = make_exporter()
    simulator.inject("events", status=304, body=b"")
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 0
    errors = value(samples, "adobe_status_upstream_errors_total", endpoint="events", reason="http")
    assert errors == 1


def test_message_texts_are_never_asked_for_conditionally(
    simulator: Simulator, make_exporter: ExporterFactory, clock: FakeClock
) -> None:
    """Each messages call asks for other tokens: remembering a validator per distinct query
    would grow without bound, so a validator on a messages answer is neither kept nor sent,
    even when the same unknown token is asked for again later."""
    exporter = make_exporter()
    simulator.add_incident(
        "503467", severity="Major", title_token="T-NO-TEXT", message_token="M-NO-TEXT"
    )
    simulator.inject("messages", headers={"ETag": '"messages-v1"'})
    exporter.scrape()
    clock.advance(2 * 3600)  # a token without a text is asked for again after a while
    second = exporter.scrape()
    asked = simulator.message_requests()
    assert len(asked) == 2 and asked[0] == asked[1]
    assert "if-none-match" not in simulator.last_headers("messages")
    assert value(second, "adobe_status_api_requests_total", endpoint="messages", code="200") == 2
