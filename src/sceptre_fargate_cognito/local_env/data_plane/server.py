"""The data plane's servers on loopback, and the process `bin/launch-local` runs them in.

- HTTPS (the ALB's port 443): by Host, `<prefix>.auth.<region>.localhost` is the hosted UI of that
  user-pool domain; `cognito-idp.<region>.localhost` serves each pool's public keys at
  `/<pool>/.well-known/jwks.json` (the emulator's); any other host is the load balancer's 443
  listener.
- HTTP (the ALB's port 80): the load balancer's 80 listener.
- The ALB's public keys, PEM at `/<kid>` (AWS: https://public-keys.auth.elb.<region>.amazonaws.com/<kid>),
  on plain HTTP so that an application process reads them with no certificate to trust.

As a process: python -m sceptre_fargate_cognito.local_env.data_plane --cert C --key K --region R
  prints one JSON line {"https_port", "http_port", "keys_port", "pid"} once listening; SIGTERM stops it.
  The AWS API is reached through AWS_ENDPOINT_URL (the emulator), never AWS.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sceptre_fargate_cognito.local_env import processes
from sceptre_fargate_cognito.local_env.data_plane.hosted_ui import HostedUi
from sceptre_fargate_cognito.local_env.data_plane.load_balancer import LoadBalancer
from sceptre_fargate_cognito.local_env.data_plane.messages import Request, Response
from sceptre_fargate_cognito.local_env.data_plane.oidc_data import SigningKey

HOSTED_UI_HOST = re.compile(r"^(?P<prefix>[a-z0-9-]+)\.auth\.(?P<region>[a-z0-9-]+)\.localhost$")


def hosted_ui_host(prefix: str, region: str) -> str:
    """Where `local` serves the hosted UI of a domain prefix (AWS: <prefix>.auth.<region>.amazoncognito.com)."""
    return f"{prefix}.auth.{region}.localhost"


def idp_host(region: str) -> str:
    """Where `local` serves the user pools' public keys (AWS: cognito-idp.<region>.amazonaws.com)."""
    return f"cognito-idp.{region}.localhost"


def hosted_ui_names(region: str) -> list[str]:
    """Names the data plane's certificate must cover: the hosted UI of every prefix, and the user
    pools' keys."""
    return [f"*.auth.{region}.localhost", idp_host(region)]


def _split_authority(authority: str) -> str:
    if authority.startswith("["):
        return authority.split("]")[0] + "]"
    return authority.rsplit(":", 1)[0] if ":" in authority else authority


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, plane: DataPlane, role: str, ssl_context: ssl.SSLContext | None):
        self.plane, self.role, self.ssl_context = plane, role, ssl_context
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address):
        # A client that rejects the certificate or hangs up mid-request: nothing to answer.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self):
        # The TLS handshake runs in the connection's own thread: a slow client never blocks accept.
        if self.server.ssl_context is not None:
            self.request.settimeout(30)
            self.request = self.server.ssl_context.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, format, *args):
        pass  # requests are logged by _respond, without queries or cookies

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        authority = self.headers.get("Host") or ""
        path, _, query = self.path.partition("?")
        request = Request(
            method=self.command,
            host=_split_authority(authority).lower(),
            authority=authority,
            path=path,
            query=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            source_ip=self.client_address[0],
        )
        try:
            response = self.server.plane.dispatch(self.server.role, request)
        except Exception as err:  # a bug or the emulator gone: answer like a broken load balancer
            response = Response.text(500, f"500 Internal Server Error: {type(err).__name__}\n")
        self._respond(response, request)

    def _respond(self, response: Response, request: Request) -> None:
        if self.server.plane.verbose:
            print(
                f"{self.server.role} {request.method} {request.host}{request.path} -> {response.status}",
                file=sys.stderr,
                flush=True,
            )
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        self.close_connection = True

    do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve


class DataPlane:
    """The three servers; `elbv2` and `cognito` are clients of the emulator."""

    def __init__(
        self,
        elbv2,
        cognito,
        *,
        cert: str | Path,
        key: str | Path,
        region: str,
        host: str = "127.0.0.1",
        https_port: int = 0,
        http_port: int = 0,
        keys_port: int = 0,
        load_balancer_name: str | None = None,
        verbose: bool = False,
    ):
        self.region, self.verbose = region, verbose
        self.signing_key = SigningKey()
        self.hosted_ui = HostedUi(cognito)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(str(cert), str(key))
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        try:
            for role, port, ctx in (
                ("https", https_port, context),
                ("http", http_port, None),
                ("keys", keys_port, None),
            ):
                self._servers.append(_Server((host, port), self, role, ctx))
        except BaseException:
            self.stop()
            raise
        self.load_balancer = LoadBalancer(
            elbv2,
            self.hosted_ui,
            region=region,
            local_ports={443: self.https_port, 80: self.http_port},
            hosted_ui_authority=lambda prefix: f"{hosted_ui_host(prefix, region)}:{self.https_port}",
            signing_key=self.signing_key,
            load_balancer_name=load_balancer_name,
        )

    @property
    def https_port(self) -> int:
        return self._servers[0].server_address[1]

    @property
    def http_port(self) -> int:
        return self._servers[1].server_address[1]

    @property
    def keys_port(self) -> int:
        return self._servers[2].server_address[1]

    @property
    def public_keys_url(self) -> str:
        return f"http://127.0.0.1:{self.keys_port}"

    def dispatch(self, role: str, request: Request) -> Response:
        if role == "keys":
            if request.method in ("GET", "HEAD") and request.path == f"/{self.signing_key.kid}":
                return Response(
                    200, [("Content-Type", "application/x-pem-file")], self.signing_key.public_pem()
                )
            return Response.text(404, "no such key\n")
        if role == "https":
            match = HOSTED_UI_HOST.match(request.host)
            if match and match["region"] == self.region:
                return self.hosted_ui.handle(match["prefix"], request)
            if request.host == idp_host(self.region) and request.method in ("GET", "HEAD"):
                return self.load_balancer.jwt_validator.user_pool_keys(self.region, request.path)
            return self.load_balancer.handle(443, request)
        return self.load_balancer.handle(80, request)

    def start(self) -> DataPlane:
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"data-plane-{server.role}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers:
            if self._threads:
                server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> DataPlane:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def emulator_clients(region: str):
    """elbv2 and cognito-idp clients of the emulator named by AWS_ENDPOINT_URL."""
    import boto3

    if not os.environ.get("AWS_ENDPOINT_URL"):
        raise SystemExit("the data plane reads the emulator: set AWS_ENDPOINT_URL (it never calls AWS)")
    return boto3.client("elbv2", region_name=region), boto3.client("cognito-idp", region_name=region)


@dataclass
class DataPlaneProcess:
    """The data plane running as its own process, stopped by its handle only."""

    https_port: int
    http_port: int
    keys_port: int
    pid: int
    process: subprocess.Popen

    @property
    def public_keys_url(self) -> str:
        return f"http://127.0.0.1:{self.keys_port}"

    def stop(self) -> None:
        processes.stop(self.process)


def start_process(
    cert,
    key,
    *,
    region: str,
    env: dict[str, str],
    https_port: int = 0,
    http_port: int = 0,
    log_path: Path | None = None,
    python: str = sys.executable,
) -> DataPlaneProcess:
    """Start the data plane process against the emulator in `env` and return once it listens."""
    log = open(log_path, "ab") if log_path else None  # noqa: SIM115 - the child keeps it open
    try:
        process, info = processes.start_announced(
            [
                python,
                "-m",
                "sceptre_fargate_cognito.local_env.data_plane",
                "--cert",
                str(cert),
                "--key",
                str(key),
                "--region",
                region,
                "--https-port",
                str(https_port),
                "--http-port",
                str(http_port),
                *(["--verbose"] if log else []),
            ],
            what="the data plane",
            env=env,
            stderr=log,
        )
    finally:
        if log:
            log.close()
    return DataPlaneProcess(info["https_port"], info["http_port"], info["keys_port"], info["pid"], process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sceptre_fargate_cognito.local_env.data_plane", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--cert", required=True, help="PEM certificate (leaf then chain)")
    parser.add_argument("--key", required=True, help="PEM private key")
    parser.add_argument("--region", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--https-port", type=int, default=0)
    parser.add_argument("--http-port", type=int, default=0)
    parser.add_argument("--keys-port", type=int, default=0)
    parser.add_argument("--load-balancer", help="its name, when the emulator holds several")
    parser.add_argument(
        "--verbose", action="store_true", help="one line per request on stderr (no queries, no cookies)"
    )
    args = parser.parse_args(argv)
    elbv2, cognito = emulator_clients(args.region)
    plane = DataPlane(
        elbv2,
        cognito,
        cert=args.cert,
        key=args.key,
        region=args.region,
        host=args.host,
        https_port=args.https_port,
        http_port=args.http_port,
        keys_port=args.keys_port,
        load_balancer_name=args.load_balancer,
        verbose=args.verbose,
    ).start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(
        json.dumps(
            {
                "https_port": plane.https_port,
                "http_port": plane.http_port,
                "keys_port": plane.keys_port,
                "pid": os.getpid(),
            }
        ),
        flush=True,
    )
    try:
        stop.wait()
    finally:
        plane.stop()
    return 0
