"""The health check against real HTTPS servers on loopback (certificates from a test CA).

No HTTP is mocked: every verdict comes from real requests to a stand-in ALB or a purpose-built
server. Waits between probes are skipped by a time-warp clock, so "fails at once" is asserted as
"one attempt and no wait", never as a tight timing.
"""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from fault_alb import StandinAlb
from health_check_support import APP_HOST, AUTH_DOMAIN, free_port

from sceptre_fargate_cognito.local_env import certificate_authority


def health_probes(verdict):
    return [p for p in verdict.probes if p.check == "health"]


def test_a_healthy_service_passes_every_check_without_waiting_for_more_than_the_streak(
    start_alb, run_check, warp
):
    alb = start_alb()
    verdict, lines = run_check(alb)

    assert verdict.healthy, lines
    assert [c.passed for c in verdict.checks] == [True, True, True]
    assert verdict.attempts == 3 + 1 + 1
    assert warp.sleeps == [5.0, 5.0]  # the streak's pace, nothing else
    assert 88 <= verdict.certificate_days_left <= 90 and not verdict.certificate_warning
    assert lines[-4].startswith(f"HEALTHY https://{APP_HOST} via 127.0.0.1:{alb.https_port}")
    assert "health passed (3 in a row); auth passed" in lines[-3]
    assert "attempts: 5; time to healthy:" in lines[-2] and "latency p50" in lines[-2]


def test_every_probe_prints_one_line_with_time_target_status_and_latency(start_alb, run_check):
    alb = start_alb()
    verdict, lines = run_check(alb)

    probe_lines = lines[: verdict.attempts]
    assert len(probe_lines) == 5
    assert " health GET https://app.example.test/healthz via 127.0.0.1:" in probe_lines[0]
    assert "-> 200 " in probe_lines[0] and " ms (1/3 in a row)" in probe_lines[0]
    assert probe_lines[3].split(" ", 1)[1].startswith("auth   GET https://app.example.test/ ")
    assert "-> 301 " in probe_lines[4]
    dt.datetime.strptime(probe_lines[0].split(" ")[0], "%Y-%m-%dT%H:%M:%S.%fZ")


def test_the_check_never_follows_a_redirect_itself(start_alb, run_check):
    alb = start_alb()
    verdict, _ = run_check(alb)

    assert verdict.healthy
    assert [(r.listener, r.path.split("?")[0]) for r in alb.requests] == [
        ("https", "/healthz"),
        ("https", "/healthz"),
        ("https", "/healthz"),
        ("https", "/"),
        ("http", "/"),
    ]


def test_a_service_answering_503_several_times_is_healthy_once_it_heals(start_alb, run_check, warp):
    alb = start_alb(health_statuses=[503, 503, 503, 503, 200])
    verdict, lines = run_check(alb)

    assert verdict.healthy, lines
    assert [p.status for p in health_probes(verdict)] == [503, 503, 503, 503, 200, 200, 200]
    assert warp.sleeps and all(0 < wait <= 5.0 for wait in warp.sleeps)
    assert "[retry in " in lines[0]


def test_backoff_doubles_from_an_eighth_of_the_interval_and_never_exceeds_it(start_alb, run_check, warp):
    alb = start_alb(health_statuses=[503] * 8 + [200])
    verdict, _ = run_check(alb, interval=8)

    assert verdict.healthy
    ceilings = [1, 2, 4, 8, 8, 8, 8, 8]
    # One wait per retry (then the in-a-row pacing): every retry's wait is checked.
    assert len(warp.sleeps) >= len(ceilings)
    for wait, ceiling in zip(warp.sleeps[: len(ceilings)], ceilings, strict=True):
        assert ceiling / 2 <= wait <= ceiling


def test_a_refused_connection_is_retried_until_the_service_comes_up(app_cert, run_check, warp):
    https_port, http_port = free_port(), free_port()
    started: list[StandinAlb] = []

    def come_up_after_three_waits(waits: int) -> None:
        if waits == 3:
            started.append(
                StandinAlb(
                    app_cert.cert_path,
                    app_cert.key_path,
                    AUTH_DOMAIN,
                    https_port=https_port,
                    http_port=http_port,
                ).start()
            )

    warp.on_sleep = come_up_after_three_waits
    try:
        verdict, lines = run_check(connect_to=f"127.0.0.1:{https_port}", http_port=http_port)
    finally:
        for alb in started:
            alb.stop()

    assert verdict.healthy, lines
    assert [p.error for p in verdict.probes[:3]] == ["connection refused"] * 3
    assert verdict.attempts == 3 + 3 + 2


def test_a_name_that_does_not_resolve_is_retried_until_it_does(start_alb, run_check):
    https_port = free_port()
    alb = start_alb(https_port=https_port, public_https_port=https_port)
    asked: list[str] = []

    def resolver_that_learns_the_name_late(host: str) -> list[str]:
        asked.append(host)
        if len(asked) <= 2:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return ["127.0.0.1"] if host == APP_HOST else []

    verdict, lines = run_check(
        url=f"https://{APP_HOST}:{alb.https_port}",
        http_port=alb.http_port,
        resolver=resolver_that_learns_the_name_late,
    )

    assert verdict.healthy, lines
    assert [p.error for p in verdict.probes[:2]] == [
        f"name {APP_HOST} does not resolve ([Errno {socket.EAI_NONAME}] Name or service not known)"
    ] * 2
    assert set(asked) == {APP_HOST}  # the machine's resolver was never asked
    assert alb.requests[0].host == APP_HOST


@pytest.fixture
def other_ca(tmp_path):
    return certificate_authority.make_ca(tmp_path / "other", "Someone Else's CA")


@pytest.mark.parametrize(
    "certificate, cause",
    [
        ("for another host", f"certificate is not valid for {APP_HOST}"),
        ("expired", "certificate has expired"),
        ("from an untrusted CA", "certificate is not trusted"),
    ],
)
def test_a_bad_certificate_fails_at_once_without_retrying(
    certificate, cause, test_ca, other_ca, tmp_path, start_alb, run_check, warp
):
    now = dt.datetime.now(dt.timezone.utc)
    leaf = {
        "for another host": lambda: certificate_authority.issue(
            test_ca, ["other.example.test"], directory=tmp_path
        ),
        "expired": lambda: certificate_authority.issue(
            test_ca,
            [APP_HOST],
            not_before=now - dt.timedelta(days=100),
            not_after=now - dt.timedelta(days=1),
            directory=tmp_path,
        ),
        "from an untrusted CA": lambda: certificate_authority.issue(other_ca, [APP_HOST]),
    }[certificate]()
    alb = start_alb(cert=leaf)

    verdict, lines = run_check(alb)

    assert not verdict.healthy
    assert verdict.attempts == 1 and warp.sleeps == []  # less than one probe interval: no wait at all
    assert verdict.cause.startswith(f"health: {cause}"), verdict.cause
    assert [c.passed for c in verdict.checks] == [False, None, None]
    assert "[does not heal]" in lines[0] and lines[1].startswith("UNHEALTHY")
    assert alb.requests == []  # the handshake was refused before any request was sent


def test_without_a_ca_bundle_the_system_store_is_used_and_does_not_trust_a_private_ca(
    start_alb, run_check, monkeypatch
):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    verdict, _ = run_check(start_alb(), ca_bundle=None)

    assert not verdict.healthy and "certificate is not trusted" in verdict.cause


def test_ssl_cert_file_is_honoured_when_no_ca_bundle_is_given(start_alb, run_check, test_ca, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.cert_path))
    verdict, lines = run_check(start_alb(), ca_bundle=None)

    assert verdict.healthy, lines


@pytest.mark.parametrize("status", [401, 403])
def test_a_health_path_that_asks_for_credentials_fails_at_once(status, start_alb, run_check, warp):
    verdict, _ = run_check(start_alb(health_statuses=[status]))

    assert not verdict.healthy and verdict.attempts == 1 and warp.sleeps == []
    assert verdict.cause == f"health: {status} on the health path: it must answer without credentials"


def test_a_protected_path_that_is_not_redirected_means_authentication_is_not_enforced(
    start_alb, run_check, warp
):
    verdict, _ = run_check(start_alb(auth_enforced=False))

    assert not verdict.healthy
    assert verdict.cause == "auth: authentication not enforced: / answered 200 without sign-in"
    assert [c.passed for c in verdict.checks] == [True, False, None]
    assert len([p for p in verdict.probes if p.check == "auth"]) == 1
    assert warp.sleeps == [5.0, 5.0]  # only the health streak's pace


def test_a_redirect_to_another_host_than_the_user_pools_hosted_ui_fails(start_alb, run_check):
    alb = start_alb(auth_domain="phish.auth.eu-west-1.amazoncognito.com")
    verdict, _ = run_check(alb)

    assert not verdict.healthy
    assert verdict.cause.startswith(
        "auth: redirect to an unexpected place https://phish.auth.eu-west-1.amazoncognito.com/oauth2/authorize?"
    )
    assert verdict.cause.endswith(f"expected https://{AUTH_DOMAIN}/oauth2/authorize")


def test_http_that_is_not_redirected_to_https_fails(start_alb, run_check):
    verdict, _ = run_check(start_alb(http_redirect=False))

    assert not verdict.healthy
    assert verdict.cause == "http: http:// not redirected to https:// (200)"
    assert [c.passed for c in verdict.checks] == [True, True, False]


def test_checks_that_are_switched_off_are_not_run(start_alb, run_check):
    alb = start_alb(auth_enforced=False, http_redirect=False)
    verdict, lines = run_check(
        alb, check_auth=False, check_http_redirect=False, auth_domain=None, healthy_threshold=1
    )

    assert verdict.healthy, lines
    assert [r.path for r in alb.requests] == ["/healthz"]
    assert "auth not run; http not run" in lines[-3]


def test_responses_slower_than_the_timeout_are_retried_until_the_deadline(start_alb, run_check):
    alb = start_alb(response_delay=1.5)
    verdict, lines = run_check(alb, timeout=0.2, deadline=30, interval=5)

    assert not verdict.healthy
    assert {p.error for p in verdict.probes} == {"timed out"}
    assert verdict.attempts > 3  # retried, not failed at once
    assert verdict.cause.startswith("health: deadline of 30 s reached; last: timed out")


def test_a_flapping_service_needs_the_full_streak_again_after_each_bad_answer(start_alb, run_check):
    alb = start_alb(health_statuses=[200, 503, 200, 200, 503, 200, 200, 200])
    verdict, lines = run_check(alb)

    assert verdict.healthy, lines
    assert [p.status for p in health_probes(verdict)] == [200, 503, 200, 200, 503, 200, 200, 200]
    assert "(3/3 in a row)" in lines[7] and "(2/3 in a row)" in lines[3]


def test_the_deadline_is_kept_within_one_interval(start_alb, run_check, warp):
    alb = start_alb(health_statuses=[503])
    verdict, _ = run_check(alb, deadline=60, interval=5)

    assert not verdict.healthy
    assert verdict.cause.startswith("health: deadline of 60 s reached; last: 503, not ready yet")
    assert 60 <= verdict.elapsed < 60 + 5
    assert sum(warp.sleeps) <= 60  # never sleeps past the deadline


def test_a_certificate_close_to_expiry_is_reported_with_a_warning(test_ca, tmp_path, start_alb, run_check):
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=12, hours=1)
    alb = start_alb(cert=certificate_authority.issue(test_ca, [APP_HOST], not_after=soon, directory=tmp_path))
    verdict, lines = run_check(alb)

    assert verdict.healthy and verdict.certificate_days_left == 12 and verdict.certificate_warning
    assert "in 12 days (WARNING" in lines[-1]


def test_a_redirect_from_http_to_the_right_host_on_another_port_fails(start_alb, run_check):
    verdict, _ = run_check(start_alb(public_https_port=8443))

    assert not verdict.healthy
    assert verdict.cause == (
        f"http: redirect to an unexpected place https://{APP_HOST}:8443/, expected https://{APP_HOST}/"
    )


def test_a_redirect_to_the_hosted_ui_host_on_another_port_fails(start_alb, run_check):
    verdict, _ = run_check(start_alb(auth_domain=f"{AUTH_DOMAIN}:8443"))

    assert not verdict.healthy
    assert verdict.cause.startswith(
        f"auth: redirect to an unexpected place https://{AUTH_DOMAIN}:8443/oauth2/"
    )


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


def _free_ipv6_port() -> int:
    with socket.socket(socket.AF_INET6) as sock:
        sock.bind(("::1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="this machine has no IPv6 loopback address ::1")
def test_an_ipv6_literal_url_gets_a_verdict_for_every_check(test_ca, tmp_path, start_alb, run_check):
    https_port = _free_ipv6_port()
    leaf = certificate_authority.issue(test_ca, ["::1"], directory=tmp_path)
    alb = start_alb(cert=leaf, host="::1", https_port=https_port, public_https_port=https_port)

    verdict, lines = run_check(url=f"https://[::1]:{https_port}", http_port=alb.http_port)

    assert verdict.healthy, lines
    assert [c.passed for c in verdict.checks] == [True, True, True]
    assert f"http   GET http://[::1]:{alb.http_port}/ -> 301" in lines[verdict.attempts - 1]


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="this machine has no IPv6 loopback address ::1")
def test_an_ipv6_literal_url_on_the_default_port_can_be_reached_through_connect_to(
    test_ca, tmp_path, start_alb, run_check
):
    leaf = certificate_authority.issue(test_ca, ["::1"], directory=tmp_path)
    alb = start_alb(cert=leaf, host="::1")

    verdict, lines = run_check(
        url="https://[::1]", connect_to=f"[::1]:{alb.https_port}", http_port=alb.http_port
    )

    assert verdict.healthy, lines
    assert lines[-4].startswith(f"HEALTHY https://[::1] via [::1]:{alb.https_port}")
