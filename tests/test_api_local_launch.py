"""`local` launched with an api (docs/machine-clients.md) by the real `sceptre launch local`: the
listener rule the alb-ecs stack made checks machine clients' tokens against the cognito stack's
pool, through real HTTPS on loopback. A token of a machine client reaches the application on an
API path; no token, or a token of a client the stack did not make, gets the ALB's 401; the browser
paths still redirect to sign-in; the health path answers without either."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

import pytest
from api_support import API_YAML
from local_project import start_local
from loopback_client import LoopbackClient

from emulator.extensions import EXTENSIONS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        "elbv2_jwt_validation" not in EXTENSIONS,
        reason="the emulator refuses the jwt-validation action until its elbv2 extension (branch api-local) is in",
    ),
]


def stack_outputs(local, stack: str) -> dict[str, str]:
    (described,) = local.client("cloudformation").describe_stacks(StackName=f"webapp-local-{stack}")["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


@pytest.fixture(scope="module")
def api_local(tmp_path_factory):
    local = start_local(tmp_path_factory.mktemp("api-launch"))
    try:
        config = local.project / "config" / "local" / "config.yaml"
        config.write_text(config.read_text() + API_YAML)
        result = local.sceptre("launch", "local", "--yes")
        assert result.returncode == 0, result.stdout + result.stderr
        yield local
    finally:
        local.stop()


def token(local, client_id: str) -> str:
    """An access token from the pool domain's token endpoint (client credentials, HTTP Basic)."""
    cognito = stack_outputs(local, "cognito")
    secret = local.client("cognito-idp").describe_user_pool_client(
        UserPoolId=cognito["UserPoolId"], ClientId=client_id
    )["UserPoolClient"]["ClientSecret"]
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    answer = LoopbackClient(local.state.ca_bundle).request(
        "POST",
        f"https://{cognito['HostedUiDomain']}/oauth2/token",
        form={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert answer.status == 200, answer.body
    return json.loads(answer.body)["access_token"]


def get(local, path: str, bearer: str | None = None):
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    return LoopbackClient(local.state.ca_bundle).request(
        "GET", local.app_url.rstrip("/") + path, headers=headers
    )


def test_the_launched_rule_checks_tokens_against_the_cognito_stacks_pool_and_clients(api_local):
    cognito = stack_outputs(api_local, "cognito")
    elbv2 = api_local.client("elbv2")
    (balancer,) = elbv2.describe_load_balancers()["LoadBalancers"]
    (https,) = [
        entry
        for entry in elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
        if entry["Port"] == 443
    ]
    (rule,) = [
        r
        for r in elbv2.describe_rules(ListenerArn=https["ListenerArn"])["Rules"]
        if any(a["Type"] == "jwt-validation" for a in r["Actions"])
    ]
    assert rule["Priority"] == "3"
    check = next(a for a in rule["Actions"] if a["Type"] == "jwt-validation")["JwtValidationConfig"]
    assert check["Issuer"] == cognito["TokenIssuer"]
    assert check["JwksEndpoint"] == cognito["TokenJwksUrl"]
    claims = {c["Name"]: c["Values"] for c in check["AdditionalClaims"]}
    assert claims == {"token_use": ["access"], "client_id": cognito["MachineClientIds"].split(",")}


def test_a_machine_clients_token_reaches_the_application_on_an_api_path(api_local):
    nightly = stack_outputs(api_local, "cognito")["MachineClientIds"].split(",")[0]
    answer = get(api_local, "/api/orders", token(api_local, nightly))
    # The sample application's own answer to a path it does not serve: the request got through.
    assert answer.status == 404 and b"<h1>Not found</h1>" in answer.body, (answer.status, answer.body[:300])


def test_without_a_token_an_api_path_gets_the_albs_401_not_the_sign_in_page(api_local):
    answer = get(api_local, "/v2/orders/7")
    assert answer.status == 401
    assert answer.location is None


def test_a_token_of_a_client_the_stack_did_not_make_gets_401(api_local):
    cognito = stack_outputs(api_local, "cognito")
    idp = api_local.client("cognito-idp")
    stranger = idp.create_user_pool_client(
        UserPoolId=cognito["UserPoolId"],
        ClientName="stranger",
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=[f"{cognito['ApiResourceServerIdentifier']}/orders.read"],
    )["UserPoolClient"]["ClientId"]
    try:
        assert get(api_local, "/api/orders", token(api_local, stranger)).status == 401
    finally:
        idp.delete_user_pool_client(UserPoolId=cognito["UserPoolId"], ClientId=stranger)


def test_the_browser_paths_still_sign_in_and_the_health_path_answers_without_either(api_local):
    home = get(api_local, "/")
    assert home.status == 302
    hosted_ui = stack_outputs(api_local, "cognito")["HostedUiDomain"]
    assert urlsplit(home.location).netloc == hosted_ui
    assert get(api_local, "/healthz").status == 200
