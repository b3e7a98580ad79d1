"""`local` launched with an api (docs/machine-clients.md) by the real `sceptre launch local`: the
listener rule the alb-ecs stack made checks machine clients' tokens against the cognito stack's
pool, through real HTTPS on loopback. A token of a machine client (from the token endpoint, or
from `webctl clients local token`) reaches the application on each API path; no token, an expired
token, a token of another pool, a person's ID or access token, or a token of a client the stack
did not make, gets the ALB's 401, never a redirect; the browser paths still redirect to sign-in;
the health and signed-out paths answer without either."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from api_support import launched_with_api
from front_door_support import client_credentials_token, machine_client, person_tokens, pool_with_api
from loopback_client import LoopbackClient
from webctl_support import outputs, webctl

pytestmark = [pytest.mark.e2e]
PASSWORD = "Correct-Horse-9-Battery"


@pytest.fixture(scope="module")
def api_local(tmp_path_factory):
    with launched_with_api(tmp_path_factory.mktemp("api-launch")) as local:
        yield local


def token(local, client_id: str) -> str:
    """An access token from the pool domain's token endpoint (client credentials, HTTP Basic)."""
    cognito = outputs(local, "cognito")
    secret = local.client("cognito-idp").describe_user_pool_client(
        UserPoolId=cognito["UserPoolId"], ClientId=client_id
    )["UserPoolClient"]["ClientSecret"]
    return client_credentials_token(
        local.state.ca_bundle, f"https://{cognito['HostedUiDomain']}/oauth2/token", client_id, secret
    )


def get(local, path: str, bearer: str | None = None):
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    return LoopbackClient(local.state.ca_bundle).request(
        "GET", local.app_url.rstrip("/") + path, headers=headers
    )


def test_the_launched_rule_checks_tokens_against_the_cognito_stacks_pool_and_clients(api_local):
    cognito = outputs(api_local, "cognito")
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
    nightly = outputs(api_local, "cognito")["MachineClientIds"].split(",")[0]
    answer = get(api_local, "/api/orders", token(api_local, nightly))
    # The sample application's own answer to a path it does not serve: the request got through.
    assert answer.status == 404 and b"<h1>Not found</h1>" in answer.body, (answer.status, answer.body[:300])


def test_without_a_token_an_api_path_gets_the_albs_401_not_the_sign_in_page(api_local):
    answer = get(api_local, "/v2/orders/7")
    assert answer.status == 401
    assert answer.location is None


def test_a_token_of_a_client_the_stack_did_not_make_gets_401(api_local):
    cognito = outputs(api_local, "cognito")
    idp = api_local.client("cognito-idp")
    scopes = [f"{cognito['ApiResourceServerIdentifier']}/orders.read"]
    stranger = machine_client(idp, cognito["UserPoolId"], "stranger", scopes)["ClientId"]
    try:
        assert get(api_local, "/api/orders", token(api_local, stranger)).status == 401

        listed = webctl(api_local, "clients", "local", "list")
        assert listed.returncode == 0, listed.stderr
        alb = {line.split()[0]: line.split()[2] for line in listed.stdout.splitlines()[1:-1]}
        assert alb == {"nightly": "yes", "partnerSync": "yes", "stranger": "no"}
        warned = webctl(api_local, "clients", "local", "token", "stranger")
        assert warned.returncode == 0, warned.stderr
        assert get(api_local, "/api/orders", warned.stdout.strip()).status == 401
        assert "the load balancer will refuse this token" in warned.stderr
        assert "'stranger' is not among the machine clients" in warned.stderr
    finally:
        idp.delete_user_pool_client(UserPoolId=cognito["UserPoolId"], ClientId=stranger)


def test_the_browser_paths_still_sign_in_and_the_health_path_answers_without_either(api_local):
    home = get(api_local, "/")
    assert home.status == 302
    hosted_ui = outputs(api_local, "cognito")["HostedUiDomain"]
    assert urlsplit(home.location).netloc == hosted_ui
    assert get(api_local, "/healthz").status == 200


# ---------------------------------------------------------------- webctl clients, and every refusal


def webctl_token(local, name: str) -> str:
    result = webctl(local, "clients", "local", "token", name)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no warning: the load balancer accepts the stack's own clients
    return result.stdout.strip()


def test_webctl_lists_the_launched_machine_clients_and_its_token_reaches_each_api_path(api_local):
    listed = webctl(api_local, "clients", "local", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0].split() == ["NAME", "CLIENT", "ID", "ALB", "SCOPES"]
    rows = {line.split()[0]: line.split()[2] for line in listed.stdout.splitlines()[1:-1]}
    assert rows == {"nightly": "yes", "partnerSync": "yes"}

    bearer = webctl_token(api_local, "partnerSync")

    for path in ("/api/orders", "/v2/orders/7"):
        answer = get(api_local, path, bearer)
        assert answer.status == 404 and b"<h1>Not found</h1>" in answer.body, (path, answer.status)
        assert answer.header("WWW-Authenticate") is None


def _person_tokens(local, email: str) -> dict:
    """A person's tokens from the browser's app client of the launched pool."""
    idp, cognito = local.client("cognito-idp"), outputs(local, "cognito")
    pool, client_id = cognito["UserPoolId"], cognito["UserPoolClientId"]
    secret = idp.describe_user_pool_client(UserPoolId=pool, ClientId=client_id)["UserPoolClient"][
        "ClientSecret"
    ]
    return person_tokens(idp, pool, client_id, secret, email, PASSWORD)


def _other_pool_token(local) -> str:
    """A client-credentials token of another user pool, from its own hosted-UI domain."""
    idp = local.client("cognito-idp")
    pool = pool_with_api(idp, "elsewhere", "elsewhere-auth")
    client = machine_client(idp, pool, "partnerSync")
    return client_credentials_token(
        local.state.ca_bundle,
        f"https://elsewhere-auth.auth.{idp.meta.region_name}.localhost:{local.state.https_port}/oauth2/token",
        client["ClientId"],
        client["ClientSecret"],
    )


def _expired_token(local) -> str:
    """A real token of the stack's own client `nightly`, once expired: the client is given a
    1-second access token validity for the moment (AWS's shortest is 5 minutes; the emulator
    takes it), then its own again."""
    idp, pool = local.client("cognito-idp"), outputs(local, "cognito")["UserPoolId"]
    clients = idp.list_user_pool_clients(UserPoolId=pool, MaxResults=60)["UserPoolClients"]
    client_id = next(c["ClientId"] for c in clients if c["ClientName"] == "nightly")
    described = idp.describe_user_pool_client(UserPoolId=pool, ClientId=client_id)["UserPoolClient"]
    keep = {
        k: described[k]
        for k in ("ClientName", "AllowedOAuthFlows", "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient")
    }
    own = {k: described[k] for k in ("AccessTokenValidity", "TokenValidityUnits") if k in described}
    idp.update_user_pool_client(
        UserPoolId=pool,
        ClientId=client_id,
        AccessTokenValidity=1,
        TokenValidityUnits={"AccessToken": "seconds"},
        **keep,
    )
    try:
        bearer = webctl_token(local, "nightly")
    finally:
        idp.update_user_pool_client(UserPoolId=pool, ClientId=client_id, **keep, **own)
    time.sleep(2)
    return bearer


@pytest.mark.parametrize("case", ["expired", "another pool", "id token", "person's access token"])
def test_a_token_the_rule_must_refuse_gets_401_with_a_bearer_challenge_never_a_redirect(api_local, case):
    if case == "expired":
        bearer = _expired_token(api_local)
    elif case == "another pool":
        bearer = _other_pool_token(api_local)
    else:
        email = {"id token": "id-token@example.com", "person's access token": "access-token@example.com"}[
            case
        ]
        tokens = _person_tokens(api_local, email)
        bearer = tokens["IdToken"] if case == "id token" else tokens["AccessToken"]

    answer = get(api_local, "/api/orders", bearer)

    assert answer.status == 401, (case, answer.status, answer.body[:300])
    assert (answer.header("WWW-Authenticate") or "").startswith('Bearer error="invalid_token"')
    assert answer.location is None


def test_browser_paths_redirect_to_sign_in_even_with_a_machine_token_and_signed_out_answers(api_local):
    hosted_ui = outputs(api_local, "cognito")["HostedUiDomain"]

    home = get(api_local, "/", webctl_token(api_local, "partnerSync"))
    signed_out = get(api_local, api_local.settings["signed_out_path"])

    assert home.status == 302 and urlsplit(home.location).netloc == hosted_ui
    assert signed_out.status == 200, signed_out.body[:300]
