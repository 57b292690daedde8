"""Helpers for the Helm chart tests: render and lint with the real Helm library, validate
what comes out against Kubernetes' and prometheus-operator's schemas.

Helm is driven in-process through ``helm-python-sdk`` (``import helm_python``), which binds
the Helm v4 Go SDK compiled into a shared library shipped inside its wheel: no ``helm``
binary and no network are involved.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import helm_python
import kubernetes_validate
import yaml

from tests.support.paths import REPO

REPO_ROOT = REPO
CHART_DIR = REPO_ROOT / "helm" / "adobe-status-exporter"
SCHEMAS_DIR = Path(__file__).resolve().parents[1] / "k8s_schemas"

#: The chart's copies and the repository files they must equal byte for byte.
DASHBOARD_COPY = CHART_DIR / "files" / "adobe-status.json"
DASHBOARD_SOURCE = REPO_ROOT / "grafana" / "adobe-status.json"
RULES_COPY = CHART_DIR / "files" / "alerts.yml"
RULES_SOURCE = REPO_ROOT / "prometheus" / "alerts.yml"

RELEASE = "adobe"
NAMESPACE = "monitoring"

#: Kubernetes versions every rendered object is validated against: the oldest the chart
#: claims (Chart.yaml kubeVersion) and the newest kubernetes-validate ships.
KUBE_VERSIONS: tuple[str, ...] = ("1.25", kubernetes_validate.latest_version())

Manifest = dict[str, Any]


def render_raw(
    values: Mapping[str, Any] | None = None,
    *,
    release: str = RELEASE,
    namespace: str = NAMESPACE,
) -> dict[str, str]:
    """Render the chart like ``helm template``: template path -> rendered text.

    Values are checked against values.schema.json first, as ``helm install`` does
    (``helm_python.HelmValuesError`` when they do not meet it).
    """
    with helm_python.Chart.load(CHART_DIR) as chart:
        return chart.render(
            dict(values) if values is not None else None,
            name=release,
            namespace=namespace,
            is_install=True,
        )


def render(
    values: Mapping[str, Any] | None = None,
    *,
    release: str = RELEASE,
    namespace: str = NAMESPACE,
) -> list[Manifest]:
    """Render the chart and parse every manifest (NOTES.txt and empty documents left out)."""
    manifests: list[Manifest] = []
    for path, text in sorted(render_raw(values, release=release, namespace=namespace).items()):
        if not path.endswith((".yaml", ".yml")):
            continue
        for document in yaml.safe_load_all(text):
            if document is not None:
                manifests.append(document)
    return manifests


def notes(values: Mapping[str, Any] | None = None) -> str:
    """The rendered NOTES.txt."""
    rendered = render_raw(values)
    return next(text for path, text in rendered.items() if path.endswith("/NOTES.txt"))


def lint(values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``helm lint --strict`` of the chart directory; findings come back as data."""
    return helm_python.lint(
        CHART_DIR,
        dict(values) if values is not None else None,
        strict=True,
        namespace=NAMESPACE,
    )


def lint_errors(report: Mapping[str, Any]) -> list[str]:
    """Lint findings of severity warning (2) or error (3), plus the report's errors."""
    found = [
        f"{message['path']}: {message['error']}"
        for message in report.get("messages", [])
        if message.get("severity", 0) >= 2
    ]
    return found + [str(error) for error in report.get("errors", [])]


def by_kind(manifests: Iterable[Manifest], kind: str) -> list[Manifest]:
    """The manifests of one kind."""
    return [m for m in manifests if m.get("kind") == kind]


def one(manifests: Iterable[Manifest], kind: str) -> Manifest:
    """The single manifest of ``kind``; fails when there are none or several."""
    found = by_kind(manifests, kind)
    assert len(found) == 1, f"expected one {kind}, got {len(found)}"
    return found[0]


def exporter_container(manifests: Iterable[Manifest]) -> dict[str, Any]:
    """The exporter container of the Deployment."""
    containers = one(manifests, "Deployment")["spec"]["template"]["spec"]["containers"]
    matching = [c for c in containers if c["name"] == "exporter"]
    assert len(matching) == 1, f"expected one container named exporter in {containers}"
    container: dict[str, Any] = matching[0]
    return container


def env_of(container: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Container env as name -> EnvVar; fails on duplicate names."""
    env: dict[str, dict[str, Any]] = {}
    for item in container.get("env", []):
        assert item["name"] not in env, f"duplicate env var {item['name']}"
        env[item["name"]] = item
    return env


def is_prometheus_operator_object(manifest: Mapping[str, Any]) -> bool:
    """True for monitoring.coreos.com objects (ServiceMonitor, PrometheusRule, ...)."""
    return str(manifest.get("apiVersion", "")).startswith("monitoring.coreos.com/")


def kubernetes_errors(manifest: Manifest, version: str) -> list[str]:
    """Errors of a built-in Kubernetes object against that version's strict schema.

    An unknown kind is an error here (the kubernetes-validate CLI only warns about it).
    """
    try:
        kubernetes_validate.validate(manifest, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        where = ".".join(str(part) for part in error.path)
        return [f"{manifest['kind']}/{manifest['metadata']['name']} {where}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError as error:
        return [error.message]
    return []


def ensure_node_modules() -> None:
    """Install the prometheus-operator validators (``npm ci``) when node_modules is missing."""
    if (SCHEMAS_DIR / "node_modules" / "@kubernetes-models" / "prometheus-operator").is_dir():
        return
    npm = shutil.which("npm")
    assert npm is not None, "npm is needed to install tests/k8s_schemas"
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=SCHEMAS_DIR,
        check=True,
        timeout=300,
    )


def prometheus_operator_errors(manifests: list[Manifest]) -> dict[str, list[str]]:
    """Validate monitoring.coreos.com objects with @kubernetes-models/prometheus-operator.

    Returns ``{"Kind/name": [errors]}`` with an entry for every object given.
    """
    ensure_node_modules()
    node = shutil.which("node")
    assert node is not None, "node is needed to validate prometheus-operator objects"
    completed = subprocess.run(
        [node, str(SCHEMAS_DIR / "validate.mjs")],
        input=json.dumps(manifests),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    results = json.loads(completed.stdout)
    assert len(results) == len(manifests), completed.stdout
    return {f"{r['kind']}/{r['name']}": list(r["errors"]) for r in results}


def all_schema_errors(manifests: list[Manifest]) -> list[str]:
    """Every schema error of a rendered release: built-in kinds against each of
    KUBE_VERSIONS (strict), monitoring.coreos.com kinds against prometheus-operator's."""
    errors: list[str] = []
    builtin = [m for m in manifests if not is_prometheus_operator_object(m)]
    custom = [m for m in manifests if is_prometheus_operator_object(m)]
    for version in KUBE_VERSIONS:
        for manifest in builtin:
            errors.extend(f"[k8s {version}] {e}" for e in kubernetes_errors(manifest, version))
    if custom:
        for name, found in prometheus_operator_errors(custom).items():
            errors.extend(f"[prometheus-operator] {name}: {e}" for e in found)
    return errors


def package_version() -> str:
    """``__version__`` of the exporter package, read from its source (no import)."""
    source = (REPO_ROOT / "exporter" / "__init__.py").read_text(encoding="utf-8")
    for line in source.splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise AssertionError("exporter/__init__.py has no __version__")


def chart_metadata() -> dict[str, Any]:
    """Chart.yaml, parsed."""
    metadata: dict[str, Any] = yaml.safe_load((CHART_DIR / "Chart.yaml").read_text("utf-8"))
    return metadata
