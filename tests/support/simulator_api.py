"""A requests session on the simulator's Status API, with a token and the API key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests

from exporter.simulator import API_KEY, Simulator, SimulatorServer

TIMEOUT = 10


@contextmanager
def api_session(
    sim: Simulator, client_id: str, client_secret: str
) -> Iterator[tuple[SimulatorServer, requests.Session]]:
    """Serve `sim` and yield it with a session that carries a token and the API key."""
    with SimulatorServer(sim) as server, requests.Session() as session:
        token = session.post(
            server.ims_token_url,
            params={"client_id": client_id},
            data={
                "client_secret": client_secret,
                "grant_type": "client_credentials",
                "scope": "openid",
            },
            timeout=TIMEOUT,
        ).json()["access_token"]
        session.headers.update({"Authorization": f"Bearer {token}", "x-api-key": API_KEY})
        yield server, session
