"""The health check's fault server (tests/fault_alb.py) behaves like the project's listeners."""

from __future__ import annotations

import ssl
from urllib.parse import parse_qs, urlsplit

import fault_alb as standin_alb
from health_check_support import APP_HOST, AUTH_DOMAIN

from sceptre_fargate_cognito.health_check.probe import fetch


def get(alb_port: int, path: str, ca_path, scheme: str = "https"):
    context = ssl.create_default_context(cafile=str(ca_path)) if scheme == "https" else None
    return fetch(
        f"{scheme}://{APP_HOST}{path}", connect_to=f"127.0.0.1:{alb_port}", ssl_context=context, timeout=5
    )


def test_an_unauthenticated_request_is_sent_to_the_hosted_ui_like_alb_authenticate_cognito(
    start_alb, test_ca
):
    alb = start_alb()

    response = get(alb.https_port, "/chat?room=1", test_ca.cert_path)

    location = urlsplit(response.location)
    assert response.status == 302
    assert (location.scheme, location.hostname, location.path) == ("https", AUTH_DOMAIN, "/oauth2/authorize")
    assert parse_qs(location.query) == {
        "client_id": ["standin-client-id"],
        "redirect_uri": [f"https://{APP_HOST}/oauth2/idpresponse"],
        "response_type": ["code"],
        "scope": ["openid"],
        "state": ["standin"],
    }


def test_the_health_path_answers_its_scripted_sequence_then_repeats_the_last_status(start_alb, test_ca):
    alb = start_alb(health_statuses=[503, 200])

    statuses = [get(alb.https_port, "/healthz", test_ca.cert_path).status for _ in range(4)]

    assert statuses == [503, 200, 200, 200]


def test_plain_http_is_moved_permanently_to_https_on_the_same_host(start_alb, test_ca):
    alb = start_alb()

    response = get(alb.http_port, "/a?b=c", test_ca.cert_path, scheme="http")

    assert (response.status, response.location) == (301, f"https://{APP_HOST}/a?b=c")


def test_a_certificate_from_the_throwaway_ca_verifies_for_its_names_only(test_ca, tmp_path):
    from sceptre_fargate_cognito.local_env import certificate_authority

    leaf = certificate_authority.issue(test_ca, ["a.example.test", "127.0.0.1"], directory=tmp_path)
    context = ssl.create_default_context(cafile=str(test_ca.cert_path))

    assert leaf.fullchain_path.read_bytes() == leaf.pem() + test_ca.cert_path.read_bytes()
    assert leaf.chain_path.read_bytes() == test_ca.cert_path.read_bytes()
    assert oct(leaf.key_path.stat().st_mode & 0o777) == "0o600"
    with standin_alb.StandinAlb(leaf.cert_path, leaf.key_path, AUTH_DOMAIN) as alb:
        ok = fetch(f"https://127.0.0.1:{alb.https_port}/healthz", ssl_context=context, timeout=5)
        assert ok.status == 200  # the IP SAN
        assert ok.certificate_not_after.replace(microsecond=0) == leaf.not_after.replace(microsecond=0)


def test_the_health_sequence_can_be_replaced_while_running(start_alb, test_ca):
    alb = start_alb(health_statuses=[503])
    assert get(alb.https_port, "/healthz", test_ca.cert_path).status == 503

    alb.set_health([200])

    assert get(alb.https_port, "/healthz", test_ca.cert_path).status == 200
