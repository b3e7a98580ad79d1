"""Production safety rails: termination protection and stack policies in prod's config, the hooks
that set them on the emulator's CloudFormation, a rolled-back launch that says the previous version
still serves, and `sceptre launch prod` that asks before it changes anything.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import boto3
import pytest
import sceptre_stack
from local_project import run_sceptre

from sceptre_fargate_cognito import stack_status
from sceptre_fargate_cognito.hooks.stack_policy import ALLOW_ALL, StackPolicy, StackPolicyError, policy
from sceptre_fargate_cognito.hooks.termination_protection import (
    TerminationProtection,
    TerminationProtectionError,
)
from templates import stack_config, template

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STACK_NAME = "t-prod-cognito"  # Sceptre's external name for project t, stack prod/cognito


def hook_for(hook_class, argument):
    return sceptre_stack.hook_for(hook_class, argument, "prod/cognito")


TEMPLATE = json.dumps({"Resources": {"UserPool": {"Type": "AWS::SNS::Topic"}}})
# The resource each stack's policy guards: what cannot be re-created without losing users or traffic.
GUARDED = {"network": "AWS::EC2::VPC", "cognito": "UserPool", "alb-ecs": "LoadBalancer"}
GUARDED_TYPES = {
    "network": "AWS::EC2::VPC",
    "cognito": "AWS::Cognito::UserPool",
    "alb-ecs": "AWS::ElasticLoadBalancingV2::LoadBalancer",
}


def hooks_of(environment: str, stack: str, point: str, hook_class) -> list:
    return [h for h in stack_config(environment, stack).hooks.get(point, []) if isinstance(h, hook_class)]


# --- the config ---------------------------------------------------------------------------


@pytest.mark.parametrize("stack", sorted(GUARDED))
def test_prod_stacks_switch_termination_protection_on_before_every_update_and_on_creation(stack):
    for point in ("before_update", "after_create"):
        [hook] = hooks_of("prod", stack, point, TerminationProtection)
        assert hook.enabled is True


@pytest.mark.parametrize("stack", sorted(GUARDED))
def test_prod_stack_policies_guard_the_stateful_resource_before_updates_and_from_creation(stack):
    for point in ("before_update", "after_create"):
        [hook] = hooks_of("prod", stack, point, StackPolicy)
        assert (hook.protect, hook.enabled) == ([GUARDED[stack]], True)


@pytest.mark.parametrize("environment", ["dev", "local"])
@pytest.mark.parametrize("stack", sorted(GUARDED))
def test_dev_and_local_have_the_same_hooks_switched_off(environment, stack):
    [protection] = hooks_of(environment, stack, "before_update", TerminationProtection)
    [guard] = hooks_of(environment, stack, "before_update", StackPolicy)
    assert protection.enabled is False and guard.enabled is False


@pytest.mark.parametrize("stack", sorted(GUARDED))
def test_each_guarded_name_is_that_resource_in_the_generated_prod_template(stack):
    resources = template("prod", stack)["Resources"]
    guarded = GUARDED[stack]
    if guarded.startswith("AWS::"):  # a resource type: the template holds exactly one of it
        assert [r["Type"] for r in resources.values()].count(guarded) == 1
    else:
        assert resources[guarded]["Type"] == GUARDED_TYPES[stack]


# --- !termination_protection on the emulator ------------------------------------------------


def _protection():
    return boto3.client("cloudformation").describe_stacks(StackName=STACK_NAME)["Stacks"][0][
        "EnableTerminationProtection"
    ]


def test_termination_protection_hook_switches_protection_on_and_off(aws):
    boto3.client("cloudformation").create_stack(StackName=STACK_NAME, TemplateBody=TEMPLATE)

    hook_for(TerminationProtection, True).run()
    assert _protection() is True
    hook_for(TerminationProtection, "false").run()
    assert _protection() is False


def test_a_protected_stack_cannot_be_deleted_by_sceptre_delete_either(aws):
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName=STACK_NAME, TemplateBody=TEMPLATE)
    hook_for(TerminationProtection, True).run()
    with pytest.raises(cf.exceptions.ClientError, match="TerminationProtection is enabled"):
        cf.delete_stack(StackName=STACK_NAME)


def test_termination_protection_leaves_a_failed_creation_deletable_and_a_missing_stack_alone(aws):
    hook_for(TerminationProtection, True).run()  # no stack: nothing to do, no error

    cf = boto3.client("cloudformation")
    broken = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "Subnet": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "192.168.0.0/24"},
            },
        }
    }
    with contextlib.suppress(cf.exceptions.ClientError):
        cf.create_stack(StackName=STACK_NAME, TemplateBody=json.dumps(broken))
    assert stack_status.read(lambda c, k: cf.describe_stacks(**k), STACK_NAME).status == "ROLLBACK_COMPLETE"
    hook_for(TerminationProtection, True).run()
    assert _protection() is False


@pytest.mark.parametrize("argument", ["yes", 1, None, {"enabled": True}])
def test_termination_protection_refuses_anything_but_true_or_false_when_the_config_is_read(argument):
    with pytest.raises(TerminationProtectionError, match="takes true or false"):
        hook_for(TerminationProtection, argument)


# --- !stack_policy on the emulator ----------------------------------------------------------


def _policy():
    body = boto3.client("cloudformation").get_stack_policy(StackName=STACK_NAME).get("StackPolicyBody")
    return json.loads(body) if body else None


def test_stack_policy_denies_replacing_and_deleting_the_protected_resources_and_allows_the_rest(aws):
    boto3.client("cloudformation").create_stack(StackName=STACK_NAME, TemplateBody=TEMPLATE)

    hook_for(StackPolicy, {"protect": ["UserPool"], "enabled": True}).run()

    assert _policy() == {
        "Statement": [
            {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": ["Update:Replace", "Update:Delete"],
                "Principal": "*",
                "Resource": ["LogicalResourceId/UserPool"],
            },
        ]
    }


def test_a_protected_resource_type_is_denied_by_a_resource_type_condition():
    # The CDK names the VPC's logical id; the policy names its type instead of copying that id.
    assert policy(["AWS::EC2::VPC"], True)["Statement"][1] == {
        "Effect": "Deny",
        "Action": ["Update:Replace", "Update:Delete"],
        "Principal": "*",
        "Resource": "*",
        "Condition": {"StringEquals": {"ResourceType": ["AWS::EC2::VPC"]}},
    }


def test_a_disabled_stack_policy_replaces_a_protecting_one_with_allow_all(aws):
    boto3.client("cloudformation").create_stack(StackName=STACK_NAME, TemplateBody=TEMPLATE)
    hook_for(StackPolicy, {"protect": ["UserPool"], "enabled": True}).run()

    hook_for(StackPolicy, {"protect": ["UserPool"], "enabled": False}).run()

    assert _policy() == ALLOW_ALL


def test_a_disabled_stack_policy_leaves_a_stack_without_policy_as_it_is(aws):
    boto3.client("cloudformation").create_stack(StackName=STACK_NAME, TemplateBody=TEMPLATE)
    hook_for(StackPolicy, {"protect": ["UserPool"], "enabled": False}).run()
    assert _policy() is None


def test_stack_policy_on_a_stack_not_created_yet_does_nothing(aws):
    hook_for(StackPolicy, {"protect": ["UserPool"], "enabled": True}).run()
    assert boto3.client("cloudformation").describe_stacks()["Stacks"] == []


@pytest.mark.parametrize(
    "argument, message",
    [
        (["UserPool"], "takes {protect"),
        ({"protect": [], "enabled": True}, "non-empty list of logical ids"),
        ({"protect": ["User-Pool"], "enabled": True}, "non-empty list of logical ids"),
        ({"protect": ["UserPool"]}, "enabled .* is required"),
        ({"protect": ["UserPool"], "enabled": "maybe"}, "takes true or false"),
        ({"protect": ["UserPool"], "enabled": True, "deny": ["x"]}, "unknown keys"),
    ],
)
def test_stack_policy_arguments_are_checked_when_the_config_is_read(argument, message):
    with pytest.raises(StackPolicyError, match=message):
        hook_for(StackPolicy, argument)


def test_a_policy_with_nothing_to_protect_is_allow_all():
    assert policy([], True) == ALLOW_ALL == policy(["UserPool"], False)


# --- a failed launch says what still serves ---------------------------------------------------


def test_a_rolled_back_update_says_the_previous_version_is_still_serving():
    state = stack_status.StackState(
        "webapp-prod-alb-ecs",
        exists=True,
        status="UPDATE_ROLLBACK_COMPLETE",
        failure_reasons=["Service UPDATE_FAILED: circuit breaker triggered"],
    )
    problem = state.describe_problem()
    assert "UPDATE_ROLLBACK_COMPLETE" in problem
    assert "the previous version is still serving" in problem
    assert "circuit breaker triggered" in problem


def test_a_failed_creation_does_not_claim_a_previous_version():
    state = stack_status.StackState("webapp-prod-alb-ecs", exists=True, status="ROLLBACK_COMPLETE")
    assert "previous version" not in state.describe_problem()


# --- sceptre launch prod asks first -----------------------------------------------------------


@pytest.mark.parametrize("answer", [None, "n\n"], ids=["stdin closed", "answer n"])
def test_launch_prod_without_yes_asks_and_changes_nothing_when_not_confirmed(aws, answer):
    result = run_sceptre(PROJECT_ROOT, "launch", "prod", input=answer)

    assert result.returncode != 0
    assert "Do you want to launch 'prod' [y/N]" in result.stdout
    assert "Aborted!" in result.stderr
    assert boto3.client("cloudformation", region_name="eu-west-1").describe_stacks()["Stacks"] == []
