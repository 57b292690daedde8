"""Adobe's texts through the Status API, over real HTTP: the simulator serves
`/api/v1/messages/{locale}` and notes which tokens each request asked for.

What users see: the page shows the texts; a steady state makes no messages call; a failing
messages endpoint is counted under `endpoint="messages"` and never touches `up` or the
statuses.
"""

from __future__ import annotations

import json
import time

import pytest

from exporter.errors import ERROR_REASONS
from exporter.secret import MASK
from exporter.simulator import Simulator
from exporter.sources.backoff import FLOOR
from tests.support.exporters import (
    CLIENT_SECRET,
    ExporterFactory,
    FakeClock,
    RunningExporter,
    value,
)
from tests.support.live import says

pytestmark = pytest.mark.integration

ANALYTICS = "503467"
PHOTOSHOP = "503493"


def test_texts_are_asked_once_and_a_steady_state_asks_nothing(
    simulator: Simulator, exporter: RunningExporter, clock: FakeClock
) -> None:
    event = simulator.add_incident(
        product_id=ANALYTICS,
        title="Analytics reports delayed",
        message="Reports are delayed since {startDateTime}.",
    )
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 1
    asked = simulator.message_requests()
    assert len(asked) == 1 and asked[0][0] == "en"
    assert value(samples, "adobe_status_api_requests_total", endpoint="messages", code="200") == 1
    for _ in range(3):
        exporter.scrape()
    assert simulator.message_requests() == asked

    title, message, _ = says(exporter, event)
    start = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(clock.now)))
    assert title == "Analytics reports delayed"
    assert message == f"Reports are delayed since {start}."


def test_a_new_event_asks_only_for_its_own_tokens(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    first = simulator.add_incident(product_id=ANALYTICS, title="First title", message="First")
    exporter.scrape()
    second = simulator.add_incident(product_id=PHOTOSHOP, title="Second title", message="Second")
    exporter.scrape()
    (_, tokens_first), (_, tokens_second) = simulator.message_requests()
    assert tokens_second and not set(tokens_first) & set(tokens_second)
    assert says(exporter, first)[:2] == ("First title", "First")
    assert says(exporter, second)[:2] == ("Second title", "Second")


def test_canned_texts_shared_by_events_are_asked_once(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    first = simulator.add_maintenance(product_id=ANALYTICS, status="Started")
    exporter.scrape()
    second = simulator.add_maintenance(product_id=PHOTOSHOP, status="Started")
    exporter.scrape()
    assert len(simulator.message_requests()) == 1
    assert says(exporter, first)[:2] == says(exporter, second)[:2]
    assert says(exporter, second)[1] == "We've started a maintenance"


def test_failed_messages_call_is_counted_and_leaves_up_and_statuses_alone(
    simulator: Simulator, exporter: RunningExporter, clock: FakeClock
) -> None:
    event = simulator.add_incident(
        product_id=ANALYTICS, severity="Major", title="Analytics down", message="Investigating"
    )
    simulator.inject("messages", status=503, times=None)
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 1
    product = {"cloud": "Adobe Experience Cloud", "product": "Adobe Analytics"}
    assert value(samples, "adobe_status_product_status", **product, product_id=ANALYTICS) == 4
    assert (
        value(samples, "adobe_status_upstream_errors_total", endpoint="messages", reason="http")
        == 1
    )
    assert value(samples, "adobe_status_api_requests_total", endpoint="messages", code="503") == 1
    title, message, classes = says(exporter, event)
    assert "tokens" in classes and title and message  # the tokens stand in for the texts

    # No hammering a broken endpoint: the next scrapes within the back-off do not ask.
    exporter.scrape()
    assert simulator.requests("messages") == 1
    simulator.clear_faults()
    clock.advance(FLOOR)  # the first wait after a failure
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 1
    assert simulator.requests("messages") == 2
    assert says(exporter, event)[:2] == ("Analytics down", "Investigating")


def test_unreadable_messages_answer_is_counted_as_invalid_response(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    event = simulator.add_incident(product_id=ANALYTICS, title="T", message="M")
    simulator.inject("messages", status=200, body='{"incidentMessages": "not an array"}')
    samples = exporter.scrape()
    assert value(samples, "adobe_status_up") == 1
    assert (
        value(
            samples,
            "adobe_status_upstream_errors_total",
            endpoint="messages",
            reason="invalid_response",
        )
        == 1
    )
    assert "tokens" in says(exporter, event)[2]


def test_slow_messages_endpoint_gets_only_the_texts_budget(
    simulator: Simulator, make_exporter: ExporterFactory
) -> None:
    # The per-request timeout (10 s) would wait for this 6 s answer; the texts' budget
    # (a few seconds of the scrape) does not.
    exporter = make_exporter(timeout=10.0)
    simulator.add_incident(product_id=ANALYTICS, title="T", message="M")
    simulator.inject("messages", delay=6)
    samples = exporter.scrape(scrape_timeout=30)
    assert value(samples, "adobe_status_up") == 1
    errors = value(
        samples, "adobe_status_upstream_errors_total", endpoint="messages", reason="timeout"
    )
    assert errors == 1


def test_messages_series_exist_before_any_messages_call(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    samples = exporter.scrape()  # nothing open: no token to ask for
    assert simulator.message_requests() == []
    for reason in ERROR_REASONS:
        assert (
            value(samples, "adobe_status_upstream_errors_total", endpoint="messages", reason=reason)
            == 0
        )
    assert (
        value(samples, "adobe_status_api_request_duration_seconds_count", endpoint="messages") == 0
    )


def test_french_locale_shows_french_texts_and_english_for_what_french_lacks(
    simulator: Simulator, make_exporter: ExporterFactory
) -> None:
    exporter = make_exporter(locale="fr")
    maintenance = simulator.add_maintenance(product_id=PHOTOSHOP, status="Started")
    custom = simulator.add_incident(product_id=ANALYTICS, title="English only", message="Words")
    exporter.scrape()
    (first_locale, first), (second_locale, second) = simulator.message_requests()
    assert (first_locale, second_locale) == ("fr", "en")
    assert set(second) < set(first)  # English only for what French lacked
    assert says(exporter, maintenance)[:2] == (
        "Maintenance planifiée",
        "Nous avons commencé une maintenance",
    )
    assert says(exporter, custom)[:2] == ("English only", "Words")
    exporter.scrape()
    assert len(simulator.message_requests()) == 2


def test_a_secret_echoed_in_a_text_is_masked_on_the_page(
    simulator: Simulator, exporter: RunningExporter
) -> None:
    exporter.scrape()  # takes a token
    assert exporter.service.tokens is not None  # the API source
    (token,) = exporter.service.tokens.current_values()
    event = simulator.add_incident(
        product_id=ANALYTICS, title="t", message="m", title_token="T-ECHO", message_token="M-ECHO"
    )
    echo = [
        {
            "languageCode": "en",
            "incidentMessages": {
                "T-ECHO": {"token": "T-ECHO", "textMessage": f"secret {CLIENT_SECRET}"},
                "M-ECHO": {"token": "M-ECHO", "htmlMessage": f"<p>token {token.reveal()}</p>"},
            },
        }
    ]
    simulator.inject("messages", status=200, body=json.dumps(echo))
    exporter.scrape()
    page = exporter.get("/").text
    assert CLIENT_SECRET not in page and token.reveal() not in page
    assert says(exporter, event)[:2] == (f"secret {MASK}", f"token {MASK}")
