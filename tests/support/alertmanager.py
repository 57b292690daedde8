"""A real Alertmanager for a test, and a webhook receiver that records what it is sent.

with webhook_sink() as sink, run_alertmanager(tmp_path, config) as alertmanager:
    ...  # point Prometheus at alertmanager.url, the config's receivers at sink.url
    sink.wait_for(lambda n: n.path == "/pager", timeout=30)
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from tests.support.prometheus import POLL_INTERVAL, free_port

STARTUP_TIMEOUT = 30.0


@dataclass(frozen=True)
class Notification:
    """One webhook call: when it arrived (Unix s), on which path, and its JSON body."""

    at: float
    path: str
    body: dict[str, Any]

    @property
    def status(self) -> str:
        return str(self.body.get("status", ""))

    def alerts(self) -> list[dict[str, Any]]:
        return list(self.body.get("alerts", []))


class WebhookSink:
    """Every notification received, in arrival order; `wait_for` awaits one."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._received: list[Notification] = []
        self._changed = threading.Condition()

    def record(self, notification: Notification) -> None:
        with self._changed:
            self._received.append(notification)
            self._changed.notify_all()

    def received(self) -> list[Notification]:
        with self._changed:
            return list(self._received)

    def wait_for(self, match: Callable[[Notification], bool], timeout: float) -> Notification:
        """The first notification that matches, awaited; AssertionError after `timeout` s."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [n for n in self._received if match(n)]
                if found:
                    return found[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"no matching notification within {timeout:.0f} s; got {self._received}"
                    )
                self._changed.wait(left)


@contextlib.contextmanager
def webhook_sink() -> Iterator[WebhookSink]:
    """A webhook receiver on loopback (any path), stopped on exit."""
    sink: WebhookSink | None = None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            arrived = time.time()
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            assert sink is not None
            sink.record(Notification(arrived, self.path, body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the test reads what was received instead

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sink = WebhookSink(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass(frozen=True)
class AlertmanagerHandle:
    url: str
    log_file: Path

    def alerts(self) -> list[dict[str, Any]]:
        """/api/v2/alerts: each with `labels`, `startsAt`, `status`."""
        with urllib.request.urlopen(f"{self.url}/api/v2/alerts", timeout=10) as answer:
            return list(json.load(answer))


def alertmanager_binary() -> str:
    found = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    assert found, "Alertmanager is needed (apt-get install prometheus-alertmanager)"
    return found


@contextlib.contextmanager
def run_alertmanager(tmp_path: Path, config: dict[str, Any]) -> Iterator[AlertmanagerHandle]:
    """Alertmanager on a free loopback port with `config`, no cluster; stopped on exit."""
    workdir = tmp_path / f"alertmanager-{free_port()}"
    workdir.mkdir()
    config_file = workdir / "alertmanager.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    log_file = workdir / "alertmanager.log"
    port = free_port()
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [
                alertmanager_binary(),
                f"--config.file={config_file}",
                f"--storage.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    handle = AlertmanagerHandle(f"http://127.0.0.1:{port}", log_file)
    try:
        _wait_ready(handle, process)
        yield handle
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_ready(handle: AlertmanagerHandle, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        assert process.poll() is None, handle.log_file.read_text(errors="replace")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{handle.url}/-/ready", timeout=2) as answer,
        ):
            if answer.status == 200:
                return
        assert time.monotonic() < deadline, "Alertmanager did not become ready"
        time.sleep(POLL_INTERVAL)  # readiness can only be polled
