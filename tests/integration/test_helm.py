"""The Helm chart helm/adobe-status-exporter, rendered and linted with the real Helm library
(helm-python-sdk: Helm v4's Go SDK in-process), every object validated against Kubernetes'
strict schemas and prometheus-operator's."""

from __future__ import annotations

import base64
import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import helm_python
import pytest
import yaml

from tests.support.helm import (
    CHART_DIR,
    DASHBOARD_COPY,
    DASHBOARD_SOURCE,
    NAMESPACE,
    RELEASE,
    RULES_COPY,
    RULES_SOURCE,
    Manifest,
    all_schema_errors,
    by_kind,
    chart_metadata,
    env_of,
    exporter_container,
    lint,
    lint_errors,
    notes,
    one,
    package_version,
    prometheus_operator_errors,
    render,
)

# Runs Helm (in-process) and node/npm (prometheus-operator validators): not a unit test.
pytestmark = pytest.mark.integration

CLIENT_ID = "0123456789abcdef0123456789abcdef"
CLIENT_SECRET = "p8e-Zx9_VeryS3cretValue"
SECRET_DIR = "/etc/adobe-status-exporter/secrets"
UID = 10001

INLINE_CREDENTIALS: dict[str, Any] = {
    "adobe": {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET},
}
EXISTING_SECRET: dict[str, Any] = {
    "adobe": {
        "existingSecret": "adobe-status-credentials",
        "existingSecretKeys": {"clientId": "id", "clientSecret": "secret"},
    },
}
DEMO: dict[str, Any] = {"demo": {"enabled": True}}
FEED: dict[str, Any] = {"source": "feed"}
ALL_FEATURES: dict[str, Any] = {
    "replicaCount": 2,
    "adobe": {
        "clientId": CLIENT_ID,
        "clientSecret": CLIENT_SECRET,
        "scopes": "openid,AdobeID",
        "imsTokenUrl": "https://ims-na1.adobelogin.com/ims/token/v3",
        "apiUrl": "https://status.adobe.io",
    },
    "image": {
        "repository": "registry.example.com/monitoring/adobe-status-exporter",
        "digest": "sha256:" + "a" * 64,
        "pullPolicy": "Always",
        "pullSecrets": ["registry-credentials"],
    },
    "exporter": {
        "products": ["Adobe Experience Manager", "Adobe Analytics"],
        "clouds": ["Experience Cloud"],
        "regions": ["Americas", "EMEA"],
        "timeout": 5,
        "cacheTtl": 30,
        "maxStale": 600,
        "logLevel": "debug",
        "logFormat": "json",
    },
    "extraArgs": ["--registry-ttl=7200"],
    "extraEnv": [{"name": "HTTPS_PROXY", "value": "http://proxy.example.com:3128"}],
    "extraVolumes": [{"name": "web-config", "secret": {"secretName": "adobe-web-config"}}],
    "extraVolumeMounts": [{"name": "web-config", "mountPath": "/etc/web", "readOnly": True}],
    "serviceAccount": {"annotations": {"example.com/team": "observability"}},
    "service": {"annotations": {"example.com/owner": "sre"}, "labels": {"tier": "monitoring"}},
    "podAnnotations": {"example.com/scrape-note": "via ServiceMonitor"},
    "podLabels": {"team": "sre"},
    "priorityClassName": "monitoring-low",
    "nodeSelector": {"kubernetes.io/os": "linux"},
    "tolerations": [
        {"key": "dedicated", "operator": "Equal", "value": "monitoring", "effect": "NoSchedule"}
    ],
    "affinity": {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}
                        ]
                    }
                ]
            }
        }
    },
    "topologySpreadConstraints": [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "adobe-status-exporter"}},
        }
    ],
    "serviceMonitor": {
        "enabled": True,
        "namespace": "observability",
        "additionalLabels": {"release": "kube-prometheus-stack"},
        "interval": "2m",
        "scrapeTimeout": "45s",
        "honorLabels": True,
        "relabelings": [
            {"targetLabel": "source", "replacement": "adobe", "action": "replace"},
        ],
        "metricRelabelings": [
            {
                "sourceLabels": ["__name__"],
                "regex": "adobe_status_api_request_duration_seconds_bucket",
                "action": "drop",
            }
        ],
    },
    "prometheusRule": {
        "enabled": True,
        "additionalLabels": {"release": "kube-prometheus-stack"},
    },
    "grafanaDashboard": {
        "enabled": True,
        "folder": "Vendors",
        "additionalLabels": {"team": "sre"},
    },
    "podDisruptionBudget": {"enabled": True, "minAvailable": 1},
    "networkPolicy": {
        "enabled": True,
        "ingressFrom": [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "observability"}}}
        ],
        "extraEgress": [
            {
                "to": [{"ipBlock": {"cidr": "10.0.0.10/32"}}],
                "ports": [{"port": 3128, "protocol": "TCP"}],
            }
        ],
    },
}


def without_credentials(values: dict[str, Any]) -> dict[str, Any]:
    """`values` with nothing of the Adobe credentials left in them."""
    result = copy.deepcopy(values)
    result.pop("adobe", None)
    return result


#: Every feature with the public feed as the source: no credentials given at all.
FEED_ALL_FEATURES: dict[str, Any] = without_credentials(ALL_FEATURES) | FEED

#: Value sets a user installs with (the defaults alone are not one: with the Status API,
#: the default source, the schema demands credentials).
SCENARIOS: dict[str, dict[str, Any]] = {
    "inline-credentials": INLINE_CREDENTIALS,
    "existing-secret": EXISTING_SECRET,
    "demo": DEMO,
    "all-features": ALL_FEATURES,
    "feed": FEED,
    "feed-all-features": FEED_ALL_FEATURES,
    "demo-feed": DEMO | FEED,
}


def merged(*layers: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge value layers, later ones winning."""
    result: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, dict) and isinstance(result.get(key), dict):
                result[key] = merged(result[key], value)
            else:
                result[key] = copy.deepcopy(value)
    return result


def api(*layers: dict[str, Any]) -> dict[str, Any]:
    """The least a Status API install needs (credentials), with `layers` on top."""
    return merged(INLINE_CREDENTIALS, *layers)


def pod_spec(manifests: list[Manifest]) -> dict[str, Any]:
    spec: dict[str, Any] = one(manifests, "Deployment")["spec"]["template"]["spec"]
    return spec


def pod_annotations(manifests: list[Manifest]) -> dict[str, str]:
    metadata = one(manifests, "Deployment")["spec"]["template"]["metadata"]
    annotations: dict[str, str] = metadata.get("annotations", {})
    return annotations


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


# --- the pod: security, probes, ports, image ------------------------------------------------


@pytest.mark.parametrize("values", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_pod_is_hardened(values: dict[str, Any]) -> None:
    manifests = render(values)
    pod = pod_spec(manifests)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == UID
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    for container in pod["containers"]:
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True
        assert context["runAsUser"] == UID
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
        assert context.get("privileged", False) is False
        assert container["resources"]["requests"]["cpu"]
        assert container["resources"]["requests"]["memory"]
        assert container["resources"]["limits"]["memory"]
        assert container["resources"]["limits"]["cpu"]


def test_chart_uid_is_the_image_uid() -> None:
    dockerfile = (CHART_DIR.parent.parent / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert users, "the Dockerfile sets no USER"
    assert users[-1].split(":")[0] == str(UID)


def test_probes_use_health_and_ready_endpoints_on_the_http_port() -> None:
    container = exporter_container(render(api()))
    assert container["livenessProbe"]["httpGet"] == {"path": "/-/healthy", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/-/ready", "port": "http"}
    assert container["ports"] == [{"name": "http", "containerPort": 9720, "protocol": "TCP"}]
    env = env_of(container)
    assert env["ADOBE_STATUS_EXPORTER_LISTEN_ADDRESS"]["value"] == "0.0.0.0:9720"


def test_service_targets_the_http_port_of_the_exporter_pods() -> None:
    manifests = render(api())
    service = one(manifests, "Service")
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 9720, "targetPort": "http", "protocol": "TCP"}
    ]
    pod_labels = one(manifests, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()


def test_read_only_root_has_a_writable_tmp() -> None:
    container = exporter_container(render(api()))
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod_spec(render(api()))["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]


def test_image_tag_defaults_to_app_version() -> None:
    container = exporter_container(render(api()))
    assert container["image"] == f"adobe-status-exporter:{chart_metadata()['appVersion']}"
    assert container["args"] == ["serve"]


def test_image_tag_and_digest_can_be_set() -> None:
    tagged = exporter_container(
        render(api({"image": {"repository": "r.example/a", "tag": "9.9.9"}}))
    )
    assert tagged["image"] == "r.example/a:9.9.9"
    pinned = exporter_container(render(ALL_FEATURES))
    assert pinned["image"] == ALL_FEATURES["image"]["repository"] + "@sha256:" + "a" * 64
    assert pinned["imagePullPolicy"] == "Always"
    assert pod_spec(render(ALL_FEATURES))["imagePullSecrets"] == [{"name": "registry-credentials"}]


def test_scheduling_and_pod_metadata_values_reach_the_pod() -> None:
    manifests = render(ALL_FEATURES)
    pod = pod_spec(manifests)
    assert pod["nodeSelector"] == ALL_FEATURES["nodeSelector"]
    assert pod["tolerations"] == ALL_FEATURES["tolerations"]
    assert pod["affinity"] == ALL_FEATURES["affinity"]
    assert pod["topologySpreadConstraints"] == ALL_FEATURES["topologySpreadConstraints"]
    assert pod["priorityClassName"] == "monitoring-low"
    template = one(manifests, "Deployment")["spec"]["template"]["metadata"]
    assert template["labels"]["team"] == "sre"
    assert template["annotations"]["example.com/scrape-note"] == "via ServiceMonitor"
    assert "checksum/secret" in template["annotations"]
    assert one(manifests, "Deployment")["spec"]["replicas"] == 2


def test_default_scheduling_values_have_the_right_types() -> None:
    values = chart_metadata_values()
    assert values["nodeSelector"] == {}
    assert values["tolerations"] == []
    assert values["affinity"] == {}
    pod = pod_spec(render(api()))
    assert "nodeSelector" not in pod
    assert "tolerations" not in pod
    assert "affinity" not in pod
    assert "priorityClassName" not in pod


def chart_metadata_values() -> dict[str, Any]:
    with helm_python.Chart.load(CHART_DIR) as chart:
        return chart.values


# --- exporter settings -----------------------------------------------------------------------


def test_exporter_settings_become_environment_variables() -> None:
    container = exporter_container(render(ALL_FEATURES))
    env = {name: item.get("value") for name, item in env_of(container).items()}
    assert env["ADOBE_STATUS_PRODUCTS"] == "Adobe Experience Manager,Adobe Analytics"
    assert env["ADOBE_STATUS_CLOUDS"] == "Experience Cloud"
    assert env["ADOBE_STATUS_REGIONS"] == "Americas,EMEA"
    assert env["ADOBE_STATUS_TIMEOUT"] == "5"
    assert env["ADOBE_STATUS_CACHE_TTL"] == "30"
    assert env["ADOBE_STATUS_MAX_STALE"] == "600"
    assert env["ADOBE_STATUS_LOG_LEVEL"] == "debug"
    assert env["ADOBE_STATUS_LOG_FORMAT"] == "json"
    assert env["ADOBE_SCOPES"] == "openid,AdobeID"
    assert env["ADOBE_IMS_TOKEN_URL"] == "https://ims-na1.adobelogin.com/ims/token/v3"
    assert env["ADOBE_STATUS_API_URL"] == "https://status.adobe.io"
    assert env["HTTPS_PROXY"] == "http://proxy.example.com:3128"
    assert container["args"] == ["serve", "--registry-ttl=7200"]
    assert {"name": "web-config", "mountPath": "/etc/web", "readOnly": True} in container[
        "volumeMounts"
    ]


def test_default_settings_match_the_exporter_defaults_and_leave_filters_unset() -> None:
    env = {n: i.get("value") for n, i in env_of(exporter_container(render(api()))).items()}
    assert env["ADOBE_STATUS_SOURCE"] == "api"
    assert env["ADOBE_STATUS_LOCALE"] == "en"
    assert "ADOBE_STATUS_FEED_URL" not in env
    assert env["ADOBE_STATUS_TIMEOUT"] == "10"
    assert env["ADOBE_STATUS_CACHE_TTL"] == "0"
    assert env["ADOBE_STATUS_MAX_STALE"] == "300"
    assert env["ADOBE_STATUS_LOG_LEVEL"] == "info"
    assert env["ADOBE_STATUS_LOG_FORMAT"] == "text"
    for unset in (
        "ADOBE_STATUS_PRODUCTS",
        "ADOBE_STATUS_CLOUDS",
        "ADOBE_STATUS_REGIONS",
        "ADOBE_SCOPES",
        "ADOBE_IMS_TOKEN_URL",
        "ADOBE_STATUS_API_URL",
    ):
        assert unset not in env


def test_large_and_fractional_numbers_render_as_plain_decimals() -> None:
    values = api({"exporter": {"maxStale": 1000000, "timeout": 2.5}})
    env = {n: i.get("value") for n, i in env_of(exporter_container(render(values))).items()}
    assert env["ADOBE_STATUS_MAX_STALE"] == "1000000"
    assert env["ADOBE_STATUS_TIMEOUT"] == "2.5"


# --- credentials -----------------------------------------------------------------------------


def secret_volume(manifests: list[Manifest]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The volume holding the client secret and its mount in the exporter container."""
    container = exporter_container(manifests)
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert SECRET_DIR in mounts, f"no mount at {SECRET_DIR}"
    mount = mounts[SECRET_DIR]
    volumes = {v["name"]: v for v in pod_spec(manifests)["volumes"]}
    return volumes[mount["name"]], mount


def assert_secret_only_in_secret_objects(manifests: list[Manifest], secret: str) -> None:
    encoded = base64.b64encode(secret.encode()).decode()
    for manifest in manifests:
        if manifest["kind"] == "Secret":
            continue
        text = json.dumps(manifest)
        assert secret not in text, f"{manifest['kind']} carries the client secret"
        assert encoded not in text, f"{manifest['kind']} carries the encoded client secret"


@pytest.mark.parametrize(
    "values",
    [INLINE_CREDENTIALS, EXISTING_SECRET, ALL_FEATURES],
    ids=["inline", "existing-secret", "all-features"],
)
def test_client_secret_is_a_mounted_file_never_an_env_value(values: dict[str, Any]) -> None:
    manifests = render(values)
    container = exporter_container(manifests)
    env = env_of(container)
    assert env["ADOBE_CLIENT_SECRET_FILE"]["value"] == f"{SECRET_DIR}/client-secret"
    assert "ADOBE_CLIENT_SECRET" not in env
    volume, mount = secret_volume(manifests)
    assert mount["readOnly"] is True
    assert [item["path"] for item in volume["secret"]["items"]] == ["client-secret"]
    for item in container["env"]:
        assert CLIENT_SECRET not in str(item.get("value", ""))
    assert all(CLIENT_SECRET not in arg for arg in container["args"])
    assert_secret_only_in_secret_objects(manifests, CLIENT_SECRET)


def test_inline_credentials_render_a_secret_and_reference_it() -> None:
    manifests = render(INLINE_CREDENTIALS)
    secret = one(manifests, "Secret")
    assert base64.b64decode(secret["data"]["client-id"]).decode() == CLIENT_ID
    assert base64.b64decode(secret["data"]["client-secret"]).decode() == CLIENT_SECRET
    name = secret["metadata"]["name"]
    volume, _ = secret_volume(manifests)
    assert volume["secret"]["secretName"] == name
    assert volume["secret"]["items"][0]["key"] == "client-secret"
    client_id = env_of(exporter_container(manifests))["ADOBE_CLIENT_ID"]
    assert client_id == {
        "name": "ADOBE_CLIENT_ID",
        "valueFrom": {"secretKeyRef": {"name": name, "key": "client-id"}},
    }


def test_existing_secret_renders_no_secret_and_uses_its_keys() -> None:
    manifests = render(EXISTING_SECRET)
    assert by_kind(manifests, "Secret") == []
    volume, _ = secret_volume(manifests)
    assert volume["secret"]["secretName"] == "adobe-status-credentials"
    assert volume["secret"]["items"] == [{"key": "secret", "path": "client-secret"}]
    client_id = env_of(exporter_container(manifests))["ADOBE_CLIENT_ID"]
    assert client_id["valueFrom"] == {
        "secretKeyRef": {"name": "adobe-status-credentials", "key": "id"}
    }


def test_existing_secret_with_a_plain_client_id() -> None:
    values = merged(
        EXISTING_SECRET,
        {"adobe": {"clientId": CLIENT_ID, "existingSecretKeys": {"clientId": ""}}},
    )
    manifests = render(values)
    assert by_kind(manifests, "Secret") == []
    client_id = env_of(exporter_container(manifests))["ADOBE_CLIENT_ID"]
    assert client_id == {"name": "ADOBE_CLIENT_ID", "value": CLIENT_ID}


def test_checksum_annotation_follows_the_credentials_only() -> None:
    base = pod_annotations(render(INLINE_CREDENTIALS))["checksum/secret"]
    rotated = merged(INLINE_CREDENTIALS, {"adobe": {"clientSecret": "another-secret"}})
    other_id = merged(INLINE_CREDENTIALS, {"adobe": {"clientId": "another-id"}})
    unrelated = merged(INLINE_CREDENTIALS, {"replicaCount": 3, "exporter": {"logLevel": "debug"}})
    assert re.fullmatch(r"[0-9a-f]{64}", base)
    assert pod_annotations(render(rotated))["checksum/secret"] != base
    assert pod_annotations(render(other_id))["checksum/secret"] != base
    assert pod_annotations(render(unrelated))["checksum/secret"] == base


def test_demo_needs_no_credentials() -> None:
    values = merged(DEMO, {"adobe": {"apiUrl": "https://status.adobe.io"}})
    manifests = render(values)
    container = exporter_container(manifests)
    assert container["args"] == ["serve", "--demo"]
    assert by_kind(manifests, "Secret") == []
    env = env_of(container)
    for name in (
        "ADOBE_CLIENT_ID",
        "ADOBE_CLIENT_SECRET_FILE",
        "ADOBE_CLIENT_SECRET",
        "ADOBE_STATUS_API_URL",
    ):
        assert name not in env
    assert all("secret" not in v for v in pod_spec(manifests)["volumes"])
    assert "DEMO MODE" in notes(DEMO)


def test_demo_through_the_feed_needs_no_credentials() -> None:
    manifests = render(DEMO | FEED)
    container = exporter_container(manifests)
    assert container["args"] == ["serve", "--demo"]
    env = {n: i.get("value") for n, i in env_of(container).items()}
    assert env["ADOBE_STATUS_SOURCE"] == "feed"
    # The demo reads the simulator's copy of the feed, not Adobe's.
    assert "ADOBE_STATUS_FEED_URL" not in env
    assert by_kind(manifests, "Secret") == []
    assert "DEMO MODE" in notes(DEMO | FEED)


def test_notes_name_the_source() -> None:
    assert "Source: the Adobe Status API" in notes(EXISTING_SECRET)
    assert "adobe-status-credentials" in notes(EXISTING_SECRET)
    feed = notes(FEED)
    assert "Source: Adobe's public feed" in feed
    assert "https://data.status.adobe.com/adobestatus" in feed
    assert "Secret " not in feed.replace("no Secret", "")


# --- the public feed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [FEED, FEED_ALL_FEATURES, FEED | INLINE_CREDENTIALS, FEED | EXISTING_SECRET],
    ids=["feed", "feed-all-features", "feed-ignores-inline", "feed-ignores-existing-secret"],
)
def test_feed_mode_renders_no_credential_anywhere(values: dict[str, Any]) -> None:
    manifests = render(values)
    assert by_kind(manifests, "Secret") == []
    text = json.dumps(manifests)
    assert "ADOBE_CLIENT_" not in text
    assert SECRET_DIR not in text
    assert "checksum/secret" not in text
    assert CLIENT_SECRET not in text
    assert base64.b64encode(CLIENT_SECRET.encode()).decode() not in text
    container = exporter_container(manifests)
    env = env_of(container)
    for name in ("ADOBE_SCOPES", "ADOBE_IMS_TOKEN_URL", "ADOBE_STATUS_API_URL"):
        assert name not in env
    # web-config is the user's own extra volume (FEED_ALL_FEATURES), not a credential.
    volumes = [v for v in pod_spec(manifests)["volumes"] if v["name"] != "web-config"]
    assert volumes and all("secret" not in volume for volume in volumes)
    assert [m["mountPath"] for m in container["volumeMounts"] if m["name"] != "web-config"] == [
        "/tmp"
    ]


def test_feed_mode_passes_the_feed_settings() -> None:
    env = {n: i.get("value") for n, i in env_of(exporter_container(render(FEED))).items()}
    assert env["ADOBE_STATUS_SOURCE"] == "feed"
    assert env["ADOBE_STATUS_FEED_URL"] == "https://data.status.adobe.com/adobestatus"
    assert env["ADOBE_STATUS_LOCALE"] == "en"
    # The exporter's feed default: the 8 MB document at most once a minute.
    assert env["ADOBE_STATUS_CACHE_TTL"] == "60"
    custom = FEED | {
        "feedUrl": "https://mirror.example.com/adobestatus",
        "locale": "fr",
        "exporter": {"cacheTtl": 120},
    }
    env = {n: i.get("value") for n, i in env_of(exporter_container(render(custom))).items()}
    assert env["ADOBE_STATUS_FEED_URL"] == "https://mirror.example.com/adobestatus"
    assert env["ADOBE_STATUS_LOCALE"] == "fr"
    assert env["ADOBE_STATUS_CACHE_TTL"] == "120"


def test_locale_reaches_the_exporter_with_the_api_too() -> None:
    env = env_of(exporter_container(render(api({"locale": "ja"}))))
    assert env["ADOBE_STATUS_LOCALE"]["value"] == "ja"


# --- monitoring objects -----------------------------------------------------------------------

MONITORING_FLAGS = {
    "serviceMonitor": "ServiceMonitor",
    "prometheusRule": "PrometheusRule",
    "grafanaDashboard": "ConfigMap",
    "podDisruptionBudget": "PodDisruptionBudget",
    "networkPolicy": "NetworkPolicy",
}


@pytest.mark.parametrize(("flag", "kind"), MONITORING_FLAGS.items(), ids=MONITORING_FLAGS)
def test_optional_objects_exist_only_when_enabled(flag: str, kind: str) -> None:
    assert by_kind(render(api()), kind) == []
    assert by_kind(render(api({flag: {"enabled": False}})), kind) == []
    enabled = render(api({flag: {"enabled": True}}))
    assert len(by_kind(enabled, kind)) == 1
    others = set(MONITORING_FLAGS.values()) - {kind}
    assert [m["kind"] for m in enabled if m["kind"] in others] == []


def test_service_monitor_scrapes_the_service() -> None:
    manifests = render(ALL_FEATURES)
    monitor = one(manifests, "ServiceMonitor")
    service = one(manifests, "Service")
    assert monitor["metadata"]["namespace"] == "observability"
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    assert (
        monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    )
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] == service["spec"]["ports"][0]["name"] == "http"
    assert endpoint["path"] == "/metrics"
    assert endpoint["interval"] == "2m"
    assert endpoint["scrapeTimeout"] == "45s"
    assert endpoint["honorLabels"] is True
    assert endpoint["relabelings"] == ALL_FEATURES["serviceMonitor"]["relabelings"]
    assert endpoint["metricRelabelings"] == ALL_FEATURES["serviceMonitor"]["metricRelabelings"]


def test_service_monitor_defaults() -> None:
    monitor = one(render(api({"serviceMonitor": {"enabled": True}})), "ServiceMonitor")
    assert monitor["metadata"]["namespace"] == NAMESPACE
    assert "namespaceSelector" not in monitor["spec"]
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["interval"] == "30s"
    assert endpoint["scrapeTimeout"] == "30s"
    assert endpoint["honorLabels"] is False
    assert "relabelings" not in endpoint
    assert "metricRelabelings" not in endpoint


RULES_DEFAULT_JOB = 'job="adobe-status"'
RULES_DEFAULT_RUNBOOK = (
    "https://github.com/adobe-status-exporter/adobe-status-exporter/blob/main/docs/runbook.md"
)


def shipped_rules(job: str, runbook: str) -> Any:
    """The groups of files/alerts.yml with its default job and runbook base replaced."""
    text = RULES_COPY.read_text(encoding="utf-8")
    assert RULES_DEFAULT_JOB in text and f"{RULES_DEFAULT_RUNBOOK}#" in text
    text = text.replace(RULES_DEFAULT_JOB, f'job="{job}"')
    text = text.replace(f"{RULES_DEFAULT_RUNBOOK}#", f"{runbook}#")
    return yaml.safe_load(text)["groups"]


def rule_exprs_and_runbooks(rule: Manifest) -> tuple[list[str], list[str]]:
    rules = [r for group in rule["spec"]["groups"] for r in group["rules"] if "alert" in r]
    return [r["expr"] for r in rules], [r["annotations"]["runbook_url"] for r in rules]


def test_prometheus_rule_ships_the_rules_file() -> None:
    rule = one(render(ALL_FEATURES), "PrometheusRule")
    job = f"{RELEASE}-adobe-status-exporter"
    assert rule["spec"]["groups"] == shipped_rules(job, RULES_DEFAULT_RUNBOOK)
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"


def test_prometheus_rule_watches_the_service_monitors_job_by_default() -> None:
    """prometheus-operator names a ServiceMonitor's job after the Service."""
    manifests = render(api({"prometheusRule": {"enabled": True}}))
    service = one(manifests, "Service")["metadata"]["name"]
    exprs, _ = rule_exprs_and_runbooks(one(manifests, "PrometheusRule"))
    scrape = [e for e in exprs if "up{" in e]
    assert scrape and all(f'up{{job="{service}"}}' in e for e in scrape)
    assert not any(RULES_DEFAULT_JOB in e for e in exprs)


def test_prometheus_rule_job_and_runbook_base_are_values() -> None:
    runbook = "https://wiki.example.com/sre/adobe-status-runbook"
    values = api(
        {
            "prometheusRule": {"enabled": True, "job": "vendors/adobe"},
            "runbookBaseUrl": runbook,
            "grafanaDashboard": {"enabled": True},
        }
    )
    manifests = render(values)
    rule = one(manifests, "PrometheusRule")
    assert rule["spec"]["groups"] == shipped_rules("vendors/adobe", runbook)
    exprs, runbooks = rule_exprs_and_runbooks(rule)
    assert sum('up{job="vendors/adobe"}' in e for e in exprs) == 1
    assert runbooks and all(url.startswith(f"{runbook}#") for url in runbooks)
    assert RULES_DEFAULT_RUNBOOK not in json.dumps(rule)
    # The dashboard's runbook link follows, and the notes show where the runbook is.
    dashboard = json.loads(one(manifests, "ConfigMap")["data"]["adobe-status.json"])
    assert {link["title"]: link["url"] for link in dashboard["links"]}["Runbook"] == runbook
    assert runbook in notes(values)
    assert "vendors/adobe" in notes(values)
    assert all_schema_errors(manifests) == []


def test_rendered_rules_with_a_custom_job_pass_promtool(tmp_path: Path) -> None:
    values = api(
        {
            "prometheusRule": {"enabled": True, "job": "vendors/adobe:9720"},
            "runbookBaseUrl": "https://wiki.example.com/runbook",
        }
    )
    rule = one(render(values), "PrometheusRule")
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}), encoding="utf-8")
    promtool = shutil.which("promtool")
    assert promtool, "promtool is needed (apt-get install prometheus)"
    result = subprocess.run(
        [promtool, "check", "rules", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize("values", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_notes_link_the_runbook(values: dict[str, Any]) -> None:
    assert RULES_DEFAULT_RUNBOOK in notes(values)


def test_dashboard_config_map_ships_the_dashboard() -> None:
    config_map = one(render(ALL_FEATURES), "ConfigMap")
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert config_map["metadata"]["labels"]["team"] == "sre"
    assert config_map["metadata"]["annotations"]["grafana_folder"] == "Vendors"
    assert config_map["data"] == {
        "adobe-status.json": DASHBOARD_COPY.read_bytes().decode("utf-8"),
    }
    json.loads(config_map["data"]["adobe-status.json"])


def test_dashboard_folder_default() -> None:
    config_map = one(render(api({"grafanaDashboard": {"enabled": True}})), "ConfigMap")
    assert config_map["metadata"]["annotations"]["grafana_folder"] == "Adobe Status"


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


# --- PodDisruptionBudget and NetworkPolicy ------------------------------------------------------


def test_pod_disruption_budget() -> None:
    default = one(render(api({"podDisruptionBudget": {"enabled": True}})), "PodDisruptionBudget")
    assert default["spec"]["maxUnavailable"] == 1
    assert "minAvailable" not in default["spec"]
    pinned = one(render(ALL_FEATURES), "PodDisruptionBudget")
    assert pinned["spec"]["minAvailable"] == 1
    assert "maxUnavailable" not in pinned["spec"]
    deployment = one(render(api()), "Deployment")
    assert default["spec"]["selector"] == deployment["spec"]["selector"]


def test_network_policy_allows_scrapes_dns_and_https_only() -> None:
    policy = one(render(api({"networkPolicy": {"enabled": True}})), "NetworkPolicy")
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    (ingress,) = policy["spec"]["ingress"]
    assert ingress["ports"] == [{"port": "http", "protocol": "TCP"}]
    assert "from" not in ingress
    egress_ports = [
        sorted((p["port"], p["protocol"]) for p in rule["ports"])
        for rule in policy["spec"]["egress"]
    ]
    assert egress_ports == [[(53, "TCP"), (53, "UDP")], [(443, "TCP")]]
    assert policy["spec"]["podSelector"] == one(render(api()), "Deployment")["spec"]["selector"]


def adobe_egress_ports(values: dict[str, Any]) -> list[tuple[int, str]]:
    """The ports of the egress rule to Adobe (the one after DNS)."""
    policy = one(render(merged(values, {"networkPolicy": {"enabled": True}})), "NetworkPolicy")
    dns, adobe = policy["spec"]["egress"][:2]
    assert {p["port"] for p in dns["ports"]} == {53}
    return sorted((p["port"], p["protocol"]) for p in adobe["ports"])


def test_network_policy_allows_the_feed_in_feed_mode() -> None:
    assert adobe_egress_ports(FEED) == [(443, "TCP")]
    mirror = FEED | {"feedUrl": "http://mirror.example.com:8080/adobestatus"}
    assert adobe_egress_ports(mirror) == [(8080, "TCP")]
    assert adobe_egress_ports(FEED | {"feedUrl": "http://mirror.example.com/a"}) == [(80, "TCP")]


def test_network_policy_follows_the_api_urls() -> None:
    assert adobe_egress_ports(api()) == [(443, "TCP")]
    moved = api({"adobe": {"apiUrl": "https://status.example.com:8443"}})
    assert adobe_egress_ports(moved) == [(443, "TCP"), (8443, "TCP")]


def test_network_policy_peers_and_extra_egress() -> None:
    policy = one(render(ALL_FEATURES), "NetworkPolicy")
    assert policy["spec"]["ingress"][0]["from"] == ALL_FEATURES["networkPolicy"]["ingressFrom"]
    assert policy["spec"]["egress"][-1] == ALL_FEATURES["networkPolicy"]["extraEgress"][0]


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
