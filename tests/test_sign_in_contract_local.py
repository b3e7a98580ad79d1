"""The sign-in contract as `sceptre launch local` leaves it in the emulator: the listener's public
rules, the app client's sign-out URL, and the AUTH_* variables of the task definition, resolved."""

from __future__ import annotations

import pytest
from test_local_launch import STACKS, outputs

pytestmark = pytest.mark.e2e


def physical_id(local, stack: str, logical_id: str) -> str:
    resources = local.client("cloudformation").list_stack_resources(StackName=STACKS[stack])
    (found,) = [r for r in resources["StackResourceSummaries"] if r["LogicalResourceId"] == logical_id]
    return found["PhysicalResourceId"]


def test_only_get_and_head_of_the_health_path_and_the_signed_out_page_pass_without_sign_in(launched_local):
    elbv2 = launched_local.client("elbv2")
    listener_arn = physical_id(launched_local, "alb-ecs", "HttpsListener")
    (listener,) = elbv2.describe_listeners(ListenerArns=[listener_arn])["Listeners"]
    # Everything else signs in first (the emulator keeps Order on the authenticate action only).
    assert listener["DefaultActions"][0]["Type"] == "authenticate-cognito"
    rules = elbv2.describe_rules(ListenerArn=listener_arn)["Rules"]
    public = {}
    for rule in (r for r in rules if not r["IsDefault"]):
        assert [a["Type"] for a in rule["Actions"]] == ["forward"]
        conditions = {c["Field"]: c for c in rule["Conditions"]}
        assert sorted(conditions["http-request-method"]["HttpRequestMethodConfig"]["Values"]) == [
            "GET",
            "HEAD",
        ]
        (path,) = conditions["path-pattern"]["PathPatternConfig"]["Values"]
        public[path] = rule["Priority"]
    assert public == {"/healthz": "1", "/signed-out": "2"}


def test_the_app_clients_only_sign_out_url_is_the_signed_out_page(launched_local):
    cognito = outputs(launched_local, "cognito")
    client = launched_local.client("cognito-idp").describe_user_pool_client(
        UserPoolId=cognito["UserPoolId"], ClientId=cognito["UserPoolClientId"]
    )["UserPoolClient"]
    # With the host and port local serves the app on, as Cognito matches it exactly.
    assert client["LogoutURLs"] == [f"{launched_local.env['LOCAL_APP_URL']}/signed-out"]


def test_the_task_definition_gives_the_app_the_resolved_sign_in_contract(launched_local):
    task = launched_local.client("ecs").describe_task_definition(
        taskDefinition=physical_id(launched_local, "alb-ecs", "TaskDefinition")
    )["taskDefinition"]
    (app,) = [c for c in task["containerDefinitions"] if c["name"] == "app"]
    environment = {e["name"]: e["value"] for e in app["environment"]}
    cognito = outputs(launched_local, "cognito")
    assert environment["AUTH_SIGN_OUT_URL"] == (
        f"https://{cognito['HostedUiDomain']}/logout?client_id={cognito['UserPoolClientId']}"
        f"&logout_uri=https%3A%2F%2Fapp.sceptre.localhost%3A{launched_local.state.https_port}%2Fsigned-out"
    )
    assert environment["AUTH_SIGNER_ARN"] == physical_id(launched_local, "alb-ecs", "LoadBalancer")
    assert environment["AUTH_SIGNER_ARN"].startswith(
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/"
    )
    # local: the data plane's key server, which bin/launch-local started (LOCAL_AUTH_PUBLIC_KEYS_URL).
    assert environment["AUTH_PUBLIC_KEYS_URL"] == launched_local.env["LOCAL_AUTH_PUBLIC_KEYS_URL"]
    assert environment["AUTH_PUBLIC_KEYS_URL"].startswith("http://127.0.0.1:")
