"""Markers follow the folders: everything in tests/integration/ is `integration`, so
`make test-fast` (`-m "not integration"`) runs on a machine without the tools; a unit test that
runs a tool fails naming it; selecting an integration test without the tools stops at once.

Each check runs pytest in a subprocess whose PATH holds none of the tools.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO

GUARDED_PROBE = """
import subprocess

from tests.unit.conftest import no_external_tools, tool_stand_ins  # noqa: F401  (the guard)


def test_runs_promtool_by_a_name_built_at_run_time():
    tool = "prom" + "tool"
    result = subprocess.run([tool, "--version"], capture_output=True, check=False)
    assert result.returncode in (0, 97)
"""


def toolless_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This environment with a PATH that holds nothing at all (the venv's python is absolute)."""
    empty = tmp_path / "empty-path"
    empty.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("CHROMIUM", "PROMETHEUS")}
    return {**env, "PATH": str(empty), **extra}


def pytest_run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
        check=False,
    )


def collected(output: str) -> set[str]:
    return {line.strip() for line in output.splitlines() if "::" in line}


def test_the_fast_selection_leaves_out_every_integration_test_and_needs_no_tool(
    tmp_path: Path,
) -> None:
    env = toolless_env(tmp_path)
    fast = pytest_run(["-m", "not integration", "--collect-only", "-q"], env)
    assert fast.returncode == 0, fast.stdout[-3000:] + fast.stderr[-3000:]
    selected = collected(fast.stdout)
    assert any(nodeid.startswith("tests/unit/") for nodeid in selected)
    assert not [nodeid for nodeid in selected if nodeid.startswith("tests/integration/")]
    # No test module at tests/ top level: each is in the folder of what it needs.
    assert not [nodeid for nodeid in selected if nodeid.count("/") == 1]


def test_everything_under_tests_integration_is_marked_integration(tmp_path: Path) -> None:
    env = toolless_env(tmp_path)
    folder = ["--collect-only", "-q", "tests/integration"]
    everything = collected(pytest_run(folder, env).stdout)
    marked = collected(pytest_run([*folder, "-m", "integration"], env).stdout)
    assert len(everything) > 50
    assert marked == everything


def test_selecting_an_integration_test_without_the_tools_stops_with_one_line(
    tmp_path: Path,
) -> None:
    result = pytest_run(["-q", "tests/integration/test_locale_option.py"], toolless_env(tmp_path))
    assert result.returncode == 4, result.stdout + result.stderr
    stops = [line for line in result.stdout.splitlines() if "test-tools: missing" in line]
    assert len(stops) == 1, result.stdout
    assert "promtool" in stops[0]
    assert "passed" not in result.stdout


def test_a_unit_test_that_runs_a_tool_fails_naming_it(tmp_path: Path) -> None:
    probe = tmp_path / "probe" / "test_probe.py"
    probe.parent.mkdir()
    probe.write_text(GUARDED_PROBE, encoding="utf-8")
    args = ["-c", str(REPO / "pyproject.toml"), "--rootdir", str(probe.parent), "-q", str(probe)]
    # promtool is on this PATH: the guard's stand-in comes first.
    result = pytest_run(args, {**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ran promtool without the integration marker" in result.stdout
    assert "1 passed, 1 error" in result.stdout
