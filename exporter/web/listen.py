"""`--web.listen-address`: parsing `host:port`, choosing what socket to bind, binding it."""

from __future__ import annotations

import errno
import ipaddress
import re
import socket
import socketserver
from http.server import HTTPServer
from typing import Any

__all__ = ["NO_IPV6_ERRNOS", "bind_without_dns", "parse_listen_address", "resolve"]

_HOST_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?")
_PORT = re.compile(r"[0-9]{1,5}")
# Binding "::" fails with these where IPv6 is switched off.
NO_IPV6_ERRNOS = (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL, errno.EPROTONOSUPPORT)


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


def resolve(host: str, port: int) -> tuple[socket.AddressFamily, tuple[Any, ...], bool]:
    """(family, socket address, dual-stack) to bind for a parsed listen address.

    "" and "::" mean IPv6 and IPv4 (IPv4 alone without IPv6), "0.0.0.0" IPv4 only; a host
    name binds its first IPv4 address, else its first address, as Go exporters do. Raises
    OSError when the name cannot be resolved.
    """
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


def bind_without_dns(server: HTTPServer) -> None:
    """Bind `server` as `HTTPServer.server_bind` does, without its reverse DNS lookup.

    `HTTPServer.server_bind` calls `socket.getfqdn()` for `server_name`, which can hang on a
    slow or broken resolver; the bound address serves as the name instead. For use in a
    `server_bind` override (the exporter's server and the simulator's).
    """
    socketserver.TCPServer.server_bind(server)
    server.server_name = str(server.server_address[0])
    server.server_port = int(server.server_address[1])


def _ipv6_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_STREAM).close()
    except OSError:
        return False
    return True
