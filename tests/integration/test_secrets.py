"""Canary secrets never reach logs (debug level), metrics, the page, errors or the command line."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import requests

from exporter.secret import Secret, SecretFile
from exporter.simulator import Simulator, SimulatorServer
from tests.support.exporters import CLIENT_ID, CLIENT_SECRET
from tests.support.process import exporter_env, serve_process, wait_ready

pytestmark = pytest.mark.integration

CANARY_TOKEN = "canary-token-5b1d8e2f9a"


def test_secret_type_never_shows_its_value() -> None:
    secret = Secret(CLIENT_SECRET)
    for shown in (
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!r}",
        "%s" % secret,  # noqa: UP031 - old-style formatting is a way to leak too
        str([secret]),
        str({"s": secret}),
    ):
        assert CLIENT_SECRET not in shown
    assert secret.reveal() == CLIENT_SECRET
    with pytest.raises(TypeError):
        __import__("pickle").dumps(secret)


def test_secret_file_strips_trailing_newline_and_rereads(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("first\n")
    source = SecretFile(path)
    assert source().reveal() == "first"
    path.write_text("second\r\n")
    assert source.reload() is True
    assert source().reveal() == "second"


def _scrape_all(url: str) -> list[str]:
    texts = []
    for path in ("/metrics", "/", "/-/ready", "/-/healthy", "/nope"):
        texts.append(requests.get(url + path, timeout=30).text)
    return texts


@pytest.mark.parametrize("secret_via", ["env", "file"])
def test_canary_secret_and_token_never_leak(tmp_path: Path, secret_via: str) -> None:
    simulator = Simulator(seed=3, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, dynamic=True)
    with SimulatorServer(simulator, host="127.0.0.1", port=0) as sim:
        secret_file = None
        if secret_via == "file":
            secret_file = tmp_path / "secret"
            secret_file.write_text(CLIENT_SECRET + "\n")
        env = exporter_env(sim, secret_file=secret_file, ADOBE_STATUS_LOG_LEVEL="debug")
        with serve_process(env) as (process, port):
            url = f"http://127.0.0.1:{port}"
            wait_ready(url, process)
            cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode(errors="replace")
            seen = _scrape_all(url)
            # Every path where a secret could slip out: 401 renewal, IMS errors that echo
            # the secret back, a token the API refuses, connection failures, SIGHUP.
            simulator.revoke_tokens()
            seen += _scrape_all(url)
            simulator.inject(
                "token",
                status=401,
                body=(
                    '{"error": "invalid_client", "error_description": "bad secret '
                    + CLIENT_SECRET
                    + '"}'
                ).encode(),
            )
            simulator.revoke_tokens()
            seen += _scrape_all(url)
            simulator.inject(
                "token",
                status=200,
                body=(
                    '{"access_token": "'
                    + CANARY_TOKEN
                    + '", "token_type": "bearer", "expires_in": 86399}'
                ).encode(),
            )
            simulator.revoke_tokens()
            seen += _scrape_all(url)
            simulator.inject("events", status=500, body=("upstream echo " + CANARY_TOKEN).encode())
            seen += _scrape_all(url)
            process.send_signal(signal.SIGHUP)
            seen += _scrape_all(url)
            process.send_signal(signal.SIGTERM)
            assert process.wait(20) == 0
            stdout, stderr = process.communicate(timeout=10)
    assert "debug" in stderr.lower()  # debug logging really was on
    assert "invalid_client" in stderr  # the IMS error is named...
    for text in [*seen, stdout, stderr, cmdline]:
        assert CLIENT_SECRET not in text  # ...but never the secret
        assert CANARY_TOKEN not in text
