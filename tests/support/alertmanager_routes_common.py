"""What the unit and the integration tests of alertmanager_routes share."""

from __future__ import annotations

import shutil
import socket
import subprocess

from tests.support.paths import REPO

CONFIG_PATH = REPO / "prometheus" / "alertmanager.example.yml"
PRODUCT_LABELS = {"cloud": "Adobe Creative Cloud", "product": "Adobe Aero", "product_id": "503511"}


def amtool(*args: str) -> subprocess.CompletedProcess[str]:
    path = shutil.which("amtool")
    assert path, "amtool is needed (apt-get install prometheus-alertmanager)"
    return subprocess.run([path, *args], capture_output=True, text=True, timeout=60, check=False)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
