"""Adobe's own words on an event, made safe to show: pure functions, no I/O.

Adobe's texts sit behind the `titleToken` / `messageToken` of each history entry, per
locale. They may hold the placeholders `{startDateTime}`, `{endDateTime}` and
`{CFS_URL}`, and HTML. Adobe's HTML is never shown as HTML: the stdlib parser keeps its
text (the contents of script, style and the like dropped, a link's target kept as text
only when it is an http(s) URL), and the page escapes that text on output.

Either source hands the texts over as one shape, `Texts` (locale -> token ->
Text), on `StatusReport.texts`: the feed's own `messages{locale}{token}` sections
(`Events.texts`, narrowed with `needed`), or what `/api/v1/messages` answered (see
exporter.sources.api.text_cache). A token is looked up in the wanted locale, then its
language without region (`fr` for `fr-CA`), then `en`; failing that the token itself is
shown, so an event never shows nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser
from typing import Final
from urllib.parse import quote, urlsplit

from exporter.config import DEFAULT_LOCALE
from exporter.model.vocabulary import Impact, Text, clean_text

EVENT_PAGE: Final = "https://status.adobe.com/products/{product_id}/{event_id}"
MAX_TITLE_CHARS: Final = 200
MAX_MESSAGE_CHARS: Final = 1200
# Work bound: Adobe's texts are a few hundred characters; anything past this is cut
# before parsing, so a hostile megabyte of markup costs no more than 64 KiB of it.
MAX_INPUT_CHARS: Final = 64 * 1024
ELLIPSIS: Final = "…"
NO_TIME: Final = "(time not given)"
NO_LINK: Final = "(link not given)"

Texts = Mapping[str, Mapping[str, Text]]  # locale -> token -> Text

# Elements whose content is not text for a reader.
_SKIPPED: Final = frozenset(
    {"script", "style", "template", "title", "head", "noscript", "iframe", "object", "svg"}
)
# Elements that end a line of text.
_BREAKS: Final = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
)
# C0 and C1 controls other than tab and newline: nothing a reader needs.
_CONTROLS: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class EventText:
    """What the page shows of Adobe's words on one event and product: plain text."""

    title: str
    message: str
    link: str  # the event's page on status.adobe.com ("" without ids)
    found: bool  # False: no text known for the tokens, which are shown instead


def tokens_of(impacts: Iterable[Impact]) -> list[str]:
    """The title and message tokens of these events, each once, in order."""
    tokens = (token for i in impacts for token in (i.title_token, i.message_token))
    return list(dict.fromkeys(token for token in tokens if token))


def needed(texts: Texts, impacts: Iterable[Impact], locale: str) -> Texts:
    """Only what the page can show of `messages` (such as the feed's 40 days of texts):
    the texts of these events' tokens, in the locales of the fallback chain."""
    tokens = tokens_of(impacts)
    kept: dict[str, dict[str, Text]] = {}
    for wanted in fallback_locales(locale):
        section = texts.get(wanted)
        if section is None:
            section = _section_ignoring_case(texts, wanted)
        if section:
            kept[wanted] = {t: section[t] for t in tokens if t in section}
    return kept


def fallback_locales(locale: str) -> tuple[str, ...]:
    """Where to look, in order: the locale, its language alone, then `en`."""
    chain = [locale]
    language = re.split(r"[-_]", locale, maxsplit=1)[0]
    for candidate in (language, DEFAULT_LOCALE):
        if candidate.lower() not in {known.lower() for known in chain}:
            chain.append(candidate)
    return tuple(chain)


def find_text(texts: Texts, locale: str, token: str) -> Text | None:
    """The text behind `token` in the first locale of the fallback chain that has it."""
    if not token:
        return None
    for wanted in fallback_locales(locale):
        section = texts.get(wanted)
        if section is None:
            section = _section_ignoring_case(texts, wanted)
        if section is not None and (message := section.get(token)) is not None:
            return message
    return None


def event_link(product_id: str, event_id: str) -> str:
    """Adobe's page for the event, each id quoted so none can leave its path segment."""
    if not product_id or not event_id:
        return ""
    return EVENT_PAGE.format(
        product_id=quote(product_id, safe=""), event_id=quote(event_id, safe="")
    )


def event_text(impact: Impact, texts: Texts, locale: str) -> EventText:
    """Adobe's latest title and message for an open event, placeholders filled."""
    values = placeholder_values(impact)
    title = find_text(texts, locale, impact.title_token)
    message = find_text(texts, locale, impact.message_token)
    return EventText(
        title=_shown(title, impact.title_token, values, MAX_TITLE_CHARS),
        message=_shown(message, impact.message_token, values, MAX_MESSAGE_CHARS),
        link=event_link(impact.product_id, impact.event_id),
        found=title is not None or message is not None,
    )


def placeholder_values(impact: Impact) -> dict[str, str]:
    """What each of Adobe's placeholders stands for in this event's texts."""
    return {
        "{startDateTime}": readable_time(impact.start),
        "{endDateTime}": readable_time(impact.end),
        "{CFS_URL}": impact.cfs_url or NO_LINK,
    }


def readable_time(timestamp: float | None) -> str:
    if timestamp is None:
        return NO_TIME
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):  # beyond what a date can hold
        return NO_TIME


def fill_placeholders(markup: str, values: Mapping[str, str]) -> str:
    """Adobe's text with its placeholders replaced, each value escaped as HTML text.

    The result is still Adobe's markup, to be reduced by `to_text`: escaping the values
    keeps a `&` or `<` in a URL from being read as markup. Plain replacement, never
    str.format: any other braces in Adobe's text stay as they are.
    """
    for placeholder, value in values.items():
        markup = markup.replace(placeholder, escape(value))
    return markup


def to_text(markup: str, limit: int) -> str:
    """Adobe's HTML (or plain text) reduced to plain text of at most `limit` characters."""
    reader = _TextReader()
    reader.feed(markup[:MAX_INPUT_CHARS])
    reader.close()
    return shorten(reader.text(), limit)


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters at a word boundary, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def _shown(message: Text | None, token: str, values: Mapping[str, str], limit: int) -> str:
    if message is None:
        # Nothing known for it: the token itself, as inert text like any other.
        return shorten(_plain(token), limit)
    markup = message.text if message.text.strip() else message.html
    return to_text(fill_placeholders(markup, values), limit)


def _plain(text: str) -> str:
    return " ".join(_CONTROLS.sub(" ", clean_text(text[:MAX_INPUT_CHARS])).split())


def _section_ignoring_case(texts: Texts, locale: str) -> Mapping[str, Text] | None:
    wanted = locale.lower().replace("_", "-")
    for key, section in texts.items():
        if key.lower().replace("_", "-") == wanted:
            return section
    return None


class _TextReader(HTMLParser):
    """Collects the text of a fragment of HTML; tags, comments and scripts vanish."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._skipping = 0  # depth inside elements whose content is not text
        self._links: list[str] = []  # targets of the open <a> elements ("" when unsafe)
        self._link_text: list[int] = []  # where each open <a>'s text begins in _parts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _BREAKS:
            self._parts.append("\n")
        elif tag == "a":
            self._links.append(_safe_url(dict(attrs).get("href") or ""))
            self._link_text.append(len(self._parts))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self._parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(self._skipping - 1, 0)
        elif tag in _BREAKS:
            self._parts.append("\n")
        elif tag == "a" and self._links:
            target = self._links.pop()
            label = "".join(self._parts[self._link_text.pop() :]).strip()
            if target and not self._skipping and target != label:
                self._parts.append(f" ({target})" if label else target)

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._parts.append(data)

    def text(self) -> str:
        raw = _CONTROLS.sub(" ", clean_text("".join(self._parts)))
        lines = (" ".join(line.split()) for line in raw.split("\n"))
        return "\n".join(line for line in lines if line)


def _safe_url(href: str) -> str:
    """An http(s) URL worth showing as text; "" for javascript:, data:, relative and junk."""
    href = href.strip()
    try:
        parts = urlsplit(href)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return _plain(href)
