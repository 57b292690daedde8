"""The README is a front page a user reads whole: short, and true to the command line, the
option declarations, the Prometheus example and the files it links."""

from __future__ import annotations

import re

import yaml

from exporter.cli import cli
from exporter.cli.declare import Opt
from exporter.cli.options import FRESHNESS, LOG, SELECTION, UPSTREAM, WEB
from tests.support.paths import REPO
from tests.support.prometheus import EXAMPLE_CONFIG, EXAMPLE_JOB

README = (REPO / "README.md").read_text(encoding="utf-8")
MAX_WORDS = 1500
DECLARED: dict[str, Opt] = {
    opt.flag: opt for group in (UPSTREAM, SELECTION, FRESHNESS, WEB, LOG) for opt in group.options
}


def table_after(header: str) -> list[list[str]]:
    """The cells of the markdown table whose header row starts with `header`."""
    lines = README[README.index(header) :].splitlines()
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_readme_is_at_most_1500_words() -> None:
    assert len(README.split()) <= MAX_WORDS


def test_the_command_table_lists_every_command_with_its_own_summary() -> None:
    listed = {name.strip("`"): summary for name, summary in table_after("| command |")}
    assert listed == {
        name: command.get_short_help_str(limit=1000) for name, command in cli.commands.items()
    }


def shown(opt: Opt) -> str:
    """A declaration's default as the README's table writes it."""
    if opt.default is None:
        return "none"
    if isinstance(opt.default, float):
        return f"`{opt.default:g}`"
    return f"`{opt.default}`"


def test_each_default_in_the_options_table_is_the_declared_one() -> None:
    rows = table_after("| option | environment | default |")
    assert len(rows) >= 10
    for flag, envvar, default, _ in rows:
        opt = DECLARED[flag.strip("`")]
        assert envvar.strip("`") == opt.envvar, flag
        if opt.multiple:
            assert default.startswith("all "), flag
        elif opt.flag == "--cache-ttl":
            assert default == "`0` (api), `60` (feed)"
        else:
            assert default == shown(opt), flag


def test_the_scrape_snippet_names_the_job_of_the_example_and_the_rules() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", README, re.S)
    [snippet] = [yaml.safe_load(block) for block in blocks if "scrape_configs" in block]
    example = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    assert [job["job_name"] for job in snippet["scrape_configs"]] == [EXAMPLE_JOB]
    assert snippet["rule_files"] == example["rule_files"]
    assert f'sed -i \'s/job="{EXAMPLE_JOB}"/job="my-job"/g\' prometheus/alerts.yml' in README


def test_the_readme_says_make_demo_stays_in_the_foreground() -> None:
    assert "`make demo` stays in the foreground" in README and "Ctrl-C" in README


def test_every_relative_link_leads_to_a_file() -> None:
    links = re.findall(r"\]\(((?!https?:|#)[^)]+)\)", README)
    assert links
    missing = [link for link in links if not (REPO / link.split("#")[0]).exists()]
    assert missing == []


def test_every_link_inside_the_moved_docs_leads_to_a_file() -> None:
    for page in ("adobe-setup", "configuration", "metrics", "dashboard-alerts-helm", "development"):
        text = (REPO / "docs" / f"{page}.md").read_text(encoding="utf-8")
        for link in re.findall(r"\]\(((?!https?:|#)[^)]+)\)", text):
            assert (REPO / "docs" / link.split("#")[0]).exists(), (page, link)
