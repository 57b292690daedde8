"""Server SSL contexts from `tls_server_config`, rebuilt when the files change on disk.

exporter-toolkit loads the certificate and key on every handshake, so a rotated certificate
(cert-manager, a renewed Let's Encrypt file) is served without a restart. `ReloadingContext`
does the same at the cost of a `stat()` per file per connection: the context is rebuilt only
when a file's identity, size or modification time changes, and a broken replacement (half
written, key not matching) leaves the last good context serving, logged once per change.
"""

from __future__ import annotations

import logging
import os
import ssl
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from exporter.web.config_error import WebConfigError

__all__ = ["CLIENT_AUTH_TYPES", "TLS_VERSIONS", "ReloadingContext", "TLSConfig", "build_context"]

logger = logging.getLogger("exporter.server")  # one logger for the whole HTTP side

TLS_VERSIONS: Mapping[str, ssl.TLSVersion] = MappingProxyType(
    {
        "TLS10": ssl.TLSVersion.TLSv1,
        "TLS11": ssl.TLSVersion.TLSv1_1,
        "TLS12": ssl.TLSVersion.TLSv1_2,
        "TLS13": ssl.TLSVersion.TLSv1_3,
    }
)
CLIENT_AUTH_TYPES = (
    "NoClientCert",
    "RequestClientCert",
    "RequireAnyClientCert",
    "VerifyClientCertIfGiven",
    "RequireAndVerifyClientCert",
)


@dataclass(frozen=True)
class TLSConfig:
    """`tls_server_config`, paths already resolved against the config file's directory."""

    cert_file: Path
    key_file: Path
    client_ca_file: Path | None = None
    client_auth_type: str = "NoClientCert"
    min_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2
    max_version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3
    prefer_server_cipher_suites: bool = True

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file the context is built from."""
        ca = (self.client_ca_file,) if self.client_ca_file is not None else ()
        return (self.cert_file, self.key_file, *ca)


def build_context(tls: TLSConfig) -> ssl.SSLContext:
    """A server-side context with the certificate, key and client CA loaded now.

    Raises WebConfigError naming the `tls_server_config` key at fault.
    """
    cert_pem = _read(tls.cert_file, "cert_file")
    key_pem = _read(tls.key_file, "key_file")
    if b"-----BEGIN CERTIFICATE-----" not in cert_pem:
        raise WebConfigError("tls_server_config.cert_file", "no PEM certificate in file")
    if b"ENCRYPTED" in key_pem:
        raise WebConfigError("tls_server_config.key_file", "encrypted keys are not supported")
    if b"PRIVATE KEY-----" not in key_pem:
        raise WebConfigError("tls_server_config.key_file", "no PEM private key in file")

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    _set_versions(context, tls)
    if tls.prefer_server_cipher_suites:
        context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    context.set_alpn_protocols(["http/1.1"])
    try:
        # The password callback keeps OpenSSL from prompting on a terminal.
        context.load_cert_chain(tls.cert_file, tls.key_file, password=lambda: b"")
    except ssl.SSLError as err:
        if err.reason == "KEY_VALUES_MISMATCH":
            raise WebConfigError(
                "tls_server_config.key_file", "private key does not match the cert_file certificate"
            ) from None
        raise WebConfigError(
            "tls_server_config.cert_file", f"cannot load certificate and key: {_ssl_reason(err)}"
        ) from None
    _set_client_auth(context, tls)
    return context


_Stamp = tuple[tuple[int, int, int, int] | None, ...]


class ReloadingContext:
    """The context to serve each new connection with, following the files on disk."""

    def __init__(self, tls: TLSConfig) -> None:
        """Builds the first context now; raises WebConfigError when the files cannot serve."""
        self._tls = tls
        # Stamped before reading: a change while building is picked up on first use.
        self._stamp = _stamp(tls.files)
        self._context = build_context(tls)
        self._failed: _Stamp | None = None  # the broken files last logged
        self._lock = threading.Lock()

    def current(self) -> ssl.SSLContext:
        """The last good context; rebuilt first when the files changed since it was built."""
        stamp = _stamp(self._tls.files)
        with self._lock:  # one rebuild for a burst of connections
            if stamp == self._stamp or stamp == self._failed:
                return self._context
            try:
                context = build_context(self._tls)
            except WebConfigError as err:
                self._failed = stamp
                logger.warning(
                    "TLS files changed but cannot be used; serving the last good certificate: %s",
                    err,
                )
                return self._context
            self._context, self._stamp, self._failed = context, stamp, None
        logger.info("TLS certificate reloaded from %s", self._tls.cert_file)
        return context


def _stamp(paths: tuple[Path, ...]) -> _Stamp:
    """What changes when a file is replaced (new inode) or rewritten (size, mtime)."""
    stamps: list[tuple[int, int, int, int] | None] = []
    for path in paths:
        try:
            info = os.stat(path)  # follows symlinks, as Kubernetes' ..data swap needs
        except OSError:
            stamps.append(None)  # missing mid-rotation: the rebuild says why
        else:
            stamps.append((info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns))
    return tuple(stamps)


def _set_versions(context: ssl.SSLContext, tls: TLSConfig) -> None:
    if tls.min_version > tls.max_version:
        raise WebConfigError("tls_server_config.max_version", "must not be lower than min_version")
    with warnings.catch_warnings():
        # Python deprecates TLS 1.0/1.1; the file asked for them explicitly.
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = tls.min_version
        context.maximum_version = tls.max_version


def _set_client_auth(context: ssl.SSLContext, tls: TLSConfig) -> None:
    key = "tls_server_config.client_auth_type"
    mode = tls.client_auth_type
    if mode in ("RequireAnyClientCert", "RequireClientCert"):
        raise WebConfigError(
            key,
            f"{mode} is not supported (Python's ssl cannot accept unverified client "
            "certificates); use RequireAndVerifyClientCert with client_ca_file",
        )
    if mode not in CLIENT_AUTH_TYPES:
        raise WebConfigError(
            key, f"unknown value {mode!r} (expected one of {', '.join(CLIENT_AUTH_TYPES)})"
        )
    if tls.client_ca_file is None:
        if mode == "RequestClientCert":
            raise WebConfigError(
                "tls_server_config.client_ca_file",
                "required when client_auth_type is RequestClientCert (Python's ssl verifies "
                "every client certificate it asks for; without a CA, every one would fail)",
            )
        if mode != "NoClientCert":
            raise WebConfigError(
                "tls_server_config.client_ca_file", f"required when client_auth_type is {mode}"
            )
        return
    if mode == "NoClientCert":
        raise WebConfigError(key, "must be set when client_ca_file is set")
    _read(tls.client_ca_file, "client_ca_file")
    try:
        context.load_verify_locations(cafile=tls.client_ca_file)
    except ssl.SSLError as err:
        raise WebConfigError(
            "tls_server_config.client_ca_file", f"cannot load CA certificates: {_ssl_reason(err)}"
        ) from None
    # Asked for in every mode from here on; a certificate given is verified against the CA.
    required = mode == "RequireAndVerifyClientCert"
    context.verify_mode = ssl.CERT_REQUIRED if required else ssl.CERT_OPTIONAL


def _read(path: Path, key: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise WebConfigError(f"tls_server_config.{key}", f"no such file ({path})") from None
    except OSError as err:
        reason = err.strerror or str(err)
        raise WebConfigError(f"tls_server_config.{key}", f"cannot read {path}: {reason}") from None


def _ssl_reason(err: ssl.SSLError) -> str:
    return str(err.reason or err.strerror or err).lower().replace("_", " ")
