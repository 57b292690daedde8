"""Run the exporter as a real process: its environment, starting it, waiting until ready,
stopping it.

with serve_process(exporter_env(sim_server, ADOBE_STATUS_LOG_LEVEL="debug")) as (process, port):
    wait_ready(f"http://127.0.0.1:{port}", process)

An installed exporter (a venv's script) logs to a file instead: `started(command, env=venv_env(),
log=path)`, then `wait_ready(url, process, log=path)`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from exporter.simulator import SimulatorServer
from tests.support.exporters import CLIENT_ID, CLIENT_SECRET
from tests.support.prometheus import free_port

POLL_INTERVAL = 0.1


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any ADOBE_* variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_")}
    env.update(extra)
    return env


def venv_env() -> dict[str, str]:
    """This environment for a program of another venv: no ADOBE_*, PYTHON* or VIRTUAL_ENV."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ADOBE_", "PYTHON")) and k != "VIRTUAL_ENV"
    }


def exporter_env(
    sim_server: SimulatorServer,
    *,
    secret: str | None = None,
    secret_file: Path | None = None,
    **extra: str,
) -> dict[str, str]:
    """A clean environment pointing the exporter at the simulator with the test client.

    The client secret is CLIENT_SECRET, or `secret`, in ADOBE_CLIENT_SECRET; or, given
    `secret_file`, that path in ADOBE_CLIENT_SECRET_FILE. `extra` is set last and wins.
    """
    if secret is not None and secret_file is not None:
        raise ValueError("give secret or secret_file, not both")
    env = clean_env(
        ADOBE_CLIENT_ID=CLIENT_ID,
        ADOBE_IMS_TOKEN_URL=sim_server.ims_token_url,
        ADOBE_STATUS_API_URL=sim_server.api_url,
    )
    if secret_file is None:
        env["ADOBE_CLIENT_SECRET"] = CLIENT_SECRET if secret is None else secret
    else:
        env["ADOBE_CLIENT_SECRET_FILE"] = str(secret_file)
    env.update(extra)
    return env


def wait_ready(
    url: str,
    process: subprocess.Popen[Any],
    *,
    timeout: float = 30.0,
    log: Path | None = None,
    **request_kwargs: Any,
) -> None:
    """Poll `url`/-/ready until it answers 200; AssertionError if the process exits first
    (with its stderr, when piped, or its `log` file) or after `timeout` seconds.
    `request_kwargs` go to requests.get (e.g. `verify=`, `auth=`, `headers=`)."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            if log is not None:
                output = log.read_text(encoding="utf-8", errors="replace")
            else:
                output = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"exporter exited with {process.returncode}:\n{output}")
        try:
            if requests.get(url + "/-/ready", timeout=1, **request_kwargs).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() >= deadline:
            raise AssertionError(f"exporter never became ready at {url} within {timeout:.0f} s")
        time.sleep(POLL_INTERVAL)


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`python -m exporter *args`, to the end; its output captured as text (by default in
    a clean environment: clean_env())."""
    return subprocess.run(
        [sys.executable, "-m", "exporter", *args],
        capture_output=True,
        text=True,
        env=env if env is not None else clean_env(),
        timeout=timeout,
        check=False,
    )


@contextmanager
def started(
    command: list[str], *, env: dict[str, str], log: Path, cwd: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` running with its stdout and stderr in `log`; on exit, if it still runs,
    terminated (killed after 10 s)."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=cwd
        )
        try:
            yield process
        finally:
            stop(process)


def stop(process: subprocess.Popen[Any]) -> None:
    """Terminate `process` if it still runs, and kill it if it has not exited 10 s later."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextmanager
def serve_process(env: dict[str, str], *args: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """`adobe-status-exporter serve` on a free loopback port; killed on exit if still running.

    stdout and stderr are pipes: read them with `process.communicate()` once it has stopped.
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "exporter",
        "serve",
        "--web.listen-address",
        f"127.0.0.1:{port}",
    ]
    process = subprocess.Popen(
        [*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
