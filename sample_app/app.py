"""The sample application: what a new user deploys first, and what `local` runs by default.

    PORT=8080 AUTH_SIGN_OUT_URL=... AUTH_SIGNER_ARN=... AUTH_PUBLIC_KEYS_URL=... python sample_app/app.py
    python sample_app/app.py --check      # exit 0 if the health path answers 200 (container_health_check)

It follows the application contract (docs/application-contract.md):
- the health path (HEALTH_PATH, default /healthz) answers 200 to GET and HEAD, without sign-in;
- `/` greets the signed-in user by the email in the verified `x-amzn-oidc-data` claims, and
  answers 401 to a token that is forged, expired or from another load balancer;
- `POST /sign-out` expires every ALB session cookie shard present (`AWSELBAuthSessionCookie-N`,
  path /) and redirects to AUTH_SIGN_OUT_URL (Cognito's /logout), which returns to the
  signed-out page;
- the signed-out page (the path of AUTH_SIGN_OUT_URL's logout_uri) answers without sign-in.

Configuration comes from the environment as ECS gives it: PORT, AUTH_* (the platform's),
GREETING (plain configuration from app_environment; default "Hello"). One log line per request
goes to stdout, with neither cookies nor tokens. Standard library plus `cryptography`; it writes
nothing to disk (the container's root filesystem is read-only).
"""

from __future__ import annotations

import html
import http.cookies
import os
import re
import signal
import sys
import time
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))  # alb_auth beside this file, however started

from alb_auth import HEADER, AlbIdentityVerifier, InvalidToken, KeyUnavailable  # noqa: E402

SESSION_COOKIE = re.compile(r"AWSELBAuthSessionCookie-\d+")
SIGN_OUT_PATH = "/sign-out"


class Settings:
    """What the app reads from its environment, checked once at start."""

    def __init__(self, environ=os.environ):
        missing = [
            n for n in ("AUTH_SIGN_OUT_URL", "AUTH_SIGNER_ARN", "AUTH_PUBLIC_KEYS_URL") if not environ.get(n)
        ]
        if missing:
            raise SystemExit(
                f"sample app: {', '.join(missing)} not set. The platform sets them (the alb-ecs template on AWS, "
                "the task runner on local); see docs/application-contract.md."
            )
        try:
            self.port = int(environ.get("PORT", "8080"))
            self.verifier = AlbIdentityVerifier.from_environment(environ)
        except ValueError as error:
            raise SystemExit(f"sample app: {error}") from None
        self.health_path = environ.get("HEALTH_PATH", "/healthz")
        self.sign_out_url = environ["AUTH_SIGN_OUT_URL"]
        self.greeting = environ.get("GREETING", "Hello")
        # The signed-out page is where Cognito's /logout returns: the path of its logout_uri.
        logout_uri = parse_qs(urlsplit(self.sign_out_url).query).get("logout_uri", [""])[0]
        self.signed_out_path = urlsplit(logout_uri).path
        if not self.signed_out_path.startswith("/") or self.signed_out_path == "/":
            raise SystemExit("sample app: AUTH_SIGN_OUT_URL has no logout_uri with a path of its own")


def page(title: str, body: str) -> bytes:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width'><title>{html.escape(title)}</title></head>"
        f"<body><main>{body}</main></body></html>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    settings: Settings  # set on the class by serve()
    server_version = "sample-app"
    sys_version = ""
    protocol_version = "HTTP/1.1"  # the ALB keeps connections to its targets open

    def do_HEAD(self):
        self._route("HEAD")

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")

    def _route(self, method: str) -> None:
        self._started = time.monotonic()
        self._user, self._reason = "-", ""  # per request: one connection carries several
        path = urlsplit(self.path).path
        s = self.settings
        public = {s.health_path: self._health, s.signed_out_path: self._signed_out}
        if path in public:
            return public[path]() if method in ("GET", "HEAD") else self._not_allowed("GET, HEAD")
        if path == "/":
            return self._home() if method in ("GET", "HEAD") else self._not_allowed("GET, HEAD")
        if path == SIGN_OUT_PATH:
            return self._sign_out() if method == "POST" else self._not_allowed("POST")
        self._send(HTTPStatus.NOT_FOUND, page("Not found", "<h1>Not found</h1>"))

    # ---- pages

    def _health(self) -> None:
        self._send(HTTPStatus.OK, b"ok\n", "text/plain; charset=utf-8")

    def _signed_out(self) -> None:
        self._send(
            HTTPStatus.OK,
            page("Signed out", "<h1>You have signed out</h1><p><a href='/'>Sign in again</a></p>"),
        )

    def _home(self) -> None:
        try:
            claims = self.settings.verifier.verify(self.headers.get(HEADER))
        except KeyUnavailable as error:
            self._log_reason(error)
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, page("Try again", "<h1>Try again shortly</h1>"))
        except InvalidToken as error:
            self._log_reason(error)
            return self._send(HTTPStatus.UNAUTHORIZED, page("Not signed in", "<h1>Not signed in</h1>"))
        self._user = str(claims.get("sub", "?"))
        email = claims.get("email") or claims.get("username") or "there"
        body = (
            f"<h1>{html.escape(self.settings.greeting)}, {html.escape(str(email))}</h1>"
            f"<form method=post action='{SIGN_OUT_PATH}'><button type=submit>Sign out</button></form>"
        )
        self._send(HTTPStatus.OK, page("Signed in", body))

    def _sign_out(self) -> None:
        # A form on another site must not sign the user out (a small harm, but a harm).
        origin = self.headers.get("Origin")
        if self.headers.get("Sec-Fetch-Site") == "cross-site" or (
            origin and urlsplit(origin).netloc != self.headers.get("Host")
        ):
            return self._send(
                HTTPStatus.FORBIDDEN, page("Refused", "<h1>Sign out from this site's own page</h1>")
            )
        cookies = http.cookies.SimpleCookie()
        try:
            cookies.load(self.headers.get("Cookie", ""))
        except http.cookies.CookieError:
            cookies = http.cookies.SimpleCookie()
        # The ALB splits its session into shards -0, -1, ... (up to 4): every one present must go,
        # or the ALB keeps the session. Same name and path (/) as the ALB set them.
        expire = [
            f"{name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; HttpOnly"
            for name in sorted(cookies)
            if SESSION_COOKIE.fullmatch(name)
        ]
        self._send(
            HTTPStatus.FOUND,
            page("Signing out", f"<a href='{html.escape(self.settings.sign_out_url)}'>Continue</a>"),
            headers=[("Location", self.settings.sign_out_url), *(("Set-Cookie", c) for c in expire)],
        )

    def _not_allowed(self, allow: str) -> None:
        self._send(
            HTTPStatus.METHOD_NOT_ALLOWED,
            page("Not allowed", "<h1>Method not allowed</h1>"),
            [("Allow", allow)],
        )

    # ---- plumbing

    def _log_reason(self, error: Exception) -> None:
        self._reason = str(error)  # says what was wrong with the token, never the token

    def _send(
        self, status: HTTPStatus, body: bytes, content_type="text/html; charset=utf-8", headers=()
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        # Logged before the body is written: the client cannot see the answer (and send its next
        # request) before the line is out, so lines come in the order of the requests.
        elapsed = (time.monotonic() - self._started) * 1000
        # Path without its query (a query may carry codes); no header, cookie or token.
        print(
            f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {self.command} {urlsplit(self.path).path} "
            f"{int(status)} {elapsed:.1f}ms user={self._user}"
            + (f" refused: {self._reason}" if self._reason else ""),
            flush=True,
        )
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # one line per request is written by _send; http.server's own would go to stderr


def serve(settings: Settings) -> None:
    Handler.settings = settings
    server = ThreadingHTTPServer(("", settings.port), Handler)
    server.daemon_threads = True
    # ECS stops a task with SIGTERM: stop taking connections and exit 0.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"sample app listening on port {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()


def check(environ=os.environ) -> int:
    """For container_health_check: 0 if the health path answers 200 on this container."""
    url = f"http://127.0.0.1:{environ.get('PORT', '8080')}{environ.get('HEALTH_PATH', '/healthz')}"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        return check()
    if argv:
        print("usage: python app.py [--check]", file=sys.stderr)
        return 2
    serve(Settings())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
