"""The exporter's HTTP(S) server: a threaded wsgiref server hardened for scraping.

Built on `wsgiref.simple_server` and `socketserver.ThreadingMixIn` like prometheus_client's
own server, without its traps:

- TLS handshakes run in each connection's thread, never in the accept loop, so one client
  that connects and stalls cannot block every other scrape.
- Each connection gets the web config's current SSL context, so a certificate rotated on
  disk is served from the next connection on (`exporter.web.tls`); basic auth guards every
  path (`exporter.web.auth`).
- At most `max_connections` connections are open, one thread each. When all are taken the
  accept loop stops accepting; new connections wait in the kernel's listen backlog and are
  served as soon as one closes. No 503: refusing over TLS would cost a thread and a handshake
  per refused connection, the very resources the bound protects, and for Prometheus a short
  wait within its scrape timeout beats a failed scrape. Slots cannot be held for long: an
  idle or slow client gets `read_timeout` in total for its TLS handshake and request head.
- One request per connection; a failing app answers a plain 500 (`exporter.web.handler`).
- `shutdown()` stops accepting, closes connections that have not sent a request yet, lets
  requests in flight finish (at most `drain_timeout`), and can be called from a signal
  handler, even one interrupting `serve_forever()` on the same thread.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import socketserver
import ssl
import sys
import threading
import time
from typing import Any, cast
from wsgiref.simple_server import WSGIServer
from wsgiref.types import WSGIApplication

from exporter.web.auth import with_basic_auth
from exporter.web.handler import Connection, RequestHandler, client_host, errors_stay_errors
from exporter.web.listen import NO_IPV6_ERRNOS, bind_without_dns, parse_listen_address, resolve
from exporter.web.web_config import WebConfig

__all__ = ["ExporterHTTPServer", "Server"]

logger = logging.getLogger("exporter.server")  # one logger for the whole HTTP side

_LISTEN_BACKLOG = 128


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
        family, sockaddr, dual_stack = resolve(host, port)
        options: dict[str, Any] = {
            "app": with_basic_auth(errors_stay_errors(app), config.basic_auth),
            "config": config,
            "max_connections": max_connections,
            "read_timeout": read_timeout,
            "drain_timeout": drain_timeout,
        }
        try:
            self._server = Server(family, sockaddr, dual_stack=dual_stack, **options)
        except OSError as err:
            # ":port" means any interface: IPv4 alone will do where IPv6 is switched off.
            if host or not dual_stack or err.errno not in NO_IPV6_ERRNOS:
                raise
            self._server = Server(socket.AF_INET, ("0.0.0.0", port), dual_stack=False, **options)

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
        scheme = "https" if server.tls else "http"
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


class Server(socketserver.ThreadingMixIn, WSGIServer):
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
        self.tls = config.tls is not None
        self.max_connections = max_connections
        self.read_timeout = read_timeout
        self.drain_timeout = drain_timeout
        # Re-entrant: shutdown() may run in a signal handler on the thread holding it.
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._connections: set[Connection] = set()
        self._stopping = False
        self._serving_thread: int | None = None
        self._closed = False
        self._done = threading.Event()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_writer.setblocking(False)
        try:
            super().__init__(sockaddr, RequestHandler)
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
        bind_without_dns(self)
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
        tls = "on" if self.tls else "off"
        auth = "on" if self.config.basic_auth_users else "off"
        logger.info("Listening on %s, TLS %s, basic auth %s", where, tls, auth)
        if not self.tls and self.config.basic_auth_users:
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
        conn = Connection(sock, time.monotonic() + self.read_timeout)
        with self._lock:
            self._connections.add(conn)
        try:
            self.process_request(conn, address)  # type: ignore[arg-type]
        except Exception:  # no thread to be had: drop this one connection
            logger.exception("Starting a connection thread failed")
            self._finish(conn)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        conn = cast(Connection, request)
        try:
            # Asked per connection, in its own thread: a rotated certificate is served
            # from the next connection on, and the files' stat never blocks accepting.
            context = self.config.ssl_context()
            if context is not None:
                self._handshake(conn, context)
            self.finish_request(conn, client_address)  # type: ignore[arg-type]
        except Exception:
            self.handle_error(conn.sock, client_address)
        finally:
            self._finish(conn)

    def _handshake(self, conn: Connection, context: ssl.SSLContext) -> None:
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
            logger.debug("Connection from %s closed: %s", client_host(client_address), err)
        else:
            logger.error("Connection from %s failed", client_host(client_address), exc_info=err)

    def begin_request(self, conn: Connection) -> bool:
        """Mark a connection as carrying a request; False once shutting down."""
        with self._lock:
            conn.in_request = not self._stopping
            return conn.in_request

    def _finish(self, conn: Connection) -> None:
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


def _cut(conn: Connection) -> None:
    """End a connection from another thread: its thread's next read or write fails."""
    # The plain TCP shutdown, also for an SSLSocket (whose own shutdown drops its state).
    with contextlib.suppress(OSError):  # already closed by the client
        socket.socket.shutdown(conn.sock, socket.SHUT_RDWR)
