"""The npm projects the tests install from their lock files (tests/dashboard_schema,
tests/grafana_format): which version of a package is installed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path


def installed_version(project: Path, package: str) -> str | None:
    """The version of `package` in `project`/node_modules, None when it is not installed."""
    manifest = project / "node_modules" / package / "package.json"
    if not manifest.is_file():
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])


def npm_ci(project: Path) -> None:
    """Install `project` from its lock file (`npm ci`); fails naming what is missing."""
    npm = shutil.which("npm")
    assert npm, f"npm is needed to install {project.name} (apt-get install npm)"
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
