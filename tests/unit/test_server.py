"""The exporter's HTTP(S) server, over real sockets on loopback."""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import requests

from exporter.web.auth import REALM
from exporter.web.listen import parse_listen_address
from exporter.web.server import ExporterHTTPServer
from exporter.web.web_config import WebConfig, load_web_config
from tests.support.exporters import ExporterFactory, RunningExporter, parse_samples
from tests.support.server_common import (
    PASSWORD,
    USER,
    Environ,
    ServerFactory,
    StartResponse,
    hello_app,
    tls_config,
)
from tests.support.tls import (
    Response,
    TLSFiles,
    basic_auth,
    bcrypt_hash,
    client_hello,
    http_get,
    make_tls_files,
    replace_file,
    write_web_config,
)

WAIT = 5.0  # bound for anything that should happen promptly


class BlockingApp:
    """Holds every request until released; counts how many are inside at once."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.changed = threading.Condition()
        self.inside = 0
        self.most_inside = 0

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        with self.changed:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
            self.changed.notify_all()
        try:
            self.release.wait(30)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"released"]
        finally:
            with self.changed:
                self.inside -= 1
                self.changed.notify_all()

    def wait_inside(self, count: int, timeout: float = WAIT) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.inside >= count, timeout)


class Background:
    """Runs a call in a thread and keeps its result or exception."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self.thread.start()

    def _run(self, call: Callable[[], Any]) -> None:
        try:
            self.result = call()
        except BaseException as err:
            self.error = err

    def join(self, timeout: float = WAIT) -> Any:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "still running"
        if self.error is not None:
            raise self.error
        return self.result


def host_port(server: ExporterHTTPServer) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(server.url)
    return parts.hostname or "", server.port


def connect(server: ExporterHTTPServer) -> socket.socket:
    sock = socket.create_connection(host_port(server), timeout=WAIT)
    return sock


def wait_closed_by_server(sock: socket.socket, timeout: float = WAIT) -> float:
    """Seconds until the server closes `sock` (reads EOF or a reset); fails after timeout."""
    start = time.monotonic()
    sock.settimeout(timeout)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    return time.monotonic() - start


# --- serving -------------------------------------------------------------------------------


def test_plain_http_serves_the_app(serve: ServerFactory) -> None:
    server = serve()

    response = http_get(server.url, "/metrics")

    assert server.url == f"http://127.0.0.1:{server.port}"
    assert (response.status, response.body) == (200, b"hello /metrics")


def test_https_serves_the_app_with_its_certificate(
    serve: ServerFactory, tls_files: TLSFiles
) -> None:
    server = serve(web_config=tls_config(tls_files))

    response = http_get(server.url, "/metrics", context=tls_files.client_context())

    assert server.url.startswith("https://127.0.0.1:")
    assert (response.status, response.body) == (200, b"hello /metrics")


def test_ipv6_loopback_is_served(serve: ServerFactory) -> None:
    assert socket.has_ipv6
    server = serve(address="[::1]:0")

    response = http_get(server.url, "/")

    assert server.url == f"http://[::1]:{server.port}"
    assert response.status == 200


@pytest.mark.parametrize("address", [":0", "[::]:0"])
def test_wildcard_address_serves_ipv4_and_ipv6(serve: ServerFactory, address: str) -> None:
    server = serve(address=address)

    assert http_get(f"http://127.0.0.1:{server.port}").status == 200
    assert http_get(f"http://[::1]:{server.port}").status == 200


def test_ipv4_wildcard_does_not_listen_on_ipv6(serve: ServerFactory) -> None:
    server = serve(address="0.0.0.0:0")

    assert http_get(f"http://127.0.0.1:{server.port}").status == 200
    with pytest.raises(ConnectionRefusedError):
        http_get(f"http://[::1]:{server.port}")


def test_host_name_listens_on_its_address(serve: ServerFactory) -> None:
    server = serve(address="localhost:0")

    assert http_get(server.url).status == 200


def test_address_in_use_raises_oserror(serve: ServerFactory) -> None:
    first = serve()

    with pytest.raises(OSError):
        ExporterHTTPServer(hello_app, f"127.0.0.1:{first.port}")


@pytest.mark.parametrize(
    "error",
    [RuntimeError("database password is hunter2"), ConnectionResetError("upstream hunter2")],
    ids=["runtime error", "the app's own connection reset"],
)
def test_app_exception_gives_plain_500_and_logs_the_traceback(
    serve: ServerFactory, caplog: pytest.LogCaptureFixture, error: Exception
) -> None:
    def failing_app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        raise error

    server = serve(failing_app)

    with caplog.at_level(logging.ERROR, logger="exporter.server"):
        response = http_get(server.url, "/metrics")

    assert (response.status, response.body) == (500, b"internal error\n")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    # Logged before the answer is written, so no need to wait for the record.
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.levelno == logging.ERROR
    assert "hunter2" in caplog.text


class AwaitedRecord(logging.Handler):
    """A log handler a test can wait on: the server logs from its own threads."""

    def __init__(self, text: str) -> None:
        super().__init__(logging.DEBUG)
        self.text = text
        self.records: list[logging.LogRecord] = []
        self.seen = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.records.append(record)
            self.seen.set()


def test_access_log_goes_to_the_logger_at_debug_not_to_stderr(
    serve: ServerFactory, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    server = serve()
    access = AwaitedRecord('"GET /metrics HTTP/1.1" 200')
    logger = logging.getLogger("exporter.server")
    logger.addHandler(access)
    try:
        with caplog.at_level(logging.DEBUG, logger="exporter.server"):
            http_get(server.url, "/metrics")
            assert access.seen.wait(WAIT)  # written once the answer is out
    finally:
        logger.removeHandler(access)

    assert [r.levelno for r in access.records] == [logging.DEBUG]
    assert capfd.readouterr().err == ""


# --- basic auth ----------------------------------------------------------------------------


@pytest.fixture
def auth_config() -> WebConfig:
    return WebConfig(
        basic_auth_users={USER: bcrypt_hash(PASSWORD).encode()},
        headers={"X-Content-Type-Options": "nosniff"},
    )


@pytest.mark.parametrize("path", ["/metrics", "/", "/-/healthy", "/-/ready"])
def test_right_password_is_let_through_on_every_path(
    serve: ServerFactory, auth_config: WebConfig, path: str
) -> None:
    server = serve(web_config=auth_config)

    response = http_get(server.url, path, headers={"Authorization": basic_auth(USER, PASSWORD)})

    assert (response.status, response.body) == (200, b"hello " + path.encode())


@pytest.mark.parametrize("path", ["/metrics", "/-/healthy", "/-/ready"])
@pytest.mark.parametrize(
    "authorization",
    [basic_auth(USER, "wrong"), basic_auth("someone", PASSWORD), None],
    ids=["wrong password", "unknown user", "no credentials"],
)
def test_missing_or_wrong_credentials_get_401_with_challenge(
    serve: ServerFactory, auth_config: WebConfig, path: str, authorization: str | None
) -> None:
    server = serve(web_config=auth_config)
    headers = {"Authorization": authorization} if authorization else {}

    response = http_get(server.url, path, headers=headers)

    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == f'Basic realm="{REALM}"'
    assert b"hello" not in response.body


def test_configured_headers_are_sent_on_every_answer(
    serve: ServerFactory, auth_config: WebConfig
) -> None:
    server = serve(web_config=auth_config)

    refused = http_get(server.url, "/")
    served = http_get(server.url, "/", headers={"Authorization": basic_auth(USER, PASSWORD)})

    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_app_never_sees_the_credentials(serve: ServerFactory, auth_config: WebConfig) -> None:
    seen: list[Environ] = []

    def recording_app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        seen.append(dict(environ))
        return hello_app(environ, start_response)

    server = serve(recording_app, web_config=auth_config)

    http_get(server.url, "/", headers={"Authorization": basic_auth(USER, PASSWORD)})

    assert "HTTP_AUTHORIZATION" not in seen[0]
    assert all(PASSWORD not in str(v) for v in seen[0].values())


# --- TLS options ---------------------------------------------------------------------------


@pytest.fixture
def mtls_server(serve: ServerFactory, tls_files: TLSFiles) -> ExporterHTTPServer:
    config = tls_config(
        tls_files, client_ca_file=tls_files.ca_file, client_auth_type="RequireAndVerifyClientCert"
    )
    return serve(web_config=config)


def test_required_client_certificate_lets_a_valid_one_through(
    mtls_server: ExporterHTTPServer, tls_files: TLSFiles
) -> None:
    context = tls_files.client_context(cert=tls_files.client_pem)

    assert http_get(mtls_server.url, context=context).status == 200


@pytest.mark.parametrize("with_foreign_cert", [False, True], ids=["no cert", "cert from other CA"])
def test_required_client_certificate_refuses_missing_or_foreign_ones(
    mtls_server: ExporterHTTPServer, tls_files: TLSFiles, with_foreign_cert: bool
) -> None:
    cert = tls_files.foreign_client_pem if with_foreign_cert else None
    context = tls_files.client_context(cert=cert)

    # TLS 1.3 clients learn of the refusal on their first read, after their handshake ends.
    with pytest.raises((ssl.SSLError, ConnectionError)):
        http_get(mtls_server.url, context=context)


def test_client_ca_replaced_on_disk_decides_from_the_next_connection(
    mtls_server: ExporterHTTPServer, tls_files: TLSFiles, tmp_path: Path
) -> None:
    renewed = make_tls_files(tmp_path / "renewed")
    # Trusts the server's (unchanged) CA, presents a client certificate from the new CA.
    context = tls_files.client_context(cert=renewed.client_pem)
    with pytest.raises((ssl.SSLError, ConnectionError)):
        http_get(mtls_server.url, context=context)

    replace_file(tls_files.ca_file, renewed.ca_file.read_bytes())

    assert http_get(mtls_server.url, context=context).status == 200


def test_min_version_tls13_refuses_tls12_clients(serve: ServerFactory, tls_files: TLSFiles) -> None:
    server = serve(web_config=tls_config(tls_files, min_version=ssl.TLSVersion.TLSv1_3))
    tls12_only = tls_files.client_context(max_version=ssl.TLSVersion.TLSv1_2)

    with pytest.raises(ssl.SSLError):
        http_get(server.url, context=tls12_only)
    assert http_get(server.url, context=tls_files.client_context()).status == 200


def test_web_config_file_drives_the_server(
    serve: ServerFactory, tls_files: TLSFiles, tmp_path: Path
) -> None:
    config_file = write_web_config(
        tmp_path / "web.yml",
        {
            "tls_server_config": {"cert_file": "certs/server.crt", "key_file": "certs/server.key"},
            "basic_auth_users": {USER: bcrypt_hash(PASSWORD)},
        },
    )
    server = serve(web_config=load_web_config(config_file))
    context = tls_files.client_context()

    assert http_get(server.url, context=context).status == 401
    auth = {"Authorization": basic_auth(USER, PASSWORD)}
    assert http_get(server.url, context=context, headers=auth).status == 200


# --- slow and idle clients -----------------------------------------------------------------


@pytest.mark.parametrize("use_tls", [False, True], ids=["http", "https"])
def test_idle_connection_does_not_block_a_concurrent_scrape(
    serve: ServerFactory, tls_files: TLSFiles, use_tls: bool
) -> None:
    config = tls_config(tls_files) if use_tls else None
    server = serve(web_config=config, read_timeout=60.0)
    context = tls_files.client_context() if use_tls else None

    with connect(server) as idle:  # connects and sends nothing
        response = http_get(server.url, "/metrics", context=context, timeout=WAIT)
        assert response.status == 200
        assert not select.select([idle], [], [], 0)[0], "server dropped the idle connection"


def test_half_finished_tls_handshake_does_not_block_a_concurrent_scrape(
    serve: ServerFactory, tls_files: TLSFiles
) -> None:
    server = serve(web_config=tls_config(tls_files), read_timeout=60.0)
    hello = client_hello(tls_files.client_context())

    with connect(server) as stalled:
        stalled.sendall(hello[: len(hello) // 2])
        response = http_get(server.url, "/metrics", context=tls_files.client_context())
        assert response.status == 200


@pytest.mark.parametrize("use_tls", [False, True], ids=["http", "https"])
def test_silent_client_is_disconnected_after_read_timeout(
    serve: ServerFactory, tls_files: TLSFiles, use_tls: bool
) -> None:
    server = serve(web_config=tls_config(tls_files) if use_tls else None, read_timeout=0.5)

    with connect(server) as slow:
        if not use_tls:
            slow.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")  # the head never ends
        elapsed = wait_closed_by_server(slow)

    assert 0.3 <= elapsed < 3.0


@pytest.mark.parametrize("use_tls", [False, True], ids=["http headers", "tls handshake"])
def test_trickling_client_is_disconnected_after_read_timeout_in_total(
    serve: ServerFactory, tls_files: TLSFiles, use_tls: bool
) -> None:
    # A byte every 0.1 s would beat a per-read timeout of 0.5 s forever.
    server = serve(web_config=tls_config(tls_files) if use_tls else None, read_timeout=0.5)
    payload = client_hello() if use_tls else b"GET / HTTP/1.1\r\nX-Slow: " + b"a" * 200

    with connect(server) as slow:
        start = time.monotonic()
        closed = False
        for byte in payload[:60]:  # 60 bytes at 0.1 s: 6 s, far past the 0.5 s allowed
            try:
                slow.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if select.select([slow], [], [], 0.1)[0]:  # readable: EOF or a reset arrived
                closed = True
                break
        elapsed = time.monotonic() - start

    assert closed
    assert elapsed < 3.0


# --- concurrency bound and shutdown --------------------------------------------------------


def test_connections_beyond_max_connections_wait_for_a_free_slot(serve: ServerFactory) -> None:
    app = BlockingApp()
    server = serve(app, max_connections=2)

    requests = [Background(lambda: http_get(server.url, timeout=30)) for _ in range(3)]
    assert app.wait_inside(2)
    # The third connection is queued by the kernel, not served: it never reaches the app.
    assert not app.wait_inside(3, timeout=0.5)
    app.release.set()

    responses: list[Response] = [request.join(WAIT) for request in requests]
    assert [r.status for r in responses] == [200, 200, 200]
    assert app.most_inside == 2


def test_idle_connections_count_against_the_bound_until_read_timeout(
    serve: ServerFactory,
) -> None:
    server = serve(max_connections=1, read_timeout=0.5)

    with connect(server):  # holds the only slot, but only for read_timeout
        start = time.monotonic()
        response = http_get(server.url, timeout=WAIT)
        elapsed = time.monotonic() - start

    assert response.status == 200
    assert 0.3 <= elapsed < 3.0


def test_shutdown_lets_the_request_in_flight_finish(serve: ServerFactory) -> None:
    app = BlockingApp()
    server = serve(app)
    request = Background(lambda: http_get(server.url, "/metrics", timeout=30))
    assert app.wait_inside(1)

    stopping = Background(server.shutdown)
    with pytest.raises(AssertionError, match="still running"):
        stopping.join(0.3)  # waits for the request
    app.release.set()

    assert request.join().status == 200
    stopping.join()
    with pytest.raises(ConnectionRefusedError):
        http_get(server.url)


def test_shutdown_closes_idle_connections_at_once(serve: ServerFactory) -> None:
    server = serve(read_timeout=60.0)

    with connect(server) as idle:
        http_get(server.url)  # the idle connection has surely been accepted by now
        start = time.monotonic()
        server.shutdown()
        assert time.monotonic() - start < 2.0  # no drain wait: nothing was in flight
        assert wait_closed_by_server(idle) < 2.0


def test_shutdown_gives_up_on_a_stuck_request_after_drain_timeout(serve: ServerFactory) -> None:
    app = BlockingApp()
    server = serve(app, drain_timeout=0.3)
    request = Background(lambda: http_get(server.url, timeout=30))
    assert app.wait_inside(1)

    start = time.monotonic()
    server.shutdown()
    elapsed = time.monotonic() - start

    assert 0.2 <= elapsed < 2.0
    with pytest.raises(ConnectionError):  # cut off without an answer
        request.join()
    app.release.set()


def test_shutdown_from_a_signal_handler_on_the_serving_thread(tmp_path: Path) -> None:
    assert threading.current_thread() is threading.main_thread()
    server = ExporterHTTPServer(hello_app, "127.0.0.1:0")
    watchdog_fired = threading.Event()

    def watchdog() -> None:  # unblocks the test if serve_forever() deadlocks
        if not stopped.wait(10):
            watchdog_fired.set()
            server.shutdown()

    def scrape_then_signal() -> Response:
        response = http_get(server.url)
        os.kill(os.getpid(), signal.SIGUSR1)
        return response

    stopped = threading.Event()
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: server.shutdown())
    try:
        threading.Thread(target=watchdog, daemon=True).start()
        client = Background(scrape_then_signal)
        server.serve_forever()  # on this thread, which the signal handler interrupts
        stopped.set()
    finally:
        signal.signal(signal.SIGUSR1, previous)

    assert not watchdog_fired.is_set()
    assert client.join().status == 200
    with pytest.raises(ConnectionRefusedError):
        http_get(server.url)


# --- listen addresses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("0.0.0.0:9720", ("0.0.0.0", 9720)),
        ("127.0.0.1:0", ("127.0.0.1", 0)),
        ("[::]:9720", ("::", 9720)),
        ("[::1]:9720", ("::1", 9720)),
        (":9720", ("", 9720)),
        ("localhost:9720", ("localhost", 9720)),
        ("exporter.example.org:65535", ("exporter.example.org", 65535)),
        ("[fe80::1%eth0]:9720", ("fe80::1%eth0", 9720)),
        (" 127.0.0.1:9720 ", ("127.0.0.1", 9720)),
    ],
)
def test_listen_address_is_split_into_host_and_port(
    address: str, expected: tuple[str, int]
) -> None:
    assert parse_listen_address(address) == expected


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("", "empty"),
        ("9720", "missing port"),
        ("localhost", "missing port"),
        ("localhost:", "port must be a number"),
        ("localhost:http", "port must be a number"),
        ("localhost:65536", "port must be a number"),
        ("localhost:-1", "port must be a number"),
        ("::1:9720", "brackets"),
        ("[::1]9720", "missing port after"),
        ("[::1:9720", "missing ']'"),
        ("[127.0.0.1]:9720", "not an IPv6 address"),
        ("bad host:9720", "not a host name"),
    ],
)
def test_bad_listen_address_is_refused_with_a_reason(address: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as caught:
        parse_listen_address(address)
    assert "\n" not in str(caught.value)


# --- certificate rotation ------------------------------------------------------------------


def served_certificate(server: ExporterHTTPServer, context: ssl.SSLContext) -> bytes:
    """The DER certificate a new connection is shown, verified against `context`'s CA."""
    host, port = host_port(server)
    with (
        socket.create_connection((host, port), timeout=WAIT) as sock,
        context.wrap_socket(sock, server_hostname=host) as tls,
    ):
        certificate = tls.getpeercert(binary_form=True)
    assert certificate is not None
    return certificate


def der(cert_file: Path) -> bytes:
    return ssl.PEM_cert_to_DER_cert(cert_file.read_text(encoding="ascii"))


def rotate(current: TLSFiles, new: TLSFiles) -> None:
    """Put `new`'s certificate and key where the server reads `current`'s."""
    replace_file(current.cert_file, new.cert_file.read_bytes())
    replace_file(current.key_file, new.key_file.read_bytes())


def rotation_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "exporter.server" and record.levelno == logging.WARNING
    ]


def test_certificate_replaced_on_disk_is_served_from_the_next_connection(
    serve: ServerFactory, tls_files: TLSFiles, tmp_path: Path
) -> None:
    server = serve(
        web_config=load_web_config(
            write_web_config(
                tmp_path / "web.yml",
                {
                    "tls_server_config": {
                        "cert_file": str(tls_files.cert_file),
                        "key_file": str(tls_files.key_file),
                    }
                },
            )
        )
    )
    assert served_certificate(server, tls_files.client_context()) == der(tls_files.cert_file)
    renewed = make_tls_files(tmp_path / "renewed")  # another CA, as after a CA rotation

    rotate(tls_files, renewed)

    assert served_certificate(server, renewed.client_context()) == der(renewed.cert_file)
    with pytest.raises(ssl.SSLCertVerificationError):
        served_certificate(server, tls_files.client_context())  # the first CA: no longer
    assert http_get(server.url, "/ok", context=renewed.client_context()).body == b"hello /ok"


def test_broken_certificate_file_keeps_the_last_good_one_serving_and_is_logged_once(
    serve: ServerFactory, tls_files: TLSFiles, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = serve(web_config=tls_config(tls_files))
    renewed = make_tls_files(tmp_path / "renewed")
    rotate(tls_files, renewed)
    assert served_certificate(server, renewed.client_context()) == der(renewed.cert_file)

    with caplog.at_level(logging.WARNING, logger="exporter.server"):
        replace_file(tls_files.cert_file, b"-----BEGIN CERTIFICATE-----\ntruncated")
        for _ in range(3):
            assert served_certificate(server, renewed.client_context()) == der(renewed.cert_file)

    [warning] = rotation_warnings(caplog)
    assert "tls_server_config.cert_file" in warning


def test_half_done_rotation_serves_the_old_pair_until_the_key_arrives(
    serve: ServerFactory, tls_files: TLSFiles, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = serve(web_config=tls_config(tls_files))
    old_certificate = der(tls_files.cert_file)
    renewed = make_tls_files(tmp_path / "renewed")

    with caplog.at_level(logging.WARNING, logger="exporter.server"):
        replace_file(tls_files.cert_file, renewed.cert_file.read_bytes())  # the key comes later
        assert served_certificate(server, tls_files.client_context()) == old_certificate
        [warning] = rotation_warnings(caplog)
        assert "does not match" in warning

        replace_file(tls_files.key_file, renewed.key_file.read_bytes())

        assert served_certificate(server, renewed.client_context()) == der(renewed.cert_file)
    assert len(rotation_warnings(caplog)) == 1


# --- HEAD: every GET endpoint of the exporter answers it -----------------------------------

OPENMETRICS_ACCEPT = "application/openmetrics-text; version=1.0.0"
EXPORTER_PATHS = ["/metrics", "/metrics?name[]=adobe_status_up", "/", "/-/healthy", "/-/ready"]
NEGOTIATED = [
    {"Accept-Encoding": "identity"},
    {"Accept-Encoding": "gzip"},
    {"Accept": OPENMETRICS_ACCEPT, "Accept-Encoding": "identity"},
    {"Accept": OPENMETRICS_ACCEPT, "Accept-Encoding": "gzip"},
]
HEAD_HEADERS = ("Content-Type", "Content-Encoding")
# The whole exposition carries this scrape's own duration, the one sample that changes
# between two scrapes of a cached collection: its digits may differ, nothing else.
DURATION_DIGITS = 32


@pytest.mark.parametrize("path", EXPORTER_PATHS)
@pytest.mark.parametrize("headers", NEGOTIATED, ids=["text", "gzip", "openmetrics", "om-gzip"])
def test_head_answers_as_get_does_without_a_body(
    make_exporter: ExporterFactory, path: str, headers: dict[str, str]
) -> None:
    # A cached collection: two answers in a row are the same bytes, so lengths compare.
    exporter = make_exporter(cache_ttl=60.0)
    slack = DURATION_DIGITS if path == "/metrics" else 0
    if path != "/-/ready":  # readiness also before the first collection, below
        requests.get(exporter.url + "/metrics", timeout=30)
    get = requests.get(exporter.url + path, headers=headers, timeout=30, stream=True)
    raw = get.raw.read(decode_content=False)
    head = requests.head(exporter.url + path, headers=headers, timeout=30)
    assert head.status_code == get.status_code
    assert head.content == b""
    for name in HEAD_HEADERS:
        assert head.headers.get(name) == get.headers.get(name), name
    assert int(get.headers["Content-Length"]) == len(raw)
    assert abs(int(head.headers["Content-Length"]) - len(raw)) <= slack


def test_head_of_metrics_is_not_refused(exporter: RunningExporter) -> None:
    head = requests.head(exporter.url + "/metrics", timeout=30)
    assert head.status_code == 200
    assert head.headers["Content-Type"].startswith("text/plain")
    assert int(head.headers["Content-Length"]) > 0


def test_get_after_head_on_one_connection_reads_the_whole_answer(exporter: RunningExporter) -> None:
    with requests.Session() as session:
        assert session.head(exporter.url + "/metrics", timeout=30).status_code == 200
        assert session.head(exporter.url + "/", timeout=30).status_code == 200
        get = session.get(exporter.url + "/metrics", timeout=30)
    assert get.status_code == 200
    assert parse_samples(get.text)[("adobe_status_up", frozenset())] == 1


def test_other_methods_get_405_naming_get_and_head(exporter: RunningExporter) -> None:
    for method in ("POST", "PUT", "DELETE"):
        answer = requests.request(method, exporter.url + "/metrics", timeout=30)
        assert answer.status_code == 405
        assert answer.headers["Allow"] == "GET, HEAD"
