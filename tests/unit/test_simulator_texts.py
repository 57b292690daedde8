"""Event texts: /api/v1/messages, /api/v1/locales and the feed's messages, over real HTTP."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from exporter.simulator import Simulator, SimulatorServer
from exporter.simulator.canned_texts import HOSTILE, custom_pool
from tests.support.simulator_api import TIMEOUT, api_session

T0 = 1_795_000_000.0
ANALYTICS, PHOTOSHOP = "503467", "503493"
CLIENT_ID, CLIENT_SECRET = "texts-client", "texts-secret"
PLACEHOLDERS = ("{startDateTime}", "{endDateTime}", "{CFS_URL}")


@pytest.fixture
def sim() -> Simulator:
    return Simulator(
        dynamic=False, clock=lambda: T0, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )


@pytest.fixture
def api(sim: Simulator) -> Iterator[tuple[SimulatorServer, requests.Session]]:
    with api_session(sim, CLIENT_ID, CLIENT_SECRET) as served:
        yield served


def get(api: tuple[SimulatorServer, requests.Session], path: str, params: Any = None) -> Any:
    server, session = api
    response = session.get(f"{server.api_url}/api/v1/{path}", params=params, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def history(sim: Simulator, event_id: str, product_id: str) -> list[dict[str, Any]]:
    feed = sim.payload_feed()
    section = feed["incidentEvent"]["incidents"] | feed["maintenanceEvent"]["maintenance"]
    entries = section[event_id]["products"][product_id]["history"]
    return [entries[key] for key in sorted(entries, key=int)]


def test_locales_list_english_and_more(api: tuple[SimulatorServer, requests.Session]) -> None:
    locales = get(api, "locales")
    codes = [locale["localeCode"] for locale in locales]
    assert "en" in codes and len(codes) >= 2
    assert all(locale["languageName"] for locale in locales)


def test_every_token_an_entry_names_has_its_text_in_english(
    api: tuple[SimulatorServer, requests.Session], sim: Simulator
) -> None:
    incident = sim.add_incident(ANALYTICS, severity="Minor")
    sim.update_incident(incident, status="Closed")
    maintenance = sim.add_maintenance(PHOTOSHOP, status="Started")
    (english,) = get(api, "messages/en")
    assert english["languageCode"] == "en"
    for event_id, product, kind in (
        (incident, ANALYTICS, "incidentMessages"),
        (maintenance, PHOTOSHOP, "maintenanceMessages"),
    ):
        for entry in history(sim, event_id, product):
            for token in (entry["titleToken"], entry["messageToken"]):
                message = english[kind][token]
                assert message["token"] == token
                assert message["textMessage"] and message["htmlMessage"]
    started = history(sim, maintenance, PHOTOSHOP)[-1]["messageToken"]
    assert english["maintenanceMessages"][started]["textMessage"] == "We've started a maintenance"


def test_canned_texts_come_in_another_locale_with_placeholders_and_html(
    api: tuple[SimulatorServer, requests.Session],
) -> None:
    every = get(api, "messages")
    assert {dto["languageCode"] for dto in every} >= {"en", "fr"}
    by_locale = {dto["languageCode"]: dto for dto in every}
    english = by_locale["en"]["maintenanceMessages"] | by_locale["en"]["incidentMessages"]
    french = by_locale["fr"]["maintenanceMessages"] | by_locale["fr"]["incidentMessages"]
    assert set(french) == set(english)  # canned texts only, with nothing open
    assert all(french[t]["textMessage"] != english[t]["textMessage"] for t in english)
    texts = [m["textMessage"] for m in english.values()]
    for placeholder in PLACEHOLDERS:
        assert any(placeholder in text for text in texts), placeholder
    assert any("<a href=" in m["htmlMessage"] for m in english.values())
    assert get(api, "messages/xx") == []


def test_message_token_filter_is_repeatable(
    api: tuple[SimulatorServer, requests.Session], sim: Simulator
) -> None:
    params = [("messageToken", "MNT_STARTED"), ("messageToken", "INC_RESOLVED")]
    (english,) = get(api, "messages/en", params)
    assert set(english["maintenanceMessages"]) == {"MNT_STARTED"}
    assert set(english["incidentMessages"]) == {"INC_RESOLVED"}
    (comma,) = get(api, "messages/en", [("messageToken", "MNT_STARTED,INC_RESOLVED")])
    assert comma == english
    (none,) = get(api, "messages/en", [("messageToken", "NO_SUCH_TOKEN")])
    assert none["incidentMessages"] == {} and none["maintenanceMessages"] == {}
    assert sim.requests("messages") == 3
    assert sim.message_requests() == [
        ("en", ("INC_RESOLVED", "MNT_STARTED")),
        ("en", ("INC_RESOLVED", "MNT_STARTED")),
        ("en", ("NO_SUCH_TOKEN",)),
    ]


def test_messages_need_credentials_like_the_rest_of_the_api(
    api: tuple[SimulatorServer, requests.Session], sim: Simulator
) -> None:
    server, _ = api
    for path in ("messages", "messages/en", "locales"):
        bare = requests.get(f"{server.api_url}/api/v1/{path}", timeout=TIMEOUT)
        assert bare.status_code in (401, 403)
    sim.inject("messages", status=500)
    assert api[1].get(f"{server.api_url}/api/v1/messages/en", timeout=TIMEOUT).status_code == 500
    assert sim.requests("messages") == 3 and sim.requests("locales") == 1


def test_a_custom_text_given_by_a_test_is_served_in_english_only(
    api: tuple[SimulatorServer, requests.Session], sim: Simulator
) -> None:
    event_id = sim.add_incident(
        ANALYTICS,
        message="Exports are delayed in EMEA.",
        message_html="<p>Exports are <b>delayed</b> in EMEA.</p>",
        message_token="CUSTOM_EXPORTS",
        title="Delayed exports",
    )
    (entry,) = history(sim, event_id, ANALYTICS)
    assert (entry["messageType"], entry["messageToken"]) == ("Custom", "CUSTOM_EXPORTS")
    by_locale = {dto["languageCode"]: dto for dto in get(api, "messages")}
    custom = by_locale["en"]["incidentMessages"]["CUSTOM_EXPORTS"]
    assert custom["textMessage"] == "Exports are delayed in EMEA."
    assert custom["htmlMessage"] == "<p>Exports are <b>delayed</b> in EMEA.</p>"
    assert by_locale["en"]["incidentMessages"][entry["titleToken"]]["textMessage"] == (
        "Delayed exports"
    )
    assert "CUSTOM_EXPORTS" not in by_locale["fr"]["incidentMessages"]
    feed_messages = sim.payload_feed()["incidentEvent"]["messages"]
    assert feed_messages["en"]["CUSTOM_EXPORTS"] == custom
    assert "CUSTOM_EXPORTS" not in feed_messages.get("fr", {})


def test_a_token_without_a_text_is_named_but_has_none(
    api: tuple[SimulatorServer, requests.Session], sim: Simulator
) -> None:
    event_id = sim.add_maintenance(PHOTOSHOP, message_token="TOKEN_NOBODY_KNOWS")
    assert history(sim, event_id, PHOTOSHOP)[-1]["messageToken"] == "TOKEN_NOBODY_KNOWS"
    (english,) = get(api, "messages/en", [("messageToken", "TOKEN_NOBODY_KNOWS")])
    assert english["maintenanceMessages"] == {}
    assert "TOKEN_NOBODY_KNOWS" not in sim.payload_feed()["maintenanceEvent"]["messages"]["en"]


def test_hostile_text_is_served_as_given(
    api: tuple[SimulatorServer, requests.Session], sim: Simulator
) -> None:
    server, _ = api
    added = requests.post(
        f"{server.url}/_sim/incidents",
        json={
            "product_id": ANALYTICS,
            "message": HOSTILE.text,
            "message_html": HOSTILE.html,
            "message_token": "HOSTILE",
        },
        timeout=TIMEOUT,
    )
    assert added.status_code == 201
    (english,) = get(api, "messages/en", [("messageToken", "HOSTILE")])
    hostile = english["incidentMessages"]["HOSTILE"]
    assert hostile["textMessage"] == HOSTILE.text and hostile["htmlMessage"] == HOSTILE.html
    assert "<script>" in hostile["htmlMessage"] and len(hostile["textMessage"]) > 10_000


def test_a_root_cause_entry_carries_its_url_and_the_cfs_text(
    api: tuple[SimulatorServer, requests.Session], sim: Simulator
) -> None:
    event_id = sim.add_incident(ANALYTICS, status="Closed")
    url = "https://status.adobe.com/cfs/CFS123456"
    sim.update_incident(event_id, status="Closed", message_type="CFS", cfs_url=url)
    last = history(sim, event_id, ANALYTICS)[-1]
    assert (last["messageType"], last["status"], last["cfsURL"]) == ("CFS", "Closed", url)
    (english,) = get(api, "messages/en", [("messageToken", last["messageToken"])])
    assert "{CFS_URL}" in english["incidentMessages"][last["messageToken"]]["textMessage"]


def test_generated_events_mix_canned_and_custom_texts_all_served() -> None:
    sim = Simulator(seed=3, clock=lambda: T0)
    feed = sim.payload_feed()
    (english,) = sim.messages("en")
    for kind, section, texts in (
        ("incidents", feed["incidentEvent"]["incidents"], english["incidentMessages"]),
        ("maintenance", feed["maintenanceEvent"]["maintenance"], english["maintenanceMessages"]),
    ):
        types = set()
        for event in section.values():
            for product in event["products"].values():
                for entry in product["history"].values():
                    types.add(entry["messageType"])
                    assert entry["messageToken"] in texts, (kind, entry["messageToken"])
                    assert entry["titleToken"] in texts
        assert "Canned" in types
    incident_feed = feed["incidentEvent"]["messages"]["en"]
    assert all(incident_feed[t] == english["incidentMessages"][t] for t in incident_feed)


def custom_texts_by_state(seed: int, times: list[float]) -> dict[tuple[str, str], set[str]]:
    """(kind, entry status) -> the generated custom texts entries in that state carry."""
    found: dict[tuple[str, str], set[str]] = {}
    for now in times:
        sim = Simulator(seed=seed, clock=functools.partial(float, now))
        feed = sim.payload_feed()
        for kind, section, texts in (
            ("incident", feed["incidentEvent"]["incidents"], feed["incidentEvent"]["messages"]),
            (
                "maintenance",
                feed["maintenanceEvent"]["maintenance"],
                feed["maintenanceEvent"]["messages"],
            ),
        ):
            for event in section.values():
                for product in event["products"].values():
                    for entry in product["history"].values():
                        if entry["messageType"] != "Custom":
                            continue
                        text = texts["en"][entry["messageToken"]]["textMessage"]
                        found.setdefault((kind, entry["status"].lower()), set()).add(text)
    return found


def test_generated_custom_texts_fit_the_kind_of_event_and_its_state() -> None:
    found = custom_texts_by_state(3, [T0 + hour * 3600 for hour in range(0, 48, 6)])
    # The scenario customizes incident entries, open and closed ones.
    assert {status for kind, status in found if kind == "incident"} >= {"opened", "closed"}
    maintenance = {
        (kind, status): {text.text for text in custom_pool(kind, status)}
        for kind, status in [("maintenance", s) for s in ("Scheduled", "Started", "Completed")]
    }
    for (kind, status), texts in {**found, **maintenance}.items():
        for text in texts:
            if kind == "incident":
                assert "aintenance" not in text, (status, text)
                if status in ("closed", "dismissed"):
                    assert "recovered" in text, (status, text)
            else:
                assert not any(w in text for w in ("fix", "timeouts", "503", "Sign-in")), text
                if status.lower() in ("scheduled", "reminder"):
                    assert "extended" not in text, (status, text)
