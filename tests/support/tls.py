"""Certificates from trustme, web config files, and TLS clients for the server tests."""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import ssl
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bcrypt
import trustme
import yaml

SERVER_IDENTITIES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class TLSFiles:
    """A CA, a server certificate for loopback, and client certificates from two CAs."""

    ca_file: Path
    cert_file: Path
    key_file: Path
    client_pem: Path  # certificate and key, issued by ca_file's CA
    foreign_client_pem: Path  # certificate and key from an unrelated CA

    def client_context(
        self,
        *,
        cert: Path | None = None,
        max_version: ssl.TLSVersion | None = None,
    ) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        if cert is not None:
            context.load_cert_chain(cert)
        if max_version is not None:
            context.maximum_version = max_version
        return context


def make_tls_files(directory: Path) -> TLSFiles:
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    server = ca.issue_cert(*SERVER_IDENTITIES)
    client = ca.issue_cert("prometheus@example.org")
    foreign = trustme.CA().issue_cert("prometheus@example.org")
    files = TLSFiles(
        ca_file=directory / "ca.pem",
        cert_file=directory / "server.crt",
        key_file=directory / "server.key",
        client_pem=directory / "client.pem",
        foreign_client_pem=directory / "foreign-client.pem",
    )
    ca.cert_pem.write_to_path(files.ca_file)
    server.cert_chain_pems[0].write_to_path(files.cert_file)
    server.private_key_pem.write_to_path(files.key_file)
    client.private_key_and_cert_chain_pem.write_to_path(files.client_pem)
    foreign.private_key_and_cert_chain_pem.write_to_path(files.foreign_client_pem)
    return files


def replace_file(target: Path, content: bytes) -> None:
    """Swap in new content atomically (a new inode), as Kubernetes updates a mounted Secret."""
    staging = target.with_name(target.name + ".new")
    staging.write_bytes(content)
    os.replace(staging, target)


def write_web_config(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def bcrypt_hash(password: str, rounds: int = 4) -> str:
    """A bcrypt hash; cost 4 keeps tests fast (production hashes use 10 or more)."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass(frozen=True)
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def http_get(
    url: str,
    path: str = "/",
    *,
    context: ssl.SSLContext | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> Response:
    """One GET; raises what the connection raises (ssl.SSLError, ConnectionError, ...)."""
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "", parts.port
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        return Response(answer.status, answer.headers, answer.read())
    finally:
        connection.close()


def client_hello(context: ssl.SSLContext | None = None) -> bytes:
    """The bytes of a real TLS ClientHello, to send whole, in part, or byte by byte."""
    context = context or ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with contextlib.suppress(ssl.SSLWantReadError):  # it waits for a ServerHello
        tls.do_handshake()
    hello = outgoing.read()
    assert hello.startswith(b"\x16\x03"), "not a TLS handshake record"
    return hello
