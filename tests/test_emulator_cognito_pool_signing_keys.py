"""Each user pool signs its tokens with its own key, published at its own JWKS URL, as in AWS: a
token of one pool does not verify against another pool's keys."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import boto3
import jwt
import pytest
from cognito_support import client, email_pool

PASSWORD = "Correct-Horse-9-Battery"


def jwks(emulator, pool_id: str) -> dict:
    """The pool's JWKS as a verifier fetches it (the emulator knows cognito-idp by the Host)."""
    request = urllib.request.Request(
        f"{emulator.endpoint}/{pool_id}/.well-known/jwks.json",
        headers={"Host": "cognito-idp.eu-west-1.amazonaws.com"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def signed_in(idp, pool_id: str) -> dict:
    client_id = client(idp, pool_id)
    idp.admin_create_user(UserPoolId=pool_id, Username="ann@example.com", MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username="ann@example.com", Password=PASSWORD, Permanent=True
    )
    return idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann@example.com", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]


def verify(token: str, keys: dict) -> dict:
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwt.PyJWKSet.from_dict(keys).keys if k.key_id == kid)
    return jwt.decode(token, key, algorithms=["RS256"], options={"verify_aud": False})


def test_each_pool_signs_with_its_own_key_and_a_token_verifies_only_against_its_pools_keys(aws):
    idp = boto3.client("cognito-idp")
    first, second = email_pool(idp, "first"), email_pool(idp, "second")
    tokens = signed_in(idp, first)
    first_keys, second_keys = jwks(aws, first), jwks(aws, second)

    assert [k["kid"] for k in first_keys["keys"]] != [k["kid"] for k in second_keys["keys"]]
    assert all(k["alg"] == "RS256" and k["kty"] == "RSA" and "d" not in k for k in first_keys["keys"])
    for token in (tokens["AccessToken"], tokens["IdToken"]):
        header = jwt.get_unverified_header(token)
        assert header["kid"] == first_keys["keys"][0]["kid"] != "dummy"
        assert verify(token, first_keys)["iss"] == f"https://cognito-idp.eu-west-1.amazonaws.com/{first}"
        second_key = jwt.PyJWKSet.from_dict(second_keys).keys[0]
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, second_key, algorithms=["RS256"], options={"verify_aud": False})


def test_tokens_still_work_with_the_api_that_takes_them(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp)
    tokens = signed_in(idp, pool)

    user = idp.get_user(AccessToken=tokens["AccessToken"])

    assert user["Username"]
    assert verify(tokens["AccessToken"], jwks(aws, pool))["token_use"] == "access"


def test_the_jwks_of_a_pool_that_does_not_exist_is_not_found(aws):
    with pytest.raises(urllib.error.HTTPError) as missing:
        jwks(aws, "eu-west-1_Nothing")

    assert missing.value.code == 404
