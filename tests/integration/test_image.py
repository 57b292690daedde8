"""The container image, as far as it can be checked without a Docker engine.

The Dockerfile is parsed and checked (two stages, non-root uid shared with the chart, entry
point, no compilers in the final stage); its build stage is replayed on this machine: the
same files copied into a clean build context, the same ``pip wheel --no-deps``, the same
install into a fresh virtualenv (dependencies from PyPI, no system site packages), then the
installed console script is run, including ``serve --demo`` over real HTTP.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.support.helm import CHART_DIR, REPO_ROOT, package_version
from tests.support.process import started, venv_env

# Builds a wheel, installs it from PyPI into a new venv, runs the exporter on loopback.
pytestmark = pytest.mark.integration

DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
SCRIPT = "adobe-status-exporter"
UID = "10001"


# --- a small Dockerfile reader -----------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [i.arguments for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> str:
        found = self.all(keyword)
        assert found, f"stage {self.name} has no {keyword}"
        return found[-1]


def instructions(text: str) -> list[Instruction]:
    """Instructions with line continuations joined and comment lines dropped."""
    result: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        joined = (pending + line).strip()
        pending = ""
        if joined:
            keyword, _, arguments = joined.partition(" ")
            result.append(Instruction(keyword.upper(), arguments.strip()))
    assert not pending, "the Dockerfile ends inside a line continuation"
    return result


def global_args(parsed: list[Instruction]) -> dict[str, str]:
    """ARGs declared before the first FROM, with their defaults."""
    defaults: dict[str, str] = {}
    for instruction in parsed:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG":
            name, _, default = instruction.arguments.partition("=")
            defaults[name] = default
    return defaults


def stages(parsed: list[Instruction]) -> list[Stage]:
    found: list[Stage] = []
    for instruction in parsed:
        if instruction.keyword == "FROM":
            words = instruction.arguments.split()
            words = [w for w in words if not w.startswith("--platform")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            found.append(Stage(words[0], name))
        elif found:
            found[-1].instructions.append(instruction)
    return found


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], list[Stage]]:
    parsed = instructions(DOCKERFILE.read_text(encoding="utf-8"))
    return global_args(parsed), stages(parsed)


def test_dockerfile_has_a_build_and_a_runtime_stage_on_python_slim(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    defaults, found = dockerfile
    assert len(found) == 2
    for stage in found:
        base = re.sub(r"\$\{(\w+)\}", lambda m: defaults[m.group(1)], stage.base)
        assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?(@sha256:[0-9a-f]{64})?", base), base
    assert found[0].base == found[1].base, "both stages must share the Python of the venv"


def test_build_stage_builds_the_wheel_and_the_venv(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    build = dockerfile[1][0]
    run = " ".join(build.all("RUN"))
    assert "pip wheel --no-deps --wheel-dir /wheels ." in run
    assert "python -m venv --without-pip /opt/venv" in run
    assert "pip --python /opt/venv/bin/python install" in run
    assert "--system-site-packages" not in run


def test_final_stage_copies_only_the_venv_and_runs_as_the_chart_uid(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    build, final = dockerfile[1]
    assert final.all("ADD") == []
    assert final.all("COPY") == [f"--from={build.name} /opt/venv /opt/venv"]
    assert final.last("USER") == UID
    values = yaml.safe_load((CHART_DIR / "values.yaml").read_text(encoding="utf-8"))
    assert str(values["securityContext"]["runAsUser"]) == UID
    assert str(values["podSecurityContext"]["runAsUser"]) == UID
    assert any(f"--uid {UID}" in run for run in final.all("RUN"))


def test_final_stage_entrypoint_command_and_port(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    final = dockerfile[1][-1]
    assert json.loads(final.last("ENTRYPOINT")) == [SCRIPT]
    assert json.loads(final.last("CMD")) == ["serve"]
    assert final.last("EXPOSE") == "9720"
    assert "/opt/venv/bin" in final.last("ENV")


def test_final_stage_installs_no_compilers(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    final = dockerfile[1][-1]
    run = " ".join(final.all("RUN"))
    for tool in ("gcc", "g++", "clang", "build-essential", "make ", "apt-get install", "pip "):
        assert tool not in run, f"the final stage runs {tool.strip()}"


def test_image_carries_oci_labels_with_the_package_version(
    dockerfile: tuple[dict[str, str], list[Stage]],
) -> None:
    final = dockerfile[1][-1]
    labels = " ".join(final.all("LABEL"))
    for key in ("title", "description", "version", "licenses"):
        assert f"org.opencontainers.image.{key}=" in labels
    assert f"VERSION={package_version()}" in final.all("ARG")


def test_dockerignore_keeps_local_state_out_of_the_context() -> None:
    ignored = {
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for entry in (".git", ".venv", "**/__pycache__", ".pytest_cache", "**/node_modules", "tests"):
        assert entry in ignored
    for needed in ("pyproject.toml", "README.md", "exporter", "exporter/"):
        assert needed not in ignored, f"the build needs {needed}"


# --- replaying the build stage ---------------------------------------------------------------


def copy_build_context(stage: Stage, destination: Path) -> None:
    """Copy what the stage's COPY instructions copy (paths relative to the repository)."""
    for arguments in stage.all("COPY"):
        assert not arguments.startswith("--"), f"unexpected COPY flags: {arguments}"
        *sources, target = arguments.split()
        for source in sources:
            origin = REPO_ROOT / source.rstrip("/")
            if origin.is_dir():
                shutil.copytree(
                    origin,
                    destination / target.rstrip("/"),
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
                    dirs_exist_ok=True,
                )
            else:
                shutil.copy2(origin, destination / target / origin.name)


def run(
    argv: list[str], *, timeout: float, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    completed = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        cwd=cwd,
        check=False,
    )
    assert completed.returncode == 0, f"{argv} failed:\n{completed.stdout}\n{completed.stderr}"
    return completed


@pytest.fixture(scope="module")
def wheel(
    tmp_path_factory: pytest.TempPathFactory, dockerfile: tuple[dict[str, str], list[Stage]]
) -> Path:
    """The wheel, built like the Dockerfile builds it, from a context holding only what the
    Dockerfile copies (so a file the build needs but the Dockerfile forgets fails here)."""
    context = tmp_path_factory.mktemp("context")
    copy_build_context(dockerfile[1][0], context)
    wheels = tmp_path_factory.mktemp("wheels")
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(wheels), "."],
        timeout=300,
        cwd=context,
    )
    built = list(wheels.glob("*.whl"))
    assert len(built) == 1, built
    return built[0]


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A fresh virtualenv holding only the wheel and its dependencies (from PyPI)."""
    root = tmp_path_factory.mktemp("venv") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(root)], timeout=120)
    python = root / "bin" / "python"
    run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", str(wheel)],
        timeout=600,
    )
    return root


def test_wheel_is_pure_python_with_the_package_version_and_the_catalog(wheel: Path) -> None:
    assert wheel.name == f"adobe_status_exporter-{package_version()}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    assert "exporter/__init__.py" in names
    assert "exporter/simulator/catalog.json" in names
    assert not any(n.startswith("tests/") for n in names)
    assert f"{SCRIPT} = exporter.cli:main" in scripts


def test_venv_is_isolated_and_has_the_console_script(venv: Path) -> None:
    config = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    assert re.search(r"^include-system-site-packages = false$", config, flags=re.MULTILINE)
    assert (venv / "bin" / SCRIPT).is_file()
    completed = run(
        [str(venv / "bin" / "python"), "-c", "import exporter; print(exporter.__version__)"],
        timeout=60,
    )
    assert completed.stdout.strip() == package_version()


def test_console_script_help(venv: Path) -> None:
    """Needs exporter/cli.py (the console script's target)."""
    completed = run([str(venv / "bin" / SCRIPT), "--help"], timeout=60)
    assert "serve" in completed.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.fixture
def demo_server(venv: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    command = [str(venv / "bin" / SCRIPT), "serve", "--demo", "--web.listen-address"]
    command.append(f"127.0.0.1:{port}")
    with started(command, env=venv_env(), log=tmp_path / "exporter.log", cwd=tmp_path) as process:
        yield process, f"http://127.0.0.1:{port}"


def test_serve_demo_answers_and_stops_cleanly_on_sigterm(
    demo_server: tuple[subprocess.Popen[bytes], str], tmp_path: Path
) -> None:
    """Needs exporter/cli.py with `serve --demo`."""
    process, base = demo_server
    deadline = time.monotonic() + 60
    healthy = False
    families: set[str] = set()
    while time.monotonic() < deadline:
        assert process.poll() is None, (tmp_path / "exporter.log").read_text(errors="replace")
        try:
            healthy = healthy or get(f"{base}/-/healthy")[0] == 200
            status, body = get(f"{base}/metrics")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
            continue
        if status == 200:
            families = {
                family.name for family in text_string_to_metric_families(body) if family.samples
            }
            if healthy and "adobe_status_product_status" in families:
                break
        time.sleep(0.2)
    assert healthy, "/-/healthy never answered 200"
    assert "adobe_status_product_status" in families, sorted(families)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
