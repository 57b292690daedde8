"""The command line as users run it: real processes, exit codes and one-line errors."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from exporter.simulator import SimulatorServer
from tests.conftest import CLIENT_ID, CLIENT_SECRET, parse_samples, value
from tests.process_support import clean_env, exporter_env, wait_ready
from tests.prometheus_support import free_port

pytestmark = pytest.mark.integration

ENV_OPTIONS = {
    "--web.listen-address": "ADOBE_STATUS_EXPORTER_LISTEN_ADDRESS",
    "--client-id": "ADOBE_CLIENT_ID",
    "--client-secret": "ADOBE_CLIENT_SECRET",
    "--client-secret-file": "ADOBE_CLIENT_SECRET_FILE",
    "--scopes": "ADOBE_SCOPES",
    "--ims-token-url": "ADOBE_IMS_TOKEN_URL",
    "--api-url": "ADOBE_STATUS_API_URL",
    "--api-key": "ADOBE_STATUS_API_KEY",
    "--product": "ADOBE_STATUS_PRODUCTS",
    "--cloud": "ADOBE_STATUS_CLOUDS",
    "--region": "ADOBE_STATUS_REGIONS",
    "--timeout": "ADOBE_STATUS_TIMEOUT",
    "--cache-ttl": "ADOBE_STATUS_CACHE_TTL",
    "--registry-ttl": "ADOBE_STATUS_REGISTRY_TTL",
    "--max-stale": "ADOBE_STATUS_MAX_STALE",
    "--token-refresh-margin": "ADOBE_STATUS_TOKEN_REFRESH_MARGIN",
    "--web.config.file": "ADOBE_STATUS_EXPORTER_WEB_CONFIG_FILE",
    "--log.level": "ADOBE_STATUS_LOG_LEVEL",
    "--log.format": "ADOBE_STATUS_LOG_FORMAT",
}


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "exporter", *args],
        capture_output=True,
        text=True,
        env=env if env is not None else clean_env(),
        timeout=timeout,
        check=False,
    )


def test_help_documents_every_option_with_its_environment_variable() -> None:
    result = run("serve", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for option, envvar in ENV_OPTIONS.items():
        assert option in text, option
        assert envvar in text, envvar


@pytest.mark.parametrize(
    ("args", "env", "option"),
    [
        (["serve"], {}, "--client-id"),
        (["serve", "--client-id", "x"], {}, "--client-secret"),
        (
            ["serve", "--client-id", "x", "--client-secret-file", "/nonexistent/secret"],
            {},
            "--client-secret-file",
        ),
        (
            ["serve"],
            {"ADOBE_CLIENT_ID": "x", "ADOBE_CLIENT_SECRET": "y", "ADOBE_STATUS_API_URL": "ftp://x"},
            "--api-url",
        ),
        (
            ["serve", "--client-id", "x", "--client-secret", "y", "--ims-token-url", "not a url"],
            {},
            "--ims-token-url",
        ),
        (
            [
                "serve",
                "--client-id",
                "x",
                "--client-secret",
                "y",
                "--web.listen-address",
                "nonsense",
            ],
            {},
            "--web.listen-address",
        ),
        (
            [
                "serve",
                "--client-id",
                "x",
                "--client-secret",
                "y",
                "--web.listen-address",
                "127.0.0.1:99999",
            ],
            {},
            "--web.listen-address",
        ),
        (
            ["serve", "--client-id", "x", "--client-secret", "y", "--timeout", "soon"],
            {},
            "--timeout",
        ),
        (["serve", "--client-id", "x", "--client-secret", "y", "--timeout", "0"], {}, "--timeout"),
        (
            ["serve", "--client-id", "x", "--client-secret", "y"],
            {"ADOBE_STATUS_MAX_STALE": "-1"},
            "--max-stale",
        ),
        (
            ["serve", "--client-id", "x", "--client-secret", "y", "--log.level", "loud"],
            {},
            "--log.level",
        ),
        (
            ["serve", "--client-id", "x", "--client-secret", "y", "--log.format", "xml"],
            {},
            "--log.format",
        ),
        (
            [
                "serve",
                "--client-id",
                "x",
                "--client-secret",
                "y",
                "--web.config.file",
                "/nonexistent.yml",
            ],
            {},
            "--web.config.file",
        ),
        (["check"], {}, "--client-id"),
        (["serve", "--no-such-flag"], {}, "--no-such-flag"),
    ],
)
def test_bad_configuration_exits_2_with_one_line_naming_the_option(
    args: list[str], env: dict[str, str], option: str
) -> None:
    result = run(*args, env=clean_env(**env))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert option in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_web_config_file_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "web.yml"
    config.write_text("basic_auth_users:\n  alice: not-a-bcrypt-hash\n")
    result = run(
        "serve", "--client-id", "x", "--client-secret", "y", "--web.config.file", str(config)
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--web.config.file" in result.stderr


def test_flag_wins_over_environment(sim_server: SimulatorServer) -> None:
    env = exporter_env(sim_server, ADOBE_CLIENT_ID="wrong-client")
    assert run("check", env=env).returncode == 1
    assert run("check", "--client-id", CLIENT_ID, env=env).returncode == 0


def test_check_prints_table_and_exits_0(sim_server: SimulatorServer) -> None:
    env = exporter_env(sim_server)
    result = run("check", env=env)
    assert result.returncode == 0, result.stderr
    assert "Adobe Analytics" in result.stdout
    assert "73 products" in result.stdout


def test_check_prometheus_format(sim_server: SimulatorServer) -> None:
    env = exporter_env(sim_server)
    result = run("check", "--format", "prometheus", env=env)
    assert result.returncode == 0
    samples = parse_samples(result.stdout)
    assert value(samples, "adobe_status_up") == 1


def test_check_exits_1_when_upstream_fails(sim_server: SimulatorServer) -> None:
    env = exporter_env(sim_server, secret="wrong")
    result = run("check", env=env)
    assert result.returncode == 1
    assert "invalid_client" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_reads_secret_from_file(sim_server: SimulatorServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(CLIENT_SECRET + "\n")  # trailing newline stripped, as Kubernetes mounts it
    env = exporter_env(sim_server, secret_file=secret)
    assert run("check", env=env).returncode == 0


@pytest.fixture
def demo_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "exporter",
            "serve",
            "--demo",
            "--web.listen-address",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    yield process, f"http://127.0.0.1:{port}"
    if process.poll() is None:
        process.kill()
        process.wait(10)


def test_demo_serves_all_catalog_products_and_exits_0_on_sigterm(
    demo_process: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = demo_process
    wait_ready(url, process, timeout=60.0)
    samples = parse_samples(requests.get(url + "/metrics", timeout=30).text)
    assert value(samples, "adobe_status_up") == 1
    products = [labels for (name, labels) in samples if name == "adobe_status_product_status"]
    assert len(products) == 73
    process.send_signal(signal.SIGTERM)
    assert process.wait(20) == 0
    stderr = process.stderr.read() if process.stderr else ""
    assert "Traceback" not in stderr
    assert re.search(r"shutting down", stderr)


def test_sigint_also_exits_0(demo_process: tuple[subprocess.Popen[str], str]) -> None:
    process, url = demo_process
    wait_ready(url, process, timeout=60.0)
    process.send_signal(signal.SIGINT)
    assert process.wait(20) == 0
