"""The simulator and the exporter, each in a process of its own."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

from bench.simulator_proc import CLIENT_ID, CLIENT_SECRET

START_TIMEOUT = 120.0
API_KEY = "StatusAdobeIOClient"


@dataclass(frozen=True)
class SimulatorProcess:
    url: str
    pid: int

    @property
    def ims_token_url(self) -> str:
        return f"{self.url}/ims/token/v3"

    @property
    def events_url(self) -> str:
        return f"{self.url}/api/v1/events"

    def stats(self) -> dict[str, Any]:
        answer: dict[str, Any] = requests.get(f"{self.url}/_sim/stats", timeout=30).json()
        return answer

    def upstream_requests(self) -> int:
        """Requests that reached IMS or the Status API so far."""
        counts = self.stats()["requests"]
        return sum(counts.get(name, 0) for name in ("token", "events", "products", "clouds"))

    def delay_next(self, endpoint: str, seconds: float) -> None:
        """The next answer of `endpoint` comes `seconds` late (a simulator fault)."""
        fault = {"endpoint": endpoint, "delay": seconds, "times": 1}
        requests.post(f"{self.url}/_sim/faults", json=fault, timeout=30).raise_for_status()

    def token(self) -> str:
        """An access token, asked for the way the exporter asks."""
        answer = requests.post(
            self.ims_token_url,
            params={"client_id": CLIENT_ID},
            data={
                "client_secret": CLIENT_SECRET,
                "grant_type": "client_credentials",
                "scope": "openid",
            },
            timeout=30,
        )
        answer.raise_for_status()
        token: str = answer.json()["access_token"]
        return token


@dataclass(frozen=True)
class ExporterProcess:
    url: str
    pid: int

    @property
    def metrics_url(self) -> str:
        return f"{self.url}/metrics"

    @property
    def address(self) -> tuple[str, int]:
        host, _, port = self.url.removeprefix("http://").rpartition(":")
        return host, int(port)

    def memory_mb(self) -> tuple[float, float]:
        """(current RSS, peak RSS) of the process in MB of 10^6 bytes (VmRSS, VmHWM)."""
        return _status_mb(self.pid, "VmRSS"), _status_mb(self.pid, "VmHWM")


@contextlib.contextmanager
def simulator(scale: str) -> Iterator[SimulatorProcess]:
    command = [sys.executable, "-m", "bench.simulator_proc", "--scale", scale]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            if not url:
                raise RuntimeError(f"the simulator at scale {scale} did not start")
            yield SimulatorProcess(url, process.pid)
        finally:
            stop(process, stdin=True)


@contextlib.contextmanager
def serve(*args: str, credentials: bool = False) -> Iterator[ExporterProcess]:
    """`python -m exporter serve ARGS` on a free loopback port, ready (first collection
    done), quiet below warnings; `credentials`: the simulator's, in the environment."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "exporter",
        "serve",
        "--web.listen-address",
        f"127.0.0.1:{port}",
        "--log.level",
        "warning",
        *args,
    ]
    env = dict(os.environ)
    if credentials:
        env.update(ADOBE_CLIENT_ID=CLIENT_ID, ADOBE_CLIENT_SECRET=CLIENT_SECRET)
    with subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL) as process:
        try:
            url = f"http://127.0.0.1:{port}"
            wait_ready(url, process)
            yield ExporterProcess(url, process.pid)
        finally:
            stop(process, stdin=False)


def exporter(
    sim: SimulatorProcess, cache_ttl: float
) -> contextlib.AbstractContextManager[ExporterProcess]:
    """The exporter on the simulator's Status API (--source api)."""
    api = ("--ims-token-url", sim.ims_token_url, "--api-url", sim.url)
    return serve(*api, "--cache-ttl", str(cache_ttl), credentials=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the exporter exited with {process.returncode}")
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(f"{url}/-/ready", timeout=5).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError("the exporter did not become ready")


def stop(process: subprocess.Popen[Any], *, stdin: bool) -> None:
    if stdin and process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()
    else:
        process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _status_mb(pid: int, key: str) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024 / 1e6  # the kernel counts KiB
    return float("nan")
