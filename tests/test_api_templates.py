"""The cognito and alb-ecs stacks of each environment with an api (machine clients,
docs/machine-clients.md): Cognito's resource server and client-credentials clients, and the
listener rules that check their tokens at the ALB, ahead of the browser sign-in."""

from __future__ import annotations

import copy
import json

import pytest
from api_support import API, project_with_api, rendered
from cfn_values import Template
from test_alb_ecs_template import public_paths
from test_environment_config import merged
from test_scanners import cfn_lint_findings, unaccepted

from templates import ENVIRONMENTS, template

pytestmark = pytest.mark.parametrize("environment", ENVIRONMENTS)

MACHINE_CLIENTS = {"MachineClientNightly": "nightly", "MachineClientPartnerSync": "partnerSync"}
# What the api adds to each template; everything else is the template without an api.
ADDED = {
    "cognito": {
        "Parameters": {"IdpDomainSuffix"},
        "Conditions": {"LocalIdp"},
        "Resources": {"ApiResourceServer", *MACHINE_CLIENTS},
        "Outputs": {"ApiResourceServerIdentifier", "MachineClientIds", "TokenIssuer", "TokenJwksUrl"},
    },
    "alb-ecs": {
        "Parameters": {"MachineClientIds", "TokenIssuer", "TokenJwksUrl"},
        "Resources": {"ApiRule1"},
    },
}


@pytest.fixture(scope="module")
def with_api(tmp_path_factory):
    """environment -> stack -> (template body, Template) with the api of tests/api_support.py."""
    stacks: dict[str, dict[str, tuple[str, Template]]] = {}

    def get(environment: str, stack: str) -> Template:
        if environment not in stacks:
            project = project_with_api(tmp_path_factory.mktemp(f"api-{environment}"), environment)
            stacks[environment] = {name: rendered(project, environment, name) for name in ADDED}
        return stacks[environment][stack][1]

    return get


# ---------------------------------------------------------------- cognito


def test_the_resource_server_defines_exactly_the_api_scopes_named_after_the_application(
    environment, with_api
):
    t = with_api(environment, "cognito")
    server = t.properties("ApiResourceServer")
    assert t.raw["Resources"]["ApiResourceServer"]["Type"] == "AWS::Cognito::UserPoolResourceServer"
    assert server["UserPoolId"] == {"Ref": "UserPool"}
    assert server["Identifier"] == {"Fn::Sub": "https://${DomainName}"}
    assert t.parameters["DomainName"] == merged(environment)["domain_name"]
    assert server["Scopes"] == [
        {"ScopeName": name, "ScopeDescription": description}
        for name, description in sorted(API["scopes"].items())
    ]


def test_each_machine_client_gets_the_client_credentials_grant_with_a_secret_and_exactly_its_scopes(
    environment, with_api
):
    t = with_api(environment, "cognito")
    clients = {k for k, r in t.raw["Resources"].items() if r["Type"] == "AWS::Cognito::UserPoolClient"}
    assert clients == {"UserPoolClient", *MACHINE_CLIENTS}
    for logical_id, name in MACHINE_CLIENTS.items():
        client = t.properties(logical_id)
        assert client["ClientName"] == name
        assert client["GenerateSecret"] is True
        assert client["AllowedOAuthFlowsUserPoolClient"] is True
        assert client["AllowedOAuthFlows"] == ["client_credentials"]
        assert client["AllowedOAuthScopes"] == [
            f"https://{t.parameters['DomainName']}/{scope}" for scope in API["clients"][name]
        ]
        # No user signs in through it: no password, SRP or custom flow.
        assert client["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
        assert "CallbackURLs" not in client and "LogoutURLs" not in client
        # Created after its scopes exist.
        assert t.raw["Resources"][logical_id]["DependsOn"] == "ApiResourceServer"


def test_the_browser_client_and_everything_else_are_as_without_an_api(environment, with_api):
    for stack, added in ADDED.items():
        with_ = copy.deepcopy(with_api(environment, stack).raw)
        without = template(environment, stack)
        for section, names in added.items():
            assert names <= set(with_[section]), (stack, section)
            for name in names:
                del with_[section][name]
        # The metadata's parameter groups list the added parameters; the rest is the same.
        del with_["Metadata"], without["Metadata"]
        assert json.loads(json.dumps(with_)) == json.loads(json.dumps(without)), stack


def test_the_outputs_give_alb_ecs_the_client_ids_the_issuer_and_the_keys_url(environment, with_api):
    t = with_api(environment, "cognito")
    outputs = t.raw["Outputs"]
    assert outputs["MachineClientIds"]["Value"] == {
        "Fn::Join": [",", [{"Ref": logical_id} for logical_id in sorted(MACHINE_CLIENTS)]]
    }
    assert outputs["TokenIssuer"]["Value"] == {"Fn::GetAtt": ["UserPool", "ProviderURL"]}
    jwks = t.value(outputs["TokenJwksUrl"]["Value"])
    if environment == "local":
        # The local data plane serves the emulator's keys on its loopback port, as https.
        port = merged(environment)["local_https_port"]
        assert t.parameters["IdpDomainSuffix"] == f"localhost:{port}"
        assert jwks == {
            "Fn::Sub": "https://cognito-idp.${AWS::Region}.${IdpDomainSuffix}/${UserPool}/.well-known/jwks.json"
        }
    else:
        assert "IdpDomainSuffix" not in t.parameters or t.parameters["IdpDomainSuffix"] == ""
        assert jwks == {"Fn::Sub": "${UserPool.ProviderURL}/.well-known/jwks.json"}
    for name in ADDED["cognito"]["Outputs"]:
        assert outputs[name]["Export"] == {"Name": {"Fn::Sub": f"${{ExportPrefix}}-{name}"}}


# ---------------------------------------------------------------- the listener


def api_rules(t: Template) -> dict[str, dict]:
    return {
        logical_id: t.properties(logical_id)
        for logical_id in t.resources("AWS::ElasticLoadBalancingV2::ListenerRule")
        if logical_id.startswith("ApiRule")
    }


def test_the_api_paths_check_a_machine_clients_access_token_then_forward(environment, with_api):
    t = with_api(environment, "alb-ecs")
    ((logical_id, rule),) = api_rules(t).items()
    assert rule["ListenerArn"] == {"Ref": "HttpsListener"}
    assert rule["Conditions"] == [{"Field": "path-pattern", "PathPatternConfig": {"Values": API["paths"]}}]
    check, forward = sorted(rule["Actions"], key=lambda a: a["Order"])
    assert check["Type"] == "jwt-validation"
    config = check["JwtValidationConfig"]
    assert config["JwksEndpoint"] == t.parameters["TokenJwksUrl"]
    assert config["Issuer"] == t.parameters["TokenIssuer"]
    # Access tokens only (a user's ID token of the same pool fails), of the machine clients only.
    assert config["AdditionalClaims"] == [
        {"Name": "token_use", "Format": "single-string", "Values": ["access"]},
        {"Name": "client_id", "Format": "single-string", "Values": t.parameters["MachineClientIds"]},
    ]
    assert forward == {"Type": "forward", "Order": 2, "TargetGroupArn": {"Ref": "TargetGroup"}}


def test_the_api_rules_come_after_the_health_and_signed_out_rules_and_before_the_sign_in(
    environment, with_api
):
    t = with_api(environment, "alb-ecs")
    priorities = {
        logical_id: t.properties(logical_id)["Priority"]
        for logical_id in t.resources("AWS::ElasticLoadBalancingV2::ListenerRule")
    }
    assert len(set(priorities.values())) == len(priorities)
    assert priorities["HealthCheckRule"] < priorities["SignedOutRule"] < priorities["ApiRule1"]
    # The browser sign-in is the listener's default action: after every rule.
    https = next(
        t.properties(k)
        for k in t.resources("AWS::ElasticLoadBalancingV2::Listener")
        if t.properties(k)["Port"] == 443
    )
    assert [a["Type"] for a in sorted(https["DefaultActions"], key=lambda a: a["Order"])] == [
        "authenticate-cognito",
        "forward",
    ]


def test_only_the_health_and_signed_out_paths_still_skip_every_check(environment, with_api):
    t = with_api(environment, "alb-ecs")
    assert public_paths(t) == sorted(
        [t.parameters["HealthCheckPath"], merged(environment)["signed_out_path"]]
    )


def test_the_rule_takes_the_issuer_keys_and_client_ids_from_the_cognito_stack(environment, with_api):
    t = with_api(environment, "alb-ecs")
    for name in ("MachineClientIds", "TokenIssuer", "TokenJwksUrl"):
        passed = t.parameters[name]
        assert type(passed).__name__ == "StackOutput"
        assert passed.argument == f"{environment}/cognito.yaml::{name}"
    assert t.raw["Parameters"]["MachineClientIds"]["Type"] == "CommaDelimitedList"


def test_every_parameter_the_api_adds_is_described_and_constrained(environment, with_api):
    for stack, added in ADDED.items():
        declared = with_api(environment, stack).raw["Parameters"]
        for name in added["Parameters"]:
            assert declared[name].get("Description"), name
            assert {"AllowedPattern", "AllowedValues"} & set(declared[name]), f"{name} is unconstrained"


def test_the_stack_configs_pass_every_parameter_the_templates_need(environment, with_api):
    # Template() refuses a parameter passed but not declared; one declared without a default
    # must be passed (it would be None here).
    for stack in ADDED:
        t = with_api(environment, stack)
        missing = [
            k for k, p in t.raw["Parameters"].items() if "Default" not in p and t.parameters[k] is None
        ]
        assert not missing, (stack, missing)


def test_more_patterns_than_a_rule_takes_are_split_over_rules_in_order(environment, tmp_path):
    paths = [f"/v{n}/*" for n in range(7)]
    api_yaml = (
        "\napi:\n  paths: " + json.dumps(paths) + "\n  scopes: {read: Read}\n  clients: {one: [read]}\n"
    )
    _, t = rendered(project_with_api(tmp_path, environment, api_yaml), environment, "alb-ecs")
    rules = api_rules(t)
    assert sorted(rules) == ["ApiRule1", "ApiRule2"]
    assert [rules[k]["Conditions"][0]["PathPatternConfig"]["Values"] for k in sorted(rules)] == [
        paths[:5],
        paths[5:],
    ]
    assert [rules[k]["Priority"] for k in sorted(rules)] == [3, 4]


@pytest.fixture(scope="module")
def cfn_lint_found(with_api, tmp_path_factory):
    """cfn-lint once over every environment's templates with the api (a start costs more than a
    template: 6 starts took 10 s of CPU more than one)."""
    folder = tmp_path_factory.mktemp("api-templates")
    for environment in ENVIRONMENTS:
        for stack in ADDED:
            (folder / f"{environment}-{stack}.json").write_text(json.dumps(with_api(environment, stack).raw))
    return cfn_lint_findings(sorted(folder.glob("*.json")))


def test_the_templates_with_an_api_are_cfn_lint_clean(environment, cfn_lint_found):
    found = [
        line for stack in ADDED for line in unaccepted(cfn_lint_found, stack, {f"{environment}-{stack}.json"})
    ]
    assert not found, "\n".join(found)
