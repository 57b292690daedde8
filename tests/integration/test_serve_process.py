"""`serve` as a real process: scraped by a real Prometheus (plain, and TLS with basic auth),
stopped cleanly mid-scrape, and re-reading its secret file on SIGHUP."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from exporter.simulator import Simulator, SimulatorServer
from tests.support.exporters import CLIENT_ID, CLIENT_SECRET, parse_samples, value
from tests.support.process import exporter_env, serve_process, wait_ready
from tests.support.prometheus import run_prometheus
from tests.support.tls import bcrypt_hash, make_tls_files, write_web_config

pytestmark = pytest.mark.integration


@pytest.fixture
def real_time_sim() -> Iterator[tuple[Simulator, SimulatorServer]]:
    simulator = Simulator(seed=11, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, dynamic=False)
    with SimulatorServer(simulator, host="127.0.0.1", port=0) as server:
        yield simulator, server


@contextmanager
def serve(
    sim: SimulatorServer, *args: str, secret_file: Path | None = None
) -> Iterator[tuple[subprocess.Popen[str], int]]:
    with serve_process(exporter_env(sim, secret_file=secret_file), *args) as (process, port):
        yield process, port


def test_real_prometheus_scrapes_exporter_plain_and_over_tls_with_basic_auth(
    real_time_sim: tuple[Simulator, SimulatorServer], tmp_path: Path
) -> None:
    simulator, sim = real_time_sim
    simulator.add_incident(product_id="503467", severity="Major")
    tls = make_tls_files(tmp_path / "tls")
    web_config = write_web_config(
        tmp_path / "web.yml",
        {
            "tls_server_config": {"cert_file": str(tls.cert_file), "key_file": str(tls.key_file)},
            "basic_auth_users": {"prometheus": bcrypt_hash("scrape-pass")},
        },
    )
    with (
        serve(sim) as (plain, plain_port),
        serve(sim, "--web.config.file", str(web_config)) as (secure, secure_port),
    ):
        wait_ready(f"http://127.0.0.1:{plain_port}", plain)
        wait_ready(
            f"https://127.0.0.1:{secure_port}",
            secure,
            verify=str(tls.ca_file),
            auth=("prometheus", "scrape-pass"),
        )
        # Without credentials the TLS exporter refuses.
        refused = requests.get(
            f"https://127.0.0.1:{secure_port}/metrics", verify=str(tls.ca_file), timeout=10
        )
        assert refused.status_code == 401
        scrape_configs: list[dict[str, Any]] = [
            {"job_name": "plain", "static_configs": [{"targets": [f"127.0.0.1:{plain_port}"]}]},
            {
                "job_name": "secure",
                "scheme": "https",
                "tls_config": {"ca_file": str(tls.ca_file)},
                "basic_auth": {"username": "prometheus", "password": "scrape-pass"},
                "static_configs": [{"targets": [f"127.0.0.1:{secure_port}"]}],
            },
        ]
        with run_prometheus(tmp_path, scrape_configs) as prometheus:
            for job in ("plain", "secure"):
                prometheus.wait_for(
                    f'up{{job="{job}"}}', lambda r: bool(r) and r[0]["value"][1] == "1"
                )
                prometheus.wait_for(
                    f'adobe_status_up{{job="{job}"}}', lambda r: bool(r) and r[0]["value"][1] == "1"
                )
                count = prometheus.query(f'count(adobe_status_product_status{{job="{job}"}})')
                assert count[0]["value"][1] == "73"
                major = prometheus.query(f'adobe_status_product_status{{job="{job}"}} == 4')
                assert [r["metric"]["product_id"] for r in major] == ["503467"]
                # Prometheus sends its scrape timeout; the exporter's duration stays inside it.
                duration = prometheus.query(f'adobe_status_scrape_duration_seconds{{job="{job}"}}')
                assert float(duration[0]["value"][1]) < 10


def test_sigterm_during_a_scrape_finishes_it_and_exits_0(
    real_time_sim: tuple[Simulator, SimulatorServer],
) -> None:
    simulator, sim = real_time_sim
    with serve(sim) as (process, port):
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, process)
        before = simulator.requests("events")
        simulator.inject("events", delay=1.5)
        answers: list[requests.Response] = []
        scrape = threading.Thread(
            target=lambda: answers.append(requests.get(url + "/metrics", timeout=30))
        )
        scrape.start()
        for _ in range(100):  # bounded: wait until the scrape is waiting on Adobe
            if simulator.requests("events") > before:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        scrape.join(30)
        assert process.wait(20) == 0
        assert len(answers) == 1 and answers[0].status_code == 200
        assert value(parse_samples(answers[0].text), "adobe_status_up") == 1
        stderr = process.stderr.read() if process.stderr else ""
        assert "Traceback" not in stderr


def test_sighup_rereads_the_secret_file(
    real_time_sim: tuple[Simulator, SimulatorServer], tmp_path: Path
) -> None:
    simulator, sim = real_time_sim
    secret_file = tmp_path / "client-secret"
    secret_file.write_text(CLIENT_SECRET + "\n")
    with serve(sim, secret_file=secret_file) as (process, port):
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, process)
        # Adobe rotates: the old secret stops working, the file gets the new one.
        simulator.set_client_secret("rotated-secret-2")
        simulator.revoke_tokens()
        assert (
            value(parse_samples(requests.get(url + "/metrics", timeout=30).text), "adobe_status_up")
            == 0
        )
        secret_file.write_text("rotated-secret-2\n")
        process.send_signal(signal.SIGHUP)
        for _ in range(100):  # bounded: the reload happens in the signal handler
            samples = parse_samples(requests.get(url + "/metrics", timeout=30).text)
            if value(samples, "adobe_status_up") == 1:
                break
            time.sleep(0.1)
        assert value(samples, "adobe_status_up") == 1
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
        stderr = process.stderr.read() if process.stderr else ""
    assert "client secret re-read" in stderr
    assert "rotated-secret-2" not in stderr and CLIENT_SECRET not in stderr
