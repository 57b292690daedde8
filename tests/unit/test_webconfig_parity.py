"""Web config files written for node_exporter: they work here, or are refused with a reason.

Our own fixtures, written as a user would write them for exporter-toolkit (YAML text by hand,
so numbers and booleans stay unquoted).
"""

from __future__ import annotations

import ssl
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from exporter.web.server import ExporterHTTPServer
from exporter.web.web_config import WebConfigError, load_web_config
from tests.support.process import clean_env, wait_ready
from tests.support.prometheus import free_port
from tests.support.tls import TLSFiles, http_get, make_tls_files

WAIT = 5.0
CONSOLE_SCRIPT = str(Path(sys.executable).with_name("adobe-status-exporter"))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def hello_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


@pytest.fixture
def serve_file() -> Iterator[Callable[[Path], ExporterHTTPServer]]:
    """Serves `hello_app` with a web config file, as `serve --web.config.file` would."""
    servers: list[ExporterHTTPServer] = []

    def start(config_file: Path) -> ExporterHTTPServer:
        server = ExporterHTTPServer(hello_app, "127.0.0.1:0", load_web_config(config_file))
        servers.append(server)
        server.start_in_thread()
        return server

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def tls_files(tmp_path: Path) -> TLSFiles:
    return make_tls_files(tmp_path)


# --- header values as YAML wrote them ------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ("1", "1"),
        ("0", "0"),
        ("1; mode=block", "1; mode=block"),
        ("'1'", "1"),
        ("true", "true"),
        ("yes", "yes"),
        ("1.0", "1.0"),
    ],
)
def test_header_value_is_sent_as_the_yaml_text(
    written: str, sent: str, tmp_path: Path, serve_file: Callable[[Path], ExporterHTTPServer]
) -> None:
    config_file = write(
        tmp_path / "web.yml",
        f"http_server_config:\n  headers:\n    X-XSS-Protection: {written}\n",
    )

    response = http_get(serve_file(config_file).url)

    assert response.status == 200
    assert response.headers["X-XSS-Protection"] == sent


def test_header_file_is_served_with_all_its_headers(
    tmp_path: Path, serve_file: Callable[[Path], ExporterHTTPServer]
) -> None:
    config_file = write(
        tmp_path / "web.yml",
        "http_server_config:\n"
        "  headers:\n"
        "    Content-Security-Policy: default-src 'self'\n"
        "    X-Frame-Options: deny\n"
        "    X-Content-Type-Options: nosniff\n"
        "    X-XSS-Protection: 1\n"
        "    Strict-Transport-Security: max-age=31536000; includeSubDomains\n",
    )

    headers = http_get(serve_file(config_file).url).headers

    assert headers["Content-Security-Policy"] == "default-src 'self'"
    assert headers["X-Frame-Options"] == "deny"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-XSS-Protection"] == "1"
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_header_number_merged_from_an_anchor_is_sent_as_text(tmp_path: Path) -> None:
    config_file = write(
        tmp_path / "web.yml",
        "http_server_config:\n"
        "  headers:\n"
        "    <<: {X-XSS-Protection: 1}\n"
        "    X-Frame-Options: deny\n",
    )

    headers = load_web_config(config_file).headers

    assert dict(headers) == {"X-XSS-Protection": "1", "X-Frame-Options": "deny"}


@pytest.mark.parametrize(
    ("value", "reason"),
    [("", "has no value"), ("[1, 2]", "must be a single value, got a list")],
    ids=["null", "list"],
)
def test_header_without_a_single_value_is_refused(value: str, reason: str, tmp_path: Path) -> None:
    config_file = write(
        tmp_path / "web.yml", f"http_server_config:\n  headers:\n    X-XSS-Protection: {value}\n"
    )

    with pytest.raises(WebConfigError) as caught:
        load_web_config(config_file)

    assert str(caught.value) == (
        f"web config {config_file}: http_server_config.headers.X-XSS-Protection: {reason}"
    )


def test_number_outside_a_headers_allowed_values_is_still_refused(tmp_path: Path) -> None:
    config_file = write(
        tmp_path / "web.yml", "http_server_config:\n  headers:\n    X-Frame-Options: 1\n"
    )

    with pytest.raises(WebConfigError, match="X-Frame-Options: must be one of deny, sameorigin"):
        load_web_config(config_file)


# --- http2 ---------------------------------------------------------------------------------


def test_http2_false_is_what_the_server_does(
    tmp_path: Path, serve_file: Callable[[Path], ExporterHTTPServer]
) -> None:
    config_file = write(tmp_path / "web.yml", "http_server_config:\n  http2: false\n")

    assert http_get(serve_file(config_file).url).status == 200


def test_http2_true_stops_the_console_script_with_one_line(tmp_path: Path) -> None:
    config_file = write(tmp_path / "web.yml", "http_server_config:\n  http2: true\n")

    command = [CONSOLE_SCRIPT, "serve", "--demo", "--web.listen-address", "127.0.0.1:0"]
    done = subprocess.run(
        [*command, "--web.config.file", str(config_file)],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "--web.config.file" in line
    assert f"{config_file}: http_server_config.http2: HTTP/2 is not offered" in line


# --- RequestClientCert ---------------------------------------------------------------------


@pytest.fixture
def request_cert_server(
    tls_files: TLSFiles, serve_file: Callable[[Path], ExporterHTTPServer]
) -> ExporterHTTPServer:
    config_file = write(
        tls_files.cert_file.parent / "web.yml",
        "tls_server_config:\n"
        "  cert_file: server.crt\n"
        "  key_file: server.key\n"
        "  client_ca_file: ca.pem\n"
        "  client_auth_type: RequestClientCert\n",
    )
    return serve_file(config_file)


@pytest.mark.parametrize("with_cert", [False, True], ids=["no cert", "cert from the CA"])
def test_request_client_cert_serves_clients_with_and_without_one(
    request_cert_server: ExporterHTTPServer, tls_files: TLSFiles, with_cert: bool
) -> None:
    context = tls_files.client_context(cert=tls_files.client_pem if with_cert else None)

    assert http_get(request_cert_server.url, context=context).status == 200


def test_request_client_cert_asks_for_one_and_checks_what_it_gets(
    request_cert_server: ExporterHTTPServer, tls_files: TLSFiles
) -> None:
    # A client only sends a certificate when asked; this one is refused, so it was asked.
    context = tls_files.client_context(cert=tls_files.foreign_client_pem)

    with pytest.raises((ssl.SSLError, ConnectionError)):
        http_get(request_cert_server.url, context=context)


# --- refused on purpose: one line each, with the reason ------------------------------------

TLS_BASE = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"

REFUSED: dict[str, tuple[str, str]] = {
    "inline certificate": (
        "tls_server_config:\n  cert: inline\n  key_file: server.key\n",
        "tls_server_config.cert: inline certificates are not supported; use cert_file",
    ),
    "inline key": (
        "tls_server_config:\n  cert_file: server.crt\n  key: inline\n",
        "tls_server_config.key: inline keys are not supported; use key_file",
    ),
    "inline client CA": (
        TLS_BASE + "  client_ca: inline\n",
        "tls_server_config.client_ca: inline CAs are not supported; use client_ca_file",
    ),
    "cipher_suites": (
        TLS_BASE + "  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
        "tls_server_config.cipher_suites: not supported",
    ),
    "curve_preferences": (
        TLS_BASE + "  curve_preferences: [X25519]\n",
        "tls_server_config.curve_preferences: not supported",
    ),
    "client_allowed_sans": (
        TLS_BASE + "  client_allowed_sans: [prometheus]\n",
        "tls_server_config.client_allowed_sans: not supported",
    ),
    "rate_limit": ("rate_limit:\n  interval: 1s\n  burst: 10\n", "rate_limit: not supported"),
    "RequireAnyClientCert": (
        TLS_BASE + "  client_ca_file: ca.pem\n  client_auth_type: RequireAnyClientCert\n",
        "tls_server_config.client_auth_type: RequireAnyClientCert is not supported (Python's ssl "
        "cannot accept unverified client certificates)",
    ),
    "RequestClientCert without a CA": (
        TLS_BASE + "  client_auth_type: RequestClientCert\n",
        "tls_server_config.client_ca_file: required when client_auth_type is RequestClientCert "
        "(Python's ssl verifies every client certificate it asks for",
    ),
    "http2": ("http_server_config:\n  http2: true\n", "http_server_config.http2: HTTP/2 is not"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_deliberate_refusal_is_one_line_with_its_reason(
    case: str, tls_files: TLSFiles, tmp_path: Path
) -> None:
    text, expected = REFUSED[case]
    config_file = write(tls_files.cert_file.parent / "web.yml", text)

    with pytest.raises(WebConfigError) as caught:
        load_web_config(config_file)

    message = str(caught.value)
    assert message.startswith(f"web config {config_file}: {expected}")
    assert "\n" not in message


# --- an empty path means no web config -----------------------------------------------------


@pytest.mark.parametrize("given_by", ["flag", "environment"])
def test_empty_web_config_path_serves_plain_http_without_auth(given_by: str) -> None:
    port = free_port()
    command = [CONSOLE_SCRIPT, "serve", "--demo", "--web.listen-address", f"127.0.0.1:{port}"]
    env = clean_env()
    if given_by == "flag":
        command += ["--web.config.file", ""]
    else:
        env["ADOBE_STATUS_EXPORTER_WEB_CONFIG_FILE"] = ""
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}", process)
        assert http_get(f"http://127.0.0.1:{port}", "/metrics").status == 200
    finally:
        process.terminate()
        process.communicate(timeout=30)
