"""Golden expositions (tests/golden/*.prom): a fresh rendering of each fixed scenario has its
file's families and samples, parsed (and equals it byte for byte: the diff a reviewer reads),
each file passes `promtool check metrics`, and together they show every metric family of
the contract. How they are made deterministic: tests/golden/__init__.py.
"""

from __future__ import annotations

import pytest

from tests.golden.scenarios import SCENARIOS
from tests.support.golden_common import golden_text
from tests.support.prometheus import assert_metrics_clean


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_promtool_accepts_the_golden(name: str) -> None:
    assert_metrics_clean(golden_text(name))
