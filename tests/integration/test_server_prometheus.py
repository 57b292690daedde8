"""A real Prometheus scrapes the server over TLS with basic auth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, make_wsgi_app

from exporter.web.web_config import TLSConfig, WebConfig
from tests.support.prometheus import run_prometheus, value
from tests.support.server_common import (
    PASSWORD,
    USER,
    ServerFactory,
)
from tests.support.tls import (
    TLSFiles,
    bcrypt_hash,
)

# --- a real Prometheus ---------------------------------------------------------------------


def test_real_prometheus_scrapes_over_tls_with_basic_auth(
    serve: ServerFactory, tls_files: TLSFiles, tmp_path: Path
) -> None:
    registry = CollectorRegistry()
    Gauge("tls_test_value", "A constant for the scrape test.", registry=registry).set(42)
    config = WebConfig(
        tls=TLSConfig(cert_file=tls_files.cert_file, key_file=tls_files.key_file),
        basic_auth_users={USER: bcrypt_hash(PASSWORD, rounds=10).encode()},
    )
    server = serve(make_wsgi_app(registry), web_config=config)
    target = {"targets": [f"127.0.0.1:{server.port}"]}

    def job(name: str, password: str) -> dict[str, Any]:
        return {
            "job_name": name,
            "scheme": "https",
            "tls_config": {"ca_file": str(tls_files.ca_file)},
            "basic_auth": {"username": USER, "password": password},
            "static_configs": [target],
        }

    scrape_configs = [job("tls-auth", PASSWORD), job("wrong-password", "guess")]
    with run_prometheus(tmp_path, scrape_configs) as prometheus:
        result = prometheus.wait_for(
            "up", lambda r: len(r) == 2 and {value(s) for s in r} == {0.0, 1.0}, timeout=60
        )
        up = {s["metric"]["job"]: value(s) for s in result}
        assert up == {"tls-auth": 1.0, "wrong-password": 0.0}
        [sample] = prometheus.query('tls_test_value{job="tls-auth"}')
        assert value(sample) == 42.0
        health = {job: error for job, _, error in prometheus.target_health()}
        assert "401" in health["wrong-password"]
