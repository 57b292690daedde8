"""The Helm chart's pod: security, probes, ports, image, the exporter's settings, the
credentials and the public feed (rendered with the real Helm library, as test_helm.py)."""

from __future__ import annotations

import base64
import json
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
    INLINE_CREDENTIALS,
    SCENARIOS,
    SECRET_DIR,
    UID,
    api,
    merged,
    pod_annotations,
    pod_spec,
)
from tests.support.helm import (
    CHART_DIR,
    Manifest,
    by_kind,
    chart_metadata,
    env_of,
    exporter_container,
    notes,
    one,
    render,
)

# Runs Helm (in-process) and node/npm (prometheus-operator validators).
pytestmark = pytest.mark.integration


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
