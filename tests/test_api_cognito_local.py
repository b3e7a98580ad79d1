"""The cognito stack with an api, launched on `local` with the real `sceptre`: the resource server
and the machine clients exist in the emulator's Cognito as the template says, and the outputs the
alb-ecs stack reads name them. (The listener's jwt-validation rule needs the emulator's elbv2 to
accept that action: it is tested statically in tests/test_api_templates.py.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from api_support import API, launched_with_api
from webctl_support import outputs

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def local_with_api(tmp_path_factory):
    with launched_with_api(tmp_path_factory.mktemp("api-local"), "local/cognito.yaml") as local:
        yield local


def test_the_resource_server_holds_the_api_scopes(local_with_api):
    out = outputs(local_with_api, "cognito")
    identifier = f"https://{local_with_api.settings['domain_name']}"
    assert out["ApiResourceServerIdentifier"] == identifier
    server = local_with_api.client("cognito-idp").describe_resource_server(
        UserPoolId=out["UserPoolId"], Identifier=identifier
    )["ResourceServer"]
    assert {s["ScopeName"]: s["ScopeDescription"] for s in server["Scopes"]} == API["scopes"]


def test_each_machine_client_has_the_client_credentials_grant_a_secret_and_exactly_its_scopes(local_with_api):
    out = outputs(local_with_api, "cognito")
    cognito = local_with_api.client("cognito-idp")
    identifier = out["ApiResourceServerIdentifier"]
    clients = {}
    for client_id in out["MachineClientIds"].split(","):
        client = cognito.describe_user_pool_client(UserPoolId=out["UserPoolId"], ClientId=client_id)[
            "UserPoolClient"
        ]
        clients[client["ClientName"]] = client
    assert list(clients) == sorted(API["clients"])  # MachineClientIds in the order of the names
    for name, client in clients.items():
        assert client["AllowedOAuthFlows"] == ["client_credentials"]
        assert client["AllowedOAuthFlowsUserPoolClient"] is True
        assert client["ClientSecret"]
        assert client["AllowedOAuthScopes"] == [f"{identifier}/{scope}" for scope in API["clients"][name]]
    assert out["UserPoolClientId"] not in out["MachineClientIds"].split(",")


def test_the_issuer_is_the_pools_and_the_keys_are_served_where_the_local_hosted_ui_is(local_with_api):
    out = outputs(local_with_api, "cognito")
    region = local_with_api.settings["region"]
    assert out["TokenIssuer"] == f"https://cognito-idp.{region}.amazonaws.com/{out['UserPoolId']}"
    # The data plane's loopback authority: localhost:<port>, as in the hosted UI's domain.
    authority = out["HostedUiDomain"].split(f".auth.{region}.", 1)[1]
    assert authority.startswith("localhost:")
    assert out["TokenJwksUrl"] == (
        f"https://cognito-idp.{region}.{authority}/{out['UserPoolId']}/.well-known/jwks.json"
    )


def diff_report(local) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "diff-report"), "local/cognito.yaml"],
        cwd=local.project,
        env=local.env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def with_audit_client(config: Path, text: str) -> None:
    config.write_text(
        text.replace(
            "    partnerSync: [orders.read]\n", "    partnerSync: [orders.read]\n    audit: [orders.read]\n"
        )
    )


def test_after_the_launch_the_diff_report_says_no_change_and_shows_a_new_client_as_added(local_with_api):
    unchanged = diff_report(local_with_api)
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr[-3000:]
    assert "| `local/cognito.yaml` | no change |" in unchanged.stdout

    config = local_with_api.project / "config" / "local" / "config.yaml"
    text = config.read_text()
    with_audit_client(config, text)
    try:
        changed = diff_report(local_with_api)
    finally:
        config.write_text(text)
    assert changed.returncode == 2, changed.stdout + changed.stderr[-3000:]
    assert "| add | `MachineClientAudit` | AWS::Cognito::UserPoolClient | — |  |" in changed.stdout


def test_a_relaunch_with_another_client_adds_it_and_keeps_the_others(local_with_api):
    before = outputs(local_with_api, "cognito")["MachineClientIds"].split(",")
    config = local_with_api.project / "config" / "local" / "config.yaml"
    text = config.read_text()
    with_audit_client(config, text)
    try:
        result = local_with_api.sceptre("launch", "local/cognito.yaml", "--yes")
        assert result.returncode == 0, result.stdout + result.stderr
        after = outputs(local_with_api, "cognito")["MachineClientIds"].split(",")
        assert len(after) == 3 and set(before) <= set(after)
    finally:
        config.write_text(text)
