"""The exporter's configuration: one frozen value, validated once at start."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from exporter.secret import Secret

DEFAULT_SCOPES = (
    "creative_cloud,openid,additional_info.ownerOrg,AdobeID,org.read,read_organizations,"
    "additional_info.roles,gnav,additional_info.company,additional_info.projectedProductContext"
)
DEFAULT_IMS_TOKEN_URL = "https://ims-na1.adobelogin.com/ims/token/v3"  # noqa: S105 - a URL
DEFAULT_API_URL = "https://status.adobe.io"
DEFAULT_API_KEY = "StatusAdobeIOClient"
DEFAULT_LISTEN_ADDRESS = "0.0.0.0:9720"
DEFAULT_FEED_URL = "https://data.status.adobe.com/adobestatus"
SOURCES = ("api", "feed")
# --cache-ttl when not given: every scrape asks the API (a documented, throttled service);
# the public feed, an 8 MB document, is asked at most once a minute.
DEFAULT_CACHE_TTL = {"api": 0.0, "feed": 60.0}
DEFAULT_TOKEN_REFRESH_MARGIN = 300.0
DEFAULT_LOCALE = "en"
# A BCP 47 style tag as Adobe's locales look (`en`, `fr`, `ja`, `zh-Hans`, `pt_BR`).
_LOCALE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,4}")

# Bodies larger than this are refused: the public feed's 40-day StatusEvents document was
# over 8 MiB in September 2026 and grows with Adobe's activity, so this leaves about four
# times that while keeping a hostile or broken upstream from exhausting memory (see
# docs/public-feed.md).
MAX_RESPONSE_BYTES = 32 * 1024 * 1024


# The way for teams without an Adobe account, named where credentials are missing.
NO_ACCOUNT = "use --source feed (Adobe's public feed, no credential) or --demo"


class ConfigError(ValueError):
    """Bad configuration. The message is one line that names the option."""


@dataclass(frozen=True)
class Seconds:
    """The sensible range of a duration option, in seconds.

    Beyond it a value is a typo or a joke (`inf`, `1e300`), and would only fail later,
    deep in a timer or a socket call, on every scrape.
    """

    low: float
    high: float
    low_included: bool = True

    def __str__(self) -> str:
        return f"{'[' if self.low_included else '('}{self.low:g}, {self.high:g}]"

    def check(self, option: str, value: float, given: str | None = None) -> float:
        """`value` when finite and in range (-0 reads as 0), else ConfigError naming `option`
        and quoting `given`, the text the value was read from."""
        above_low = value >= self.low if self.low_included else value > self.low
        if not (math.isfinite(value) and above_low and value <= self.high):
            raise self.refusal(option, repr(value) if given is None else repr(given))
        return value + 0.0  # -0.0 + 0.0 is 0.0

    def refusal(self, option: str, shown: str) -> ConfigError:
        return ConfigError(f"{option}: must be a number of seconds in {self}, got {shown}")


DAY: Final = 86400.0
WEEK: Final = 7 * DAY
# A request that takes five minutes is no answer a scrape can wait for.
TIMEOUT_RANGE: Final = Seconds(0.0, 300.0, low_included=False)
# Caching a status page longer than a week would no longer report Adobe's status.
CACHE_TTL_RANGE: Final = Seconds(0.0, WEEK)
REGISTRY_TTL_RANGE: Final = Seconds(0.0, WEEK)
MAX_STALE_RANGE: Final = Seconds(0.0, WEEK)
# backfill --step: at most Prometheus's 5-minute lookback, so a series never goes stale.
STEP_RANGE: Final = Seconds(0.0, 300.0, low_included=False)
# Adobe's tokens live a day; a larger margin is the same as renewing before each use.
TOKEN_REFRESH_MARGIN_RANGE: Final = Seconds(0.0, DAY)


@dataclass(frozen=True)
class Selection:
    """Which products, clouds and regions to watch: ids or exact names, empty = all."""

    products: tuple[str, ...] = ()
    clouds: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApiConfig:
    """Everything needed to talk to Adobe IMS and the Status API."""

    client_id: str
    client_secret: Secret = field(repr=False)
    scopes: str = DEFAULT_SCOPES
    ims_token_url: str = DEFAULT_IMS_TOKEN_URL
    api_url: str = DEFAULT_API_URL
    api_key: str = DEFAULT_API_KEY
    timeout: float = 10.0
    token_refresh_margin: float = DEFAULT_TOKEN_REFRESH_MARGIN
    max_response_bytes: int = MAX_RESPONSE_BYTES

    def __post_init__(self) -> None:
        check_url("--ims-token-url", self.ims_token_url)
        check_url("--api-url", self.api_url)
        TIMEOUT_RANGE.check("--timeout", self.timeout)
        TOKEN_REFRESH_MARGIN_RANGE.check("--token-refresh-margin", self.token_refresh_margin)
        if not self.client_id:
            raise ConfigError(
                "--client-id (ADOBE_CLIENT_ID) is required with --source api; without an "
                f"Adobe account, {NO_ACCOUNT}"
            )
        if not self.client_secret:
            raise ConfigError(
                "--client-secret (ADOBE_CLIENT_SECRET) or --client-secret-file "
                f"(ADOBE_CLIENT_SECRET_FILE) is required with --source api; {NO_ACCOUNT}"
            )
        if not self.api_key:
            raise ConfigError("--api-key (ADOBE_STATUS_API_KEY) must not be empty")


@dataclass(frozen=True)
class FeedConfig:
    """Everything needed to read the public feed: no credential at all."""

    feed_url: str = DEFAULT_FEED_URL
    timeout: float = 10.0
    max_response_bytes: int = MAX_RESPONSE_BYTES

    def __post_init__(self) -> None:
        check_url("--feed-url (ADOBE_STATUS_FEED_URL)", self.feed_url)
        TIMEOUT_RANGE.check("--timeout", self.timeout)

    @property
    def events_url(self) -> str:
        return self.feed_url.rstrip("/") + "/StatusEvents"

    @property
    def registry_url(self) -> str:
        return self.feed_url.rstrip("/") + "/SnowServiceRegistry"


@dataclass(frozen=True)
class CacheConfig:
    """How long to trust what upstream said (cache, catalog, staleness) and what to show.

    Also the selection and the locale: both are resolved in the collection the cache keeps.
    """

    selection: Selection = Selection()
    cache_ttl: float = 0.0
    registry_ttl: float = 3600.0
    max_stale: float = 300.0
    locale: str = DEFAULT_LOCALE  # the language of Adobe's texts on the status page
    # Days of Adobe's record kept for the status page ("Last 30 days"; serve); 0: none.
    past_days: float = 0.0

    def __post_init__(self) -> None:
        CACHE_TTL_RANGE.check("--cache-ttl", self.cache_ttl)
        REGISTRY_TTL_RANGE.check("--registry-ttl", self.registry_ttl)
        MAX_STALE_RANGE.check("--max-stale", self.max_stale)
        check_locale("--locale", self.locale)


def check_url(option: str, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{option}: {value!r} is not an http(s) URL")


def check_locale(option: str, value: str) -> None:
    if len(value) > 35 or not _LOCALE_TAG.fullmatch(value):
        raise ConfigError(
            f"{option}: {value[:40]!r} is not a locale tag (such as en, fr, ja or zh-Hans)"
        )
