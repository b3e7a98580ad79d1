"""One HTTP(S) request over a plain socket, with every failure sorted into "heals" or "does not".

Independent of Sceptre. The caller chooses where to connect (`connect_to`) separately from the
host named in the URL, which is what SNI, the Host header and certificate verification use: that is
how a load balancer is checked for a custom domain before DNS points at it. Redirects are reported,
never followed. The timeout bounds the whole request (connect, handshake, and reading the head), not
each socket operation, so a server that trickles bytes cannot hold a probe open.
"""

from __future__ import annotations

import datetime as dt
import http.client
import io
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

Resolver = Callable[[str], Sequence[str]]

USER_AGENT = "https-health-check/1"
MAX_HEAD_BYTES = 64 * 1024
# The port a URL without one means.
DEFAULT_PORTS = {"https": 443, "http": 80}

# OpenSSL verify codes worth a plain-words message.
_EXPIRED = 10
_NOT_YET_VALID = 9
_HOSTNAME_MISMATCH = 62
_UNTRUSTED = {18, 19, 20, 21, 2}


class ProbeError(Exception):
    """A request that got no HTTP answer. `heals` says whether trying again later can help."""

    def __init__(self, kind: str, message: str, heals: bool):
        super().__init__(message)
        self.kind = kind
        self.heals = heals


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: Message
    latency: float  # seconds, from the start of the connection to the end of the response head
    peer: str  # the address actually connected to, "ip:port"
    certificate_not_after: dt.datetime | None  # None over plain HTTP

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")


def system_resolver(host: str) -> list[str]:
    """The machine's resolver: every address of `host`, in the order the system gives them."""
    seen: list[str] = []
    for *_, sockaddr in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM):
        address = str(sockaddr[0])
        if address not in seen:
            seen.append(address)
    return seen


def split_host_port(text: str, default_port: int | None = None) -> tuple[str, int | None]:
    """'host', 'host:443', '10.0.0.1:8443', '[::1]:8443' -> (host, port or default)."""
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"{text!r} is not host[:port]")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host, port_text = text, ""  # a bare IPv6 literal has several colons
    if not host:
        raise ValueError(f"{text!r} has no host")
    if not port_text:
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"{text!r} has a bad port")
    return host, int(port_text)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def authority(host: str, port: int, scheme: str) -> str:
    """host[:port] as a URL or a Host header writes it: IPv6 literals bracketed, the default port left out."""
    shown = f"[{host}]" if ":" in host else host
    return shown if port == DEFAULT_PORTS[scheme] else f"{shown}:{port}"


def _certificate_error(err: ssl.SSLCertVerificationError, host: str) -> ProbeError:
    code = getattr(err, "verify_code", None)
    detail = getattr(err, "verify_message", None) or str(err)
    if code == _HOSTNAME_MISMATCH:
        message = f"certificate is not valid for {host} ({detail})"
    elif code == _EXPIRED:
        message = "certificate has expired"
    elif code == _NOT_YET_VALID:
        message = "certificate is not valid yet"
    elif code in _UNTRUSTED:
        message = f"certificate is not trusted ({detail})"
    else:
        message = f"certificate rejected ({detail})"
    return ProbeError("certificate", message, heals=False)


def _classify(err: Exception, host: str) -> ProbeError:
    if isinstance(err, ssl.SSLCertVerificationError):
        return _certificate_error(err, host)
    if isinstance(err, (TimeoutError, socket.timeout)):
        return ProbeError("timeout", "timed out", heals=True)
    if isinstance(err, ConnectionRefusedError):
        return ProbeError("refused", "connection refused", heals=True)
    if isinstance(
        err,
        (
            ConnectionResetError,
            ConnectionAbortedError,
            BrokenPipeError,
            ssl.SSLEOFError,
            ssl.SSLZeroReturnError,
        ),
    ):
        return ProbeError("reset", "connection reset", heals=True)
    if isinstance(err, ssl.SSLError):
        # A handshake the server refuses (no shared protocol, an alert) is configuration, not load.
        return ProbeError("tls", f"TLS handshake failed ({err.reason or err})", heals=False)
    if isinstance(err, OSError):
        # Unreachable network or host: a security group or route still being created.
        return ProbeError("network", f"network error ({err.strerror or err})", heals=True)
    raise err


def fetch(
    url: str,
    *,
    connect_to: str | None = None,
    resolver: Resolver = system_resolver,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
) -> Response:
    """GET `url` once and return the response head, or raise ProbeError.

    `connect_to` ("host", "host:port", "[v6]:port") is where the TCP connection goes; the URL's host
    is still the one sent as SNI and Host and the one the certificate must be valid for.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    host = parts.hostname
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    dial_host, given_port = split_host_port(connect_to, port) if connect_to else (host, port)
    dial_port = given_port or port
    if parts.scheme == "https" and ssl_context is None:
        ssl_context = ssl.create_default_context()

    started = clock()
    deadline = started + timeout

    def remaining() -> float:
        left = deadline - clock()
        if left <= 0:
            raise TimeoutError
        return left

    sock: socket.socket | None = None
    try:
        if _is_ip(dial_host):
            addresses = [dial_host]
        else:
            try:
                addresses = list(resolver(dial_host))
            except (OSError, UnicodeError) as err:
                raise ProbeError("dns", f"name {dial_host} does not resolve ({err})", heals=True) from err
            if not addresses:
                raise ProbeError("dns", f"name {dial_host} does not resolve", heals=True)
        last_error: BaseException | None = None
        for address in addresses:  # like socket.create_connection: the first that accepts
            try:
                sock = socket.create_connection((address, dial_port), timeout=remaining())
                break
            except OSError as err:
                last_error = err
        if sock is None:
            assert last_error is not None
            raise last_error
        peer_ip, peer_port = sock.getpeername()[:2]
        peer = f"[{peer_ip}]:{peer_port}" if ":" in peer_ip else f"{peer_ip}:{peer_port}"
        not_after = None
        if parts.scheme == "https":
            sock.settimeout(remaining())
            assert ssl_context is not None  # made above for https
            sock = ssl_context.wrap_socket(sock, server_hostname=host)
            cert = sock.getpeercert()
            if cert and isinstance(cert.get("notAfter"), str):
                not_after = dt.datetime.fromtimestamp(
                    ssl.cert_time_to_seconds(str(cert["notAfter"])), dt.timezone.utc
                )
        request = (
            f"GET {target} HTTP/1.1\r\n"
            f"Host: {authority(host, port, parts.scheme)}\r\n"
            f"User-Agent: {USER_AGENT}\r\n"
            "Accept: */*\r\n"
            "Connection: close\r\n\r\n"
        ).encode("ascii")
        sock.settimeout(remaining())
        sock.sendall(request)
        head = b""
        while b"\r\n\r\n" not in head:
            sock.settimeout(remaining())
            chunk = sock.recv(4096)
            if not chunk:
                raise ProbeError("reset", "connection closed before a response", heals=True)
            head += chunk
            if len(head) > MAX_HEAD_BYTES:
                raise ProbeError("protocol", "response head too large", heals=False)
        latency = clock() - started
        status_line, _, header_block = head.partition(b"\r\n")
        try:
            version, status_text, *reason = status_line.decode("latin-1").split(" ", 2)
            if not version.startswith("HTTP/") or len(status_text) != 3:
                raise ValueError
            status = int(status_text)
        except ValueError:
            raise ProbeError("protocol", f"not an HTTP response: {status_line[:60]!r}", heals=False) from None
        headers = http.client.parse_headers(io.BytesIO(header_block.split(b"\r\n\r\n")[0] + b"\r\n\r\n"))
        return Response(status, reason[0] if reason else "", headers, latency, peer, not_after)
    except ProbeError:
        raise
    except Exception as err:
        raise _classify(err, host) from err
    finally:
        if sock is not None:
            sock.close()
