"""What `check` says when Adobe cannot be reached, through the console script users run.

Connection and HTTP failures name the URL they tried (never a credential, never a query)
and, where it helps, the option that sets it; missing credentials name `--source feed`,
the way without an Adobe account.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from exporter.config import DEFAULT_API_KEY
from exporter.simulator import Simulator, SimulatorServer
from tests.support.exporters import CLIENT_ID, CLIENT_SECRET
from tests.support.process import clean_env, exporter_env
from tests.support.prometheus import free_port

pytestmark = pytest.mark.integration

SCRIPT = Path(sys.executable).with_name("adobe-status-exporter")


def check(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), "check", "--timeout", "5", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def failure_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "upstream failed" in line]
    for secret in (CLIENT_SECRET, CLIENT_ID, DEFAULT_API_KEY, "?"):
        assert secret not in line
    return line


def test_an_unreachable_feed_names_the_url_tried_and_the_option_that_sets_it() -> None:
    feed = f"http://127.0.0.1:{free_port()}/adobestatus"
    line = failure_line(check("--source", "feed", "--feed-url", feed, env=clean_env()))
    assert line.endswith(
        f"registry: connection: could not connect to {feed}/SnowServiceRegistry (set by --feed-url)"
    )


def test_an_unreachable_status_api_names_the_url_tried_without_its_api_key(
    sim_server: SimulatorServer,
) -> None:
    api = f"http://127.0.0.1:{free_port()}"
    line = failure_line(check(env=exporter_env(sim_server, ADOBE_STATUS_API_URL=api)))
    assert line.endswith(f"could not connect to {api}/api/v1/products (set by --api-url)")


def test_an_unreachable_ims_names_its_url_without_the_client_id(
    sim_server: SimulatorServer,
) -> None:
    ims = f"http://127.0.0.1:{free_port()}/ims/token/v3"
    line = failure_line(check(env=exporter_env(sim_server, ADOBE_IMS_TOKEN_URL=ims)))
    assert line.endswith(f"could not connect to IMS at {ims} (set by --ims-token-url)")


def test_an_http_failure_names_the_url_that_answered_it(
    simulator: Simulator, sim_server: SimulatorServer
) -> None:
    simulator.inject(
        "feed_registry",
        status=503,
        body=b"<html><h1>Service Unavailable</h1></html>",
        content_type="text/html",
    )
    line = failure_line(
        check("--source", "feed", "--feed-url", sim_server.feed_url, env=clean_env())
    )
    assert line.endswith(f"registry: http: HTTP 503 from {sim_server.feed_url}/SnowServiceRegistry")


def test_missing_credentials_name_the_feed_as_the_way_without_an_account() -> None:
    result = check(env=clean_env())
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "--client-id" in line and "--source feed" in line
