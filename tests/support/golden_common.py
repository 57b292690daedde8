"""What the unit and the integration tests of golden share."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.golden import REGENERATE, golden_path


def golden_text(name: str) -> str:
    path = golden_path(name)
    assert path.is_file(), f"{path} is missing; create it with `{REGENERATE}`"
    return path.read_bytes().decode("utf-8")


Sample = tuple[str, frozenset[tuple[str, str]]]


def parsed(text: str) -> tuple[dict[str, tuple[str, str]], dict[Sample, float]]:
    """(family -> (type, help), (sample name, labels) -> value) of an exposition."""
    families: dict[str, tuple[str, str]] = {}
    samples: dict[Sample, float] = {}
    for family in text_string_to_metric_families(text):
        families[family.name] = (family.type, family.documentation)
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return families, samples


def value(text: str, name: str, **labels: str) -> float | None:
    """One sample of an exposition, or None when it is not there."""
    return parsed(text)[1].get((name, frozenset(labels.items())))
