"""The largest api the schema allows still fits: CloudFormation takes a template sent inline (as
Sceptre sends it) up to 51,200 bytes, and the cognito and alb-ecs templates grow with every path,
scope and client. Every name here is as long as the schema allows."""

from __future__ import annotations

import pytest
import yaml
from api_support import project_with_api, rendered

from sceptre_fargate_cognito import rules
from sceptre_fargate_cognito.config_schema import api
from templates import ENVIRONMENTS

INLINE_LIMIT = 51_200


def largest_api() -> dict:
    """As many paths, scopes and clients as the schema allows, each name at its longest."""
    patterns = rules.ALB_CONDITION_VALUES_PER_RULE * api.MAX_LISTENER_RULES
    paths = [(f"/p{n:02d}/" + "x" * 128)[:127] + "*" for n in range(patterns)]
    scopes = {
        (f"s{n:02d}" + "n" * 64)[: rules.OAUTH_SCOPE_NAME.max_length]: "d"
        * rules.OAUTH_SCOPE_DESCRIPTION.max_length
        for n in range(api.MAX_SCOPES)
    }
    clients = {
        (f"C{n}" + "c" * 64)[: rules.MACHINE_CLIENT_NAME.max_length]: list(scopes)
        for n in range(rules.JWT_CLAIM_VALUES)
    }
    return {"paths": paths, "scopes": scopes, "clients": clients}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_largest_api_the_schema_allows_keeps_both_templates_within_cloudformations_inline_limit(
    environment, tmp_path
):
    project = project_with_api(
        tmp_path, environment, "\n" + yaml.safe_dump({"api": largest_api()}, width=100_000)
    )
    sizes = {
        stack: len(rendered(project, environment, stack)[0].encode()) for stack in ("cognito", "alb-ecs")
    }
    assert all(size <= INLINE_LIMIT for size in sizes.values()), sizes


def test_a_scope_name_with_a_dollar_brace_reaches_the_template_as_written(tmp_path):
    scopes = {"a${x}": "Fancy", "orders.read": "Read orders"}
    project = project_with_api(
        tmp_path,
        "dev",
        "\n"
        + yaml.safe_dump({"api": {"paths": ["/api/*"], "scopes": scopes, "clients": {"one": ["a${x}"]}}}),
    )
    template = rendered(project, "dev", "cognito")[1]
    (scope,) = template.properties("MachineClientOne")["AllowedOAuthScopes"]
    assert scope == f"https://{template.parameters['DomainName']}/a${{x}}"
