"""Fixtures for the health-check tests: a test CA, real stand-in ALBs on loopback, a time-warp clock.

tests/conftest.py loads its fixtures as a pytest plugin; import its helpers by name.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest
from fault_alb import StandinAlb

from sceptre_fargate_cognito.health_check.check import HealthCheck, Verdict
from sceptre_fargate_cognito.health_check.options import parse
from sceptre_fargate_cognito.local_env import certificate_authority

APP_HOST = "app.example.test"
AUTH_DOMAIN = "chat-local.auth.eu-west-1.amazoncognito.com"


class TimeWarp:
    """Real elapsed time, except that sleeping skips ahead instead of waiting.

    Requests, handshakes and timeouts still take their real time; only the waits between probes
    are skipped, so a ten-minute deadline is tested in milliseconds. `on_sleep` lets a test change
    the world between probes (start a server, make a name resolve).
    """

    def __init__(self):
        self.skipped = 0.0
        self.sleeps: list[float] = []
        self.on_sleep: Callable[[int], None] | None = None

    def clock(self) -> float:
        return time.monotonic() + self.skipped

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.skipped += seconds
        if self.on_sleep:
            self.on_sleep(len(self.sleeps))


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    return certificate_authority.make_ca(tmp_path_factory.mktemp("ca"), "Health Check Test CA")


@pytest.fixture(scope="session")
def app_cert(test_ca):
    return certificate_authority.issue(test_ca, [APP_HOST])


@pytest.fixture
def start_alb(app_cert):
    """Start real stand-in ALBs (certificate for APP_HOST unless given); every one is stopped after the test."""
    started: list[StandinAlb] = []

    def start(cert=None, **settings) -> StandinAlb:
        cert = cert or app_cert
        settings.setdefault("auth_domain", AUTH_DOMAIN)
        alb = StandinAlb(cert.cert_path, cert.key_path, **settings)
        started.append(alb)
        return alb.start()

    try:
        yield start
    finally:
        for alb in started:
            alb.stop()


@pytest.fixture
def warp():
    return TimeWarp()


def free_port() -> int:
    """A loopback port nobody listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def run_check(test_ca, warp):
    """Run the real check against a stand-in with test-friendly defaults; returns (verdict, lines)."""

    def run(alb: StandinAlb | None = None, *, resolver=None, **overrides) -> tuple[Verdict, list[str]]:
        values = {
            "url": f"https://{APP_HOST}",
            "ca_bundle": str(test_ca.cert_path),
            "auth_domain": AUTH_DOMAIN,
            "interval": 5,
            "timeout": 2,
            "deadline": 600,
        }
        if alb is not None:
            values["connect_to"] = f"127.0.0.1:{alb.https_port}"
            values["http_port"] = alb.http_port
        values.update(overrides)
        lines: list[str] = []
        extra = {"resolver": resolver} if resolver else {}
        verdict = HealthCheck(
            parse(values), clock=warp.clock, sleep=warp.sleep, emit=lines.append, **extra
        ).run()
        return verdict, lines

    return run


__all__ = [
    "test_ca",
    "app_cert",
    "start_alb",
    "warp",
    "run_check",
    "TimeWarp",
    "free_port",
    "APP_HOST",
    "AUTH_DOMAIN",
]
