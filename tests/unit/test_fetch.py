"""One upstream GET (exporter/sources/fetch.py) over real loopback HTTP: bodies bounded in
size and time, HTML refused, 304 answered from the last decoded value, 429's Retry-After kept,
every request and error counted."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from exporter.deadline import Deadline
from exporter.errors import Throttled, UpstreamError
from exporter.sources.fetch import (
    DEFAULT_RETRY_AFTER,
    MAX_RETRY_AFTER,
    USER_AGENT,
    Fetcher,
    Unauthorized,
    parse_retry_after,
)
from exporter.upstream_metrics import UpstreamMetrics
from tests.support.prometheus import free_port

ENDPOINT = "events"
LIMIT = 64 * 1024
NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@dataclass
class Answer:
    status: int = 200
    body: bytes = b'{"ok": true}'
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    length: bool = True  # send Content-Length (else the body is chunked)
    hold: threading.Event | None = None  # when set: send the first byte, then wait for it
    cut: bool = False  # send the first byte, then close the connection


@dataclass
class Upstream:
    """A loopback server answering each GET with the next Answer; it keeps every request."""

    url: str
    answers: list[Answer]
    requests: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    state = Upstream("", [])

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            state.requests.append({"path": self.path, **dict(self.headers.items())})
            answer = state.answers.pop(0) if state.answers else Answer()
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if answer.length:
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if answer.cut:
                    self.wfile.write(answer.body[:1])
                    self.close_connection = True
                    return
                if answer.hold is not None:
                    self.wfile.write(answer.body[:1])
                    self.wfile.flush()
                    answer.hold.wait(10)
                    return
                self.wfile.write(answer.body)
                return
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(answer.body), 4096):
                chunk = answer.body[start : start + 4096]
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a client that hangs up on a refused body is expected here

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/events"
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class Clock:
    now: float = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def metrics() -> UpstreamMetrics:
    return UpstreamMetrics()


@pytest.fixture
def fetcher(metrics: UpstreamMetrics, clock: Clock) -> Iterator[Fetcher]:
    fetcher = Fetcher(metrics, timeout=5.0, max_response_bytes=LIMIT, clock=clock)
    yield fetcher
    fetcher.close()


def get(
    fetcher: Fetcher, upstream: Upstream, decode: Callable[[Any], Any] = json.loads, **kwargs: Any
) -> Any:
    return fetcher.get(ENDPOINT, upstream.url, Deadline.after(5.0), decode, **kwargs)


def failure(call: Callable[[], object]) -> tuple[str, str]:
    with pytest.raises(UpstreamError) as raised:
        call()
    return raised.value.reason, raised.value.message


def counted(metrics: UpstreamMetrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, {"endpoint": ENDPOINT, **labels}) or 0.0


def test_a_json_body_is_decoded_and_the_request_counted(
    fetcher: Fetcher, upstream: Upstream, metrics: UpstreamMetrics
) -> None:
    upstream.answers.append(Answer(body=b'{"events": [1, 2]}'))
    assert get(fetcher, upstream) == {"events": [1, 2]}
    assert counted(metrics, "adobe_status_api_requests_total", code="200") == 1
    assert counted(metrics, "adobe_status_api_request_duration_seconds_count") == 1


def test_requests_say_who_asks_and_what_they_accept(fetcher: Fetcher, upstream: Upstream) -> None:
    get(fetcher, upstream, params={"productIds": ["2", "1"], "lang": "en"})
    (request,) = upstream.requests
    assert request["User-Agent"] == USER_AGENT
    assert request["Accept"] == "application/json"
    assert request["path"] == "/events?productIds=2&productIds=1&lang=en"


@pytest.mark.parametrize("length", [True, False], ids=["declared", "chunked"])
def test_a_body_over_the_size_cap_is_refused(
    fetcher: Fetcher, upstream: Upstream, metrics: UpstreamMetrics, length: bool
) -> None:
    upstream.answers.append(Answer(body=b"[" + b"1," * LIMIT + b"1]", length=length))
    assert failure(lambda: get(fetcher, upstream)) == (
        "invalid_response",
        f"body over {LIMIT} bytes",
    )
    assert counted(metrics, "adobe_status_upstream_errors_total", reason="invalid_response") == 1


@pytest.mark.parametrize("length", [True, False], ids=["declared", "chunked"])
def test_a_body_exactly_at_the_size_cap_is_read(
    fetcher: Fetcher, upstream: Upstream, length: bool
) -> None:
    body = b'"' + b"x" * (LIMIT - 2) + b'"'
    upstream.answers.append(Answer(body=body, length=length))
    assert get(fetcher, upstream) == "x" * (LIMIT - 2)


def test_a_body_that_ends_before_its_declared_length_is_a_connection_error(
    fetcher: Fetcher, upstream: Upstream
) -> None:
    upstream.answers.append(Answer(body=b"[1, 2, 3]", cut=True))
    reason, _ = failure(lambda: get(fetcher, upstream))
    assert reason == "connection"


def test_a_trickling_body_is_cut_at_the_scrape_deadline(
    fetcher: Fetcher, upstream: Upstream
) -> None:
    release = threading.Event()
    upstream.answers.append(Answer(body=b"[1, 2, 3]", hold=release))
    deadline = Deadline.after(0.5)
    try:
        reason, _ = failure(lambda: fetcher.get(ENDPOINT, upstream.url, deadline, json.loads))
    finally:
        release.set()
    # The body trickled (one byte, then nothing): the scrape's deadline ends the read.
    assert reason == "timeout"


def test_no_request_is_sent_once_the_deadline_has_passed(
    fetcher: Fetcher, upstream: Upstream
) -> None:
    expired = Deadline.after(-1.0)
    assert failure(lambda: fetcher.get(ENDPOINT, upstream.url, expired, json.loads)) == (
        "timeout",
        "no time left in this scrape",
    )
    assert upstream.requests == []


@pytest.mark.parametrize(
    "answer",
    [
        Answer(headers={"Content-Type": "text/html; charset=utf-8"}, body=b"{}"),
        Answer(headers={"Content-Type": "application/xhtml+xml"}, body=b"{}"),
        Answer(body=b"  <html>login</html>"),
        Answer(body=b"\n<!doctype html>", length=False),
    ],
    ids=["text/html", "xhtml", "body-declared", "body-chunked"],
)
def test_an_html_page_is_refused_even_with_200(
    fetcher: Fetcher, upstream: Upstream, answer: Answer
) -> None:
    upstream.answers.append(answer)
    assert failure(lambda: get(fetcher, upstream)) == ("invalid_response", "an HTML page, not JSON")


def test_a_body_that_is_not_json_is_an_invalid_response(
    fetcher: Fetcher, upstream: Upstream
) -> None:
    upstream.answers.append(Answer(body=b"{nope"))
    assert failure(lambda: get(fetcher, upstream)) == ("invalid_response", "body is not valid JSON")


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_an_error_status_is_an_http_error_counted_with_its_code(
    fetcher: Fetcher, upstream: Upstream, metrics: UpstreamMetrics, status: int
) -> None:
    upstream.answers.append(Answer(status=status))
    # The line names the URL it tried (CONTRACT.md, Failures).
    assert failure(lambda: get(fetcher, upstream)) == ("http", f"HTTP {status} from {upstream.url}")
    assert counted(metrics, "adobe_status_api_requests_total", code=str(status)) == 1
    assert counted(metrics, "adobe_status_upstream_errors_total", reason="http") == 1


def test_401_is_unauthorized_only_where_the_caller_renews_a_token(
    fetcher: Fetcher, upstream: Upstream
) -> None:
    upstream.answers += [Answer(status=401), Answer(status=401)]
    with pytest.raises(Unauthorized):
        get(fetcher, upstream, raise_unauthorized=True)
    assert failure(lambda: get(fetcher, upstream)) == ("http", f"HTTP 401 from {upstream.url}")


def test_a_redirect_is_not_followed(fetcher: Fetcher, upstream: Upstream) -> None:
    upstream.answers.append(Answer(status=302, headers={"Location": "http://127.0.0.1:1/"}))
    assert failure(lambda: get(fetcher, upstream)) == ("http", f"HTTP 302 from {upstream.url}")
    assert len(upstream.requests) == 1


def test_nothing_listening_is_a_connection_error(
    fetcher: Fetcher, metrics: UpstreamMetrics
) -> None:
    deadline = Deadline.after(5.0)
    url = f"http://127.0.0.1:{free_port()}/"
    reason, _ = failure(lambda: fetcher.get(ENDPOINT, url, deadline, json.loads))
    assert reason == "connection"
    assert counted(metrics, "adobe_status_api_requests_total", code="error") == 1


# --- conditional requests ---------------------------------------------------------------


def test_a_304_hands_out_the_last_decoded_value_without_decoding_again(
    fetcher: Fetcher, upstream: Upstream
) -> None:
    validators = {"ETag": '"v1"', "Last-Modified": "Thu, 01 Jan 2026 00:00:00 GMT"}
    upstream.answers += [
        Answer(headers={"Content-Type": "application/json", **validators}),
        Answer(status=304, body=b"", headers={}),
    ]
    decoded: list[bytes] = []

    def decode(body: bytes) -> object:
        decoded.append(bytes(body))
        return object()

    first = get(fetcher, upstream, decode)
    assert get(fetcher, upstream, decode) is first
    assert len(decoded) == 1
    assert "If-None-Match" not in upstream.requests[0]
    assert upstream.requests[1]["If-None-Match"] == '"v1"'
    assert upstream.requests[1]["If-Modified-Since"] == validators["Last-Modified"]


def test_validators_are_kept_per_url_and_query(fetcher: Fetcher, upstream: Upstream) -> None:
    tagged = Answer(headers={"Content-Type": "application/json", "ETag": '"a"'})
    upstream.answers += [tagged, Answer()]
    get(fetcher, upstream, params={"productIds": "1"})
    get(fetcher, upstream, params={"productIds": "2"})
    get(fetcher, upstream, params={"productIds": ["1"]})
    assert "If-None-Match" not in upstream.requests[1]
    assert upstream.requests[2]["If-None-Match"] == '"a"'


def test_an_answer_that_does_not_decode_forgets_the_validators(
    fetcher: Fetcher, upstream: Upstream
) -> None:
    tagged = {"Content-Type": "application/json", "ETag": '"v1"'}
    upstream.answers += [Answer(headers=tagged), Answer(headers=tagged, body=b"{bad"), Answer()]
    get(fetcher, upstream)
    failure(lambda: get(fetcher, upstream))
    get(fetcher, upstream)
    assert upstream.requests[1]["If-None-Match"] == '"v1"'
    assert "If-None-Match" not in upstream.requests[2]


def test_an_answer_without_validators_replaces_the_remembered_ones(
    fetcher: Fetcher, upstream: Upstream
) -> None:
    upstream.answers += [Answer(headers={"ETag": '"v1"'}), Answer(), Answer()]
    for _ in range(3):
        get(fetcher, upstream)
    assert upstream.requests[1]["If-None-Match"] == '"v1"'
    assert "If-None-Match" not in upstream.requests[2]


def test_unconditional_requests_send_no_validators(fetcher: Fetcher, upstream: Upstream) -> None:
    upstream.answers += [Answer(headers={"ETag": '"v1"'}), Answer(headers={"ETag": '"v1"'})]
    get(fetcher, upstream, conditional=False)
    get(fetcher, upstream, conditional=False)
    assert "If-None-Match" not in upstream.requests[1]


def test_a_304_to_a_request_without_validators_is_an_http_error(
    fetcher: Fetcher, upstream: Upstream, metrics: UpstreamMetrics
) -> None:
    upstream.answers.append(Answer(status=304, body=b"", headers={}))
    assert failure(lambda: get(fetcher, upstream)) == (
        "http",
        "HTTP 304 to an unconditional request",
    )
    assert counted(metrics, "adobe_status_api_requests_total", code="304") == 1


# --- 429 and Retry-After ------------------------------------------------------------------


def test_429_keeps_its_retry_after_and_holds_requests_until_then(
    fetcher: Fetcher, upstream: Upstream, clock: Clock, metrics: UpstreamMetrics
) -> None:
    upstream.answers.append(Answer(status=429, headers={"Retry-After": "30"}))
    with pytest.raises(Throttled) as raised:
        get(fetcher, upstream)
    assert raised.value.retry_at == fetcher.retry_at == NOW + 30
    assert counted(metrics, "adobe_status_upstream_errors_total", reason="throttled") == 1
    clock.now = NOW + 29
    with pytest.raises(Throttled):
        fetcher.check_throttle(ENDPOINT)
    clock.now = NOW + 30
    fetcher.check_throttle(ENDPOINT)


def test_a_shorter_retry_after_never_shortens_the_wait(
    fetcher: Fetcher, upstream: Upstream
) -> None:
    upstream.answers += [
        Answer(status=429, headers={"Retry-After": "60"}),
        Answer(status=429, headers={"Retry-After": "1"}),
    ]
    for _ in range(2):
        with pytest.raises(Throttled):
            get(fetcher, upstream)
    assert fetcher.retry_at == NOW + 60


def http_date(seconds: float) -> str:
    return format_datetime(datetime.fromtimestamp(seconds, UTC), usegmt=True)


@pytest.mark.parametrize(
    ("value", "wait"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("999999", MAX_RETRY_AFTER),
        (http_date(NOW + 90), 90.0),
        (http_date(NOW - 90), 0.0),
        (http_date(NOW + 10 * MAX_RETRY_AFTER), MAX_RETRY_AFTER),
        (None, DEFAULT_RETRY_AFTER),
        ("", DEFAULT_RETRY_AFTER),
        ("-5", DEFAULT_RETRY_AFTER),
        ("1.5", DEFAULT_RETRY_AFTER),
        ("soon", DEFAULT_RETRY_AFTER),
        ("Thu, 01 Jan 2026 00:01:30", DEFAULT_RETRY_AFTER),  # a date without its zone
    ],
)
def test_retry_after_is_seconds_or_an_http_date_within_bounds(
    value: str | None, wait: float
) -> None:
    assert parse_retry_after(value, NOW) == wait


def test_bodies_read_one_after_another_each_arrive_whole(
    fetcher: Fetcher, upstream: Upstream
) -> None:
    # One buffer serves read after read (exporter/sources/spare_buffer.py): a shorter body
    # after a longer one, a chunked one of unknown length, must not keep the last one's tail.
    bodies = [
        (b"[" + b"1," * 20_000 + b"1]", True),
        (b"[2]", True),
        (b"[" + b"3," * 15_000 + b"3]", True),
        (b"[" + b"4," * 9_000 + b"4]", False),
        (b"[5]", False),
        (b"[" + b"6," * 25_000 + b"6]", False),
        (b"[" + b"7," * 12_000 + b"7]", True),
    ]
    upstream.answers.extend(Answer(body=body, length=length) for body, length in bodies)
    for body, _ in bodies:
        assert get(fetcher, upstream, decode=bytes) == body
