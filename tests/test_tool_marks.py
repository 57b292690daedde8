"""`make test-fast` needs no external tool: tests that drive one are marked `integration` by
tests/support/tool_marks.py from what they call, and the tool check runs only when they are selected.

Each check runs pytest in a subprocess whose PATH holds none of the tools.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = REPO_ROOT / "pyproject.toml"

# Tests a new contributor might write, none of them marked by hand.
PROBE_TESTS = """
import shutil
import subprocess
import sys

import helm_python
import pytest

import tests.support.live
from tests.support.prometheus import assert_metrics_clean


def test_pure_python():
    assert sorted([2, 1]) == [1, 2]


def test_through_the_promtool_helper():
    assert_metrics_clean("up 1\\n")


@pytest.fixture
def routes():
    return subprocess.run(["amtool", "config", "routes"], check=False)


def test_through_a_fixture_that_runs_amtool(routes):
    assert routes.returncode == 0


def render(url):
    return tests.support.live.chromium_dump_dom(url)


def test_through_a_local_helper_and_a_module_attribute():
    assert render("http://127.0.0.1:1/")


def test_looking_node_up():
    assert shutil.which("node")


def test_with_helm():
    assert helm_python.Chart


def test_building_a_venv(tmp_path):
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "v")], check=True)


class TestGrouped:
    def test_method_using_the_helper(self):
        assert_metrics_clean("up 1\\n")

    def test_method_pure(self):
        assert 1 + 1 == 2
"""
PROBE_NEEDS = {
    "test_pure_python": [],
    "test_through_the_promtool_helper": ["promtool"],
    "test_through_a_fixture_that_runs_amtool": ["amtool"],
    "test_through_a_local_helper_and_a_module_attribute": ["chromium"],
    "test_looking_node_up": ["node"],
    "test_with_helm": ["helm_python"],
    "test_building_a_venv": ["venv"],
    "TestGrouped::test_method_using_the_helper": ["promtool"],
    "TestGrouped::test_method_pure": [],
}


def toolless_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This environment with a PATH that holds nothing at all (the venv's python is absolute)."""
    empty = tmp_path / "empty-path"
    empty.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("CHROMIUM", "PROMETHEUS")}
    return {**env, "PATH": str(empty), **extra}


def pytest_run(
    args: list[str], env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=timeout,
        check=False,
    )


def collected(output: str) -> set[str]:
    return {line.strip() for line in output.splitlines() if "::" in line}


def probe_file(tmp_path: Path) -> Path:
    path = tmp_path / "probe" / "test_probe.py"
    path.parent.mkdir()
    path.write_text(textwrap.dedent(PROBE_TESTS), encoding="utf-8")
    return path


def probe_args(path: Path, *args: str) -> list[str]:
    return [
        "-c",
        str(PYPROJECT),
        "--rootdir",
        str(path.parent),
        "-p",
        "tests.support.tool_marks",
        *args,
        str(path),
    ]


def test_new_tests_using_tools_are_marked_however_they_reach_them(tmp_path: Path) -> None:
    path = probe_file(tmp_path)
    report = tmp_path / "needs.json"
    env = toolless_env(tmp_path, PYTHONPATH=str(REPO_ROOT), TOOL_MARKS_REPORT=str(report))
    fast = pytest_run(probe_args(path, "-m", "not integration", "--collect-only", "-q"), env)
    assert fast.returncode == 0, fast.stdout + fast.stderr
    names = {nodeid.split("::", 1)[1] for nodeid in collected(fast.stdout)}
    assert names == {"test_pure_python", "TestGrouped::test_method_pure"}
    needs = json.loads(report.read_text(encoding="utf-8"))
    assert {nodeid.split("::", 1)[1]: tools for nodeid, tools in needs.items()} == PROBE_NEEDS


def test_fast_selection_runs_without_the_tools_and_the_tool_check_stops_the_rest(
    tmp_path: Path,
) -> None:
    path = probe_file(tmp_path)
    env = toolless_env(tmp_path, PYTHONPATH=str(REPO_ROOT))
    fast = pytest_run(probe_args(path, "-m", "not integration", "-q"), env)
    assert fast.returncode == 0, fast.stdout + fast.stderr
    assert "2 passed" in fast.stdout
    everything = pytest_run(probe_args(path, "-q"), env)
    assert everything.returncode == 4, everything.stdout + everything.stderr
    stops = [line for line in everything.stdout.splitlines() if "test-tools: missing" in line]
    assert len(stops) == 1, everything.stdout
    for tool in ("promtool", "prometheus", "amtool", "alertmanager", "chromium", "node", "npm"):
        assert f" {tool}," in stops[0] or f" {tool}:" in stops[0], stops[0]
    assert "passed" not in everything.stdout


def test_the_suites_fast_selection_collects_with_no_tool_on_path(tmp_path: Path) -> None:
    report = tmp_path / "needs.json"
    env = toolless_env(tmp_path, TOOL_MARKS_REPORT=str(report))
    fast = pytest_run(["-m", "not integration", "--collect-only", "-q"], env)
    assert fast.returncode == 0, fast.stdout[-3000:] + fast.stderr[-3000:]
    selected = collected(fast.stdout)
    needs = json.loads(report.read_text(encoding="utf-8"))
    tool_users = {nodeid for nodeid, tools in needs.items() if tools}
    assert len(selected) > 100
    assert len(tool_users) > 20, "the suite drives promtool, amtool, chromium, npm and Helm"
    assert not selected & tool_users


SNEAKY_TEST = """
import subprocess


def test_runs_promtool_by_a_name_built_at_run_time():
    tool = "prom" + "tool"
    result = subprocess.run([tool, "--version"], capture_output=True, check=False)
    assert result.returncode in (0, 97)
"""


def test_a_tool_run_the_reading_misses_fails_the_unmarked_test(tmp_path: Path) -> None:
    path = tmp_path / "sneaky" / "test_sneaky.py"
    path.parent.mkdir()
    path.write_text(SNEAKY_TEST, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}  # promtool is on this PATH
    result = pytest_run(probe_args(path, "-q"), env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ran promtool without the integration marker" in result.stdout
    assert "1 passed, 1 error" in result.stdout
