"""What the unit and the integration tests of server share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from exporter.web.server import ExporterHTTPServer
from exporter.web.web_config import TLSConfig, WebConfig
from tests.support.tls import (
    TLSFiles,
)

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

USER, PASSWORD = "prometheus", "s3cret-scrape-password"


def hello_app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello " + environ["PATH_INFO"].encode()]


ServerFactory = Callable[..., ExporterHTTPServer]


def tls_config(files: TLSFiles, **tls: Any) -> WebConfig:
    return WebConfig(tls=TLSConfig(cert_file=files.cert_file, key_file=files.key_file, **tls))
