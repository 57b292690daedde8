"""The command line as users run it: real processes, exit codes and one-line errors."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from exporter.cli import PROG
from exporter.simulator import SimulatorServer
from tests.support.exporters import CLIENT_ID, CLIENT_SECRET, parse_samples, value
from tests.support.process import clean_env, exporter_env, run, serve_process, wait_ready
from tests.support.prometheus import free_port

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
        (  # v1's spelling: the error names the option by its current name
            ["serve", "--client-id", "x", "--client-secret", "y", "--log-level", "loud"],
            {},
            "--log.level",
        ),
        (["check"], {"ADOBE_STATUS_LOG_FORMAT": "xml"}, "ADOBE_STATUS_LOG_FORMAT"),
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


# --- durations: finite numbers in a sensible range ----------------------------------------

CONSOLE_SCRIPT = str(Path(sys.executable).parent / "adobe-status-exporter")
CREDENTIALS = ["--client-id", "x", "--client-secret", "y"]

# option -> (environment variable, the top of its documented range)
DURATIONS = {
    "--timeout": ("ADOBE_STATUS_TIMEOUT", 300.0),
    "--cache-ttl": ("ADOBE_STATUS_CACHE_TTL", 604800.0),
    "--registry-ttl": ("ADOBE_STATUS_REGISTRY_TTL", 604800.0),
    "--max-stale": ("ADOBE_STATUS_MAX_STALE", 604800.0),
    "--token-refresh-margin": ("ADOBE_STATUS_TOKEN_REFRESH_MARGIN", 86400.0),
}
ABSURD = ["inf", "-inf", "nan", "1e300", "-1", "-1e-9", "soon"]


def run_console_script(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed `adobe-status-exporter` entry point, as users start it."""
    return subprocess.run(
        [CONSOLE_SCRIPT, *args],
        capture_output=True,
        text=True,
        env=env if env is not None else clean_env(),
        timeout=60,
        check=False,
    )


def assert_refused(result: subprocess.CompletedProcess[str], option: str, envvar: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert option in lines[0] and envvar in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("option", DURATIONS)
@pytest.mark.parametrize("bad", [*ABSURD, "above range"])
def test_absurd_duration_flag_exits_2_naming_the_option(option: str, bad: str) -> None:
    envvar, top = DURATIONS[option]
    given = str(top + 0.5) if bad == "above range" else bad
    assert_refused(run_console_script("serve", *CREDENTIALS, f"{option}={given}"), option, envvar)


@pytest.mark.parametrize("option", DURATIONS)
@pytest.mark.parametrize("bad", ["inf", "nan", "1e300", "-1", "above range"])
def test_absurd_duration_in_environment_exits_2_naming_the_option(option: str, bad: str) -> None:
    envvar, top = DURATIONS[option]
    env = clean_env(**{envvar: str(top + 0.5) if bad == "above range" else bad})
    assert_refused(run_console_script("serve", *CREDENTIALS, env=env), option, envvar)


@pytest.mark.parametrize("bad", ["0", "-0"])
def test_zero_timeout_exits_2(bad: str) -> None:
    result = run_console_script("check", *CREDENTIALS, f"--timeout={bad}")
    assert_refused(result, "--timeout", "ADOBE_STATUS_TIMEOUT")


def test_check_takes_the_timeout_at_the_top_of_its_range(sim_server: SimulatorServer) -> None:
    result = run_console_script("check", "--timeout", "300", env=exporter_env(sim_server))
    assert result.returncode == 0, result.stderr


def test_serve_takes_every_duration_at_the_edges_of_its_range(
    sim_server: SimulatorServer,
) -> None:
    top = [f"{option}={high}" for option, (_, high) in DURATIONS.items()]
    zero = [f"{option}=-0" for option in DURATIONS if option != "--timeout"]
    for args in (top, zero):
        with serve_process(exporter_env(sim_server), *args) as (process, port):
            wait_ready(f"http://127.0.0.1:{port}", process)
            samples = parse_samples(
                requests.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
            )
            assert value(samples, "adobe_status_up") == 1


# --- check: each command shows the options it uses; a failure is told once ----------------

SERVE_ONLY = ["--cache-ttl", "--registry-ttl", "--max-stale", "--token-refresh-margin", "SIGHUP"]


def test_check_help_lists_no_serve_only_option() -> None:
    check_help = run("check", "--help")
    serve_help = run("serve", "--help")
    assert check_help.returncode == serve_help.returncode == 0
    for word in SERVE_ONLY:
        assert word not in check_help.stdout, word
        assert word in serve_help.stdout, word
    assert "--client-secret-file" in check_help.stdout


def test_check_with_a_wrong_secret_tells_the_reason_once(sim_server: SimulatorServer) -> None:
    result = run("check", env=exporter_env(sim_server, secret="wrong-secret"))
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert output.count("invalid_client") == 1, output
    assert "wrong-secret" not in output


def test_check_prometheus_format_has_no_created_series(sim_server: SimulatorServer) -> None:
    result = run("check", "--format", "prometheus", env=exporter_env(sim_server))
    assert result.returncode == 0, result.stderr
    names = {name for name, _ in parse_samples(result.stdout)}
    assert "adobe_status_api_requests_total" in names
    assert [name for name in names if name.endswith("_created")] == []


# --- --log.level / --log.format, and v1's --log-level / --log-format ----------------------


def log_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """stderr without the command's own outcome line."""
    return [line for line in result.stderr.splitlines() if not line.startswith(PROG)]


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--log.level", "warning"], {}),
        (["--log-level", "warning"], {}),  # v1's spelling keeps working
        ([], {"ADOBE_STATUS_LOG_LEVEL": "warning"}),
        (["--log.level", "WARNING"], {"ADOBE_STATUS_LOG_LEVEL": "error"}),
    ],
)
def test_log_level_from_flag_alias_or_environment(
    sim_server: SimulatorServer, args: list[str], env: dict[str, str]
) -> None:
    result = run("check", *args, env={**exporter_env(sim_server, secret="wrong"), **env})
    assert result.returncode == 1
    lines = log_lines(result)
    assert lines and all(" WARNING " in line for line in lines), result.stderr


def test_flag_log_level_wins_over_environment(sim_server: SimulatorServer) -> None:
    env = exporter_env(sim_server, secret="wrong", ADOBE_STATUS_LOG_LEVEL="warning")
    result = run("check", "--log.level", "error", env=env)
    assert result.returncode == 1
    assert log_lines(result) == []


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--log.format", "json"], {}),
        (["--log-format", "json"], {}),
        ([], {"ADOBE_STATUS_LOG_FORMAT": "json"}),
    ],
)
def test_log_format_json_from_flag_alias_or_environment(
    sim_server: SimulatorServer, args: list[str], env: dict[str, str]
) -> None:
    env = {**exporter_env(sim_server, secret="wrong"), **env}
    result = run("check", "--log.level", "warning", *args, env=env)
    lines = log_lines(result)
    assert lines
    entries = [json.loads(line) for line in lines]
    assert {entry["level"] for entry in entries} == {"warning"}


def test_v1_log_flag_names_are_not_advertised() -> None:
    text = run("serve", "--help").stdout
    assert "--log.level" in text and "--log.format" in text
    assert "--log-level" not in text and "--log-format" not in text


def test_serve_logs_at_the_level_given_by_the_new_flag(sim_server: SimulatorServer) -> None:
    with serve_process(exporter_env(sim_server), "--log.level", "debug") as (process, port):
        wait_ready(f"http://127.0.0.1:{port}", process)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0
    assert " DEBUG " in stderr
