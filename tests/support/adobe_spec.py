"""Where Adobe's Status API spec is read from, in place (it is Adobe's file, not ours)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest


def spec_path() -> Path:
    """$ADOBE_STATUS_SPEC, else ../shared/adobe-status/statusapi-spec.yaml beside the repo."""
    return Path(
        os.environ.get("ADOBE_STATUS_SPEC")
        or Path(__file__).resolve().parents[3] / "shared/adobe-status/statusapi-spec.yaml"
    )


def without_enums(schema: Any) -> Any:
    """The schema without its enums: Adobe's real words (Reminder, Closed...) are not in them."""
    if isinstance(schema, dict):
        return {key: without_enums(value) for key, value in schema.items() if key != "enum"}
    if isinstance(schema, list):
        return [without_enums(item) for item in schema]
    return schema


def require_spec(purpose: str) -> Path:
    """The spec's path. Outside this workplace a missing spec skips the calling module;
    in CI (CI set) it is an error, because CI must run every test."""
    path = spec_path()
    if not path.is_file():
        message = (
            f"Adobe's Status API spec is not at {path}: Adobe publishes it as "
            "static/statusapi-spec.yaml in the AdobeDocs/adobe-status repository on GitHub; "
            f"set ADOBE_STATUS_SPEC to its path to {purpose}"
        )
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message, allow_module_level=True)
    return path
