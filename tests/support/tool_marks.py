"""Tests that drive external tools carry the `integration` marker, without anyone adding it.

`make test-fast` (`-m "not integration"`) must run on a machine without Prometheus, Chromium,
Node or Helm. So at collection every test is read, with the fixtures it uses and the helpers
from tests/ that it calls (followed to any depth): a test that runs one of TOOLS (a command
list starting with it, or `shutil.which` of it), imports one of TOOL_MODULES, or builds a
virtual environment gets the marker. A new test that calls `check_metrics`, `amtool`,
`chromium_dump_dom` or takes a fixture that does is therefore marked however it is written.

A test the reading misses cannot slip through either: while a test without the marker runs,
PATH starts with stand-ins for every tool that record the call, and the test errors naming
the tool it ran (`tools_only_in_integration_tests`).

The tools are checked at session start (scripts/test-tools --check), and only when a
selected test needs them. conftest.py imports the hooks; `pytest -p tests.support.tool_marks`
loads them for a test file outside tests/.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

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
# helm-python-sdk: the Helm Go SDK as a shared library inside the wheel.
TOOL_MODULES = frozenset({"helm_python"})
VENV_ARGS = ("-m", "venv")
REPORT_VARIABLE = "TOOL_MARKS_REPORT"
TEST_TOOLS = Path(__file__).resolve().parents[2] / "scripts" / "test-tools"


def _constant(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _direct_tools(tree: ast.AST) -> set[str]:
    """Tools this code runs itself: `["promtool", ...]`, `which("amtool")`, `-m venv`."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple) and node.elts:
            first = _constant(node.elts[0])
            if first in TOOLS:
                found.add(first)
            words = [_constant(element) for element in node.elts]
            if any(words[i : i + 2] == list(VENV_ARGS) for i in range(len(words) - 1)):
                found.add("venv")
        elif isinstance(node, ast.Call) and node.args:
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            name = function.id if isinstance(function, ast.Name) else name
            argument = _constant(node.args[0])
            if name == "which" and argument in TOOLS:
                found.add(argument)
    return found


def _referenced(tree: ast.AST) -> Iterable[list[str]]:
    """The dotted names this code loads: `f` -> ["f"], `tests.x.f` -> ["tests", "x", "f"]."""
    for node in ast.walk(tree):
        chain: list[str] = []
        while isinstance(node, ast.Attribute):
            chain.insert(0, node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            yield [node.id, *chain]


def _in_tests(module_name: str) -> bool:
    """Our test code: the tests package, or a test module wherever pytest found it."""
    last = module_name.rsplit(".", 1)[-1]
    return module_name.split(".")[0] == "tests" or last.startswith(("test_", "conftest"))


def _ours(obj: object) -> bool:
    return _in_tests(getattr(obj, "__module__", None) or "")


@cache
def _node(code: Any) -> tuple[frozenset[str], tuple[Any, ...]]:
    """What a function or class of tests/ runs itself, and the ones of tests/ it refers to."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(code)))
    except (OSError, TypeError, SyntaxError):
        return frozenset(), ()
    found = _direct_tools(tree)
    # The defining module's names (a decorator's wrapper may carry other globals).
    module = sys.modules.get(getattr(code, "__module__", None) or "")
    namespace: dict[str, Any] = vars(module) if module else {}
    refers: list[Any] = []
    for name, *attributes in _referenced(tree):
        target = namespace.get(name)
        while isinstance(target, types.ModuleType) and _in_tests(target.__name__) and attributes:
            target = getattr(target, attributes.pop(0), None)
        if isinstance(target, types.ModuleType):
            if target.__name__.split(".")[0] in TOOL_MODULES:
                found.add(target.__name__)
            continue
        if not _ours(target):
            continue
        target = inspect.unwrap(target) if callable(target) else target
        if (inspect.isfunction(target) or inspect.isclass(target)) and target is not code:
            refers.append(target)
    return frozenset(found), tuple(refers)


def _tools_reached(roots: Iterable[Any]) -> frozenset[str]:
    """Every tool run by the roots or by the helpers they lead to, at any depth."""
    found: set[str] = set()
    seen: set[Any] = set()
    stack = list(roots)
    while stack:
        code = stack.pop()
        if code in seen:
            continue
        seen.add(code)
        direct, refers = _node(code)
        found |= direct
        stack.extend(refers)
    return frozenset(found)


def _function(obj: Any) -> Any:
    """The plain function behind a test, method or fixture definition."""
    obj = getattr(obj, "__func__", obj)
    obj = getattr(obj, "_get_wrapped_function", lambda: obj)()
    hypothesis = getattr(obj, "hypothesis", None)  # @given keeps the test as inner_test
    obj = getattr(hypothesis, "inner_test", obj)
    return inspect.unwrap(obj)


def tools_needed(item: pytest.Item) -> frozenset[str]:
    """Every tool a collected test needs, through its own code and its fixtures."""
    roots = []
    function = getattr(item, "obj", None)
    if function is not None:
        roots.append(_function(function))
    info = getattr(item, "_fixtureinfo", None)
    for definitions in getattr(info, "name2fixturedefs", {}).values():
        roots.extend(_function(definition.func) for definition in definitions)
    return _tools_reached(roots)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark before `-m` selects (tryfirst), so `-m "not integration"` sees the marks."""
    needs: dict[str, list[str]] = {}
    for item in items:
        needs[item.nodeid] = sorted(tools_needed(item))
        if item.get_closest_marker("integration") is None and needs[item.nodeid]:
            item.add_marker(pytest.mark.integration)
    report = os.environ.get(REPORT_VARIABLE)
    if report:  # for tests/test_tool_marks.py: what each collected test needs
        Path(report).write_text(json.dumps(needs, indent=1), encoding="utf-8")


def pytest_collection_finish(session: pytest.Session) -> None:
    """When a selected test needs the tools, stop with one line if any is missing."""
    if session.config.option.collectonly:
        return
    if not any(item.get_closest_marker("integration") for item in session.items):
        return
    result = subprocess.run(
        [sys.executable, str(TEST_TOOLS), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        pytest.exit(result.stderr.strip(), returncode=pytest.ExitCode.USAGE_ERROR)


GUARD_SCRIPT = """#!/bin/sh
echo "${0##*/}" >> "$TOOL_MARKS_GUARD_LOG"
echo "tool_marks: ${0##*/} run by a test not marked integration" >&2
exit 97
"""


@pytest.fixture(scope="session")
def tool_stand_ins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("tool-stand-ins")
    for tool in TOOLS:
        (directory / tool).write_text(GUARD_SCRIPT, encoding="utf-8")
        (directory / tool).chmod(0o755)
    return directory


@pytest.fixture(autouse=True)
def tools_only_in_integration_tests(
    request: pytest.FixtureRequest, tool_stand_ins: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Outside integration tests, any tool run is recorded by a stand-in and fails the test."""
    if request.node.get_closest_marker("integration") is not None:
        yield
        return
    log = tmp_path_factory.mktemp("tool-guard") / "calls.log"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{tool_stand_ins}{os.pathsep}{os.environ.get('PATH', '')}")
        patch.setenv("TOOL_MARKS_GUARD_LOG", str(log))
        for variable in ("CHROMIUM", "PROMETHEUS"):
            patch.delenv(variable, raising=False)
        yield
    if log.exists():
        ran = sorted(set(log.read_text(encoding="utf-8").split()))
        pytest.fail(
            f"{request.node.nodeid} ran {', '.join(ran)} without the integration marker: "
            "mark it @pytest.mark.integration (tests/support/tool_marks.py did not see the call)",
            pytrace=False,
        )
