"""Basic auth that strangers cannot stall: what waits for what, and how many hashes a flood costs.

No test here depends on the machine's speed: a stranger's check is held in progress by an
event, and bcrypt work is counted, not timed (`make bench` prints the timings).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import bcrypt
import pytest

from exporter.web import auth
from exporter.web.server import ExporterHTTPServer
from exporter.web.web_config import TLSConfig, WebConfig
from tests.support.tls import basic_auth, bcrypt_hash, http_get, make_tls_files

WAIT = 5.0  # bound for anything that should happen promptly
HOLD = 30.0  # a held check waits at most this long for its release (far beyond WAIT)

ALICE, ALICE_PASSWORD = "alice", "alice-scrapes"
BOB, BOB_PASSWORD = "bob", "bob-scrapes"
STRANGER_PASSWORD = "let-me-in"
# Well-formed cost-15 hash: loading reads its cost, never computes it.
COST_15_HASH = b"$2b$15$" + b"A" * 53


class Checkpw:
    """Stands in for bcrypt.checkpw: counts calls, holds the passwords in `held` in progress."""

    def __init__(self, held: tuple[str, ...] = ()) -> None:
        self.real = bcrypt.checkpw
        self.held = {password.encode() for password in held}
        self.release = threading.Event()
        self.changed = threading.Condition()
        self.calls: list[tuple[bytes, bytes]] = []
        self.holding = 0

    def __call__(self, password: bytes, hashed: bytes) -> bool:
        with self.changed:
            self.calls.append((password, hashed))
            held = password in self.held
            self.holding += held
            self.changed.notify_all()
        if held:
            self.release.wait(HOLD)
        return bool(self.real(password, hashed))

    def wait_holding(self, count: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.holding >= count, WAIT), "never held"

    def count(self, hashed: bytes) -> int:
        with self.changed:
            return sum(1 for _, seen in self.calls if seen == hashed)

    def count_password(self, password: str) -> int:
        with self.changed:
            return sum(1 for seen, _ in self.calls if seen == password.encode())


@pytest.fixture
def users() -> dict[str, bytes]:
    return {
        ALICE: bcrypt_hash(ALICE_PASSWORD).encode(),
        BOB: bcrypt_hash(BOB_PASSWORD).encode(),
    }


@pytest.fixture
def make_checkpw(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Checkpw]]:
    made: list[Checkpw] = []

    def make(*held: str) -> Checkpw:
        checkpw = Checkpw(held)
        monkeypatch.setattr(bcrypt, "checkpw", checkpw)  # what exporter.web.auth calls
        made.append(checkpw)
        return checkpw

    yield make
    for checkpw in made:  # never leave a thread held
        checkpw.release.set()


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    thread.start()
    return thread, result


def finishes(call: Callable[[], Any]) -> Any:
    """`call()`'s result, failing if it is still waiting after WAIT seconds."""
    thread, result = in_thread(call)
    thread.join(WAIT)
    assert not thread.is_alive(), "still waiting"
    return result[0]


# --- ordering: a held stranger never holds up a legitimate first login --------------------


def test_first_login_is_not_held_up_by_an_unknown_users_check_in_progress(
    users: dict[str, bytes], make_checkpw: Callable[..., Checkpw]
) -> None:
    checkpw = make_checkpw(STRANGER_PASSWORD)
    checker = auth.BasicAuth(users)
    stranger, _ = in_thread(lambda: checker.check(basic_auth("mallory", STRANGER_PASSWORD)))
    checkpw.wait_holding(1)

    assert finishes(lambda: checker.check(basic_auth(ALICE, ALICE_PASSWORD))) is True
    assert stranger.is_alive()  # still held: the login did not wait for it


def test_first_login_is_not_held_up_by_wrong_passwords_for_another_user(
    users: dict[str, bytes], make_checkpw: Callable[..., Checkpw]
) -> None:
    checkpw = make_checkpw(STRANGER_PASSWORD)
    checker = auth.BasicAuth(users)
    stranger, _ = in_thread(lambda: checker.check(basic_auth(BOB, STRANGER_PASSWORD)))
    checkpw.wait_holding(1)

    assert finishes(lambda: checker.check(basic_auth(ALICE, ALICE_PASSWORD))) is True
    assert stranger.is_alive()


def test_unknown_user_never_waits_behind_a_real_users_check(
    users: dict[str, bytes], make_checkpw: Callable[..., Checkpw]
) -> None:
    checkpw = make_checkpw(STRANGER_PASSWORD)
    checker = auth.BasicAuth(users)
    in_thread(lambda: checker.check(basic_auth(ALICE, STRANGER_PASSWORD)))
    in_thread(lambda: checker.check(basic_auth(BOB, STRANGER_PASSWORD)))
    checkpw.wait_holding(2)

    assert finishes(lambda: checker.check(basic_auth("mallory", "guess"))) is False


def test_held_check_answers_once_released(
    users: dict[str, bytes], make_checkpw: Callable[..., Checkpw]
) -> None:
    checkpw = make_checkpw(BOB_PASSWORD)
    checker = auth.BasicAuth(users)
    login, result = in_thread(lambda: checker.check(basic_auth(BOB, BOB_PASSWORD)))
    checkpw.wait_holding(1)

    checkpw.release.set()
    login.join(WAIT)

    assert result == [True]


# --- what bcrypt work costs ----------------------------------------------------------------


def test_unknown_users_are_checked_against_a_cost_10_hash_whatever_the_file_holds(
    make_checkpw: Callable[..., Checkpw],
) -> None:
    checkpw = make_checkpw()
    checker = auth.BasicAuth({ALICE: COST_15_HASH})

    assert checker.check(basic_auth("mallory", STRANGER_PASSWORD)) is False

    [(_, hashed)] = checkpw.calls
    assert hashed.startswith(b"$2b$10$")
    assert auth.DUMMY_COST == 10


def test_loading_users_computes_no_hash(
    users: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_hashing(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("hashed at load")

    monkeypatch.setattr(bcrypt, "hashpw", no_hashing)
    monkeypatch.setattr(bcrypt, "gensalt", no_hashing)

    config = WebConfig(basic_auth_users={**users, "carol": COST_15_HASH})

    assert set(config.basic_auth_users) == {ALICE, BOB, "carol"}


@pytest.mark.parametrize("user", [BOB, "mallory"], ids=["wrong password", "unknown user"])
def test_concurrent_flood_of_one_wrong_pair_costs_one_hash(
    users: dict[str, bytes], make_checkpw: Callable[..., Checkpw], user: str
) -> None:
    checkpw = make_checkpw()
    checker = auth.BasicAuth(users)
    header = basic_auth(user, STRANGER_PASSWORD)

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: checker.check(header), range(40)))

    assert answers == [False] * 40
    assert checkpw.count_password(STRANGER_PASSWORD) == 1


def test_refusals_never_push_out_a_verified_login(
    users: dict[str, bytes], make_checkpw: Callable[..., Checkpw]
) -> None:
    checkpw = make_checkpw()
    checker = auth.BasicAuth(users)
    assert checker.check(basic_auth(ALICE, ALICE_PASSWORD))

    for i in range(auth.CACHE_SIZE + 1):
        assert not checker.check(basic_auth(BOB, f"guess-{i}"))
    assert checker.check(basic_auth(ALICE, ALICE_PASSWORD))

    assert checkpw.count(users[ALICE]) == 1


def test_refused_pairs_are_remembered_in_bounded_memory(
    users: dict[str, bytes], make_checkpw: Callable[..., Checkpw], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "REFUSED_CACHE_SIZE", 5)
    checkpw = make_checkpw()
    checker = auth.BasicAuth(users)

    for i in range(6):
        assert not checker.check(basic_auth(BOB, f"guess-{i}"))
    assert not checker.check(basic_auth(BOB, "guess-5"))  # remembered
    assert checkpw.count(users[BOB]) == 6
    assert not checker.check(basic_auth(BOB, "guess-0"))  # forgotten first: bcrypt again

    assert checkpw.count(users[BOB]) == 7


def test_wrong_password_remembered_does_not_refuse_the_right_one(
    users: dict[str, bytes], make_checkpw: Callable[..., Checkpw]
) -> None:
    make_checkpw()
    checker = auth.BasicAuth(users)

    assert not checker.check(basic_auth(ALICE, "guess"))
    assert not checker.check(basic_auth(ALICE, "guess"))

    assert checker.check(basic_auth(ALICE, ALICE_PASSWORD))


# --- the flood through the real server -----------------------------------------------------

STRANGERS = 12  # 10 unknown users and 2 wrong passwords for a real user, as in the bench


@pytest.fixture(params=[False, True], ids=["http", "https"])
def server_and_context(
    request: pytest.FixtureRequest, users: dict[str, bytes], tmp_path: Path
) -> Iterator[tuple[ExporterHTTPServer, Any]]:
    tls = None
    context = None
    if request.param:
        files = make_tls_files(tmp_path / "certs")
        tls = TLSConfig(cert_file=files.cert_file, key_file=files.key_file)
        context = files.client_context()
    config = WebConfig(tls=tls, basic_auth_users=users)
    server = ExporterHTTPServer(_ok_app, "127.0.0.1:0", config, max_connections=32)
    server.start_in_thread()
    try:
        yield server, context
    finally:
        server.shutdown()


def _ok_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_first_login_is_answered_while_strangers_flood_the_server(
    server_and_context: tuple[ExporterHTTPServer, Any],
    users: dict[str, bytes],
    make_checkpw: Callable[..., Checkpw],
) -> None:
    server, context = server_and_context
    checkpw = make_checkpw(STRANGER_PASSWORD)
    strangers = [basic_auth(f"stranger{i}", STRANGER_PASSWORD) for i in range(10)]
    strangers += [basic_auth(BOB, STRANGER_PASSWORD)] * 2

    def stranger(header: str) -> int:
        # Queued strangers are answered one cost-10 dummy check after another: a long bound.
        headers = {"Authorization": header}
        return http_get(server.url, context=context, headers=headers, timeout=HOLD).status

    with ThreadPoolExecutor(max_workers=STRANGERS) as pool:
        refused = [pool.submit(stranger, header) for header in strangers]
        checkpw.wait_holding(2)  # one unknown user's check and one of bob's, in progress
        login = http_get(
            server.url,
            context=context,
            headers={"Authorization": basic_auth(ALICE, ALICE_PASSWORD)},
        )
        assert not any(answer.done() for answer in refused)  # all still held or queued
        checkpw.release.set()
        statuses = [answer.result(HOLD) for answer in refused]

    assert (login.status, login.body) == (200, b"ok")
    assert statuses == [401] * STRANGERS
    assert checkpw.count(users[BOB]) == 1  # bob's two strangers sent the same password


def test_flood_of_one_wrong_password_costs_one_hash_through_the_server(
    server_and_context: tuple[ExporterHTTPServer, Any], make_checkpw: Callable[..., Checkpw]
) -> None:
    server, context = server_and_context
    checkpw = make_checkpw()
    header = {"Authorization": basic_auth(ALICE, STRANGER_PASSWORD)}

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(
                lambda _: http_get(server.url, context=context, headers=header).status, range(30)
            )
        )

    assert statuses == [401] * 30
    assert checkpw.count_password(STRANGER_PASSWORD) == 1
