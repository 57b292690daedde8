"""The `--web.config.file` format of the Prometheus exporter-toolkit: TLS and basic auth.

The same YAML every Go exporter reads, so one file serves node_exporter and this exporter:

    tls_server_config:
      cert_file: server.crt            # relative paths: against this file's directory
      key_file: server.key
      client_ca_file: ca.crt           # with client_auth_type below
      client_auth_type: RequireAndVerifyClientCert
      min_version: TLS12               # TLS10 .. TLS13; default TLS12 .. TLS13
    basic_auth_users:
      prometheus: $2b$10$...           # bcrypt hash: htpasswd -nBC 10 "" | tr -d ':\\n'
    http_server_config:
      headers:
        Strict-Transport-Security: max-age=31536000

Like exporter-toolkit, an unknown key is an error, and so is a file that cannot be used: every
certificate and key is loaded here, at start, so a typo ends the program with one line naming
the key instead of failing the first scrape. The certificate files are read again when they
change (`exporter.web.tls`); the config file itself is read once. An empty path
(`--web.config.file ""`) means no web config, as in the Go exporters. Header values written
as YAML numbers or booleans are sent as written (`X-XSS-Protection: 1` sends `1`, `true`
sends `true`), as Go's YAML gives them to a string. Differences, each failing closed with
one line saying why (docs/security.md lists them):

- `client_auth_type: RequireAnyClientCert` is refused: Python's `ssl` cannot accept a client
  certificate without verifying it. For the same reason `RequestClientCert` asks for a
  certificate and verifies the one given against `client_ca_file`, which it needs.
- The verifying types (`VerifyClientCertIfGiven`, `RequireAndVerifyClientCert`) need
  `client_ca_file`; Go would fall back to the system roots, trusting every public CA.
- A non-empty `tls_server_config` always means TLS: one without `cert_file` is an error, not
  plain HTTP.
- Inline `cert`/`key`/`client_ca`, `cipher_suites`, `curve_preferences`,
  `client_allowed_sans` and `rate_limit` are refused as unsupported rather than ignored.
- `http_server_config.http2: true` is refused: this server speaks HTTP/1.1 only. `false`
  asks for what it does.
- A header without a value (YAML null) is refused rather than sent empty.
- `min_version: TLS10`/`TLS11` is accepted, but the system OpenSSL policy may still refuse
  those versions.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from exporter.web.auth import BasicAuth
from exporter.web.config_error import WebConfigError
from exporter.web.tls import TLS_VERSIONS, ReloadingContext, TLSConfig

__all__ = ["TLSConfig", "WebConfig", "WebConfigError", "load_web_config"]

# exporter-toolkit's list: only security headers, some with a fixed set of values.
_ALLOWED_HEADERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "Strict-Transport-Security": (),
        "X-Content-Type-Options": ("nosniff",),
        "X-Frame-Options": ("deny", "sameorigin"),
        "X-XSS-Protection": (),
        "Content-Security-Policy": (),
    }
)

_TOP_KEYS = ("tls_server_config", "basic_auth_users", "http_server_config")
_TLS_KEYS = (
    "cert_file",
    "key_file",
    "client_ca_file",
    "client_auth_type",
    "min_version",
    "max_version",
    "prefer_server_cipher_suites",
)
_HTTP_KEYS = ("headers", "http2")
# Keys exporter-toolkit knows that this exporter refuses instead of silently ignoring.
_UNSUPPORTED: Mapping[str, str] = MappingProxyType(
    {
        "rate_limit": "not supported by adobe-status-exporter",
        "tls_server_config.cert": "inline certificates are not supported; use cert_file",
        "tls_server_config.key": "inline keys are not supported; use key_file",
        "tls_server_config.client_ca": "inline CAs are not supported; use client_ca_file",
        "tls_server_config.cipher_suites": "not supported by adobe-status-exporter",
        "tls_server_config.curve_preferences": "not supported by adobe-status-exporter",
        "tls_server_config.client_allowed_sans": "not supported by adobe-status-exporter",
    }
)


@dataclass(frozen=True)
class WebConfig:
    """A validated web config; building one loads its certificates and checks its hashes.

    Raises WebConfigError (without a file name; `load_web_config` adds it).
    """

    tls: TLSConfig | None = None
    basic_auth_users: Mapping[str, bytes] = field(default_factory=dict, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)
    _context: ReloadingContext | None = field(init=False, repr=False, compare=False)
    _auth: BasicAuth = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        users = MappingProxyType(dict(self.basic_auth_users))
        headers = MappingProxyType(dict(self.headers))
        _check_headers(headers)
        object.__setattr__(self, "basic_auth_users", users)
        object.__setattr__(self, "headers", headers)
        object.__setattr__(self, "_auth", BasicAuth(users))
        context = ReloadingContext(self.tls) if self.tls is not None else None
        object.__setattr__(self, "_context", context)

    def ssl_context(self) -> ssl.SSLContext | None:
        """The server-side context for a new connection, or None to serve plain HTTP.

        Built at load time and rebuilt when the certificate, key or client CA files change
        on disk (a broken change keeps the last good context; see `exporter.web.tls`).
        """
        return self._context.current() if self._context is not None else None

    @property
    def basic_auth(self) -> BasicAuth:
        """The checker for `basic_auth_users`, for the middleware in `exporter.web.auth`."""
        return self._auth

    def check_basic_auth(self, authorization_header: str | None) -> bool:
        """Whether an `Authorization` header value names a configured user and password.

        True when no users are configured; see `BasicAuth.check`.
        """
        return self._auth.check(authorization_header)


def load_web_config(path: str | os.PathLike[str]) -> WebConfig:
    """Read and validate a web config file; raises WebConfigError."""
    shown = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WebConfigError("", "no such file", shown) from None
    except UnicodeDecodeError:
        raise WebConfigError("", "not UTF-8 text", shown) from None
    except OSError as err:
        raise WebConfigError("", f"cannot read: {err.strerror or err}", shown) from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise WebConfigError("", f"invalid YAML{where}: {err.problem}", shown) from None
    except yaml.YAMLError as err:
        raise WebConfigError("", f"invalid YAML: {err}", shown) from None
    if data is None:  # an empty file means no TLS and no auth, as in exporter-toolkit
        data = {}
    if not isinstance(data, dict):
        raise WebConfigError("", f"must be a mapping, got {_kind(data)}", shown)
    try:
        return _from_mapping(data, Path(path).parent, _header_nodes(text))
    except WebConfigError as err:
        raise err.with_path(shown) from None


# --- parsing -------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, as Go's yaml.UnmarshalStrict does."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, str | int | float | bool) and key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _from_mapping(
    data: dict[Any, Any], base_dir: Path, header_nodes: Mapping[str, yaml.Node]
) -> WebConfig:
    _check_keys(data, "", _TOP_KEYS)
    tls = _parse_tls(data.get("tls_server_config"), base_dir)
    users = _parse_users(data.get("basic_auth_users"))
    http = _mapping(data.get("http_server_config"), "http_server_config")
    _check_keys(http, "http_server_config", _HTTP_KEYS)
    if "http2" in http and not isinstance(http["http2"], bool):
        raise WebConfigError("http_server_config.http2", "must be true or false")
    if http.get("http2"):
        raise WebConfigError(
            "http_server_config.http2",
            "HTTP/2 is not offered (this server speaks HTTP/1.1); remove it or set it to false",
        )
    headers = _mapping(http.get("headers"), "http_server_config.headers")
    texts = _header_texts(headers, header_nodes)
    return WebConfig(tls=tls, basic_auth_users=users, headers=texts)


def _header_texts(headers: dict[str, Any], nodes: Mapping[str, yaml.Node]) -> dict[str, str]:
    """Each header's value as text: a YAML number or boolean as written, as Go's YAML does."""
    texts: dict[str, str] = {}
    for name, value in headers.items():
        key = f"http_server_config.headers.{name}"
        node = nodes.get(name)
        if value is None:
            raise WebConfigError(key, "has no value")
        if isinstance(value, str):
            texts[name] = value
        elif isinstance(node, yaml.ScalarNode):  # 1, 1.0, true, yes, a date: as written
            texts[name] = str(node.value)
        elif isinstance(value, bool | int | float):  # from a YAML merge key: no node here
            texts[name] = str(value).lower() if isinstance(value, bool) else str(value)
        else:
            raise WebConfigError(key, f"must be a single value, got {_kind(value)}")
    return texts


def _header_nodes(text: str) -> Mapping[str, yaml.Node]:
    """The YAML nodes of `http_server_config.headers` by name (the text each value had)."""
    root = yaml.compose(text, Loader=_StrictLoader)
    http = _child(root, "http_server_config")
    headers = _child(http, "headers")
    if not isinstance(headers, yaml.MappingNode):
        return {}
    return {
        str(key.value): value for key, value in headers.value if isinstance(key, yaml.ScalarNode)
    }


def _child(node: yaml.Node | None, name: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return value  # type: ignore[no-any-return]
    return None


def _parse_tls(raw: object, base_dir: Path) -> TLSConfig | None:
    section = _mapping(raw, "tls_server_config")
    _check_keys(section, "tls_server_config", _TLS_KEYS)
    if not section:
        return None

    def path(key: str) -> Path | None:
        value = _string(section, key)
        return base_dir / value if value else None  # an absolute value replaces base_dir

    cert_file, key_file = path("cert_file"), path("key_file")
    if cert_file is None:
        raise WebConfigError("tls_server_config.cert_file", "missing (needed to serve TLS)")
    if key_file is None:
        raise WebConfigError("tls_server_config.key_file", "missing (needed to serve TLS)")
    prefer = section.get("prefer_server_cipher_suites", True)
    if not isinstance(prefer, bool):
        raise WebConfigError(
            "tls_server_config.prefer_server_cipher_suites", "must be true or false"
        )
    return TLSConfig(
        cert_file=cert_file,
        key_file=key_file,
        client_ca_file=path("client_ca_file"),
        client_auth_type=_string(section, "client_auth_type") or "NoClientCert",
        min_version=_tls_version(section, "min_version", ssl.TLSVersion.TLSv1_2),
        max_version=_tls_version(section, "max_version", ssl.TLSVersion.TLSv1_3),
        prefer_server_cipher_suites=prefer,
    )


def _parse_users(raw: object) -> dict[str, bytes]:
    users: dict[str, bytes] = {}
    for user, hashed in _mapping(raw, "basic_auth_users").items():
        if not isinstance(hashed, str):
            raise WebConfigError(f"basic_auth_users.{user}", "must be a bcrypt hash string")
        users[user] = hashed.encode("utf-8")
    return users


def _tls_version(section: dict[str, Any], key: str, default: ssl.TLSVersion) -> ssl.TLSVersion:
    name = _string(section, key)
    if not name:
        return default
    if name not in TLS_VERSIONS:
        expected = ", ".join(TLS_VERSIONS)
        raise WebConfigError(
            f"tls_server_config.{key}", f"unknown TLS version {name!r} (expected {expected})"
        )
    return TLS_VERSIONS[name]


def _mapping(value: object, key: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise WebConfigError(key, f"must be a mapping, got {_kind(value)}")
    for name in value:
        if not isinstance(name, str):
            raise WebConfigError(key, f"key {name!r} must be a string (quote it)")
    return value


def _check_keys(section: dict[str, Any], prefix: str, known: tuple[str, ...]) -> None:
    for name in section:
        key = f"{prefix}.{name}" if prefix else name
        if key in _UNSUPPORTED:
            raise WebConfigError(key, _UNSUPPORTED[key])
        if name not in known:
            raise WebConfigError(key, f"unknown key (expected one of {', '.join(known)})")


def _string(section: dict[str, Any], key: str) -> str:
    value = section.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise WebConfigError(f"tls_server_config.{key}", f"must be a string, got {_kind(value)}")
    return value


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__


# --- validation ----------------------------------------------------------------------------


def _check_headers(headers: Mapping[str, str]) -> None:
    for name, value in headers.items():
        key = f"http_server_config.headers.{name}"
        if name not in _ALLOWED_HEADERS:
            allowed = ", ".join(_ALLOWED_HEADERS)
            raise WebConfigError(key, f"header cannot be configured (allowed: {allowed})")
        allowed_values = _ALLOWED_HEADERS[name]
        if allowed_values and value not in allowed_values:
            raise WebConfigError(key, f"must be one of {', '.join(allowed_values)}")
        if any(ch in value for ch in "\r\n\0"):
            raise WebConfigError(key, "must not contain line breaks")
