"""The Helm chart helm/adobe-status-exporter, rendered and linted with the real Helm library
(helm-python-sdk: Helm v4's Go SDK in-process), every object validated against Kubernetes'
strict schemas and prometheus-operator's.

This file: chart metadata, lint, the objects' schemas, the values schema and its
documentation, the chart's copies of the dashboard and rules. The pod and its settings are in
test_helm_pod.py, the monitoring and network objects in test_helm_monitoring.py."""

from __future__ import annotations

import copy
import re
from typing import Any

import helm_python
import pytest

from tests.support.chart_values import (
    ALL_FEATURES,
    CLIENT_ID,
    CLIENT_SECRET,
    DEMO,
    EXISTING_SECRET,
    FEED,
    FEED_ALL_FEATURES,
    SCENARIOS,
    api,
    merged,
)
from tests.support.helm import (
    CHART_DIR,
    DASHBOARD_COPY,
    DASHBOARD_SOURCE,
    RELEASE,
    RULES_COPY,
    RULES_SOURCE,
    all_schema_errors,
    chart_metadata,
    lint,
    lint_errors,
    one,
    package_version,
    prometheus_operator_errors,
    render,
)

# Runs Helm (in-process) and node/npm (prometheus-operator validators).
pytestmark = pytest.mark.integration


# --- chart metadata, lint, and schema validity of every object ----------------------------


def test_chart_app_version_is_the_package_version() -> None:
    metadata = chart_metadata()
    assert metadata["apiVersion"] == "v2"
    assert metadata["appVersion"] == package_version()


@pytest.mark.parametrize("values", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_lint_reports_no_warnings_or_errors(values: dict[str, Any]) -> None:
    report = lint(values)
    assert report["total_charts_linted"] == 1
    assert lint_errors(report) == []


@pytest.mark.parametrize("values", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_every_rendered_object_meets_its_schema(values: dict[str, Any]) -> None:
    manifests = render(values)
    assert manifests
    assert all_schema_errors(manifests) == []


def test_objects_rendered_with_only_credentials_set() -> None:
    kinds = sorted(m["kind"] for m in render(api()))
    assert kinds == ["Deployment", "Secret", "Service", "ServiceAccount"]


def test_all_features_render_every_kind() -> None:
    kinds = sorted(m["kind"] for m in render(ALL_FEATURES))
    assert kinds == [
        "ConfigMap",
        "Deployment",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "PrometheusRule",
        "Secret",
        "Service",
        "ServiceAccount",
        "ServiceMonitor",
    ]


def test_the_validators_reject_an_invalid_object() -> None:
    """The schema checks above can fail: a broken ServiceMonitor and Deployment are caught."""
    manifests = render(ALL_FEATURES)
    service_monitor = copy.deepcopy(one(manifests, "ServiceMonitor"))
    service_monitor["spec"]["endpoints"][0]["interval"] = "every minute"
    misspelt = copy.deepcopy(one(manifests, "ServiceMonitor"))
    misspelt["metadata"]["name"] = "misspelt"
    misspelt["spec"]["endpoints"][0]["scrapeTimout"] = "10s"
    deployment = copy.deepcopy(one(manifests, "Deployment"))
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]["bogus"] = True
    errors = prometheus_operator_errors([service_monitor, misspelt])
    assert any("interval" in e for e in errors[f"ServiceMonitor/{RELEASE}-adobe-status-exporter"])
    assert any("scrapeTimout" in e for e in errors["ServiceMonitor/misspelt"])
    assert any("bogus" in e for e in all_schema_errors([deployment]))


# --- values schema -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"replicaCount": "three"}, "/replicaCount"),
        ({"exporter": {"logLevel": "loud"}}, "/exporter/logLevel"),
        ({"exporter": {"logFormat": "xml"}}, "/exporter/logFormat"),
        ({"replicas": 2}, "replicas"),
        ({"exporter": {"cacheTTL": 30}}, "cacheTTL"),
        ({"exporter": {"timeout": 0}}, "/exporter/timeout"),
        ({"exporter": {"products": "Adobe Analytics"}}, "/exporter/products"),
        ({"serviceMonitor": {"interval": "one minute"}}, "/serviceMonitor/interval"),
        ({"image": {"pullPolicy": "Sometimes"}}, "/image/pullPolicy"),
        ({"podAnnotations": {"example.com/flag": True}}, "/podAnnotations"),
        ({"podDisruptionBudget": {"maxUnavailable": "half"}}, "/podDisruptionBudget"),
    ],
    ids=[
        "replicaCount-string",
        "logLevel-unknown",
        "logFormat-unknown",
        "unknown-top-level-key",
        "unknown-nested-key",
        "timeout-zero",
        "products-not-a-list",
        "interval-not-a-duration",
        "pullPolicy-unknown",
        "annotation-not-a-string",
        "pdb-not-a-number-or-percent",
    ],
)
def test_schema_rejects_bad_values(values: dict[str, Any], complaint: str) -> None:
    with pytest.raises(helm_python.HelmValuesError) as caught:
        render(api(values))
    assert complaint in str(caught.value)
    assert lint_errors(lint(api(values))), "helm lint must report the bad value too"


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"source": "rss"}, "/source"),
        ({"source": "feed", "feedUrl": "data.status.adobe.com"}, "/feedUrl"),
        ({"source": "feed", "feedUrl": ""}, "/feedUrl"),
        ({"locale": "english please"}, "/locale"),
        ({"runbookBaseUrl": "wiki/runbook"}, "/runbookBaseUrl"),
        ({"runbookBaseUrl": "https://wiki.example.com/runbook#top"}, "/runbookBaseUrl"),
        ({"prometheusRule": {"job": 'adobe"} or vector(1)'}}, "/prometheusRule/job"),
    ],
    ids=[
        "source-unknown",
        "feedUrl-no-scheme",
        "feedUrl-empty",
        "locale-not-a-language",
        "runbook-not-a-url",
        "runbook-with-anchor",
        "job-breaks-out-of-promql-string",
    ],
)
def test_schema_rejects_bad_source_and_alerting_values(
    values: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(helm_python.HelmValuesError) as caught:
        render(api(values))
    assert complaint in str(caught.value)


#: Status API installs without a usable credential: the schema refuses them.
MISSING_CREDENTIALS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "explicit-api": {"source": "api"},
    "client-id-only": {"adobe": {"clientId": CLIENT_ID}},
    "client-secret-only": {"adobe": {"clientSecret": CLIENT_SECRET}},
    "existing-secret-without-client-id": merged(
        EXISTING_SECRET, {"adobe": {"existingSecretKeys": {"clientId": ""}}}
    ),
    "demo-off-explicitly": {"demo": {"enabled": False}},
}


@pytest.mark.parametrize("values", MISSING_CREDENTIALS.values(), ids=MISSING_CREDENTIALS)
def test_schema_demands_credentials_with_the_status_api(values: dict[str, Any]) -> None:
    with pytest.raises(helm_python.HelmValuesError) as caught:
        render(values)
    assert "/adobe" in str(caught.value)
    assert lint_errors(lint(values)), "helm lint must refuse it too"


#: Installs that need no credential, given none.
NO_CREDENTIALS_NEEDED: dict[str, dict[str, Any]] = {
    "feed": FEED,
    "feed-all-features": FEED_ALL_FEATURES,
    "demo": DEMO,
    "demo-feed": DEMO | FEED,
}


@pytest.mark.parametrize("values", NO_CREDENTIALS_NEEDED.values(), ids=NO_CREDENTIALS_NEEDED)
def test_schema_accepts_no_credentials_where_none_are_needed(values: dict[str, Any]) -> None:
    assert "adobe" not in values
    assert render(values)
    assert lint_errors(lint(values)) == []


def test_schema_log_choices_are_the_exporter_choices() -> None:
    """The schema's enums are exactly what the exporter's --log.level/--log.format accept."""
    from exporter.logs import FORMATS, LEVELS

    with helm_python.Chart.load(CHART_DIR) as chart:
        schema = chart.schema
    assert schema is not None
    exporter = schema["properties"]["exporter"]["properties"]
    assert exporter["logLevel"]["enum"] == list(LEVELS)
    assert exporter["logFormat"]["enum"] == list(FORMATS)


def test_schema_accepts_a_global_section_from_a_parent_chart() -> None:
    render(api({"global": {"imageRegistry": "registry.example.com"}}))


# --- copies of the dashboard and the rules ------------------------------------------------------


@pytest.mark.parametrize(
    ("copy_path", "source"),
    [(DASHBOARD_COPY, DASHBOARD_SOURCE), (RULES_COPY, RULES_SOURCE)],
    ids=["dashboard", "rules"],
)
def test_chart_copies_equal_their_sources_byte_for_byte(copy_path: Any, source: Any) -> None:
    assert source.is_file(), f"{source} is missing"
    assert copy_path.read_bytes() == source.read_bytes(), (
        f"{copy_path} differs from {source}: run `make sync-chart`"
    )


# --- values.yaml documentation -----------------------------------------------------------------


#: Values that are Kubernetes objects passed through as they are: their inner keys follow
#: the Kubernetes API documentation, not ours.
PASSTHROUGH_VALUES = {
    "podSecurityContext",
    "securityContext",
    "resources",
    "livenessProbe",
    "readinessProbe",
}


def test_every_value_is_documented_by_a_comment() -> None:
    lines = (CHART_DIR / "values.yaml").read_text(encoding="utf-8").splitlines()
    key = re.compile(r"^( *)([A-Za-z][A-Za-z0-9]*):")
    parents: list[tuple[int, str]] = []
    undocumented = []
    for index, line in enumerate(lines):
        match = key.match(line)
        if not match:
            continue
        indent, name = len(match.group(1)), match.group(2)
        while parents and parents[-1][0] >= indent:
            parents.pop()
        path = [parent for _, parent in parents] + [name]
        parents.append((indent, name))
        if any(parent in PASSTHROUGH_VALUES for parent in path[:-1]):
            continue
        above = [previous.strip() for previous in lines[:index] if previous.strip()]
        if not above or not above[-1].startswith("#"):
            undocumented.append(".".join(path))
    assert undocumented == []
