"""Adobe's texts made safe to show: placeholders, locale fallback, HTML reduced to text, links."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from exporter.config import CacheConfig, ConfigError
from exporter.model.texts import (
    ELLIPSIS,
    MAX_MESSAGE_CHARS,
    MAX_TITLE_CHARS,
    NO_LINK,
    NO_TIME,
    Texts,
    event_link,
    event_text,
    fallback_locales,
    find_text,
    needed,
    shorten,
    to_text,
    tokens_of,
)
from exporter.model.vocabulary import Impact, State, Text
from tests.support.impacts import an_impact

START = datetime(2026, 9, 14, 7, 30, tzinfo=UTC).timestamp()
END = datetime(2026, 9, 14, 9, 0, tzinfo=UTC).timestamp()
CFS = "https://status.adobe.com/cfs/202609140001?lang=en&view=full"


def impact(**overrides: object) -> Impact:
    maintenance: dict[str, object] = {
        "kind": "maintenance",
        "severity": "none",
        "status": "scheduled",
        "state": State.OPERATIONAL,
        "start": START,
        "end": END,
        "title_token": "t-1",
        "message_token": "m-1",
        "cfs_url": CFS,
        "event_id": "CHG005822158",
    }
    settings = {**maintenance, **overrides}
    return an_impact(str(settings.pop("event_id")), **settings)


def adobe_texts(locale: str = "en", **by_token: str) -> Texts:
    return {locale: {token: Text(text=text, html="") for token, text in by_token.items()}}


# -- placeholders ---------------------------------------------------------------------------


def test_placeholders_are_filled_from_the_event_times_in_utc_and_the_cfs_url() -> None:
    texts = {
        "en": {
            "t-1": Text(text="Maintenance on {startDateTime}", html=""),
            "m-1": Text(
                text="From {startDateTime} to {endDateTime}. Root cause: {CFS_URL}", html=""
            ),
        }
    }
    shown = event_text(impact(), texts, "en")
    assert shown.title == "Maintenance on 2026-09-14 07:30 UTC"
    assert shown.message == (
        f"From 2026-09-14 07:30 UTC to 2026-09-14 09:00 UTC. Root cause: {CFS}"
    )
    assert shown.found


def test_missing_times_and_url_say_so_instead_of_showing_the_placeholder() -> None:
    texts = adobe_texts(**{"m-1": "{startDateTime} / {endDateTime} / {CFS_URL}"})
    shown = event_text(impact(start=None, end=None, cfs_url=""), texts, "en")
    assert shown.message == f"{NO_TIME} / {NO_TIME} / {NO_LINK}"


def test_other_braces_in_adobe_text_stay_as_they_are() -> None:
    texts = adobe_texts(**{"m-1": "{0} {unknown} {startDateTime!r} {{x}}"})
    assert event_text(impact(), texts, "en").message == "{0} {unknown} {startDateTime!r} {{x}}"


def test_cfs_url_in_a_link_target_is_kept_as_text_with_its_query_intact() -> None:
    texts = {"en": {"m-1": Text(text="", html='<p>See <a href="{CFS_URL}">the report</a></p>')}}
    assert event_text(impact(), texts, "en").message == f"See the report ({CFS})"


def test_hostile_cfs_url_stays_text() -> None:
    hostile = '"><script>document.title="pwned"</script>'
    texts = adobe_texts(**{"m-1": "Report: {CFS_URL}"})
    shown = event_text(impact(cfs_url=hostile), texts, "en")
    # Text, which the page escapes: the value is shown, never parsed as markup.
    assert shown.message == f"Report: {hostile}"


# -- locales --------------------------------------------------------------------------------


def test_fallback_chain_is_locale_then_language_then_english() -> None:
    assert fallback_locales("fr-CA") == ("fr-CA", "fr", "en")
    assert fallback_locales("pt_BR") == ("pt_BR", "pt", "en")
    assert fallback_locales("de") == ("de", "en")
    assert fallback_locales("en") == ("en",)
    assert fallback_locales("en-GB") == ("en-GB", "en")


def test_text_in_the_wanted_locale_wins_over_english() -> None:
    texts = {
        "en": {"m-1": Text("Maintenance started", "")},
        "fr": {"m-1": Text("Maintenance commencée", "")},
    }
    assert event_text(impact(), texts, "fr").message == "Maintenance commencée"
    assert event_text(impact(), texts, "fr-CA").message == "Maintenance commencée"
    assert event_text(impact(), texts, "en").message == "Maintenance started"


def test_missing_locale_falls_back_to_english_then_to_the_token() -> None:
    texts = {"en": {"m-1": Text("Maintenance started", "")}, "ja": {}}
    shown = event_text(impact(), texts, "ja")
    assert shown.message == "Maintenance started"
    assert shown.title == "t-1"  # no text anywhere: the token itself
    assert shown.found

    nothing = event_text(impact(), {}, "ja")
    assert (nothing.title, nothing.message, nothing.found) == ("t-1", "m-1", False)


def test_locale_keys_match_ignoring_case_and_separator() -> None:
    texts = {"PT-br": {"m-1": Text("Manutenção iniciada", "")}}
    assert find_text(texts, "pt_BR", "m-1") == Text("Manutenção iniciada", "")


def test_text_message_is_preferred_and_html_used_when_text_is_empty() -> None:
    both = {"en": {"m-1": Text("plain words", "<p>html words</p>")}}
    assert event_text(impact(), both, "en").message == "plain words"
    html_only = {"en": {"m-1": Text("  ", "<p>html <b>words</b></p>")}}
    assert event_text(impact(), html_only, "en").message == "html words"


def test_an_event_without_tokens_shows_no_text() -> None:
    shown = event_text(impact(title_token="", message_token=""), adobe_texts(), "en")
    assert (shown.title, shown.message, shown.found) == ("", "", False)


@pytest.mark.parametrize("locale", ["en", "fr", "ja", "zh-Hans", "pt_BR", "es-419", "EN"])
def test_locale_tags_are_accepted(locale: str) -> None:
    assert CacheConfig(locale=locale).locale == locale


@pytest.mark.parametrize(
    "locale", ["", "e", "english-please-now", "fr/../x", "en US", "../etc", "x" * 50, "é"]
)
def test_bad_locale_is_a_config_error_naming_the_option(locale: str) -> None:
    with pytest.raises(ConfigError) as raised:
        CacheConfig(locale=locale)
    message = str(raised.value)
    assert message.startswith("--locale:")
    assert "\n" not in message


# -- HTML reduced to inert text ----------------------------------------------------------------


def test_script_and_style_contents_vanish() -> None:
    markup = (
        "<p>Sign-in is slow.</p><script>document.title='pwned';alert(1)</script>"
        "<style>body{display:none}</style><p>We are on it.</p>"
    )
    assert to_text(markup, 500) == "Sign-in is slow.\nWe are on it."


def test_unclosed_script_drops_everything_after_it() -> None:
    assert to_text("Before<script>alert(1)<p>after", 500) == "Before"


def test_unbalanced_html_keeps_its_text() -> None:
    assert to_text("<p><b>Hello <i>world</p></div></span>&amp; more", 500) == "Hello world\n& more"


def test_javascript_and_data_links_keep_only_their_label() -> None:
    markup = (
        '<a href="javascript:alert(1)">click</a> '
        '<a href=" JaVaScRiPt:alert(2)">here</a> '
        '<a href="data:text/html,<script>alert(3)</script>">or here</a> '
        '<a href="/relative">there</a>'
    )
    text = to_text(markup, 500)
    assert text == "click here or here there"
    assert "javascript" not in text.lower() and "data:" not in text


def test_http_link_target_is_shown_as_text_once() -> None:
    assert to_text('<a href="https://helpx.adobe.com/x">https://helpx.adobe.com/x</a>', 500) == (
        "https://helpx.adobe.com/x"
    )
    assert to_text('Read <a href="https://helpx.adobe.com/x"></a>', 500) == (
        "Read https://helpx.adobe.com/x"
    )


def test_comments_tags_and_attributes_leave_no_trace() -> None:
    markup = '<!-- secret note --><img src=x onerror="alert(1)"><div onclick="x()">Body</div>'
    assert to_text(markup, 500) == "Body"


def test_control_characters_and_lone_surrogates_become_safe_text() -> None:
    text = to_text("a\x00b\x1bc\x7f d\ud800e", 500)
    assert "\x00" not in text and "\x1b" not in text and "\x7f" not in text
    text.encode("utf-8")  # a lone surrogate would make the page unencodable


def test_ten_kilobytes_of_text_is_cut_to_a_bounded_length() -> None:
    long_text = ("Adobe Analytics reports are delayed in EMEA. " * 240)[:10_240]
    texts = adobe_texts(**{"m-1": long_text, "t-1": long_text})
    shown = event_text(impact(), texts, "en")
    assert len(shown.message) <= MAX_MESSAGE_CHARS
    assert len(shown.title) <= MAX_TITLE_CHARS
    assert shown.message.endswith(ELLIPSIS) and shown.title.endswith(ELLIPSIS)
    assert shown.message.startswith("Adobe Analytics reports are delayed in EMEA.")


def test_a_megabyte_of_nested_markup_is_bounded() -> None:
    hostile = "<div>" * 200_000 + "x" + "<script>" * 10
    text = to_text(hostile, MAX_MESSAGE_CHARS)
    assert len(text) <= MAX_MESSAGE_CHARS


def test_unknown_token_shown_as_text_is_bounded_too() -> None:
    shown = event_text(impact(message_token="<b>" + "m" * 5000), {}, "en")
    assert len(shown.message) <= MAX_MESSAGE_CHARS
    assert shown.message.startswith("<b>m")  # inert text, escaped by the page


# -- links ---------------------------------------------------------------------------------


def test_link_to_the_event_page_on_status_adobe_com() -> None:
    assert event_text(impact(), {}, "en").link == (
        "https://status.adobe.com/products/503467/CHG005822158"
    )
    assert event_link("503467", "202608040123") == (
        "https://status.adobe.com/products/503467/202608040123"
    )


def test_link_ids_cannot_leave_their_path_segment() -> None:
    link = event_link("503467", '../../evil?x=1#"><script>')
    assert link.startswith("https://status.adobe.com/products/503467/")
    tail = link.removeprefix("https://status.adobe.com/products/503467/")
    assert "/" not in tail and "?" not in tail and "#" not in tail and '"' not in tail
    assert "<" not in tail


def test_no_link_without_ids() -> None:
    assert event_link("", "202608040123") == ""
    assert event_link("503467", "") == ""


def test_needed_keeps_only_the_open_events_texts_in_the_fallback_locales() -> None:
    feed = {
        "en": {"t-1": Text("T", ""), "m-1": Text("M", ""), "old": Text("gone", "")},
        "fr": {"m-1": Text("M fr", ""), "old": Text("ancien", "")},
        "de": {"m-1": Text("M de", "")},
    }
    kept = needed(feed, [impact(), impact(message_token="", title_token="")], "fr")
    assert kept == {
        "fr": {"m-1": Text("M fr", "")},
        "en": {k: feed["en"][k] for k in ("t-1", "m-1")},
    }
    # What the page shows from it is what it would show from the whole feed.
    assert event_text(impact(), kept, "fr") == event_text(impact(), feed, "fr")


def test_tokens_of_lists_each_token_once() -> None:
    events = [impact(), impact(event_id="other"), impact(title_token="", message_token="m-2")]
    assert tokens_of(events) == ["t-1", "m-1", "m-2"]


# -- rules the mutation run asked for (see docs/mutation.md) --------------------------------


def test_product_ids_cannot_leave_their_path_segment_either() -> None:
    assert event_link("../503467", "E1") == "https://status.adobe.com/products/..%2F503467/E1"


def test_an_exact_locale_key_wins_over_one_differing_in_case() -> None:
    feed = {"fr-ca": {"m-1": Text("lower", "")}, "fr-CA": {"m-1": Text("exact", "")}}
    assert find_text(feed, "fr-CA", "m-1") == Text("exact", "")
    assert needed(feed, [impact()], "fr-CA")["fr-CA"] == {"m-1": Text("exact", "")}


def test_needed_finds_a_section_ignoring_case_and_separator() -> None:
    feed = {"PT_br": {"m-1": Text("Manutenção", "")}}
    assert needed(feed, [impact()], "pt-BR") == {"pt-BR": {"m-1": Text("Manutenção", "")}}


def test_times_are_shown_in_utc_whatever_the_machines_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    try:
        shown = event_text(impact(), adobe_texts(**{"m-1": "From {startDateTime}"}), "en").message
    finally:
        monkeypatch.undo()
        time.tzset()
    assert shown == "From 2026-09-14 07:30 UTC"


@pytest.mark.parametrize(
    ("text", "limit", "shown"),
    [
        ("exactly ten", 11, "exactly ten"),  # at the limit: not cut
        ("one two three four five six", 20, "one two three four" + ELLIPSIS),  # last space
        ("abcdefghijk lm nopqrstuvwxyz", 20, "abcdefghijk lm" + ELLIPSIS),  # the last, not first
        ("abcdefghijk lmnopqrstuvwxyz", 20, "abcdefghijk" + ELLIPSIS),  # space past half
        ("abcdefghij klmnopqrstuvwxyz", 20, "abcdefghij klmnopqr" + ELLIPSIS),  # at half
        ("abcdefghi jklmnopqrstuvwxyz", 20, "abcdefghi jklmnopqr" + ELLIPSIS),  # before half
        ("  indented text that runs on", 12, "  indented" + ELLIPSIS),  # only the end is cut
    ],
)
def test_long_text_is_cut_at_the_last_word_boundary_past_half_the_limit(
    text: str, limit: int, shown: str
) -> None:
    assert shorten(text, limit) == shown


def test_an_unknown_token_is_shown_with_its_spaces_and_controls_made_single_spaces() -> None:
    shown = event_text(impact(message_token="m\x00\x01x  \n y"), {}, "en").message
    assert shown == "m x y"


def test_controls_inside_adobes_text_become_single_spaces() -> None:
    assert to_text("a\x07b\x1bc", 100) == "a b c"


def test_a_skipped_element_inside_another_stays_skipped_to_the_outer_end() -> None:
    assert to_text("<svg><title>t</title>hidden</svg>shown", 100) == "shown"


def test_a_link_target_follows_the_whole_label_even_with_inline_tags() -> None:
    markup = '<a href="https://status.adobe.com/x">see <b>this</b> now</a> then'
    assert to_text(markup, 200) == "see this now (https://status.adobe.com/x) then"


def test_a_link_whose_label_is_its_target_split_by_tags_is_shown_once() -> None:
    markup = '<a href="https://status.adobe.com/x">https://status.adobe.com/<b>x</b></a>'
    assert to_text(markup, 200) == "https://status.adobe.com/x"


@pytest.mark.parametrize(
    ("href", "shown"),
    [
        ("http://status.adobe.com/a", "label (http://status.adobe.com/a)"),
        ("HTTPS://status.adobe.com/b", "label (HTTPS://status.adobe.com/b)"),
        ("ftp://files.adobe.com/c", "label"),
        ("http://[::1", "label"),  # not a URL at all
        ("//status.adobe.com/d", "label"),  # no scheme
    ],
)
def test_only_http_and_https_link_targets_are_shown(href: str, shown: str) -> None:
    assert to_text(f'<a href="{href}">label</a>', 200) == shown


def test_a_self_closed_break_ends_a_line() -> None:
    assert to_text("first<br/>second<hr/>same line", 100) == "first\nsecondsame line"
