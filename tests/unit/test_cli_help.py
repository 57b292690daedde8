"""What the command line says about itself: the bare command, the command list, the grouped
--help, and each option declared once (flag, environment variable, default, field)."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from exporter.cli import cli
from exporter.cli.configs import LogOptions
from exporter.cli.declare import Group
from exporter.cli.options import FRESHNESS, LOG, SELECTION, SIMULATOR, UPSTREAM, WEB
from tests.support.paths import REPO
from tests.support.process import clean_env

CONSOLE_SCRIPT = Path(sys.executable).parent / "adobe-status-exporter"
# The exporter's groups; `simulate` is a program of its own with some of the same flags.
EXPORTER_GROUPS: tuple[Group[Any], ...] = (UPSTREAM, SELECTION, FRESHNESS, WEB, LOG)
GROUPS: tuple[Group[Any], ...] = (*EXPORTER_GROUPS, SIMULATOR)
# What a first run needs; everything else of serve is under "Advanced options".
SERVE_COMMON = [
    "--web.listen-address",
    "--demo",
    "--source",
    "--client-id",
    "--client-secret",
    "--client-secret-file",
    "--product",
    "--cloud",
    "--region",
    "--log.level",
    "--help",
]


def console(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user types it (80 columns, no terminal)."""
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args],
        capture_output=True,
        text=True,
        env=clean_env(COLUMNS="80"),
        timeout=60,
        check=False,
    )


def sections(help_text: str) -> dict[str, list[str]]:
    """--help's sections ("Options", "Advanced options", "Commands") -> the names they list."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in help_text.splitlines():
        heading = re.fullmatch(r"([A-Z][A-Za-z ]*):", line)
        if heading:
            current = found.setdefault(heading.group(1), [])
        elif current is not None and (entry := re.match(r"  (?:-\S+, )*(\S+)", line)):
            current.append(entry.group(1))  # "-h, --help" is listed as --help
    return found


def test_the_bare_command_prints_usage_and_commands_and_exits_0() -> None:
    result = console()
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("Usage: adobe-status-exporter")
    assert "error" not in result.stdout.lower()
    assert sections(result.stdout)["Commands"] == sorted(cli.commands)


def test_each_command_summary_fits_on_its_line_uncut() -> None:
    text = console().stdout
    for name, command in cli.commands.items():
        summary = command.get_short_help_str(limit=1000)
        assert not summary.endswith("..."), summary
        [line] = [line for line in text.splitlines() if line.split()[:1] == [name]]
        assert line.split(None, 1)[1] == summary
        assert len(line) <= 80, line


def test_help_of_the_group_equals_the_bare_command() -> None:
    assert console("--help").stdout == console().stdout


def test_serve_help_lists_the_common_options_first_and_the_rest_as_advanced() -> None:
    result = console("serve", "--help")
    assert result.returncode == 0
    found = sections(result.stdout)
    assert list(found) == ["Options", "Advanced options"]
    assert found["Options"] == SERVE_COMMON
    assert "--cache-ttl" in found["Advanced options"]
    assert "--web.config.file" in found["Advanced options"]
    assert result.stdout.index("Advanced options:") > result.stdout.index("--log.level")


def test_check_help_has_the_same_sections() -> None:
    found = sections(console("check", "--help").stdout)
    assert found["Options"][:2] == ["--format", "--demo"]
    assert "--timeout" in found["Advanced options"]


@pytest.mark.parametrize("group", GROUPS, ids=lambda group: group.keyword)
def test_each_field_of_a_groups_object_is_filled_by_exactly_one_option(
    group: Group[Any],
) -> None:
    built = group.build
    assert isinstance(built, type) and dataclasses.is_dataclass(built)
    fields = [opt.field for opt in group.options]
    assert sorted(fields) == sorted(f.name for f in dataclasses.fields(built))


def test_no_flag_or_environment_variable_is_declared_twice() -> None:
    flags = [opt.flag for group in EXPORTER_GROUPS for opt in group.options]
    envvars = [opt.envvar for group in EXPORTER_GROUPS for opt in group.options if opt.envvar]
    assert len(flags) == len(set(flags))
    assert len(envvars) == len(set(envvars))


def test_a_commands_own_default_changes_only_that_command() -> None:
    seen: dict[str, LogOptions] = {}

    @click.command()
    @LOG.but("level", default="error")
    def quiet(log_options: LogOptions) -> None:
        seen["quiet"] = log_options

    @click.command()
    @LOG
    def loud(log_options: LogOptions) -> None:
        seen["loud"] = log_options

    quiet.main([], standalone_mode=False)
    loud.main([], standalone_mode=False)
    assert [seen[name].level for name in ("quiet", "loud")] == ["error", "info"]


def test_an_unknown_field_in_but_is_refused() -> None:
    with pytest.raises(KeyError):
        LOG.but("colour", default="red")


def test_make_demo_errors_name_demo_address(tmp_path: Path) -> None:
    venv = Path(sys.prefix)
    stamp = venv / ".runtime-installed"
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", str(stamp), "demo",
         f"VENV={venv}", "DEMO_ADDRESS=no-port-here"],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=REPO,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()
    assert any("--web.listen-address" in line and "no-port-here" in line for line in last)
    assert any(line.startswith("make demo: DEMO_ADDRESS=no-port-here") for line in last)
