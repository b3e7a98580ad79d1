"""Machine clients through the local front door, by real HTTPS on loopback: the hosted UI's token
endpoint serves the client-credentials grant, and a listener rule with jwt-validation then
forward lets a listed client's token through and answers everything else with the ALB's 401,
while the browser rule beside it still sends people to sign in. Everything the data plane reads
(load balancer, listener, rules, target group, user pools, clients) is made through the emulator's
API; the target is a real echo server."""

from __future__ import annotations

import base64
import json
import time

import boto3
import jwt
import pytest
from echo_target import EchoTarget
from front_door_support import (
    access_token_check,
    basic,
    client_credentials_token,
    forward_to,
    machine_client,
    person_tokens,
    pool_with_api,
    two_subnets,
)
from loopback_client import Answer, LoopbackClient

from sceptre_fargate_cognito.local_env import certificate_authority
from sceptre_fargate_cognito.local_env.data_plane.server import DataPlane, hosted_ui_names

REGION = "eu-west-1"
APP = "app.sceptre.localhost"
PASSWORD = "Correct-Horse-9-Battery"


@pytest.fixture(scope="module")
def door(module_aws, tmp_path_factory):
    folder = tmp_path_factory.mktemp("jwt-door")
    ca = certificate_authority.make_ca(folder, "jwt door CA")
    leaf = certificate_authority.issue(ca, [APP, *hosted_ui_names(REGION)], directory=folder)
    ec2, elbv2, acm, idp = (
        boto3.client(s, region_name=REGION) for s in ("ec2", "elbv2", "acm", "cognito-idp")
    )

    pool = pool_with_api(idp, "app", "app-auth")
    other_pool = pool_with_api(idp, "other", "other-auth")
    partner = machine_client(idp, pool, "partner", scopes=("api/read", "api/write"))
    stranger = machine_client(idp, pool, "stranger")
    short_lived = machine_client(
        # AWS's shortest access token lives 5 minutes; the emulator takes 1 second, so that a
        # real token of the pool can expire within the test.
        idp,
        pool,
        "short-lived",
        AccessTokenValidity=1,
        TokenValidityUnits={"AccessToken": "seconds"},
    )
    outsider = machine_client(idp, other_pool, "partner")
    browser = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="app",
        GenerateSecret=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True,
        CallbackURLs=[f"https://{APP}/oauth2/idpresponse"],
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]

    vpc, subnets = two_subnets(ec2, REGION)
    balancer = elbv2.create_load_balancer(Name="app", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    certificate = acm.request_certificate(DomainName=APP)["CertificateArn"]
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool}"
    with EchoTarget("app") as echo:
        forward = forward_to(elbv2, vpc, "app", echo.port, HealthCheckPath="/healthz")
        listener = elbv2.create_listener(
            LoadBalancerArn=balancer,
            Protocol="HTTPS",
            Port=443,
            Certificates=[{"CertificateArn": certificate}],
            DefaultActions=[
                {
                    "Type": "authenticate-cognito",
                    "Order": 1,
                    "AuthenticateCognitoConfig": {
                        "UserPoolArn": f"arn:aws:cognito-idp:{REGION}:123456789012:userpool/{pool}",
                        "UserPoolClientId": browser["ClientId"],
                        "UserPoolDomain": "app-auth",
                    },
                },
                forward,
            ],
        )["Listeners"][0]["ListenerArn"]
        elbv2.create_rule(
            ListenerArn=listener,
            Priority=10,
            Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}],
            Actions=[access_token_check(issuer, [partner["ClientId"], short_lived["ClientId"]]), forward],
        )
        with DataPlane(elbv2, idp, cert=leaf.fullchain_path, key=leaf.key_path, region=REGION) as plane:
            # The same check with the keys where local's cognito template points the ALB: the
            # data plane's own https://cognito-idp.<region>.localhost:<port> (AWS: the ProviderURL).
            local_keys = (
                f"https://cognito-idp.{REGION}.localhost:{plane.https_port}/{pool}/.well-known/jwks.json"
            )
            elbv2.create_rule(
                ListenerArn=listener,
                Priority=20,
                Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/local-keys/*"]}}],
                Actions=[
                    {
                        "Type": "jwt-validation",
                        "Order": 1,
                        "JwtValidationConfig": {"JwksEndpoint": local_keys, "Issuer": issuer},
                    },
                    forward,
                ],
            )
            # The pool's keys but another pool's issuer: a genuine token of this pool fails on iss.
            elbv2.create_rule(
                ListenerArn=listener,
                Priority=30,
                Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/other-issuer/*"]}}],
                Actions=[
                    {
                        "Type": "jwt-validation",
                        "Order": 1,
                        "JwtValidationConfig": {
                            "JwksEndpoint": f"{issuer}/.well-known/jwks.json",
                            "Issuer": f"https://cognito-idp.{REGION}.amazonaws.com/{other_pool}",
                        },
                    },
                    forward,
                ],
            )
            yield {
                "idp": idp,
                "pool": pool,
                "app": f"https://{APP}:{plane.https_port}",
                "token_url": f"https://app-auth.auth.{REGION}.localhost:{plane.https_port}/oauth2/token",
                "other_token_url": f"https://other-auth.auth.{REGION}.localhost:{plane.https_port}/oauth2/token",
                "partner": partner,
                "stranger": stranger,
                "short_lived": short_lived,
                "outsider": outsider,
                "browser": browser,
                "ca": str(ca.cert_path),
                "local_keys": local_keys,
            }


def token_answer(door, client: dict, url_key="token_url", secret=None, **form) -> Answer:
    return LoopbackClient(door["ca"]).post(
        door[url_key],
        {"grant_type": "client_credentials", **form},
        headers=basic(client["ClientId"], secret or client["ClientSecret"]),
    )


def access_token(door, client: dict, url_key="token_url") -> str:
    return client_credentials_token(door["ca"], door[url_key], client["ClientId"], client["ClientSecret"])


def call(door, token: str | None, path="/api/orders") -> Answer:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return LoopbackClient(door["ca"]).get(door["app"] + path, headers=headers)


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


# ---------------------------------------------------------------- the token endpoint


def test_a_machine_client_gets_only_an_access_token_with_all_its_scopes_by_default(door):
    answer = token_answer(door, door["partner"])

    assert answer.status == 200, answer.text
    body = json.loads(answer.body)
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    got = claims(body["access_token"])
    assert got["scope"] == "api/read api/write"
    assert got["client_id"] == got["sub"] == door["partner"]["ClientId"]
    assert got["token_use"] == "access" and "aud" not in got


def test_the_secret_may_come_in_the_body_and_a_scope_may_be_asked_for(door):
    partner = door["partner"]
    answer = LoopbackClient(door["ca"]).post(
        door["token_url"],
        {
            "grant_type": "client_credentials",
            "client_id": partner["ClientId"],
            "client_secret": partner["ClientSecret"],
            "scope": "api/write",
        },
    )

    assert answer.status == 200, answer.text
    assert claims(json.loads(answer.body)["access_token"])["scope"] == "api/write"


def test_with_the_secret_both_by_http_basic_and_in_the_body_the_header_decides(door):
    # Cognito documents both methods but not a request with both (docs/local-front-door.md).
    partner = door["partner"]
    body = {"client_id": partner["ClientId"], "client_secret": "not-the-secret"}

    answer = token_answer(door, partner, **body)

    assert answer.status == 200, answer.text
    assert claims(json.loads(answer.body)["access_token"])["client_id"] == partner["ClientId"]


def test_a_wrong_secret_is_an_invalid_client_and_a_scope_not_allowed_an_invalid_scope(door):
    wrong = token_answer(door, door["partner"], secret="not-the-secret")
    too_much = token_answer(door, door["stranger"], scope="api/write")
    browser = token_answer(door, door["browser"])

    assert (wrong.status, json.loads(wrong.body)) == (401, {"error": "invalid_client"})
    assert (too_much.status, json.loads(too_much.body)) == (400, {"error": "invalid_scope"})
    assert (browser.status, json.loads(browser.body)) == (400, {"error": "unauthorized_client"})


# ---------------------------------------------------------------- the listener's jwt-validation


def test_a_listed_clients_token_reaches_the_target_with_its_authorization_header_as_sent(door):
    token = access_token(door, door["partner"])

    answer = call(door, token)

    assert answer.status == 200, answer.text
    echoed = json.loads(answer.body)
    assert echoed["path"] == "/api/orders"
    assert echoed["headers"]["authorization"] == f"Bearer {token}"
    assert not any(name.startswith("x-amzn-oidc-") for name in echoed["headers"])


def test_a_request_without_a_token_gets_the_albs_401_never_a_sign_in_redirect(door):
    answer = call(door, None)

    assert answer.status == 401
    assert answer.header("WWW-Authenticate") == "Bearer"
    assert answer.header("Location") is None


@pytest.mark.parametrize(
    "case", ["expired", "another pool", "id token", "unlisted client", "user access token", "garbage"]
)
def test_a_token_the_rule_does_not_accept_gets_401_with_an_invalid_token_challenge(door, case):
    if case == "expired":
        token = access_token(door, door["short_lived"])
        time.sleep(2)
    elif case == "another pool":
        token = access_token(door, door["outsider"], "other_token_url")
    elif case == "unlisted client":
        token = access_token(door, door["stranger"])
    elif case == "garbage":
        token = "not.a.token"
    else:
        browser, email = door["browser"], f"{case.replace(' ', '-')}@example.com"
        tokens = person_tokens(
            door["idp"], door["pool"], browser["ClientId"], browser["ClientSecret"], email, PASSWORD
        )
        token = tokens["IdToken"] if case == "id token" else tokens["AccessToken"]

    answer = call(door, token)

    assert answer.status == 401, answer.text
    assert answer.header(
        "WWW-Authenticate",
    ).startswith('Bearer error="invalid_token"')
    assert answer.header("Location") is None


def test_browser_paths_beside_the_api_rule_still_redirect_to_sign_in(door):
    token = access_token(door, door["partner"])

    answer = call(door, token, path="/reports")

    assert answer.status == 302
    assert answer.location.startswith(f"https://app-auth.auth.{REGION}.localhost:")
    assert "/oauth2/authorize?" in answer.location


def test_the_data_plane_serves_each_pools_keys_and_a_rule_may_read_them_there(door):
    token = access_token(door, door["partner"])

    keys = LoopbackClient(door["ca"]).get(door["local_keys"])
    answer = call(door, token, path="/local-keys/x")
    other = call(door, access_token(door, door["outsider"], "other_token_url"), path="/local-keys/x")

    assert keys.status == 200, keys.text
    kids = [k["kid"] for k in json.loads(keys.body)["keys"]]
    assert kids == [jwt.get_unverified_header(token)["kid"]]
    assert answer.status == 200, answer.text
    assert other.status == 401


def test_a_token_whose_iss_is_not_the_rules_issuer_gets_401_though_its_signature_verifies(door):
    token = access_token(door, door["partner"])

    answer = call(door, token, path="/other-issuer/x")

    assert answer.status == 401
    assert "issuer" in (answer.header("WWW-Authenticate") or "")


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        ({"keys": [{"kty": "RSA", "kid": f"k{i}", "n": "AQAB", "e": "AQAB"} for i in range(11)]}, "11 keys"),
        ({"keys": [], "padding": "x" * (150 * 1024)}, "larger than"),
    ],
)
def test_a_jwks_beyond_the_albs_limits_forwards_nothing(keys, words):
    from sceptre_fargate_cognito.local_env.data_plane.jwt_validation import JwtValidator

    header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": "k0"}).encode()).decode().rstrip("=")
    validator = JwtValidator("http://127.0.0.1:1", fetch=lambda url, host: json.dumps(keys).encode())

    refused = validator.check(
        {"JwksEndpoint": "https://idp.example.com/jwks.json", "Issuer": "https://idp.example.com"},
        {"authorization": f"Bearer {header}.e30.c2ln"},
    )

    assert refused is not None and refused.status == 500
    assert words in refused.body.decode()


# ---------------------------------------------------------------- the claim formats


@pytest.mark.parametrize(
    ("claim_format", "value", "passes"),
    [
        ("single-string", "access", True),
        ("single-string", "id", False),
        ("single-string", ["access"], False),
        ("string-array", ["ops", "access"], True),
        ("string-array", ["ops"], False),
        ("string-array", "access", False),
        ("space-separated-values", "api/read access", True),
        ("space-separated-values", "api/read", False),
        ("space-separated-values", ["access"], False),
        ("json", "access", False),
    ],
)
def test_an_additional_claim_passes_when_its_value_in_its_format_is_one_of_the_values(
    claim_format, value, passes
):
    from sceptre_fargate_cognito.local_env.data_plane.jwt_validation import claim_matches

    claim = {"Name": "c", "Format": claim_format, "Values": ["access", "admin"]}

    assert claim_matches(claim, {"c": value}) is passes
    assert claim_matches(claim, {}) is False


def test_the_keys_are_read_once_and_again_only_for_an_unknown_kid_after_a_minute(monkeypatch):
    from cryptography.hazmat.primitives.asymmetric import rsa

    from sceptre_fargate_cognito.local_env.data_plane import jwt_validation

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    reads: list[str] = []

    def fetch(url, host):
        reads.append(url)
        return json.dumps({"keys": [{**public, "kid": "k1", "alg": "RS256"}]}).encode()

    clock = [1000.0]
    monkeypatch.setattr(jwt_validation.time, "monotonic", lambda: clock[0])
    validator = jwt_validation.JwtValidator("http://127.0.0.1:1", fetch=fetch)
    config = {"JwksEndpoint": "https://idp.example.com/jwks.json", "Issuer": "https://idp.example.com"}
    claims = {"iss": "https://idp.example.com", "exp": int(time.time()) + 60}

    def check(kid):
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
        return validator.check(config, {"authorization": f"Bearer {token}"})

    assert check("k1") is None and check("k1") is None
    assert len(reads) == 1
    assert check("k2").status == 401 and len(reads) == 1  # read a moment ago: not again
    clock[0] += 61
    assert check("k2").status == 401 and len(reads) == 2  # a minute later: the set may have changed
    clock[0] += 3601
    assert check("k1") is None and len(reads) == 3  # over an hour after the last read: read again anyway
