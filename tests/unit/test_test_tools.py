"""scripts/test-tools, what `make test` runs first: silent when the tools are there, apt-get
for exactly the missing ones as root, one line naming each missing tool and the command
otherwise. PATH is a directory of our own; TEST_TOOLS_ROOT forces the root check."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tests.support.tool_script import run_script

ALL_TOOLS = ("promtool", "prometheus", "amtool", "alertmanager", "chromium", "node", "npm")
COMMANDS = {"alertmanager": "prometheus-alertmanager"}  # Debian's name for the binary
# What the fake apt-get "installs": the commands each Debian package puts on PATH.
PACKAGE_COMMANDS = {
    "prometheus": ("promtool", "prometheus"),
    "prometheus-alertmanager": ("amtool", "prometheus-alertmanager"),
    "chromium": ("chromium",),
    "nodejs": ("node",),
    "npm": ("npm",),
}
FAKE_APT_GET = """#!{python}
import os, sys
from pathlib import Path
here = Path(sys.argv[0]).parent
with open(os.environ["APT_LOG"], "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
if sys.argv[1] == "install":
    for package in sys.argv[2:]:
        for command in {commands!r}.get(package, ()):
            (here / command).write_text("#!/bin/sh\\n")
            (here / command).chmod(0o755)
"""


def stub(directory: Path, name: str, text: str = "#!/bin/sh\nexit 0\n") -> None:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def path_with(directory: Path, tools: tuple[str, ...] = (), apt_get: bool = False) -> Path:
    directory.mkdir(exist_ok=True)
    for tool in tools:
        stub(directory, COMMANDS.get(tool, tool))
    if apt_get:
        stub(
            directory,
            "apt-get",
            FAKE_APT_GET.format(python=sys.executable, commands=PACKAGE_COMMANDS),
        )
    return directory


def missing_named(line: str) -> list[str]:
    match = re.match(r"test-tools: missing ([a-z, -]+): ", line)
    assert match, line
    return match.group(1).split(", ")


def packages_named(line: str) -> set[str]:
    match = re.search(r"\((?:apt-get install|Debian packages:) ([a-z -]+)\)", line)
    assert match, line
    return set(match.group(1).split())


def test_as_a_user_with_apt_one_line_names_every_missing_tool_and_the_command(
    tmp_path: Path,
) -> None:
    log = tmp_path / "apt.log"
    result = run_script(path_with(tmp_path / "bin", apt_get=True), root=False, apt_log=log)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert missing_named(lines[0]) == list(ALL_TOOLS)
    assert "run `sudo make system-deps`" in lines[0]
    assert packages_named(lines[0]) == {
        "prometheus",
        "prometheus-alertmanager",
        "chromium",
        "nodejs",
        "npm",
    }
    assert not log.exists(), "a user's check must not run apt-get"


def test_without_apt_the_line_names_the_tools_and_their_debian_packages(
    tmp_path: Path,
) -> None:
    result = run_script(path_with(tmp_path / "bin"), root=True)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert missing_named(lines[0]) == list(ALL_TOOLS)
    assert "sudo" not in lines[0]
    assert "Debian packages: prometheus prometheus-alertmanager chromium nodejs npm" in lines[0]


def test_only_the_missing_tools_and_their_packages_are_named(tmp_path: Path) -> None:
    present = ("promtool", "prometheus", "node", "npm")
    result = run_script(path_with(tmp_path / "bin", present, apt_get=True), root=False)
    assert result.returncode == 1
    line = result.stderr.strip()
    assert missing_named(line) == ["amtool", "alertmanager", "chromium"]
    assert packages_named(line) == {"prometheus-alertmanager", "chromium"}


def test_check_mode_never_installs_even_as_root(tmp_path: Path) -> None:
    log = tmp_path / "apt.log"
    result = run_script(
        path_with(tmp_path / "bin", apt_get=True), "--check", root=True, apt_log=log
    )
    assert result.returncode == 1
    assert missing_named(result.stderr.strip()) == list(ALL_TOOLS)
    assert not log.exists()


def test_as_root_apt_get_installs_exactly_the_missing_packages(tmp_path: Path) -> None:
    log = tmp_path / "apt.log"
    present = ("promtool", "prometheus", "node", "npm")
    bin_dir = path_with(tmp_path / "bin", present, apt_get=True)
    result = run_script(bin_dir, root=True, apt_log=log)
    assert result.returncode == 0, result.stderr
    assert log.read_text().splitlines() == [
        "update -qq",
        "install -y -qq --no-install-recommends prometheus-alertmanager chromium",
    ]
    assert run_script(bin_dir, "--check", root=False).returncode == 0


def test_as_root_when_apt_get_leaves_a_tool_missing_it_says_which(tmp_path: Path) -> None:
    log = tmp_path / "apt.log"
    bin_dir = path_with(tmp_path / "bin", ALL_TOOLS[:-1], apt_get=True)
    (bin_dir / "apt-get").write_text("#!/bin/sh\nexit 100\n", encoding="utf-8")
    result = run_script(bin_dir, root=True, apt_log=log)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "test-tools: apt-get exited 100; still missing npm (packages npm)"
    )


def test_nothing_missing_is_silent_and_runs_no_apt_get_even_as_root(tmp_path: Path) -> None:
    log = tmp_path / "apt.log"
    bin_dir = path_with(tmp_path / "bin", ALL_TOOLS, apt_get=True)
    result = run_script(bin_dir, root=True, apt_log=log)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert not log.exists()


def test_unknown_arguments_are_a_usage_error(tmp_path: Path) -> None:
    result = run_script(path_with(tmp_path / "bin"), "--install-everything", root=False)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: scripts/test-tools")
