"""The external tools the integration tests drive, and the stand-ins the unit tests get.

tests/integration/ needs them (Prometheus, promtool, Alertmanager, Chromium, Node/npm, Helm);
tests/unit/ must never run one: its conftest puts `stand_ins` first on PATH, and a unit test
that runs a tool fails naming it (`GUARD_LOG` lists what ran).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.paths import REPO

TOOLS = frozenset(
    {
        "promtool",
        "prometheus",
        "amtool",
        "alertmanager",
        "prometheus-alertmanager",
        "chromium",
        "node",
        "npm",
        "helm",
    }
)
# Variables naming a tool's binary, which the tests honour before PATH.
TOOL_VARIABLES = ("CHROMIUM", "PROMETHEUS")
GUARD_LOG = "TOOL_GUARD_LOG"
TEST_TOOLS = REPO / "scripts" / "test-tools"

_STAND_IN = f"""#!/bin/sh
echo "${{0##*/}}" >> "${GUARD_LOG}"
echo "${{0##*/}} run by a unit test: tests that drive a tool belong in tests/integration/" >&2
exit 97
"""


def write_stand_ins(directory: Path) -> Path:
    """One executable per tool in `directory`: it records its name in $TOOL_GUARD_LOG, exit 97."""
    for tool in TOOLS:
        (directory / tool).write_text(_STAND_IN, encoding="utf-8")
        (directory / tool).chmod(0o755)
    return directory


@contextmanager
def no_tool_runs(nodeid: str, stand_ins: Path, log: Path) -> Iterator[None]:
    """While inside, PATH starts with `stand_ins`; on leaving, fail `nodeid` if one ran."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{stand_ins}{os.pathsep}{os.environ.get('PATH', '')}")
        patch.setenv(GUARD_LOG, str(log))
        for variable in TOOL_VARIABLES:
            patch.delenv(variable, raising=False)
        yield
    if log.exists():
        ran = sorted(set(log.read_text(encoding="utf-8").split()))
        pytest.fail(
            f"{nodeid} ran {', '.join(ran)} without the integration marker: move it to "
            "tests/integration/ (or, in a file at tests/ top level, mark it)",
            pytrace=False,
        )


def missing_tools() -> str | None:
    """None when every tool is there; else scripts/test-tools' one line saying what to run."""
    result = subprocess.run(
        [sys.executable, str(TEST_TOOLS), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return None if result.returncode == 0 else result.stderr.strip()
