"""The npm projects the tests install from their lock files (tests/dashboard_schema,
tests/grafana_format): which version of a package is installed."""

from __future__ import annotations

import json
from pathlib import Path


def installed_version(project: Path, package: str) -> str | None:
    """The version of `package` in `project`/node_modules, None when it is not installed."""
    manifest = project / "node_modules" / package / "package.json"
    if not manifest.is_file():
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
