"""Basic auth under a flood of strangers: how long a legitimate first login waits.

The exporter runs as the real program (`serve --demo`) with a web config whose users include
one with a cost-15 hash. Twelve strangers keep requests going without pause: ten with unknown
user names, two with wrong passwords for the cost-15 user (a new name or password on every
request, so no cache helps them). Meanwhile users that have not logged in yet log in, one
after the other; each first login's latency is measured. Target: at most 1 s each.

Also reported: a flood of one wrong password for the cost-15 user, beside the time one
cost-15 hash takes here (the flood should cost about one hash, not one per request).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import requests
import yaml

from bench import procs

FIRST_LOGIN_TARGET_S = 1.0
SLOW_COST = 15
USER_COST = 10  # what `htpasswd -nBC 10` makes, as the docs advise
UNKNOWN_STRANGERS = 10
WRONG_PASSWORD_STRANGERS = 2
FIRST_LOGINS = 5
FLOOD_REQUESTS = 150
FLOOD_CONCURRENCY = 12
SETTLE_S = 1.0  # strangers' head start before the first login is measured
REQUEST_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class AuthResult:
    first_login_ms: list[float]
    stranger_answers: int  # strangers' requests answered while the logins were measured
    unexpected_answers: int  # strangers not answered 401, logins not answered 200
    cost15_hash_s: float
    flood_s: float
    flood_refused: int

    @property
    def worst_first_login_s(self) -> float:
        return max(self.first_login_ms) / 1000


def run() -> AuthResult:
    started = time.monotonic()
    slow_hash = bcrypt.hashpw(os.urandom(8).hex().encode(), bcrypt.gensalt(rounds=SLOW_COST))
    cost15_hash_s = time.monotonic() - started
    passwords = {f"prometheus-{i}": os.urandom(8).hex() for i in range(FIRST_LOGINS + 1)}
    users = {
        user: bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=USER_COST)).decode()
        for user, password in passwords.items()
    }
    users["slow"] = slow_hash.decode()
    probe = "prometheus-0"  # logs in to see the exporter ready; its first login is not measured
    with tempfile.TemporaryDirectory() as directory:
        config_file = Path(directory) / "web.yml"
        config_file.write_text(yaml.safe_dump({"basic_auth_users": users}), encoding="utf-8")
        with _exporter(config_file, (probe, passwords[probe])) as (host, port):
            with _strangers(host, port) as strangers:
                time.sleep(SETTLE_S)
                before = strangers.answers
                logins = [
                    _timed_get(host, port, user, password)
                    for user, password in passwords.items()
                    if user != probe
                ]
                answered = strangers.answers - before
            flood_s, refused = _flood(host, port)
    return AuthResult(
        first_login_ms=[round(seconds * 1000, 1) for seconds, _ in logins],
        stranger_answers=answered,
        unexpected_answers=strangers.failures + sum(status != 200 for _, status in logins),
        cost15_hash_s=round(cost15_hash_s, 2),
        flood_s=round(flood_s, 2),
        flood_refused=refused,
    )


def table(result: AuthResult) -> str:
    worst = result.worst_first_login_s
    verdict = "PASS" if passed(result) else "FAIL"
    rows = [
        ("figure", "measured", "compared with", "target", "result"),
        (
            f"first login under {UNKNOWN_STRANGERS + WRONG_PASSWORD_STRANGERS} strangers, "
            "worst / median, s",
            f"{worst:.3f} / {statistics.median(result.first_login_ms) / 1000:.3f}",
            f"{len(result.first_login_ms)} users, cost {USER_COST}; "
            f"{result.stranger_answers} stranger requests answered meanwhile",
            f"<= {FIRST_LOGIN_TARGET_S:.1f}",
            verdict,
        ),
        (
            f"{FLOOD_REQUESTS} x one wrong password, cost-{SLOW_COST} user, s",
            f"{result.flood_s:.2f}",
            f"one cost-{SLOW_COST} hash {result.cost15_hash_s:.2f} s; {result.flood_refused} x 401",
            "-",
            "-",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["basic auth: a cost-15 user in the file, strangers flooding the exporter"]
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    if result.unexpected_answers:
        lines.append(f"  note: {result.unexpected_answers} answers were not the expected status")
    return "\n".join(lines)


def passed(result: AuthResult) -> bool:
    return result.worst_first_login_s <= FIRST_LOGIN_TARGET_S and not result.unexpected_answers


# --- the exporter and its clients ----------------------------------------------------------


@contextlib.contextmanager
def _exporter(config_file: Path, probe: tuple[str, str]) -> Iterator[tuple[str, int]]:
    port = procs.free_port()
    command = [sys.executable, "-m", "exporter", "serve", "--demo", "--log.level", "error"]
    command += ["--web.listen-address", f"127.0.0.1:{port}", "--web.config.file", str(config_file)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_")}
    with subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL) as process:
        try:
            deadline = time.monotonic() + procs.START_TIMEOUT
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the exporter exited with {process.returncode}")
                with contextlib.suppress(requests.ConnectionError):
                    url = f"http://127.0.0.1:{port}/-/ready"
                    if requests.get(url, auth=probe, timeout=5).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("the exporter did not become ready")
                time.sleep(0.05)
            yield "127.0.0.1", port
        finally:
            procs.stop(process, stdin=False)


def _get(host: str, port: int, user: str, password: str) -> int:
    credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
    connection = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request("GET", "/-/healthy", headers={"Authorization": f"Basic {credentials}"})
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def _timed_get(host: str, port: int, user: str, password: str) -> tuple[float, int]:
    started = time.monotonic()
    status = _get(host, port, user, password)
    return time.monotonic() - started, status


class _Strangers:
    """Threads sending refused requests back to back until stopped."""

    def __init__(self, host: str, port: int) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.answers = 0
        self.failures = 0
        users = [None] * UNKNOWN_STRANGERS + ["slow"] * WRONG_PASSWORD_STRANGERS
        self._threads = [
            threading.Thread(target=self._loop, args=(host, port, user), daemon=True)
            for user in users
        ]

    def _loop(self, host: str, port: int, user: str | None) -> None:
        while not self._stop.is_set():
            name = user or f"stranger-{os.urandom(4).hex()}"
            try:
                status = _get(host, port, name, os.urandom(8).hex())
            except OSError:
                status = 0
            with self._lock:
                self.answers += 1
                self.failures += status != 401

    def __enter__(self) -> _Strangers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(REQUEST_TIMEOUT_S)


def _strangers(host: str, port: int) -> _Strangers:
    return _Strangers(host, port)


def _flood(host: str, port: int) -> tuple[float, int]:
    password = os.urandom(8).hex()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=FLOOD_CONCURRENCY) as pool:
        statuses = list(
            pool.map(lambda _: _get(host, port, "slow", password), range(FLOOD_REQUESTS))
        )
    return time.monotonic() - started, statuses.count(401)
