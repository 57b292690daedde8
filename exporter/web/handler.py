"""One connection's request: read under a deadline, answered by wsgiref, errors logged.

One request per connection (HTTP/1.0 responses, as wsgiref answers), so no idle keep-alive
connection holds a slot between scrapes. A failing app answers a plain 500 "internal error";
the traceback goes to the `exporter.server` logger, and access logs go there at debug
level, never to stderr.
"""

from __future__ import annotations

import io
import logging
import socket
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, BinaryIO, cast
from wsgiref.headers import Headers
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

if TYPE_CHECKING:
    from _typeshed import OptExcInfo, WriteableBuffer

    from exporter.web.server import Server

__all__ = ["SERVER_SOFTWARE", "Connection", "RequestHandler", "client_host", "errors_stay_errors"]

logger = logging.getLogger("exporter.server")  # one logger for the whole HTTP side

SERVER_SOFTWARE = "adobe-status-exporter"
_MAX_REQUEST_LINE = 65536  # as wsgiref: longer lines get 414


def errors_stay_errors(app: WSGIApplication) -> WSGIApplication:
    """Keep wsgiref from taking the app's own connection errors for a client hang-up.

    wsgiref drops the connection without an answer on BrokenPipe/ConnectionReset/Aborted,
    wherever they come from; raised by the app, they must give a 500 like any failure.
    """

    def guarded_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            return app(environ, start_response)
        except ConnectionError as err:
            raise RuntimeError(f"the app failed: {err!r}") from err

    return guarded_app


class Connection:
    """One accepted connection: its socket (TLS once wrapped) and where it stands."""

    __slots__ = ("deadline", "in_request", "sock")

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline  # for the TLS handshake and the request head together
        self.in_request = False  # the app has the request: shutdown waits for it


class _DeadlineReader(io.RawIOBase):
    """Socket reads bounded by one deadline (a per-read timeout lets a trickle go on forever)."""

    def __init__(self, sock: socket.socket, timeout: float, deadline: float | None) -> None:
        self._sock = sock
        self._timeout = timeout
        self.deadline = deadline  # None: only the per-read timeout applies

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        timeout = self._timeout
        if self.deadline is not None:
            timeout = min(timeout, self.deadline - time.monotonic())
            if timeout <= 0:
                raise TimeoutError("request not received within the read timeout")
        self._sock.settimeout(timeout)
        return self._sock.recv_into(buffer)


class _SocketWriter(io.BufferedIOBase):
    """Unbuffered writes straight to the socket (socketserver's own is private)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._sock.sendall(data)
        return len(memoryview(data))


class _LogStream(io.TextIOBase):
    """`wsgi.errors`: what the app writes there goes to the logger, not stderr."""

    def write(self, text: str) -> int:
        if text.strip():
            logger.warning("%s", text.rstrip())
        return len(text)


class _AppHandler(ServerHandler):
    server_software = SERVER_SOFTWARE
    error_body = b"internal error\n"
    error_headers = [("Content-Type", "text/plain; charset=utf-8")]  # noqa: RUF012 (wsgiref API)
    request_handler: RequestHandler
    # Set by wsgiref; missing from its type stubs.
    headers: Headers
    headers_sent: bool
    environ: WSGIEnvironment

    def cleanup_headers(self) -> None:
        super().cleanup_headers()
        for name, value in self.request_handler.server.config.headers.items():
            self.headers.setdefault(name, value)

    def log_exception(self, exc_info: OptExcInfo) -> None:
        request = f"{self.environ.get('REQUEST_METHOD')} {self.environ.get('PATH_INFO')}"
        error = exc_info[1]
        if self.headers_sent and isinstance(error, TimeoutError | ConnectionError):
            # Writing the answer failed: the client stalled or left; the app is fine.
            logger.debug("Answering %s failed: %s", request, error)
        else:
            logger.error("Request %s failed", request, exc_info=exc_info)


class RequestHandler(WSGIRequestHandler):
    server: Server
    server_version = SERVER_SOFTWARE

    def version_string(self) -> str:
        return self.server_version  # without the Python version wsgiref would add

    def setup(self) -> None:
        # The server hands over a Connection, not a bare socket.
        self.conn = cast(Connection, self.request)
        self.request = self.connection = self.conn.sock
        self.reader = _DeadlineReader(self.connection, self.server.read_timeout, self.conn.deadline)
        self.rfile = io.BufferedReader(self.reader)
        self.wfile = _SocketWriter(self.connection)

    def handle(self) -> None:
        self.raw_requestline = self.rfile.readline(_MAX_REQUEST_LINE + 1)
        if not self.raw_requestline:
            return  # closed without a request
        if len(self.raw_requestline) > _MAX_REQUEST_LINE:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return  # parse_request has answered 400
        self.reader.deadline = None
        self.connection.settimeout(self.server.read_timeout)  # for the body and the answer
        if not self.server.begin_request(self.conn):
            return  # shutting down
        handler = _AppHandler(
            self.rfile,
            cast(BinaryIO, self.wfile),
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self
        handler.run(self.server.app)

    def get_environ(self) -> dict[str, str]:
        environ = super().get_environ()
        environ["REMOTE_ADDR"] = client_host(self.client_address)
        if self.server.tls:
            environ["HTTPS"] = "on"  # wsgiref derives wsgi.url_scheme from it
        return environ

    def get_stderr(self) -> _LogStream:
        return _LogStream()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", client_host(self.client_address), format % args)


def client_host(address: Any) -> str:
    host = str(address[0])
    if host.startswith("::ffff:") and "." in host:  # IPv4 through a dual-stack socket
        return host.removeprefix("::ffff:")
    return host
