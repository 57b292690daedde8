"""scripts/test-tools, what `make test` runs first: silent when the tools are there, apt-get
for exactly the missing ones as root, one line naming each missing tool and the command
otherwise. PATH is a directory of our own; TEST_TOOLS_ROOT forces the root check."""

from __future__ import annotations

import os

from tests.support.tool_script import run_script


def test_this_machine_has_every_tool_the_suite_drives() -> None:
    """Where `make test` runs, the check passes silently (and so never apt-gets again)."""
    result = run_script(os.environ["PATH"], root=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
