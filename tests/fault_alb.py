"""A scriptable TLS server shaped like the project's ALB listeners: the health check's fault server.

Not the local environment's data plane (that one does what the launched listeners say: see
sceptre_fargate_cognito.local_env.data_plane). This one has fixed behaviour with knobs, so the
health checker's tests can build every fault from a real server: HTTPS answers the health path
(200, or a scripted sequence), sends an unauthenticated request for anything else to a hosted UI
with a 302, and a plain-HTTP listener answers 301 to https:// on the same host; each behaviour can
be switched off or slowed down.

    with StandinAlb(cert, key, auth_domain="x.auth.eu-west-1.amazoncognito.com") as alb: ...
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class Seen:
    listener: str  # "https" or "http"
    path: str
    host: str


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, alb: StandinAlb, listener: str, ssl_context: ssl.SSLContext | None):
        self.alb = alb
        self.listener = listener
        self.ssl_context = ssl_context
        if ":" in address[0]:  # an IPv6 literal such as ::1
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)

    def handle_error(self, request, client_address):
        # A client that rejects our certificate aborts the handshake: expected in the fault tests.
        pass


def _without_port(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header.split("]")[0] + "]"
    return host_header.rsplit(":", 1)[0]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self):
        # The TLS handshake happens here, in the connection's own thread, so a slow or failing
        # client never blocks the accept loop.
        if self.server.ssl_context is not None:
            self.request.settimeout(10)
            self.request = self.server.ssl_context.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, format, *args):
        if self.server.alb.verbose:
            super().log_message(format, *args)

    def _answer(self, status: int, headers: dict[str, str] | None = None, body: bytes = b""):
        alb = self.server.alb
        if alb.response_delay:
            time.sleep(alb.response_delay)
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_GET(self):
        alb = self.server.alb
        host = _without_port(self.headers.get("Host") or "")
        path = self.path.split("?", 1)[0]
        alb._record(Seen(self.server.listener, self.path, host))
        if self.server.listener == "http":
            if alb.http_redirect:
                port = "" if alb.public_https_port == 443 else f":{alb.public_https_port}"
                return self._answer(301, {"Location": f"https://{host}{port}{self.path}"})
            return self._answer(200, {"Content-Type": "text/plain"}, b"plain http\n")
        if path == alb.health_path:
            status = alb._next_health_status()
            return self._answer(status, {"Content-Type": "text/plain"}, f"{status}\n".encode())
        if path.startswith("/oauth2/idpresponse"):
            return self._answer(401, {"Content-Type": "text/plain"}, b"no session\n")
        if not alb.auth_enforced:
            return self._answer(200, {"Content-Type": "text/html"}, b"<h1>app</h1>\n")
        sign_in = alb.sign_in()
        if sign_in is None:
            # Like an ALB whose listener is not there yet.
            return self._answer(503, {"Content-Type": "text/plain"}, b"no user pool yet\n")
        auth_domain, client_id = sign_in
        # What ALB authenticate-cognito sends a browser without a session cookie.
        query = urlencode(
            {
                "client_id": client_id,
                "redirect_uri": f"https://{host}/oauth2/idpresponse",
                "response_type": "code",
                "scope": "openid",
                "state": "standin",
            },
            quote_via=quote,
        )
        return self._answer(302, {"Location": f"https://{auth_domain}/oauth2/authorize?{query}"})


class StandinAlb:
    """Two listeners on `host`: HTTPS (certificate `cert`/`key`) and plain HTTP. Ports 0 = any free."""

    def __init__(
        self,
        cert: str | Path,
        key: str | Path,
        auth_domain: str,
        *,
        host: str = "127.0.0.1",
        https_port: int = 0,
        http_port: int = 0,
        public_https_port: int = 443,
        health_path: str = "/healthz",
        health_statuses: Iterable[int] = (200,),
        auth_enforced: bool = True,
        http_redirect: bool = True,
        response_delay: float = 0.0,
        client_id: str = "standin-client-id",
        verbose: bool = False,
    ):
        self.cert, self.key = str(cert), str(key)
        self.auth_domain = auth_domain
        self.host = host
        self._ports = (https_port, http_port)
        self.public_https_port = public_https_port
        self.health_path = health_path
        self.health_statuses = list(health_statuses) or [200]
        self.auth_enforced = auth_enforced
        self.http_redirect = http_redirect
        self.response_delay = response_delay
        self.client_id = client_id
        self.verbose = verbose
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._health_served = 0
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []

    # The health path answers health_statuses in order, then repeats the last one.
    def sign_in(self) -> tuple[str, str] | None:
        """(hosted-UI domain, client id) to redirect to; `auth_domain` may be a callable that
        looks them up per request (None while there is no user pool yet)."""
        if callable(self.auth_domain):
            return self.auth_domain()
        return self.auth_domain, self.client_id

    def _next_health_status(self) -> int:
        with self._lock:
            index = min(self._health_served, len(self.health_statuses) - 1)
            self._health_served += 1
            return self.health_statuses[index]

    def set_health(self, statuses: Iterable[int]) -> None:
        """Replace the health path's sequence (e.g. become healthy now); it starts again from its first."""
        with self._lock:
            self.health_statuses = list(statuses) or [200]
            self._health_served = 0

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)

    @property
    def https_port(self) -> int:
        return self._servers[0].server_address[1]

    @property
    def http_port(self) -> int:
        return self._servers[1].server_address[1]

    def start(self) -> StandinAlb:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert, self.key)
        try:
            for listener, port, ctx in (("https", self._ports[0], context), ("http", self._ports[1], None)):
                server = _Server((self.host, port), _Handler, self, listener, ctx)
                self._servers.append(server)
                thread = threading.Thread(
                    target=server.serve_forever,
                    kwargs={"poll_interval": 0.05},
                    name=f"standin-alb-{listener}",
                    daemon=True,
                )
                thread.start()
                self._threads.append(thread)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> StandinAlb:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
