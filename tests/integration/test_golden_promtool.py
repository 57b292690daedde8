"""Every golden exposition passes `promtool check metrics`."""

from __future__ import annotations

import pytest

from tests.golden.scenarios import SCENARIOS
from tests.support.golden_common import golden_text
from tests.support.prometheus import assert_metrics_clean


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_promtool_accepts_the_golden(name: str) -> None:
    assert_metrics_clean(golden_text(name))
