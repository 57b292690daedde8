"""The exporter-toolkit web config: loading, validation messages, and basic auth checks."""

from __future__ import annotations

import base64
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bcrypt
import pytest

from exporter.web import auth
from exporter.web.web_config import WebConfig, WebConfigError, load_web_config
from tests.support.tls import TLSFiles, basic_auth, bcrypt_hash, make_tls_files, write_web_config

PASSWORD = "correct horse battery staple"


@pytest.fixture
def tls_files(tmp_path: Path) -> TLSFiles:
    return make_tls_files(tmp_path / "certs")


@pytest.fixture
def alice_hash() -> str:
    return bcrypt_hash(PASSWORD)


def tls_section(files: TLSFiles, **extra: Any) -> dict[str, Any]:
    return {"cert_file": str(files.cert_file), "key_file": str(files.key_file), **extra}


def test_full_config_loads_with_paths_relative_to_its_directory(
    tls_files: TLSFiles, alice_hash: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file = write_web_config(
        tls_files.cert_file.parent / "web.yml",
        {
            "tls_server_config": {
                "cert_file": "server.crt",
                "key_file": "server.key",
                "client_ca_file": "ca.pem",
                "client_auth_type": "RequireAndVerifyClientCert",
                "min_version": "TLS12",
                "max_version": "TLS13",
            },
            "basic_auth_users": {"alice": alice_hash},
            "http_server_config": {
                "http2": False,
                "headers": {"X-Frame-Options": "deny", "Strict-Transport-Security": "max-age=60"},
            },
        },
    )
    monkeypatch.chdir(tmp_path)  # relative paths must not depend on the working directory

    config = load_web_config(config_file)

    assert config.tls is not None
    assert config.tls.cert_file == tls_files.cert_file
    assert config.tls.client_ca_file == tls_files.ca_file
    assert config.tls.min_version == ssl.TLSVersion.TLSv1_2
    assert config.basic_auth_users == {"alice": alice_hash.encode()}
    assert dict(config.headers) == {
        "X-Frame-Options": "deny",
        "Strict-Transport-Security": "max-age=60",
    }
    context = config.ssl_context()
    assert context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.maximum_version == ssl.TLSVersion.TLSv1_3


def test_empty_file_means_plain_http_without_auth(tmp_path: Path) -> None:
    config_file = tmp_path / "web.yml"
    config_file.write_text("", encoding="utf-8")

    config = load_web_config(config_file)

    assert config.ssl_context() is None
    assert config.check_basic_auth(None)


def test_verify_client_cert_if_given_makes_client_certificates_optional(
    tls_files: TLSFiles, tmp_path: Path
) -> None:
    section = tls_section(
        tls_files, client_ca_file=str(tls_files.ca_file), client_auth_type="VerifyClientCertIfGiven"
    )
    config = load_web_config(write_web_config(tmp_path / "w.yml", {"tls_server_config": section}))

    context = config.ssl_context()
    assert context is not None
    assert context.verify_mode == ssl.CERT_OPTIONAL


# --- invalid configs: one line naming the file and the key ---------------------------------

Setup = Callable[[TLSFiles, Path], Any]


def _wrong_key(files: TLSFiles, tmp: Path) -> dict[str, Any]:
    other = make_tls_files(tmp / "other")
    return {"tls_server_config": tls_section(files, key_file=str(other.key_file))}


def _not_pem(files: TLSFiles, tmp: Path) -> dict[str, Any]:
    junk = tmp / "junk.crt"
    junk.write_text("not a certificate\n")
    return {"tls_server_config": tls_section(files, cert_file=str(junk))}


INVALID: dict[str, tuple[Setup, str]] = {
    "missing cert file": (
        lambda f, t: {"tls_server_config": tls_section(f, cert_file="nope.crt")},
        "tls_server_config.cert_file: no such file",
    ),
    "missing key_file": (
        lambda f, t: {"tls_server_config": {"cert_file": str(f.cert_file)}},
        "tls_server_config.key_file: missing",
    ),
    "cert file that is not PEM": (_not_pem, "tls_server_config.cert_file: no PEM certificate"),
    "key that does not match the certificate": (
        _wrong_key,
        "tls_server_config.key_file: private key does not match",
    ),
    "unknown client_auth_type": (
        lambda f, t: {"tls_server_config": tls_section(f, client_auth_type="Sometimes")},
        "tls_server_config.client_auth_type: unknown value 'Sometimes'",
    ),
    "RequireAnyClientCert, which Python cannot honour": (
        lambda f, t: {"tls_server_config": tls_section(f, client_auth_type="RequireAnyClientCert")},
        "tls_server_config.client_auth_type: RequireAnyClientCert is not supported",
    ),
    "verifying client certificates without a CA": (
        lambda f, t: {
            "tls_server_config": tls_section(f, client_auth_type="RequireAndVerifyClientCert")
        },
        "tls_server_config.client_ca_file: required when client_auth_type",
    ),
    "client CA without client auth": (
        lambda f, t: {"tls_server_config": tls_section(f, client_ca_file=str(f.ca_file))},
        "tls_server_config.client_auth_type: must be set when client_ca_file is set",
    ),
    "unknown min_version": (
        lambda f, t: {"tls_server_config": tls_section(f, min_version="TLS14")},
        "tls_server_config.min_version: unknown TLS version 'TLS14'",
    ),
    "max_version below min_version": (
        lambda f, t: {
            "tls_server_config": tls_section(f, min_version="TLS13", max_version="TLS12")
        },
        "tls_server_config.max_version: must not be lower than min_version",
    ),
    "user hash that is not bcrypt": (
        lambda f, t: {"basic_auth_users": {"alice": "plain-text-password"}},
        "basic_auth_users.alice: not a bcrypt hash",
    ),
    "unknown top-level key": (
        lambda f, t: {"basic_auth_user": {}},
        "basic_auth_user: unknown key",
    ),
    "unknown tls key": (
        lambda f, t: {"tls_server_config": tls_section(f, certfile="x")},
        "tls_server_config.certfile: unknown key",
    ),
    "toolkit key this exporter does not support": (
        lambda f, t: {
            "tls_server_config": tls_section(f, cipher_suites=["TLS_AES_128_GCM_SHA256"])
        },
        "tls_server_config.cipher_suites: not supported",
    ),
    "header outside exporter-toolkit's list": (
        lambda f, t: {"http_server_config": {"headers": {"X-Powered-By": "me"}}},
        "http_server_config.headers.X-Powered-By: header cannot be configured",
    ),
    "header value outside its allowed set": (
        lambda f, t: {"http_server_config": {"headers": {"X-Frame-Options": "allow"}}},
        "http_server_config.headers.X-Frame-Options: must be one of deny, sameorigin",
    ),
    "tls section that is a list": (
        lambda f, t: {"tls_server_config": ["cert_file"]},
        "tls_server_config: must be a mapping, got a list",
    ),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_config_gives_one_line_naming_file_and_key(
    case: str, tls_files: TLSFiles, tmp_path: Path
) -> None:
    setup, expected = INVALID[case]
    config_file = write_web_config(tmp_path / "web.yml", setup(tls_files, tmp_path))

    with pytest.raises(WebConfigError) as caught:
        load_web_config(config_file)

    message = str(caught.value)
    assert message.startswith(f"web config {config_file}: {expected}")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tls_server_config:\n  cert_file: a\n key_file: b\n", "invalid YAML at line 3"),
        ("basic_auth_users: {alice: x\n", "invalid YAML at line 2"),
        ("basic_auth_users: {}\nbasic_auth_users: {}\n", "duplicate key 'basic_auth_users'"),
        ("- tls_server_config\n", "must be a mapping, got a list"),
        ("just a string\n", "must be a mapping, got a string"),
    ],
    ids=["bad indentation", "unclosed flow mapping", "duplicate key", "list", "scalar"],
)
def test_unreadable_yaml_gives_one_line_naming_the_file(
    text: str, expected: str, tmp_path: Path
) -> None:
    config_file = tmp_path / "web.yml"
    config_file.write_text(text, encoding="utf-8")

    with pytest.raises(WebConfigError) as caught:
        load_web_config(config_file)

    assert str(caught.value).startswith(f"web config {config_file}: ")
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(WebConfigError, match=r"web config .*absent\.yml: no such file$"):
        load_web_config(tmp_path / "absent.yml")


def test_error_never_echoes_the_hash_value(tmp_path: Path) -> None:
    almost = "$2b$10$" + "x" * 50  # looks like a hash, is not one
    config_file = write_web_config(tmp_path / "w.yml", {"basic_auth_users": {"bob": almost}})

    with pytest.raises(WebConfigError) as caught:
        load_web_config(config_file)

    assert almost not in str(caught.value)
    assert caught.value.key == "basic_auth_users.bob"


def test_config_built_in_code_is_validated_too() -> None:
    with pytest.raises(WebConfigError, match=r"basic_auth_users\.eve: not a bcrypt hash"):
        WebConfig(basic_auth_users={"eve": b"secret"})


# --- basic auth ----------------------------------------------------------------------------


@pytest.fixture
def auth_config(alice_hash: str) -> WebConfig:
    return WebConfig(basic_auth_users={"alice": alice_hash.encode()})


def test_right_password_is_accepted(auth_config: WebConfig) -> None:
    assert auth_config.check_basic_auth(basic_auth("alice", PASSWORD))


def test_scheme_name_is_case_insensitive(auth_config: WebConfig) -> None:
    header = basic_auth("alice", PASSWORD).replace("Basic", "bAsIc")
    assert auth_config.check_basic_auth(header)


def test_wrong_password_is_refused(auth_config: WebConfig) -> None:
    assert not auth_config.check_basic_auth(basic_auth("alice", PASSWORD + "!"))


def test_unknown_user_is_refused(auth_config: WebConfig) -> None:
    assert not auth_config.check_basic_auth(basic_auth("mallory", PASSWORD))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer abc",
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"alice-without-colon").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:" + PASSWORD.encode()).decode(),
        "Basic " + "é" * 8,
    ],
    ids=[
        "absent",
        "empty",
        "bearer",
        "no credentials",
        "bad base64",
        "no colon",
        "not utf-8",
        "non-ascii",
    ],
)
def test_malformed_authorization_header_is_refused(
    auth_config: WebConfig, header: str | None
) -> None:
    assert not auth_config.check_basic_auth(header)


def test_no_users_means_no_auth() -> None:
    assert WebConfig().check_basic_auth(None)


def test_password_longer_than_bcrypt_reads_is_checked_on_its_first_72_bytes() -> None:
    long_password = "p" * 72
    config = WebConfig(basic_auth_users={"alice": bcrypt_hash(long_password).encode()})

    assert config.check_basic_auth(basic_auth("alice", long_password + "ignored"))
    assert not config.check_basic_auth(basic_auth("alice", "p" * 71))


class CountingCheckpw:
    def __init__(self) -> None:
        self.calls = 0
        self.real = bcrypt.checkpw

    def __call__(self, password: bytes, hashed: bytes) -> bool:
        self.calls += 1
        return bool(self.real(password, hashed))


@pytest.fixture
def checkpw(monkeypatch: pytest.MonkeyPatch) -> CountingCheckpw:
    counter = CountingCheckpw()
    monkeypatch.setattr(bcrypt, "checkpw", counter)  # the module exporter.web.auth calls through
    return counter


def test_second_check_of_the_same_credentials_skips_bcrypt(
    auth_config: WebConfig, checkpw: CountingCheckpw
) -> None:
    header = basic_auth("alice", PASSWORD)

    assert auth_config.check_basic_auth(header)
    assert auth_config.check_basic_auth(header)

    assert checkpw.calls == 1


def test_repeated_wrong_password_costs_one_bcrypt_check(
    auth_config: WebConfig, checkpw: CountingCheckpw
) -> None:
    header = basic_auth("alice", "guess")

    for _ in range(20):
        assert not auth_config.check_basic_auth(header)

    assert checkpw.calls == 1


def test_unknown_user_still_costs_a_bcrypt_check(
    auth_config: WebConfig, checkpw: CountingCheckpw
) -> None:
    # Answering unknown users without bcrypt would let response times enumerate users.
    assert not auth_config.check_basic_auth(basic_auth("mallory", PASSWORD))
    assert checkpw.calls == 1


def test_cache_is_bounded_and_forgets_the_least_recently_used(checkpw: CountingCheckpw) -> None:
    users = {f"user{i}": bcrypt_hash(f"pw{i}").encode() for i in range(auth.CACHE_SIZE + 1)}
    config = WebConfig(basic_auth_users=users)

    for i in range(auth.CACHE_SIZE + 1):
        assert config.check_basic_auth(basic_auth(f"user{i}", f"pw{i}"))
    assert checkpw.calls == auth.CACHE_SIZE + 1
    assert config.check_basic_auth(basic_auth("user1", "pw1"))  # still cached
    assert checkpw.calls == auth.CACHE_SIZE + 1
    assert config.check_basic_auth(basic_auth("user0", "pw0"))  # evicted first: bcrypt again

    assert checkpw.calls == auth.CACHE_SIZE + 2
