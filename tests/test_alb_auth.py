"""The sample app's verifier of `x-amzn-oidc-data` (sample_app/alb_auth.py), with tokens signed here
as an ALB signs them and public keys served by a real key server on loopback."""

from __future__ import annotations

import json
import ssl
import sys
import time

import pytest
from alb_token_support import CLAIMS, OTHER_SIGNER, SIGNER, AlbSigningKey, b64url

from templates import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "sample_app"))
from alb_auth import AlbIdentityVerifier, InvalidToken, KeyUnavailable  # noqa: E402


def verifier(server, **options) -> AlbIdentityVerifier:
    return AlbIdentityVerifier(SIGNER, server.url, **options)


def refusal(v: AlbIdentityVerifier, token) -> str:
    with pytest.raises(InvalidToken) as error:
        v.verify(token)
    return str(error.value)


def test_a_token_this_load_balancer_signed_gives_its_claims(alb_key, key_server):
    assert verifier(key_server).verify(alb_key.token()) == CLAIMS


def test_padded_and_unpadded_tokens_are_both_accepted(alb_key, key_server):
    padded, unpadded = alb_key.token(padded=True), alb_key.token(padded=False)
    assert "=" in padded and "=" not in unpadded  # the ALB's form, and the strict JWT form
    v = verifier(key_server)
    assert v.verify(padded) == v.verify(unpadded) == CLAIMS


def test_the_signature_is_checked_over_the_text_as_received_padding_included(alb_key, key_server):
    header, payload, signature = alb_key.token(padded=True).split(".")
    assert header.endswith("=") or payload.endswith("=")
    # The same claims re-encoded without padding are other bytes than the ones signed.
    stripped = f"{header.rstrip('=')}.{payload.rstrip('=')}.{signature}"
    assert "signature is not valid" in refusal(verifier(key_server), stripped)


def test_a_forged_signature_is_refused(alb_key, key_server):
    forger = AlbSigningKey(kid=alb_key.kid)  # the right kid, another private key
    assert "signature is not valid" in refusal(verifier(key_server), forger.token())


def test_changed_claims_are_refused(alb_key, key_server):
    header, _, signature = alb_key.token().split(".")
    payload = b64url(json.dumps(CLAIMS | {"email": "mallory@example.com"}).encode())
    assert "signature is not valid" in refusal(verifier(key_server), f"{header}.{payload}.{signature}")


def test_a_token_of_another_load_balancer_is_refused_before_any_key_is_fetched(alb_key, key_server):
    assert "signed by another load balancer" in refusal(
        verifier(key_server), alb_key.token(signer=OTHER_SIGNER)
    )
    assert key_server.requests == []


def test_an_expired_token_is_refused(alb_key, key_server):
    assert "expired" in refusal(verifier(key_server), alb_key.token(expires_in=-1))


def test_a_token_without_an_expiry_is_refused(alb_key, key_server):
    assert "no valid exp" in refusal(verifier(key_server), alb_key.token(exp=None))


def test_an_expiry_in_the_claims_is_checked_too(alb_key, key_server):
    token = alb_key.token(CLAIMS | {"exp": int(time.time()) - 5})
    assert "expired" in refusal(verifier(key_server), token)


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256", None])
def test_only_es256_is_accepted(alb_key, key_server, alg):
    assert "not ES256" in refusal(verifier(key_server), alb_key.token(alg=alg))


def test_a_kid_the_key_server_does_not_know_is_refused(key_server):
    unknown = AlbSigningKey()
    assert f"no public key for kid {unknown.kid}" in refusal(verifier(key_server), unknown.token())
    assert key_server.requests == [f"/alb-keys/{unknown.kid}"]


@pytest.mark.parametrize("kid", ["../../etc/passwd", "a/b", "", "x" * 200, 7, "a?b"])
def test_a_kid_that_could_leave_the_key_url_is_refused_without_a_fetch(alb_key, key_server, kid):
    assert "kid is missing or malformed" in refusal(verifier(key_server), alb_key.token(kid=kid))
    assert key_server.requests == []


def test_a_key_is_fetched_once_per_kid_and_then_cached(alb_key, key_server):
    v = verifier(key_server)
    for _ in range(5):
        v.verify(alb_key.token())
    assert key_server.requests == [f"/alb-keys/{alb_key.kid}"]
    assert v.fetches == 1


def test_a_rotated_key_is_fetched_when_its_kid_first_appears(alb_key, key_server):
    v = verifier(key_server)
    v.verify(alb_key.token())
    rotated = AlbSigningKey()
    key_server.keys[rotated.kid] = rotated.public_pem()
    assert v.verify(rotated.token()) == CLAIMS
    assert key_server.requests == [f"/alb-keys/{alb_key.kid}", f"/alb-keys/{rotated.kid}"]


def test_keys_are_fetched_over_https_with_the_certificate_verified(alb_key, https_key_server, test_ca):
    trusted = ssl.create_default_context(cafile=str(test_ca.cert_path))
    assert verifier(https_key_server, ssl_context=trusted).verify(alb_key.token()) == CLAIMS
    untrusted = verifier(https_key_server, ssl_context=ssl.create_default_context())
    with pytest.raises(KeyUnavailable, match="could not be fetched"):
        untrusted.verify(alb_key.token())


def test_an_unreachable_key_server_is_a_key_unavailable_not_a_forgery(alb_key, key_server):
    url = key_server.url
    key_server.stop()
    with pytest.raises(KeyUnavailable, match="could not be fetched"):
        AlbIdentityVerifier(SIGNER, url, timeout=2).verify(alb_key.token())


@pytest.mark.parametrize(
    "token, expected",
    [
        (None, "no x-amzn-oidc-data header"),
        ("", "no x-amzn-oidc-data header"),
        ("a.b", "does not have three parts"),
        ("a.b.c.d", "does not have three parts"),
        ("not base64!.e30=.AA==", "not base64url"),
        (f"{b64url(b'[1]')}.e30=.AA==", "header is not a JSON object"),
        (f"{b64url(b'{')}.e30=.AA==", "header is not JSON"),
    ],
)
def test_malformed_tokens_are_refused_naming_what_is_wrong(key_server, token, expected):
    assert expected in refusal(verifier(key_server), token)


def test_a_short_signature_is_refused(alb_key, key_server):
    header, payload, _ = alb_key.token().split(".")
    assert "not an ES256 signature" in refusal(
        verifier(key_server), f"{header}.{payload}.{b64url(b'x' * 10)}"
    )


def test_the_refusal_never_repeats_the_token(alb_key, key_server):
    token = AlbSigningKey(kid=alb_key.kid).token()
    message = refusal(verifier(key_server), token)
    assert not any(part in message for part in token.split("."))


def test_the_verifier_is_built_from_the_platforms_environment(key_server):
    v = AlbIdentityVerifier.from_environment(
        {"AUTH_SIGNER_ARN": SIGNER, "AUTH_PUBLIC_KEYS_URL": key_server.url}
    )
    assert (v.signer_arn, v.public_keys_url) == (SIGNER, key_server.url)
    with pytest.raises(ValueError, match="AUTH_SIGNER_ARN and AUTH_PUBLIC_KEYS_URL not set"):
        AlbIdentityVerifier.from_environment({})
    with pytest.raises(ValueError, match="without a trailing /"):
        AlbIdentityVerifier(SIGNER, key_server.url + "/")
