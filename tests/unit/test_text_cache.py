"""The texts cache for the API source: only unknown tokens asked, bounded, failures contained.

The cache is driven here through a recording fetch function, so each test can say exactly
which tokens were asked for; tests/test_texts_live.py drives it through the real client
against the simulator over HTTP.
"""

from __future__ import annotations

import time

import pytest

from exporter.deadline import Deadline
from exporter.errors import UpstreamError
from exporter.model.vocabulary import Text
from exporter.secret import MASK
from exporter.sources.api.text_cache import (
    MAX_TOKENS_PER_REQUEST,
    TextCache,
    mask_secrets,
    parse_texts,
)
from tests.support.exporters import FakeClock


class Upstream:
    """What Adobe knows, per locale; records every call the cache makes."""

    def __init__(self, known: dict[str, dict[str, str]]) -> None:
        self.known = known
        self.calls: list[tuple[str, list[str]]] = []
        self.fail_with: UpstreamError | None = None

    def __call__(self, locale: str, tokens: list[str], deadline: Deadline) -> dict[str, Text]:
        self.calls.append((locale, list(tokens)))
        if self.fail_with is not None:
            raise self.fail_with
        texts = self.known.get(locale, {})
        return {token: Text(texts[token], "") for token in tokens if token in texts}


def english(*tokens: str) -> dict[str, dict[str, str]]:
    return {"en": {token: f"text of {token}" for token in tokens}}


def test_only_tokens_not_yet_known_are_asked_and_a_steady_state_asks_nothing() -> None:
    upstream = Upstream(english("a", "b", "c"))
    cache = TextCache(upstream, "en")
    assert cache.texts(["a", "b"], Deadline())["en"].keys() == {"a", "b"}
    assert cache.texts(["a", "b", "c"], Deadline())["en"].keys() == {"a", "b", "c"}
    cache.texts(["c", "a", "b"], Deadline())
    cache.texts(["a", "b", "c", "", "a"], Deadline())
    assert upstream.calls == [("en", ["a", "b"]), ("en", ["c"])]


def test_texts_returned_are_those_of_the_asked_tokens() -> None:
    upstream = Upstream(english("a", "b"))
    cache = TextCache(upstream, "en")
    cache.texts(["a", "b"], Deadline())
    assert cache.texts(["b"], Deadline()) == {"en": {"b": Text("text of b", "")}}


def test_a_token_adobe_has_no_text_for_is_remembered_then_asked_again_later() -> None:
    clock = FakeClock()
    upstream = Upstream(english("a"))
    cache = TextCache(upstream, "en", retry_missing_after=600, clock=clock)
    assert cache.texts(["a", "ghost"], Deadline())["en"].keys() == {"a"}
    cache.texts(["a", "ghost"], Deadline())
    assert len(upstream.calls) == 1
    clock.advance(601)
    upstream.known["en"]["ghost"] = "now there"
    assert cache.texts(["a", "ghost"], Deadline())["en"]["ghost"].text == "now there"
    assert upstream.calls[1:] == [("en", ["ghost"])]


def test_other_locale_asks_english_only_for_what_it_lacks() -> None:
    upstream = Upstream({"fr": {"a": "texte de a"}, "en": {"a": "text of a", "b": "text of b"}})
    cache = TextCache(upstream, "fr")
    found = cache.texts(["a", "b"], Deadline())
    assert upstream.calls == [("fr", ["a", "b"]), ("en", ["b"])]
    assert found == {"fr": {"a": Text("texte de a", "")}, "en": {"b": Text("text of b", "")}}
    cache.texts(["a", "b"], Deadline())
    assert len(upstream.calls) == 2


def test_regional_locale_tries_its_language_before_english() -> None:
    upstream = Upstream({"fr": {"a": "texte de a"}, "en": english("b")["en"]})
    cache = TextCache(upstream, "fr-CA")
    cache.texts(["a", "b"], Deadline())
    assert upstream.calls == [("fr-CA", ["a", "b"]), ("fr", ["a", "b"]), ("en", ["b"])]


def test_cache_is_bounded_and_evicts_the_least_recently_used() -> None:
    upstream = Upstream(english(*"abcdefghij"))
    cache = TextCache(upstream, "en", max_entries=4)
    cache.texts(["a", "b", "c", "d"], Deadline())
    cache.texts(["a"], Deadline())  # a is used again: b is now the oldest
    cache.texts(["e"], Deadline())
    assert len(cache) == 4
    upstream.calls.clear()
    cache.texts(["a"], Deadline())
    assert upstream.calls == []
    cache.texts(["b"], Deadline())
    assert upstream.calls == [("en", ["b"])]
    for batch in ("fghij", "abcde", "jihgf"):
        cache.texts(list(batch), Deadline())
        assert len(cache) <= 4


def test_more_tokens_than_the_cache_holds_are_capped_not_thrashed() -> None:
    upstream = Upstream(english(*(f"t{i}" for i in range(20))))
    cache = TextCache(upstream, "en", max_entries=8)
    tokens = [f"t{i}" for i in range(20)]
    assert len(cache.texts(tokens, Deadline())["en"]) == 8
    cache.texts(tokens, Deadline())
    assert len(upstream.calls) == 1  # the same 8 stay known; no call evicts the next


def test_many_tokens_are_asked_in_batches() -> None:
    tokens = [f"t{i}" for i in range(MAX_TOKENS_PER_REQUEST * 2 + 3)]
    upstream = Upstream(english(*tokens))
    TextCache(upstream, "en").texts(tokens, Deadline())
    assert [len(asked) for _, asked in upstream.calls] == [
        MAX_TOKENS_PER_REQUEST,
        MAX_TOKENS_PER_REQUEST,
        3,
    ]


def test_a_failed_call_never_raises_and_backs_off_before_asking_again() -> None:
    clock = FakeClock()
    upstream = Upstream(english("a"))
    upstream.fail_with = UpstreamError("messages", "http", "HTTP 503")
    cache = TextCache(upstream, "en", backoff_ceiling=3600, clock=clock)
    assert cache.texts(["a"], Deadline()) == {"en": {}}
    clock.advance(29)
    assert cache.texts(["a"], Deadline()) == {"en": {}}
    assert len(upstream.calls) == 1  # no sooner than 30 s after a failure
    clock.advance(1)
    assert cache.texts(["a"], Deadline()) == {"en": {}}
    assert len(upstream.calls) == 2
    clock.advance(59)
    assert cache.texts(["a"], Deadline()) == {"en": {}}
    assert len(upstream.calls) == 2  # the wait doubled to 60 s
    upstream.fail_with = None
    clock.advance(1)
    assert cache.texts(["a"], Deadline())["en"]["a"].text == "text of a"
    assert len(upstream.calls) == 3


def test_failure_in_the_wanted_locale_does_not_go_on_to_english() -> None:
    upstream = Upstream(english("a"))
    upstream.fail_with = UpstreamError("messages", "timeout", "no answer")
    TextCache(upstream, "de").texts(["a"], Deadline())
    assert upstream.calls == [("de", ["a"])]


def test_nothing_is_asked_when_the_scrape_has_no_time_left() -> None:
    upstream = Upstream(english("a"))
    cache = TextCache(upstream, "en")
    assert cache.texts(["a"], Deadline(time.monotonic() - 1)) == {"en": {}}
    assert upstream.calls == []


def test_the_texts_get_at_most_their_budget_of_a_longer_deadline() -> None:
    seen: list[float | None] = []

    def fetch(locale: str, tokens: list[str], deadline: Deadline) -> dict[str, Text]:
        seen.append(deadline.remaining())
        return {}

    TextCache(fetch, "en", budget=2.0).texts(["a"], Deadline())
    TextCache(fetch, "en", budget=2.0).texts(["a"], Deadline.after(600))
    TextCache(fetch, "en", budget=2.0).texts(["a"], Deadline.after(1.0))
    first, second, third = seen
    assert first is not None and 0 < first <= 2.0
    assert second is not None and 0 < second <= 2.0
    assert third is not None and 0 < third <= 1.0


# -- parse_messages: the MessagesDto array of the spec ----------------------------------------


def test_parse_reads_incident_and_maintenance_messages_of_the_spec_shape() -> None:
    payload = [
        {
            "languageCode": "en",
            "incidentMessages": {
                "i-1": {"token": "i-1", "textMessage": "Degraded", "htmlMessage": "<p>Degraded</p>"}
            },
            "maintenanceMessages": {
                "m-1": {"token": "m-1", "textMessage": "Scheduled", "htmlMessage": ""}
            },
        }
    ]
    assert parse_texts(payload, "en") == {
        "i-1": Text("Degraded", "<p>Degraded</p>"),
        "m-1": Text("Scheduled", ""),
    }


def test_parse_prefers_the_asked_language_when_several_are_listed() -> None:
    payload = [
        {"languageCode": "fr", "incidentMessages": {"a": {"textMessage": "Dégradé"}}},
        {"languageCode": "en", "incidentMessages": {"a": {"textMessage": "Degraded"}}},
    ]
    assert parse_texts(payload, "fr")["a"].text == "Dégradé"
    assert parse_texts(list(reversed(payload)), "fr")["a"].text == "Dégradé"


@pytest.mark.parametrize("payload", [{}, None, "text", 3, {"incidentMessages": {}}])
def test_parse_refuses_anything_but_an_array(payload: object) -> None:
    with pytest.raises(ValueError, match="messages"):
        parse_texts(payload, "en")


def test_parse_skips_malformed_parts() -> None:
    payload = [
        None,
        "x",
        {"incidentMessages": None, "maintenanceMessages": ["not", "a", "map"]},
        {
            "incidentMessages": {
                "ok": {"textMessage": 5, "htmlMessage": "<b>kept</b>"},
                "bad": "not an object",
                "": {"textMessage": "no token"},
            }
        },
    ]
    assert parse_texts(payload, "en") == {"ok": Text("", "<b>kept</b>")}


def test_mask_secrets_replaces_every_occurrence_in_text_and_html() -> None:
    texts = {"a": Text("key s3cr3t and s3cr3t", "<p>tok-123</p>"), "b": Text("clean", "")}
    masked = mask_secrets(texts, ["s3cr3t", "tok-123"])
    assert masked == {
        "a": Text(f"key {MASK} and {MASK}", f"<p>{MASK}</p>"),
        "b": Text("clean", ""),
    }
