"""Expositions of generated worlds (hostile names, ids and texts included) pass
`promtool check metrics`.
"""

from __future__ import annotations

import json
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from exporter.model.report import StatusReport
from exporter.model.vocabulary import State
from tests.support import payloads as p
from tests.support.prometheus import assert_metrics_clean
from tests.support.properties_common import (
    PROFILE,
    SPEC,
    Sample,
    events_drifted,
    exposition,
    read,
    samples,
)
from tests.support.spec_strategies import (
    World,
    raw_worlds,
    worlds,
)


def assert_no_duplicate_series(parsed: list[Sample]) -> None:
    series = Counter((name, frozenset(labels.items())) for name, labels, _ in parsed)
    assert not [key for key, count in series.items() if count > 1]


# --- 4. promtool accepts every exposition -----------------------------------------------


@settings(PROFILE, max_examples=20)
@given(worlds(SPEC) | raw_worlds(SPEC, feed=False) | raw_worlds(SPEC, feed=True))
def test_promtool_accepts_every_exposition(world: World) -> None:
    if events_drifted(world):
        return  # ShapeError: no exposition of statuses (see the up-1 test above)
    text = exposition(read(world, any_catalog=True).summary)
    assert_metrics_clean(text)
    assert_no_duplicate_series(samples(text))


# --- 5. hostile label values ------------------------------------------------------------

HOSTILE_PIECES = st.sampled_from(
    [
        *('"', "\\", "\n", "\\n", '\\"', "", " ", "\t", "\r\n", "é", "🦀", "\u2028", "\x00"),
        *("\ufeff", '{a="b"}', 'x",y="', "# HELP x", "} 1\nfake_metric 1", "a\\", "\x1b[31m"),
    ]
)
HOSTILE_TEXT = st.lists(HOSTILE_PIECES | st.text(max_size=4), min_size=1, max_size=3).map("".join)

LabelSet = tuple[tuple[str, str], ...]


def expected_label_sets(summary: StatusReport) -> dict[str, set[LabelSet]]:
    """The label sets the contract promises, from the summary's own (already parsed) values."""
    expected: dict[str, set[LabelSet]] = {
        "adobe_status_product_status": set(),
        "adobe_status_region_status": set(),
        "adobe_status_event_info": set(),
    }
    for status in summary.products:
        product = status.product
        ids = (("cloud", product.cloud), ("product", product.name), ("product_id", product.id))
        expected["adobe_status_product_status"].add(ids)
        for region, _ in status.regions.values():
            expected["adobe_status_region_status"].add(
                (*ids, ("region", region.name), ("region_id", region.id))
            )
    first: dict[tuple[str, str, str], LabelSet] = {}
    for impact, product in summary.events:
        # One series per event and product: a product listed twice keeps its first listing.
        first.setdefault(
            (impact.event_id, impact.kind, product.id),
            (
                ("event_id", impact.event_id),
                ("kind", impact.kind),
                ("product", product.name),
                ("product_id", product.id),
                ("severity", impact.severity),
                ("status", impact.status),
            ),
        )
    expected["adobe_status_event_info"] = set(first.values())
    return expected


@settings(PROFILE, max_examples=15)
@given(worlds(SPEC, text=HOSTILE_TEXT))
def test_hostile_names_and_ids_survive_the_exposition(world: World) -> None:
    summary = read(world).summary
    text = exposition(summary)
    assert_metrics_clean(text)
    parsed = samples(text)
    assert_no_duplicate_series(parsed)
    for name, label_sets in expected_label_sets(summary).items():
        got = {tuple(sorted(labels.items())) for sample, labels, _ in parsed if sample == name}
        assert got == label_sets, name


@settings(PROFILE, max_examples=10)
@given(st.tuples(st.text(max_size=3), st.characters(categories=["Cs"]), st.text(max_size=3)))
def test_lone_surrogates_from_json_escapes_do_not_break_the_exposition(
    pieces: tuple[str, str, str],
) -> None:
    # Python's json module decodes "\ud800" to a lone surrogate, which UTF-8 cannot encode:
    # a name like that must not cost the whole scrape.
    name = "".join(pieces)
    products, clouds, payload = json.loads(
        json.dumps(
            [
                [{"id": "503467", "name": name, "regions": [{"id": "eu", "name": name}]}],
                [{"id": "503461", "name": name, "cloudProducts": [{"id": "503467"}]}],
                p.events([p.incident(name, [p.incident_product(name=name)])]),
            ]
        )
    )
    text = exposition(read(World(products, clouds, payload, feed=False)).summary)
    assert_metrics_clean(text)
    states = [
        value
        for sample, labels, value in samples(text)
        if sample == "adobe_status_product_status" and labels["product_id"] == "503467"
    ]
    assert states == [State.MAJOR]
