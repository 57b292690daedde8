"""The dependency floors in pyproject.toml are true: the exporter works with exactly them.

A fresh virtual environment gets `name==floor` for every runtime dependency (so a floor set
too low fails here), then the project itself with `--no-deps`. `serve --demo` runs from it
on loopback behind basic auth (PyYAML reads the web config, bcrypt checks the password);
its token comes from the simulated IMS (Authlib over requests), and promtool checks the
exposition prometheus_client writes.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from packaging.version import Version

from tests.support.exporters import parse_samples, value
from tests.support.paths import REPO
from tests.support.process import started, venv_env, wait_ready
from tests.support.prometheus import assert_metrics_clean, free_port
from tests.support.tls import basic_auth, bcrypt_hash, write_web_config

pytestmark = pytest.mark.integration

REPO_ROOT = REPO
FLOOR = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)>=([0-9][0-9.]*)$")
PIP = (sys.executable, "-m", "pip", "--disable-pip-version-check", "-q")
INSTALL_TIMEOUT = 600
READY_TIMEOUT = 30.0
LIST_DISTRIBUTIONS = (
    "import importlib.metadata as m, json;"
    "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
)


def runtime_floors() -> dict[str, str]:
    """Each runtime dependency of pyproject.toml and its floor; every one must have one."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    floors: dict[str, str] = {}
    for requirement in project["project"]["dependencies"]:
        match = FLOOR.match(requirement.replace(" ", ""))
        assert match, f"{requirement!r}: a runtime dependency is declared as name>=floor"
        floors[match.group(1)] = match.group(2)
    return floors


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def run(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{command} exited {result.returncode}:\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def floor_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with exactly the floors and the project (built from the files the wheel takes)."""
    root = tmp_path_factory.mktemp("floors")
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / name, source / name)
    shutil.copytree(
        REPO_ROOT / "exporter", source / "exporter", ignore=shutil.ignore_patterns("__pycache__")
    )
    venv = root / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], timeout=120)
    python = str(venv / "bin" / "python")
    pins = [f"{name}=={floor}" for name, floor in runtime_floors().items()]
    run([*PIP, "--python", python, "install", *pins], timeout=INSTALL_TIMEOUT)
    run([*PIP, "--python", python, "install", "--no-deps", str(source)], timeout=INSTALL_TIMEOUT)
    return venv


def installed_versions(venv: Path) -> dict[str, str]:
    listing = run([str(venv / "bin" / "python"), "-c", LIST_DISTRIBUTIONS], timeout=120)
    return {canonical(name): version for name, version in json.loads(listing.stdout).items()}


def imported_distributions() -> set[str]:
    """The distributions whose modules exporter/ imports (stdlib and exporter excluded)."""
    modules: set[str] = set()
    for path in (REPO_ROOT / "exporter").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for block in ast.walk(tree):  # imports only type checkers see are not dependencies
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test):
                block.body = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    third_party = modules - set(sys.stdlib_module_names) - {"exporter", "__future__"}
    owners = importlib.metadata.packages_distributions()
    return {canonical(owners[module][0]) for module in third_party}


def test_every_imported_distribution_is_declared_with_a_floor() -> None:
    # A module imported directly is a dependency even when another one pulls it in today.
    assert set(map(canonical, runtime_floors())) == imported_distributions()


def test_the_venv_holds_exactly_the_floors(floor_venv: Path) -> None:
    versions = installed_versions(floor_venv)
    for name, floor in runtime_floors().items():
        found = versions.get(canonical(name))
        assert found is not None and Version(found) == Version(floor), (name, found)


@pytest.fixture(scope="module")
def served_at_floors(
    floor_venv: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    """`serve --demo` from the floor venv behind basic auth: its URL and auth header."""
    workdir = tmp_path_factory.mktemp("floors-serve")
    web_config = write_web_config(
        workdir / "web.yml", {"basic_auth_users": {"prometheus": bcrypt_hash("scrape-me")}}
    )
    url = f"http://127.0.0.1:{free_port()}"
    command = [str(floor_venv / "bin" / "adobe-status-exporter"), "serve", "--demo"]
    command += ["--web.listen-address", url.removeprefix("http://")]
    command += ["--web.config.file", str(web_config)]
    headers = {"Authorization": basic_auth("prometheus", "scrape-me")}
    log = workdir / "exporter.log"
    with started(command, env=venv_env(), log=log, cwd=workdir) as process:
        wait_ready(url, process, timeout=READY_TIMEOUT, log=log, headers=headers)
        yield url, headers


def test_metrics_at_the_floors_are_served_and_pass_promtool(
    served_at_floors: tuple[str, dict[str, str]],
) -> None:
    url, headers = served_at_floors
    response = requests.get(url + "/metrics", headers=headers, timeout=30)
    assert response.status_code == 200, response.text[:500]
    samples = parse_samples(response.text)
    assert value(samples, "adobe_status_up") == 1.0
    assert value(samples, "adobe_status_token_requests_total", result="success") == 1.0
    assert any(name == "adobe_status_product_status" for name, _ in samples)
    assert_metrics_clean(response.text)


def test_status_page_at_the_floors(served_at_floors: tuple[str, dict[str, str]]) -> None:
    url, headers = served_at_floors
    response = requests.get(url + "/", headers=headers, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Adobe" in response.text


def test_basic_auth_at_the_floors_refuses_a_wrong_password(
    served_at_floors: tuple[str, dict[str, str]],
) -> None:
    url, _ = served_at_floors
    wrong = {"Authorization": basic_auth("prometheus", "not-it")}
    assert requests.get(url + "/metrics", headers=wrong, timeout=30).status_code == 401
