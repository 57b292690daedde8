"""tests/README.md's map of where each module is tested stays true to the tree."""

from __future__ import annotations

import re

from tests.support.paths import REPO

README = REPO / "tests" / "README.md"
ROW = re.compile(r"^\| (?P<modules>[^|]+) \| (?P<tests>[^|]+) \|$", re.M)


def rows() -> list[tuple[list[str], list[str]]]:
    section = README.read_text(encoding="utf-8").split("## Where each module is tested", 1)[1]
    section = section.split("\n## ", 1)[0]
    found = []
    for match in ROW.finditer(section):
        modules = re.findall(r"`([^`]+)`", match["modules"])
        tests = re.findall(r"`([^`]+\.py)`", match["tests"])
        if modules and tests:
            found.append((modules, tests))
    return found


def test_every_model_and_source_module_has_its_row() -> None:
    listed = {module for modules, _ in rows() for module in modules}
    core = [
        path.relative_to(REPO / "exporter").with_suffix("").as_posix()
        for folder in ("model", "sources")
        for path in (REPO / "exporter" / folder).rglob("*.py")
        if path.name != "__init__.py"
    ]
    assert core, "no module found under exporter/model and exporter/sources"
    assert sorted(set(core) - listed) == []


def test_every_module_and_test_file_named_exists() -> None:
    found = rows()
    assert len(found) > 20
    for modules, tests in found:
        for module in modules:
            path = REPO / "exporter" / module.rstrip("/")
            assert path.is_dir() or path.with_suffix(".py").is_file(), module
        for test in tests:
            assert (REPO / "tests" / test).is_file(), test
