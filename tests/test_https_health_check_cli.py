"""`https-health-check` outside Sceptre: same options, exit 0 healthy, 1 unhealthy, 2 bad arguments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from health_check_support import APP_HOST, AUTH_DOMAIN

CONSOLE_SCRIPT = Path(sys.executable).parent / "https-health-check"


def run_cli(*args: str, module: bool = False) -> subprocess.CompletedProcess:
    command = (
        [sys.executable, "-m", "sceptre_fargate_cognito.health_check.cli"]
        if module
        else [str(CONSOLE_SCRIPT)]
    )
    return subprocess.run(command + list(args), capture_output=True, text=True, timeout=60)


def args_for(alb, test_ca, *more: str) -> list[str]:
    return [
        "--url",
        f"https://{APP_HOST}",
        "--connect-to",
        f"127.0.0.1:{alb.https_port}",
        "--http-port",
        str(alb.http_port),
        "--ca-bundle",
        str(test_ca.cert_path),
        "--auth-domain",
        AUTH_DOMAIN,
        "--interval",
        "0.05",
        *more,
    ]


@pytest.mark.parametrize(
    "module", [False, True], ids=["console script", "python -m sceptre_fargate_cognito.health_check.cli"]
)
def test_the_command_exits_0_for_a_healthy_service_and_prints_each_probe_and_a_summary(
    module, start_alb, test_ca
):
    alb = start_alb()
    result = run_cli(*args_for(alb, test_ca), module=module)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5 + 4  # five probes, a four-line summary
    assert lines[5].startswith(f"HEALTHY https://{APP_HOST} via 127.0.0.1:{alb.https_port}")


def test_the_command_exits_1_for_an_unhealthy_service(start_alb, test_ca):
    alb = start_alb(http_redirect=False)
    result = run_cli(*args_for(alb, test_ca))

    assert result.returncode == 1
    assert "UNHEALTHY" in result.stdout and "http:// not redirected to https://" in result.stdout


def test_switched_off_checks_need_no_auth_domain(start_alb, test_ca):
    alb = start_alb()
    result = run_cli(
        "--url",
        f"https://{APP_HOST}",
        "--connect-to",
        f"127.0.0.1:{alb.https_port}",
        "--ca-bundle",
        str(test_ca.cert_path),
        "--no-auth-check",
        "--no-http-redirect-check",
        "--healthy-threshold",
        "1",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert [r.path for r in alb.requests] == ["/healthz"]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--url", "https://a.example.test", "--auth-domain", AUTH_DOMAIN, "--interval", "soon"],
            "interval must be a number, not 'soon'",
        ),
        (
            ["--url", "https://a.example.test", "--auth-domain", AUTH_DOMAIN, "--healthy-threshold", "0"],
            "healthy_threshold must be between 1 and 100",
        ),
        (["--url", "https://a.example.test"], "check_auth needs auth_domain"),
        (["--url", "ftp://a.example.test", "--no-auth-check"], "url must start with https://"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message_before_any_request(args, message):
    result = run_cli(*args)

    assert result.returncode == 2
    assert f"https-health-check: error: {message}" in result.stderr
    assert result.stdout == ""
