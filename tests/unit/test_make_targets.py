"""Every make target is listed by `make help` (what `make` alone prints) and in the README;
`make demo` listens on loopback unless DEMO_ADDRESS says otherwise."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.support.paths import REPO

REPO_ROOT = REPO
TARGET = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)\s*:(?!=)", re.MULTILINE)


def makefile_targets() -> set[str]:
    """Targets a user can name: rule heads and .PHONY entries (not files such as the venv)."""
    text = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", text, re.MULTILINE)
    assert phony, "the Makefile declares its targets .PHONY"
    return set(TARGET.findall(text)) | set(phony.group(1).split())


def make(*args: str) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", "-s", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def listed(help_text: str) -> dict[str, str]:
    """`make <target>  <description>` lines of the help text."""
    found = re.findall(r"^make ([a-z][a-z-]*) +(\S.*)$", help_text, re.MULTILINE)
    return dict(found)


def test_the_makefile_has_the_targets_the_readme_promises() -> None:
    assert {"demo", "test", "test-fast", "help"} <= makefile_targets()


def test_make_help_lists_every_target_with_a_description() -> None:
    assert set(listed(make("help"))) == makefile_targets()


def test_make_alone_prints_the_help() -> None:
    assert make() == make("help")


@pytest.mark.parametrize("target", sorted(makefile_targets()))
def test_the_development_page_mentions_every_target(target: str) -> None:
    # The README keeps the few a user needs and links here for the rest.
    page = (REPO_ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    assert re.search(rf"`make {re.escape(target)}`|^make {re.escape(target)}\b", page, re.M), (
        f"docs/development.md does not mention `make {target}`"
    )


def test_demo_listens_on_loopback_by_default() -> None:
    commands = make("-n", "demo", "VENV=/nonexistent-venv")
    assert "serve --demo --web.listen-address 127.0.0.1:9720" in commands


def test_demo_address_widens_the_listener() -> None:
    commands = make("-n", "demo", "DEMO_ADDRESS=0.0.0.0:9720", "VENV=/nonexistent-venv")
    assert "serve --demo --web.listen-address 0.0.0.0:9720" in commands
