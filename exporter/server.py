"""The exporter's HTTP(S) server: a threaded wsgiref server hardened for scraping.

Built on `wsgiref.simple_server` and `socketserver.ThreadingMixIn` like prometheus_client's
own server, without its traps:

- TLS handshakes run in each connection's thread, never in the accept loop, so one client
  that connects and stalls cannot block every other scrape.
- Basic auth from the web config protects every path, `/-/healthy` and `/-/ready` included
  (as in exporter-toolkit): probes must send credentials when users are configured.
- At most `max_connections` connections are open, one thread each. When all are taken the
  accept loop stops accepting; new connections wait in the kernel's listen backlog and are
  served as soon as one closes. No 503: refusing over TLS would cost a thread and a handshake
  per refused connection, the very resources the bound protects, and for Prometheus a short
  wait within its scrape timeout beats a failed scrape. Slots cannot be held for long: an
  idle or slow client gets `read_timeout` in total for its TLS handshake and request head.
- One request per connection (HTTP/1.0 responses, as wsgiref answers), so no idle
  keep-alive connection holds a slot between scrapes.
- A failing app answers a plain 500 "internal error"; the traceback goes to the
  `exporter.server` logger, and access logs go there at debug level, never to stderr.
- `shutdown()` stops accepting, closes connections that have not sent a request yet, lets
  requests in flight finish (at most `drain_timeout`), and can be called from a signal
  handler, even one interrupting `serve_forever()` on the same thread.
"""

from __future__ import annotations

import contextlib
import errno
import io
import ipaddress
import logging
import re
import selectors
import socket
import socketserver
import ssl
import sys
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, BinaryIO, cast
from wsgiref.headers import Headers
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from exporter.webconfig import WebConfig

if TYPE_CHECKING:
    from _typeshed import OptExcInfo, WriteableBuffer

__all__ = ["REALM", "ExporterHTTPServer", "parse_listen_address"]

logger = logging.getLogger("exporter.server")

REALM = "adobe-status-exporter"
_SERVER_SOFTWARE = "adobe-status-exporter"
_LISTEN_BACKLOG = 128
_MAX_REQUEST_LINE = 65536  # as wsgiref: longer lines get 414
_HOST_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?")
_PORT = re.compile(r"[0-9]{1,5}")
_NO_IPV6_ERRNOS = (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL, errno.EPROTONOSUPPORT)


def parse_listen_address(value: str) -> tuple[str, int]:
    """Split `host:port` (`[v6]:port`, `:port` for all interfaces) into (host, port).

    The host comes back without brackets; "" means all interfaces. Raises ValueError with a
    one-line reason.
    """
    text = value.strip()
    example = "expected host:port, e.g. 0.0.0.0:9720, [::]:9720 or :9720"
    if not text:
        raise ValueError(f"listen address is empty ({example})")
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket:
            raise ValueError(f"listen address {value!r}: missing ']' after the IPv6 address")
        if not rest.startswith(":"):
            raise ValueError(f"listen address {value!r}: missing port after ']' ({example})")
        port_text = rest[1:]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"listen address {value!r}: {host!r} is not an IPv6 address") from None
    else:
        host, colon, port_text = text.rpartition(":")
        if not colon:
            raise ValueError(f"listen address {value!r}: missing port ({example})")
        if ":" in host:
            raise ValueError(
                f"listen address {value!r}: put an IPv6 address in brackets, e.g. [::1]:9720"
            )
        if host and not _HOST_NAME.fullmatch(host):
            raise ValueError(f"listen address {value!r}: {host!r} is not a host name or address")
    if not _PORT.fullmatch(port_text) or int(port_text) > 65535:
        raise ValueError(f"listen address {value!r}: port must be a number from 0 to 65535")
    return host, int(port_text)


class ExporterHTTPServer:
    """Serves a WSGI app over HTTP, or HTTPS and basic auth (on every path) per the web config.

    `max_connections` bounds open connections (more wait in the listen backlog),
    `read_timeout` bounds the TLS handshake and request head together and each later socket
    operation, `drain_timeout` bounds how long `shutdown()` waits for requests in flight.
    Binds in the constructor (OSError when the address is taken or cannot be resolved).
    Wildcard hosts: "" and "::" listen on IPv6 and IPv4 (dual-stack; IPv4 only on a machine
    without IPv6), "0.0.0.0" on IPv4 only. A host name listens on its first IPv4 address,
    else its first address, as Go exporters do.
    """

    def __init__(
        self,
        app: WSGIApplication,
        listen_address: str,
        web_config: WebConfig | None = None,
        *,
        max_connections: int = 64,
        read_timeout: float = 10.0,
        drain_timeout: float = 5.0,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        if read_timeout <= 0 or drain_timeout < 0:
            raise ValueError("read_timeout must be positive and drain_timeout not negative")
        host, port = parse_listen_address(listen_address)
        config = web_config if web_config is not None else WebConfig()
        family, sockaddr, dual_stack = _resolve(host, port)
        options: dict[str, Any] = {
            "app": _with_basic_auth(_errors_stay_errors(app), config),
            "config": config,
            "max_connections": max_connections,
            "read_timeout": read_timeout,
            "drain_timeout": drain_timeout,
        }
        try:
            self._server = _Server(family, sockaddr, dual_stack=dual_stack, **options)
        except OSError as err:
            # ":port" means any interface: IPv4 alone will do where IPv6 is switched off.
            if host or not dual_stack or err.errno not in _NO_IPV6_ERRNOS:
                raise
            self._server = _Server(socket.AF_INET, ("0.0.0.0", port), dual_stack=False, **options)

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def url(self) -> str:
        """Base URL a local client can use, e.g. `https://127.0.0.1:9720` or `http://[::1]:80`."""
        server = self._server
        host = str(server.server_address[0])
        if host in ("0.0.0.0", "::"):  # wildcard: reach it over loopback
            ipv4_ok = server.address_family == socket.AF_INET or server.dual_stack
            host = "127.0.0.1" if ipv4_ok else "::1"
        if ":" in host:
            host = "[" + host.replace("%", "%25") + "]"
        scheme = "https" if server.ssl_context is not None else "http"
        return f"{scheme}://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve until `shutdown()`; returns once the server is closed."""
        self._server.serve()

    def start_in_thread(self) -> threading.Thread:
        """Run `serve_forever()` in a daemon thread (the socket already listens)."""
        thread = threading.Thread(target=self.serve_forever, name="exporter-http", daemon=True)
        thread.start()
        return thread

    def shutdown(self) -> None:
        """Stop serving; see the module docstring. Idempotent."""
        self._server.stop()


# --- binding -------------------------------------------------------------------------------


def _resolve(host: str, port: int) -> tuple[socket.AddressFamily, tuple[Any, ...], bool]:
    """(family, socket address, dual-stack) to bind for a parsed listen address."""
    if host in ("", "::"):
        if _ipv6_available():
            return socket.AF_INET6, ("::", port, 0, 0), True
        if host == "":
            return socket.AF_INET, ("0.0.0.0", port), False
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        raise OSError(err.errno, f"cannot resolve listen host {host!r}: {err.strerror}") from None
    ipv4 = [info for info in infos if info[0] == socket.AF_INET]
    family, _, _, _, sockaddr = (ipv4 or infos)[0]
    return family, sockaddr, False


def _ipv6_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_STREAM).close()
    except OSError:
        return False
    return True


# --- auth ----------------------------------------------------------------------------------


def _with_basic_auth(app: WSGIApplication, config: WebConfig) -> WSGIApplication:
    if not config.basic_auth_users:
        return app

    def app_with_basic_auth(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        # Taken out of the environ so the app cannot log credentials by accident.
        header = environ.pop("HTTP_AUTHORIZATION", None)
        if config.check_basic_auth(header):
            return app(environ, start_response)
        logger.debug("Basic auth failed for a request from %s", environ.get("REMOTE_ADDR"))
        start_response(
            "401 Unauthorized",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("WWW-Authenticate", f'Basic realm="{REALM}"'),
            ],
        )
        return [b"Unauthorized\n"]

    return app_with_basic_auth


def _errors_stay_errors(app: WSGIApplication) -> WSGIApplication:
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


# --- connections ---------------------------------------------------------------------------


class _Connection:
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


# --- request handling ----------------------------------------------------------------------


class _ServerHandler(ServerHandler):
    server_software = _SERVER_SOFTWARE
    error_body = b"internal error\n"
    error_headers = [("Content-Type", "text/plain; charset=utf-8")]  # noqa: RUF012 (wsgiref API)
    request_handler: _RequestHandler
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


class _RequestHandler(WSGIRequestHandler):
    server: _Server
    server_version = _SERVER_SOFTWARE

    def version_string(self) -> str:
        return self.server_version  # without the Python version wsgiref would add

    def setup(self) -> None:
        # The server hands over a _Connection, not a bare socket.
        self.conn = cast(_Connection, self.request)
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
        handler = _ServerHandler(
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
        environ["REMOTE_ADDR"] = _client_host(self.client_address)
        if self.server.ssl_context is not None:
            environ["HTTPS"] = "on"  # wsgiref derives wsgi.url_scheme from it
        return environ

    def get_stderr(self) -> _LogStream:
        return _LogStream()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", _client_host(self.client_address), format % args)


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    """The socketserver underneath ExporterHTTPServer, with its own accept loop."""

    daemon_threads = True
    block_on_close = False  # shutdown bounds its wait itself
    allow_reuse_address = True
    request_queue_size = _LISTEN_BACKLOG

    def __init__(
        self,
        family: socket.AddressFamily,
        sockaddr: tuple[Any, ...],
        *,
        dual_stack: bool,
        app: WSGIApplication,
        config: WebConfig,
        max_connections: int,
        read_timeout: float,
        drain_timeout: float,
    ) -> None:
        self.address_family = family
        self.dual_stack = dual_stack
        self.config = config
        self.ssl_context = config.ssl_context()
        self.max_connections = max_connections
        self.read_timeout = read_timeout
        self.drain_timeout = drain_timeout
        # Re-entrant: shutdown() may run in a signal handler on the thread holding it.
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._connections: set[_Connection] = set()
        self._stopping = False
        self._serving_thread: int | None = None
        self._closed = False
        self._done = threading.Event()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_writer.setblocking(False)
        try:
            super().__init__(sockaddr, _RequestHandler)
        except BaseException:
            self._wake_reader.close()
            self._wake_writer.close()
            raise
        self.socket.setblocking(False)
        self.app = app

    def server_bind(self) -> None:
        if self.dual_stack:
            try:
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            except OSError:  # a system that insists on IPv6 only: serve that
                self.dual_stack = False
        # HTTPServer.server_bind would call socket.getfqdn(), which can hang on DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])
        self.setup_environ()

    # --- accept loop ---

    def serve(self) -> None:
        with self._lock:
            if self._serving_thread is not None:
                raise RuntimeError("serve_forever() is already running")
            if self._stopping:  # shut down before it ever served
                self._done.set()
                return
            self._serving_thread = threading.get_ident()
        self._log_start()
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self.socket, selectors.EVENT_READ)
                selector.register(self._wake_reader, selectors.EVENT_READ)
                while self._wait_for_slot():
                    selector.select()
                    if not self._stopping:
                        self._accept()
        finally:
            self._drain_and_close()
            self._done.set()

    def _log_start(self) -> None:
        host = str(self.server_address[0])
        where = f"[{host}]:{self.server_port}" if ":" in host else f"{host}:{self.server_port}"
        if self.dual_stack:
            where += " (IPv6 and IPv4)"
        tls = "on" if self.ssl_context is not None else "off"
        auth = "on" if self.config.basic_auth_users else "off"
        logger.info("Listening on %s, TLS %s, basic auth %s", where, tls, auth)
        if self.ssl_context is None and self.config.basic_auth_users:
            logger.warning("Basic auth without TLS: passwords cross the network in clear text")

    def _wait_for_slot(self) -> bool:
        with self._changed:
            while len(self._connections) >= self.max_connections and not self._stopping:
                self._changed.wait()
            return not self._stopping

    def _accept(self) -> None:
        try:
            sock, address = self.socket.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        except OSError as err:  # EMFILE and friends: back off instead of spinning
            logger.warning("Accepting a connection failed: %s", err)
            time.sleep(0.1)
            return
        conn = _Connection(sock, time.monotonic() + self.read_timeout)
        with self._lock:
            self._connections.add(conn)
        try:
            self.process_request(conn, address)  # type: ignore[arg-type]
        except Exception:  # no thread to be had: drop this one connection
            logger.exception("Starting a connection thread failed")
            self._finish(conn)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        conn = cast(_Connection, request)
        try:
            if self.ssl_context is not None:
                self._handshake(conn, self.ssl_context)
            self.finish_request(conn, client_address)  # type: ignore[arg-type]
        except Exception:
            self.handle_error(conn.sock, client_address)
        finally:
            self._finish(conn)

    def _handshake(self, conn: _Connection, context: ssl.SSLContext) -> None:
        remaining = conn.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("TLS handshake not started within the read timeout")
        # CPython bounds the whole handshake by this timeout, not each read.
        conn.sock.settimeout(remaining)
        with self._lock:  # so _cut() never sees the plain socket once wrapping detached it
            if self._stopping:
                raise ConnectionAbortedError("shutting down")
            tls = context.wrap_socket(conn.sock, server_side=True, do_handshake_on_connect=False)
            conn.sock = tls
        tls.do_handshake()

    def handle_error(self, request: Any, client_address: Any) -> None:
        err = sys.exception()
        if isinstance(err, OSError):  # handshake failure, timeout, reset: the client's doing
            logger.debug("Connection from %s closed: %s", _client_host(client_address), err)
        else:
            logger.error("Connection from %s failed", _client_host(client_address), exc_info=err)

    def begin_request(self, conn: _Connection) -> bool:
        """Mark a connection as carrying a request; False once shutting down."""
        with self._lock:
            conn.in_request = not self._stopping
            return conn.in_request

    def _finish(self, conn: _Connection) -> None:
        with self._changed:
            self._connections.discard(conn)
            self._changed.notify_all()
        # Closed outside the registry so _cut() never touches a reused descriptor.
        self.shutdown_request(conn.sock)

    # --- shutdown ---

    def stop(self) -> None:
        with self._changed:
            first = not self._stopping
            self._stopping = True
            self._changed.notify_all()
            serving_thread = self._serving_thread
        if first:
            with contextlib.suppress(OSError):  # already closed: nothing left to wake
                self._wake_writer.send(b"x")
        if serving_thread is None:
            self._drain_and_close()
        elif serving_thread != threading.get_ident():
            self._done.wait(self.drain_timeout + 5.0)
        # else: a signal handler interrupted serve(), which drains once it resumes.

    def _drain_and_close(self) -> None:
        with self._changed:
            if self._closed:
                return
            self._closed = True
            self._stopping = True
            self.server_close()  # no new connections from here on
            for conn in list(self._connections):
                if not conn.in_request:
                    _cut(conn)
            deadline = time.monotonic() + self.drain_timeout
            while self._connections and (remaining := deadline - time.monotonic()) > 0:
                self._changed.wait(remaining)
            stuck = len(self._connections)
            for conn in self._connections:
                _cut(conn)
        self._wake_reader.close()
        self._wake_writer.close()
        if stuck:
            logger.warning(
                "Stopped with %d request(s) unfinished after %.1f s", stuck, self.drain_timeout
            )
        logger.info("HTTP server stopped")


def _client_host(address: Any) -> str:
    host = str(address[0])
    if host.startswith("::ffff:") and "." in host:  # IPv4 through a dual-stack socket
        return host.removeprefix("::ffff:")
    return host


def _cut(conn: _Connection) -> None:
    """End a connection from another thread: its thread's next read or write fails."""
    # The plain TCP shutdown, also for an SSLSocket (whose own shutdown drops its state).
    with contextlib.suppress(OSError):  # already closed by the client
        socket.socket.shutdown(conn.sock, socket.SHUT_RDWR)
