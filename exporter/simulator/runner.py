"""Run the simulator as a long-lived process until SIGTERM or SIGINT."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from exporter.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from exporter.simulator.httpd import SimulatorServer
from exporter.simulator.scale import Scale
from exporter.simulator.world import Simulator

log = logging.getLogger("exporter.simulator")

_SignalHandler = Callable[[int, FrameType | None], Any] | int | None


def run_simulator(
    host: str = "127.0.0.1",
    port: int = 9721,
    *,
    seed: int = 1,
    scale: Scale | str = "typical",
    client_id: str = DEMO_CLIENT_ID,
    client_secret: str = DEMO_CLIENT_SECRET,
    expires_in: int = 86399,
    throttle: bool = True,
    stop: threading.Event | None = None,
) -> None:
    """Serve the dynamic scenario until SIGTERM/SIGINT (or `stop` is set), then return.

    Signal handlers are installed only when called from the main thread, and restored
    on the way out.
    """
    simulator = Simulator(
        seed=seed,
        client_id=client_id,
        client_secret=client_secret,
        expires_in=expires_in,
        scale=Scale.named(scale) if isinstance(scale, str) else scale,
        throttle=throttle,
        dynamic=True,
    )
    stop = stop if stop is not None else threading.Event()
    previous = _on_signals(stop)
    try:
        with SimulatorServer(simulator, host, port) as server:
            # The demo credentials are made up, and the user needs them to point a client here.
            log.info(
                "Adobe Status simulator listening on %s: IMS token URL %s, Status API %s, "
                "demo credentials client_id=%s client_secret=%s, api key %s (scale %s, seed %d)",
                server.url,
                server.ims_token_url,
                server.api_url,
                client_id,
                client_secret,
                simulator.api_key,
                simulator.scale.name,
                seed,
            )
            while not stop.wait(0.5):
                pass
        log.info("Adobe Status simulator stopped")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _on_signals(stop: threading.Event) -> dict[int, _SignalHandler]:
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    return {signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGINT)}
