"""Adobe's texts through the Status API: `GET /api/v1/messages/{locale}`, cached by token.

Texts behind a token do not change, so each is asked for once: a collection asks only
for the tokens of its open events that the cache does not know yet (a steady state
makes no call at all), in the wanted locale and then, for what that locale lacks, in
its language alone (`fr` for `fr-CA`) and in `en`. The cache is an LRU of at most `max_entries` (locale, token) entries; a token
Adobe had no text for is remembered too, and asked again after `retry_missing_after`.

The texts never cost the scrape its data: they are asked after the events, within the
scrape's deadline and at most `budget` seconds of it; a failed call is counted by the
client under `endpoint="messages"`, waits out the shared `Backoff` (30 s, doubling up to
the larger of --registry-ttl and 30 s; logged once, and once on recovery), and leaves the
page showing the tokens. It never changes `adobe_status_up`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from exporter.deadline import Deadline
from exporter.errors import UpstreamError
from exporter.model.texts import fallback_locales
from exporter.model.vocabulary import Text, clean_text
from exporter.secret import MASK, Secret
from exporter.sources.api.client import StatusClient
from exporter.sources.backoff import FLOOR, Backoff

log = logging.getLogger(__name__)

MAX_ENTRIES: Final = 4096
# Tokens per request: about 40 characters of query each keeps a URL under 4 KB.
MAX_TOKENS_PER_REQUEST: Final = 80
RETRY_MISSING_AFTER: Final = 3600.0

BUDGET: Final = 3.0
# Below this much time left, a request would only time out: leave it to the next scrape.
MIN_TIME_LEFT: Final = 0.1

# Asks one locale for some tokens: token -> Text for those it has a text for.
Fetch = Callable[[str, list[str], Deadline], dict[str, Text]]


def parse_texts(payload: object, locale: str) -> dict[str, Text]:
    """token -> Text from a `MessagesDto` array; ValueError if it is not one.

    Incident and maintenance texts are merged (their tokens do not collide). Entries
    whose `languageCode` names the asked locale win over any other language listed.
    """
    if not isinstance(payload, list):
        raise ValueError("messages: expected a JSON array of MessagesDto")
    wanted = _locale_key(locale)
    ordered = sorted(
        (item for item in payload if isinstance(item, dict)),
        key=lambda item: _locale_key(item.get("languageCode")) == wanted,
    )
    texts: dict[str, Text] = {}
    for item in ordered:  # the asked locale last, so its texts win
        for section in ("incidentMessages", "maintenanceMessages"):
            entries = item.get(section)
            if not isinstance(entries, dict):
                continue
            for token, entry in entries.items():
                if isinstance(token, str) and token and isinstance(entry, dict):
                    texts[token] = Text(
                        text=_string(entry, "textMessage"), html=_string(entry, "htmlMessage")
                    )
    return texts


def api_fetch(client: StatusClient, secrets: Callable[[], Iterable[Secret]] = tuple) -> Fetch:
    """A Fetch over the Status API client (which counts every request and failure).

    Texts are upstream's words shown on a page: any of `secrets` (the client secret and
    access token) that an upstream echoes in them is masked, like the log redactor does.
    """

    def fetch(locale: str, tokens: list[str], deadline: Deadline) -> dict[str, Text]:
        def decode(body: bytes | bytearray) -> dict[str, Text]:
            return parse_texts(json.loads(body), locale)

        found = client.get_decoded(
            "messages", {"messageToken": tokens}, deadline, decode, path_args={"locale": locale}
        )
        return mask_secrets(found, [secret.reveal() for secret in secrets() if secret])

    return fetch


def mask_secrets(texts: dict[str, Text], values: list[str]) -> dict[str, Text]:
    """`texts` with every occurrence of each of `values` replaced by a mask."""
    if not values:
        return texts
    masked = {}
    for token, message in texts.items():
        text, html = message.text, message.html
        for value in values:
            text, html = text.replace(value, MASK), html.replace(value, MASK)
        masked[token] = Text(text=text, html=html)
    return masked


@dataclass(frozen=True, slots=True)
class _Entry:
    message: Text | None  # None: asked, and Adobe had no text for it
    asked_at: float


class TextCache:
    """Texts by (locale, token), asked from upstream only when unknown."""

    def __init__(
        self,
        fetch: Fetch,
        locale: str,
        *,
        max_entries: int = MAX_ENTRIES,
        budget: float = BUDGET,
        retry_missing_after: float = RETRY_MISSING_AFTER,
        backoff_ceiling: float = FLOOR,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch = fetch
        self._locales = fallback_locales(locale)
        self._max_entries = max_entries
        self._budget = budget
        self._retry_missing_after = retry_missing_after
        self._clock = clock
        # `backoff_ceiling`: --registry-ttl, the longest wait after repeated failures.
        self._backoff = Backoff("texts", log, ceiling=backoff_ceiling, clock=clock)
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def texts(self, tokens: Iterable[str], deadline: Deadline) -> dict[str, dict[str, Text]]:
        """locale -> token -> Text for `tokens`, asking upstream for the unknown ones.

        Never raises for an upstream failure: what is not known is simply left out.
        """
        # More tokens than the cache holds would evict each other: keep the first ones.
        per_locale = max(self._max_entries // len(self._locales), 1)
        wanted = list(dict.fromkeys(token for token in tokens if token))[:per_locale]
        budget = _sooner(deadline, self._budget)
        for index, locale in enumerate(self._locales):
            earlier = self._locales[:index]
            missing = [
                token
                for token in wanted
                if self._needs_asking(locale, token)
                and not any(self._known(other, token) for other in earlier)
            ]
            if missing and not self._ask(locale, missing, budget):
                break
        return {locale: self._found(locale, wanted) for locale in self._locales}

    def _ask(self, locale: str, tokens: list[str], deadline: Deadline) -> bool:
        """Asks for `tokens` in batches; False once a call failed or time ran out."""
        for start in range(0, len(tokens), MAX_TOKENS_PER_REQUEST):
            batch = tokens[start : start + MAX_TOKENS_PER_REQUEST]
            left = deadline.remaining()
            if not self._backoff.due() or (left is not None and left < MIN_TIME_LEFT):
                return False
            try:
                found = self._fetch(locale, batch, deadline)
            except UpstreamError as error:  # already counted by the client
                self._backoff.failed(error, "the status page shows tokens")
                return False
            self._backoff.succeeded()
            now = self._clock()
            with self._lock:
                for token in batch:
                    self._store((locale, token), _Entry(found.get(token), now))
        return True

    def _store(self, key: tuple[str, str], entry: _Entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def _needs_asking(self, locale: str, token: str) -> bool:
        with self._lock:
            entry = self._entries.get((locale, token))
            if entry is None:
                return True
            self._entries.move_to_end((locale, token))
        if entry.message is not None:
            return False
        return self._clock() - entry.asked_at >= self._retry_missing_after

    def _known(self, locale: str, token: str) -> bool:
        with self._lock:
            entry = self._entries.get((locale, token))
        return entry is not None and entry.message is not None

    def _found(self, locale: str, tokens: list[str]) -> dict[str, Text]:
        found = {}
        with self._lock:
            for token in tokens:
                entry = self._entries.get((locale, token))
                if entry is not None and entry.message is not None:
                    found[token] = entry.message
        return found


def _sooner(deadline: Deadline, seconds: float) -> Deadline:
    own = Deadline.after(seconds)
    if deadline.at is None or (own.at is not None and own.at < deadline.at):
        return own
    return deadline


def _locale_key(value: object) -> str:
    return value.lower().replace("_", "-") if isinstance(value, str) else ""


def _string(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    return clean_text(value) if isinstance(value, str) else ""
