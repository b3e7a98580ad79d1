"""The sample application, black-box: `python sample_app/app.py` as a real process on loopback,
spoken to over real HTTP with tokens signed here as the ALB signs them, its keys served over
HTTPS by a real key server trusted through SSL_CERT_FILE, as in a container."""

from __future__ import annotations

import http.client
import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alb_token_support import CLAIMS, OTHER_SIGNER, SIGNER, AlbSigningKey

from templates import PROJECT_ROOT

SIGNED_OUT = "/signed-out"
SIGN_OUT_URL = (
    "https://webapp-dev-111122223333.auth.eu-west-1.amazoncognito.com/logout"
    "?client_id=4example5client6id&logout_uri=https%3A%2F%2Fapp.example.test%2Fsigned-out"
)


class App:
    """The app as a process: started with the contract's environment, stopped with SIGTERM."""

    def __init__(self, directory: Path, environment: dict[str, str]):
        self.process = subprocess.Popen(
            [sys.executable, str(directory / "app.py")],
            env=environment,
            cwd=directory,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first = self.read_line(timeout=20)
        found = re.fullmatch(r"sample app listening on port (\d+)", first)
        assert found, (
            f"unexpected first line {first!r}; stderr: {self.process.stderr.read() if self.process.poll() is not None else ''}"
        )
        self.port = int(found.group(1))

    def read_line(self, timeout: float = 5) -> str:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        assert ready, "the app wrote no line in time"
        return self.process.stdout.readline().rstrip("\n")

    def request(
        self, method: str, path: str, headers: dict | None = None
    ) -> tuple[http.client.HTTPResponse, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request(method, path, headers={"Host": "app.example.test", **(headers or {})})
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
        return response, body

    def stop(self) -> tuple[int, str]:
        self.process.terminate()
        out, _ = self.process.communicate(timeout=10)
        return self.process.returncode, out


def contract_environment(key_server_url: str, ca_path: Path, **extra) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "PORT": "0",  # a free port; the app says which
        "SSL_CERT_FILE": str(ca_path),  # the system store, as the container's would hold AWS's CA
        "PYTHONDONTWRITEBYTECODE": "1",  # as the Dockerfile sets it: nothing written beside the code
        "AUTH_SIGN_OUT_URL": SIGN_OUT_URL,
        "AUTH_SIGNER_ARN": SIGNER,
        "AUTH_PUBLIC_KEYS_URL": key_server_url,
        **extra,
    }


@pytest.fixture
def app_copy(tmp_path):
    directory = tmp_path / "app"
    shutil.copytree(PROJECT_ROOT / "sample_app", directory, ignore=shutil.ignore_patterns("__pycache__"))
    return directory


@pytest.fixture
def app(app_copy, https_key_server, test_ca):
    started = App(app_copy, contract_environment(https_key_server.url, test_ca.cert_path, GREETING="Welcome"))
    yield started
    if started.process.poll() is None:
        started.stop()


def test_the_health_path_answers_get_and_head_without_sign_in(app):
    response, body = app.request("GET", "/healthz")
    assert (response.status, body) == (200, "ok\n")
    response, body = app.request("HEAD", "/healthz")
    assert (response.status, body) == (200, "")
    assert app.request("POST", "/healthz")[0].status == 405


def test_the_health_path_is_the_one_the_environment_names(app_copy, https_key_server, test_ca):
    other = App(app_copy, contract_environment(https_key_server.url, test_ca.cert_path, HEALTH_PATH="/ping"))
    try:
        assert other.request("GET", "/ping")[0].status == 200
        assert other.request("GET", "/healthz")[0].status == 404
    finally:
        other.stop()


def test_the_signed_out_page_is_the_logout_uris_path_and_needs_no_sign_in(app):
    response, body = app.request("GET", SIGNED_OUT)
    assert response.status == 200
    assert "You have signed out" in body
    assert app.request("HEAD", SIGNED_OUT)[0].status == 200


def test_the_home_page_greets_the_verified_user_by_email(app, alb_key):
    response, body = app.request("GET", "/", {"x-amzn-oidc-data": alb_key.token()})
    assert response.status == 200
    assert "Welcome, alice@example.com" in body  # GREETING from app_environment
    assert "<form method=post action='/sign-out'>" in body


def test_claims_are_escaped_in_the_page(app, alb_key):
    token = alb_key.token(CLAIMS | {"email": "<script>alert(1)</script>@example.com"})
    _, body = app.request("GET", "/", {"x-amzn-oidc-data": token})
    assert "<script>alert" not in body and "&lt;script&gt;" in body


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda key: None, id="no token"),
        pytest.param(lambda key: AlbSigningKey(kid=key.kid).token(), id="forged signature"),
        pytest.param(lambda key: key.token(expires_in=-1), id="expired"),
        pytest.param(lambda key: key.token(signer=OTHER_SIGNER), id="another load balancer"),
        pytest.param(lambda key: AlbSigningKey().token(), id="unknown kid"),
        pytest.param(lambda key: key.token(padded=False)[:-4] + "AAAA", id="tampered"),
    ],
)
def test_a_request_without_a_valid_token_is_refused_401(app, alb_key, make_token):
    token = make_token(alb_key)
    response, body = app.request("GET", "/", {"x-amzn-oidc-data": token} if token else {})
    assert response.status == 401
    assert "alice@example.com" not in body


def test_an_unreachable_key_server_answers_503_not_a_greeting(app_copy, test_ca, alb_key):
    down = App(app_copy, contract_environment("https://127.0.0.1:9/keys", test_ca.cert_path))
    try:
        assert down.request("GET", "/", {"x-amzn-oidc-data": alb_key.token()})[0].status == 503
    finally:
        down.stop()


def test_sign_out_expires_every_session_cookie_shard_present_then_goes_to_cognitos_logout(app):
    cookies = "AWSELBAuthSessionCookie-0=shard0value; theme=dark; AWSELBAuthSessionCookie-1=shard1value"
    response, _ = app.request("POST", "/sign-out", {"Cookie": cookies, "Origin": "https://app.example.test"})
    assert response.status == 302
    assert response.getheader("Location") == SIGN_OUT_URL
    set_cookies = response.msg.get_all("Set-Cookie")
    assert sorted(c.split("=", 1)[0] for c in set_cookies) == [
        "AWSELBAuthSessionCookie-0",
        "AWSELBAuthSessionCookie-1",
    ]
    for cookie in set_cookies:
        attributes = [a.strip() for a in cookie.split(";")]
        assert attributes[0].endswith("=")  # emptied
        assert {"Path=/", "Max-Age=0", "Expires=Thu, 01 Jan 1970 00:00:00 GMT", "Secure", "HttpOnly"} <= set(
            attributes
        )


def test_sign_out_is_a_post_from_this_site_only(app):
    assert app.request("GET", "/sign-out")[0].status == 405
    assert app.request("POST", "/sign-out", {"Origin": "https://evil.example"})[0].status == 403
    assert app.request("POST", "/sign-out", {"Sec-Fetch-Site": "cross-site"})[0].status == 403


def test_one_log_line_per_request_without_cookies_or_tokens(app, alb_key):
    token = alb_key.token()
    forged = AlbSigningKey(kid=alb_key.kid).token()
    app.request("GET", "/healthz")
    app.request("GET", "/?code=secret-code", {"x-amzn-oidc-data": token})
    app.request("GET", "/", {"x-amzn-oidc-data": forged})
    app.request("POST", "/sign-out", {"Cookie": "AWSELBAuthSessionCookie-0=shard0value"})
    code, out = app.stop()
    assert code == 0  # SIGTERM, as ECS stops a task, is a clean exit
    lines = out.strip().splitlines()
    assert len(lines) == 4, lines
    assert re.search(r" GET /healthz 200 [\d.]+ms user=-$", lines[0])
    assert re.search(rf" GET / 200 [\d.]+ms user={CLAIMS['sub']}$", lines[1])
    assert re.search(r" GET / 401 [\d.]+ms user=- refused: the token's signature is not valid$", lines[2])
    assert re.search(r" POST /sign-out 302 ", lines[3])
    for secret in ("shard0value", "secret-code", *token.split("."), *forged.split(".")):
        assert secret not in out


def test_the_app_refuses_to_start_without_the_platforms_auth_variables(app_copy):
    result = subprocess.run(
        [sys.executable, str(app_copy / "app.py")],
        env={"PATH": os.environ["PATH"], "PORT": "0"},
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode != 0
    assert "AUTH_SIGN_OUT_URL, AUTH_SIGNER_ARN, AUTH_PUBLIC_KEYS_URL not set" in result.stderr


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"AUTH_PUBLIC_KEYS_URL": "https://keys.example.com/"}, "without a trailing /"),
        ({"PORT": "eighty"}, "sample app: invalid literal for int()"),
        ({"AUTH_SIGN_OUT_URL": "https://auth.example.com/logout?client_id=x"}, "no logout_uri with a path"),
    ],
)
def test_the_app_refuses_to_start_with_a_malformed_contract(app_copy, test_ca, change, expected):
    result = subprocess.run(
        [sys.executable, str(app_copy / "app.py")],
        env=contract_environment("https://127.0.0.1:9/keys", test_ca.cert_path) | change,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode != 0 and expected in result.stderr, result.stderr


def test_the_app_writes_nothing_beside_its_code(app, app_copy, alb_key):
    before = sorted(p.relative_to(app_copy) for p in app_copy.rglob("*"))
    app.request("GET", "/", {"x-amzn-oidc-data": alb_key.token()})
    app.request("POST", "/sign-out")
    app.stop()
    assert sorted(p.relative_to(app_copy) for p in app_copy.rglob("*")) == before


def test_the_container_health_check_command_reports_the_health_path(app, app_copy):
    def check(port: int) -> int:
        return subprocess.run(
            [sys.executable, str(app_copy / "app.py"), "--check"],
            env={"PATH": os.environ["PATH"], "PORT": str(port)},
            timeout=20,
        ).returncode

    assert check(app.port) == 0
    app.stop()
    time.sleep(0.1)
    assert check(app.port) == 1


def test_the_dockerfile_runs_the_app_as_a_non_root_user_on_a_multi_arch_base_writing_only_to_tmp():
    dockerfile = (PROJECT_ROOT / "sample_app" / "Dockerfile").read_text()
    joined = re.sub(r"\\\n\s*", " ", dockerfile)  # continuation lines into their instruction
    instructions = [
        line.split(None, 1) for line in joined.splitlines() if line.strip() and not line.startswith("#")
    ]
    (base,) = [arg for op, arg in instructions if op == "FROM"]
    assert re.fullmatch(r"python:3\.\d+-slim(@sha256:[a-f0-9]{64})?", base)  # an image index: amd64 and arm64
    users = [arg for op, arg in instructions if op == "USER"]
    assert users and users[-1] == "1000:1000"  # the template's ContainerUser default
    assert "PYTHONDONTWRITEBYTECODE=1" in dockerfile
    assert re.search(r"^ENV .*TMPDIR=/tmp", joined, re.M)
    assert "--require-hashes" in dockerfile
    assert [arg for op, arg in instructions if op == "CMD"] == ['["python", "/app/app.py"]']
