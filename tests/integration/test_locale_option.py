"""`--locale` / ADOBE_STATUS_LOCALE as users give it: a real process, exit 2 on a bad tag."""

from __future__ import annotations

import pytest

from tests.support.process import clean_env, run

pytestmark = pytest.mark.integration

CREDENTIALS = ("--client-id", "x", "--client-secret", "y")


def test_help_documents_locale_with_its_environment_variable_and_default() -> None:
    result = run("serve", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "--locale" in text and "ADOBE_STATUS_LOCALE" in text
    assert "default: en" in text


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--locale", "fr/../../x"], {}),
        (["--locale", "<script>"], {}),
        (["--locale", ""], {}),
        ([], {"ADOBE_STATUS_LOCALE": "english please"}),
    ],
)
def test_bad_locale_exits_2_with_one_line_naming_the_option(
    args: list[str], env: dict[str, str]
) -> None:
    result = run("serve", *CREDENTIALS, *args, env=clean_env(**env))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "--locale" in lines[0]
    assert "Traceback" not in result.stderr
