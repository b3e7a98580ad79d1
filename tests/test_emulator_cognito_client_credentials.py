"""A pool issues access tokens to its machine clients (the client-credentials grant), signed with
the pool's own key, with the claims Cognito gives them; it refuses what Cognito refuses."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import boto3
import jwt
import pytest
from cognito_support import email_pool
from front_door_support import resource_server
from test_emulator_cognito_pool_signing_keys import jwks, verify

PATH = "/moto-api/cognito-idp/client-credentials-token"


def machine_client(idp, pool: str, scopes=("api/read", "api/write"), flows=("client_credentials",), **more):
    resource_server(idp, pool, "api")
    settings = {
        "GenerateSecret": True,
        "AllowedOAuthFlows": list(flows),
        "AllowedOAuthScopes": list(scopes),
        "AllowedOAuthFlowsUserPoolClient": True,
        **more,
    }
    return idp.create_user_pool_client(UserPoolId=pool, ClientName="partner", **settings)["UserPoolClient"]


def token(emulator, pool: str, client: dict, scope: str | None = None, secret: str | None = None):
    body = {
        "UserPoolId": pool,
        "ClientId": client["ClientId"],
        "ClientSecret": secret or client.get("ClientSecret"),
    }
    if scope is not None:
        body["Scope"] = scope
    request = urllib.request.Request(
        f"{emulator.endpoint}{PATH}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


def test_a_machine_client_gets_an_access_token_with_cognitos_claims_signed_by_its_pool(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp)
    client = machine_client(idp, pool)

    status, answer = token(aws, pool, client)

    assert status == 200
    assert answer["token_type"] == "Bearer" and answer["expires_in"] == 3600
    assert set(answer) == {"access_token", "expires_in", "token_type"}
    claims = verify(answer["access_token"], jwks(aws, pool))
    assert set(claims) == {
        "sub",
        "token_use",
        "scope",
        "auth_time",
        "iss",
        "exp",
        "iat",
        "version",
        "jti",
        "client_id",
    }
    assert claims["sub"] == claims["client_id"] == client["ClientId"]
    assert claims["token_use"] == "access" and claims["version"] == 2
    assert claims["scope"] == "api/read api/write"
    assert claims["iss"] == f"https://cognito-idp.eu-west-1.amazonaws.com/{pool}"
    assert abs(claims["exp"] - time.time() - 3600) < 60


def test_the_requested_scopes_are_the_tokens_and_the_clients_validity_is_its_lifetime(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp)
    client = machine_client(idp, pool, AccessTokenValidity=5, TokenValidityUnits={"AccessToken": "minutes"})

    status, answer = token(aws, pool, client, scope="api/read")

    assert status == 200 and answer["expires_in"] == 300
    assert jwt.decode(answer["access_token"], options={"verify_signature": False})["scope"] == "api/read"


@pytest.mark.parametrize(
    ("case", "status", "error"),
    [
        ("wrong secret", 401, "invalid_client"),
        ("no secret", 401, "invalid_client"),
        ("another pool", 401, "invalid_client"),
        ("code flow only", 400, "unauthorized_client"),
        ("scope not allowed", 400, "invalid_scope"),
    ],
)
def test_a_request_cognito_would_refuse_is_refused(aws, case, status, error):
    idp = boto3.client("cognito-idp")
    pool, other = email_pool(idp), email_pool(idp, "other")
    secret = None
    scope = None
    if case == "no secret":
        client = idp.create_user_pool_client(UserPoolId=pool, ClientName="public")["UserPoolClient"]
    elif case == "code flow only":
        client = machine_client(idp, pool, flows=("code",))
    else:
        client = machine_client(idp, pool, scopes=("api/read",))
        secret = "not-the-secret" if case == "wrong secret" else None
        scope = "api/write" if case == "scope not allowed" else None
        pool = other if case == "another pool" else pool

    answer = token(aws, pool, client, scope=scope, secret=secret)

    assert answer[0] == status and answer[1]["error"] == error
    assert "access_token" not in answer[1]
