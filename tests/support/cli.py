"""The console script run in this process, as a user runs it: exit code, stdout, stderr."""

from __future__ import annotations

import logging

import pytest

from exporter.cli import main


def run(argv: list[str], capfd: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The console script in this process; its log handler removed again afterwards (it
    writes to the captured stderr, which is closed once the test ends)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        with pytest.raises(SystemExit) as exited:
            main(argv)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    out, err = capfd.readouterr()
    return int(exited.value.code or 0), out, err
