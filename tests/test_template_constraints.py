"""Each template parameter fed by an environment key admits exactly what the key's shared rule admits,
so a value the config accepts is never refused by CloudFormation, and the two cannot drift."""

from __future__ import annotations

import re

import pytest

from sceptre_fargate_cognito.config_schema.keys import BY_NAME
from templates import PROJECT_ROOT, template

# Where the template checks only the form: the schema checks memory against the Fargate sizes for
# cpu, which no single parameter constraint can say. The template must still admit the rule's range.
FORM_ONLY_IN_TEMPLATE = {("alb-ecs", "Memory")}


def _fed_parameters():
    """(stack, parameter, key) for every parameter a stack config sets to "{{ env.<key> }}" (or to
    {{ env.<key> | tojson }}, for text that must not be HTML-escaped)."""
    for stack in ("cognito", "edge", "alb-ecs", "monitoring"):
        config = (PROJECT_ROOT / "config" / "stacks" / f"{stack}.yaml.j2").read_text()
        # The parameters block only (sceptre_user_data is written the same way).
        config = re.search(r"^parameters:\n(.*?)(?=^\S)", config, flags=re.M | re.S)[1]
        fed = r'^  (\w+): (?:"\{\{ env\.(\w+) \}\}"|\{\{ env\.(\w+) \| tojson \}\})$'
        for parameter, quoted, as_json in re.findall(fed, config, flags=re.M):
            yield stack, parameter, quoted or as_json


def _parameters(stack: str) -> dict:
    # As generated: alb-ecs's template is Jinja before it is YAML.
    return template("dev", stack)["Parameters"]


def test_the_stack_configs_feed_the_templates_from_environment_keys():
    fed = {(stack, parameter) for stack, parameter, _ in _fed_parameters()}
    assert {
        ("cognito", "MfaConfiguration"),
        ("alb-ecs", "LogRetentionDays"),
        ("alb-ecs", "DomainName"),
        ("cognito", "InvitationEmailFrom"),
    } <= fed


@pytest.mark.parametrize("stack, parameter, key", list(_fed_parameters()))
def test_a_parameter_admits_what_the_rule_of_the_key_feeding_it_admits(stack, parameter, key):
    rule = BY_NAME[key].rule
    declared = _parameters(stack)[parameter]
    if (stack, parameter) in FORM_ONLY_IN_TEMPLATE:
        for value in (rule.minimum, rule.maximum):
            assert re.fullmatch(declared["AllowedPattern"], str(value)), f"{parameter} refuses {value}"
        return
    if rule.pattern is not None or "AllowedPattern" in declared:
        assert rule.pattern is not None, f"{parameter} has an AllowedPattern, {key}'s rule none"
        assert declared.get("AllowedPattern") == rule.allowed_pattern(optional=BY_NAME[key].empty_is_off)
    if rule.values or "AllowedValues" in declared:
        assert [str(v) for v in declared.get("AllowedValues", [])] == [str(v) for v in rule.values]
    if rule.minimum is not None or "MinValue" in declared:
        assert (declared.get("MinValue"), declared.get("MaxValue")) == (rule.minimum, rule.maximum)
