"""The simulator over real HTTP: a threading server on loopback (or any address)."""

from __future__ import annotations

import contextlib
import logging
import math
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from exporter.simulator.exchange import Reply, Request
from exporter.simulator.routes import IMS_TOKEN_PATH, handle
from exporter.simulator.world import Simulator
from exporter.web.listen import bind_without_dns

log = logging.getLogger(__name__)

_MAX_BODY = 1 << 20
# A slow body is written at least this often, so per-read client timeouts never fire.
_TRICKLE_INTERVAL = 0.2


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # close() must not wait for a handler that is trickling a slow body.
    block_on_close = False

    def __init__(self, host: str, port: int, simulator: Simulator) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.simulator = simulator
        self.stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        bind_without_dns(self)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection from %s ended with an error", client_address, exc_info=True)

    def drop_connections(self) -> None:
        """Cut every open connection, so keep-alive clients see the server go away."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle plus delayed ACKs
    # stall every keep-alive answer by about 40 ms.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= _MAX_BODY:
            self.send_error(400, "bad Content-Length")
            return
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        try:
            self._send(handle(self.server.simulator, request))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send(self, reply: Reply) -> None:
        stopping = self.server.stopping
        if reply.delay and stopping.wait(reply.delay):
            self.close_connection = True
            return
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(reply.status)
        if reply.status != 304:  # a 304 has no body, and no length of its own to state
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        if reply.slow_seconds:
            self._trickle(reply.body, reply.slow_seconds)
        else:
            self.wfile.write(reply.body)

    def _trickle(self, body: bytes, seconds: float) -> None:
        chunks = max(1, min(len(body), math.ceil(seconds / _TRICKLE_INTERVAL)))
        size = math.ceil(len(body) / chunks)
        for start in range(0, max(1, len(body)), max(1, size)):
            if self.server.stopping.wait(seconds / chunks):
                self.close_connection = True
                return
            self.wfile.write(body[start : start + size])


class SimulatorServer:
    """Serves a `Simulator` on a thread; a context manager that starts and closes it.

    `port=0` picks a free port; read it back from `port` or `url` once started.
    """

    def __init__(self, simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.simulator = simulator
        self.host = host.strip("[]") or "0.0.0.0"
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    def start(self) -> SimulatorServer:
        if self._httpd is not None or self._closed:
            raise RuntimeError("a SimulatorServer starts once")
        httpd = _HTTPServer(self.host, self._port, self.simulator)
        self._httpd = httpd
        self._port = int(httpd.server_address[1])
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"adobe-status-simulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, cut open connections and release the port; safe to call twice."""
        self._closed = True
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        httpd.drop_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def port(self) -> int:
        """The bound port (the requested one until `start`)."""
        return self._port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def ims_token_url(self) -> str:
        return f"{self.url}{IMS_TOKEN_PATH}"

    @property
    def api_url(self) -> str:
        return self.url

    @property
    def feed_url(self) -> str:
        """The public feed's base (`/StatusEvents` and `/SnowServiceRegistry` beneath)."""
        return f"{self.url}/adobestatus"
