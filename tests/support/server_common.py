"""What the unit and the integration tests of the server share: a plain app, TLS configs,
and the fixtures that start servers (`serve`) and make certificates (`tls_files`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from exporter.web.server import ExporterHTTPServer
from exporter.web.web_config import TLSConfig, WebConfig
from tests.support.tls import TLSFiles, make_tls_files

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

USER, PASSWORD = "prometheus", "s3cret-scrape-password"


def hello_app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello " + environ["PATH_INFO"].encode()]


ServerFactory = Callable[..., ExporterHTTPServer]


def tls_config(files: TLSFiles, **tls: Any) -> WebConfig:
    return WebConfig(tls=TLSConfig(cert_file=files.cert_file, key_file=files.key_file, **tls))


@pytest.fixture
def serve() -> Iterator[ServerFactory]:
    """Starts servers in threads; shuts them all down after the test."""
    servers: list[ExporterHTTPServer] = []

    def start(
        app: Callable[..., Iterable[bytes]] = hello_app,
        address: str = "127.0.0.1:0",
        web_config: WebConfig | None = None,
        **options: Any,
    ) -> ExporterHTTPServer:
        server = ExporterHTTPServer(app, address, web_config, **options)
        servers.append(server)
        server.start_in_thread()
        return server

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def tls_files(tmp_path: Path) -> TLSFiles:
    return make_tls_files(tmp_path / "certs")
