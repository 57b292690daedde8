"""scripts/test-tools as the tests run it: the unit and the integration tests of it share this."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO

SCRIPT = REPO / "scripts" / "test-tools"


def run_script(
    path: Path | str, *args: str, root: bool, apt_log: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(path), "TEST_TOOLS_ROOT": "1" if root else "0"}
    if apt_log is not None:
        env["APT_LOG"] = str(apt_log)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
