"""Values for the chart tests (tests/integration/test_helm*.py): credentials, the demo,
the feed, every feature at once; and helpers reading what the chart rendered."""

from __future__ import annotations

import copy
from typing import Any

from tests.support.helm import Manifest, one

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
