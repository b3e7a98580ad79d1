"""ALB deletion protection switched on only once the stack exists: `!once_created` passes "false" to
a first create and the configured value to every update, `!protect_load_balancer` turns protection
on right after a successful create. A failed first create then rolls back cleanly instead of ending
in ROLLBACK_FAILED.

The units run against the emulator; the end-to-end part is a real `sceptre launch` of a one-stack
project (a VPC and an ALB, and in one variant a resource that fails after the ALB is made).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import boto3
import pytest
from cfn_stacks import parameters
from local_project import run_sceptre, small_project
from sceptre_stack import hook_for, make_stack

from sceptre_fargate_cognito.hooks.protect_load_balancer import (
    ProtectLoadBalancer,
    ProtectLoadBalancerError,
)
from sceptre_fargate_cognito.resolvers.once_created import OnceCreated
from templates import stack_config

STACK_NAME = "t-dev-alb-ecs"  # make_stack()'s external name
NETWORK = {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    **{
        f"Subnet{zone.upper()}": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {
                "VpcId": {"Ref": "Vpc"},
                "CidrBlock": f"10.0.{i}.0/24",
                "AvailabilityZone": f"eu-west-1{zone}",
            },
        }
        for i, zone in enumerate("ab")
    },
}
ALB = {
    "Parameters": {
        "DeletionProtection": {"Type": "String", "AllowedValues": ["true", "false"]},
        "IdleTimeout": {"Type": "String", "Default": "30"},
    },
    "Resources": {
        **NETWORK,
        "LoadBalancer": {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": {
                "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}],
                "LoadBalancerAttributes": [
                    {"Key": "deletion_protection.enabled", "Value": {"Ref": "DeletionProtection"}},
                    {"Key": "idle_timeout.timeout_seconds", "Value": {"Ref": "IdleTimeout"}},
                ],
            },
        },
    },
}
# The scalable target names an ECS service that does not exist: the create fails after the ALB is made.
FAILING = json.loads(json.dumps(ALB))
FAILING["Resources"]["Target"] = {
    "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
    "DependsOn": "LoadBalancer",
    "Properties": {
        "MinCapacity": 1,
        "MaxCapacity": 2,
        "ResourceId": "service/none/none",
        "ScalableDimension": "ecs:service:DesiredCount",
        "ServiceNamespace": "ecs",
    },
}


def _create(template: dict, protection: str) -> str:
    cf = boto3.client("cloudformation")
    with contextlib.suppress(cf.exceptions.ClientError):
        cf.create_stack(
            StackName=STACK_NAME,
            TemplateBody=json.dumps(template),
            Parameters=parameters({"DeletionProtection": protection}),
        )
    return cf.describe_stacks(StackName=STACK_NAME)["Stacks"][0]["StackStatus"]


def _protected(arn: str) -> bool:
    attributes = boto3.client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    return {a["Key"]: a["Value"] for a in attributes}["deletion_protection.enabled"] == "true"


def _balancers() -> list[str]:
    return [lb["LoadBalancerArn"] for lb in boto3.client("elbv2").describe_load_balancers()["LoadBalancers"]]


def _hook(argument) -> ProtectLoadBalancer:
    return hook_for(ProtectLoadBalancer, argument)


def _resolve(argument) -> str:
    return make_stack(parameters={"DeletionProtection": OnceCreated(argument)}).parameters[
        "DeletionProtection"
    ]


# --- the config ---------------------------------------------------------------------------


@pytest.mark.parametrize("environment, protected", [("prod", True), ("dev", False), ("local", False)])
def test_every_environment_protects_its_load_balancer_after_creation_as_deletion_protection_says(
    environment, protected
):
    [hook] = [
        h
        for h in stack_config(environment, "alb-ecs").hooks["after_create"]
        if isinstance(h, ProtectLoadBalancer)
    ]
    assert hook.enabled is protected


# --- !once_created --------------------------------------------------------------------------


@pytest.mark.usefixtures("fresh_resolvers")
def test_once_created_gives_false_for_a_stack_not_created_yet_so_diff_works_before_the_first_launch():
    assert _resolve({"value": "true"}) == "false"
    assert _resolve({"value": "on", "before": "off"}) == "off"


@pytest.mark.usefixtures("fresh_resolvers")
def test_once_created_gives_the_value_once_the_stack_was_created():
    assert _create(ALB, "false") == "CREATE_COMPLETE"
    assert _resolve({"value": "true"}) == "true"


@pytest.mark.usefixtures("fresh_resolvers")
def test_once_created_gives_false_for_a_rolled_back_first_create_which_the_next_launch_creates_again():
    assert _create(FAILING, "false") == "ROLLBACK_COMPLETE"
    assert _resolve({"value": "true"}) == "false"


@pytest.mark.parametrize(
    "argument", ["true", {"value": True}, {"before": "false"}, {"value": "true", "other": 1}]
)
def test_once_created_refuses_an_argument_of_the_wrong_shape_when_the_config_is_read(argument):
    with pytest.raises(Exception, match="!once_created: .*\naccepted forms"):
        OnceCreated(argument).clone_for_stack(make_stack())


# --- !protect_load_balancer -----------------------------------------------------------------


def test_protect_load_balancer_switches_protection_on_after_a_successful_create(aws):
    assert _create(ALB, "false") == "CREATE_COMPLETE"
    [arn] = _balancers()
    assert not _protected(arn)

    _hook({"enabled": True}).run()

    assert _protected(arn)
    with pytest.raises(boto3.client("elbv2").exceptions.ClientError, match="deletion protection is enabled"):
        boto3.client("elbv2").delete_load_balancer(LoadBalancerArn=arn)


def test_protect_load_balancer_disabled_leaves_the_load_balancer_unprotected(aws):
    _create(ALB, "false")
    _hook({"enabled": False}).run()
    assert not _protected(_balancers()[0])


def test_protect_load_balancer_leaves_a_failed_create_and_a_missing_stack_alone(aws):
    _hook({"enabled": True}).run()  # no stack: nothing to do, no error
    assert _create(FAILING, "false") == "ROLLBACK_COMPLETE"
    _hook({"enabled": True}).run()
    assert _balancers() == []


@pytest.mark.parametrize("argument", [True, {"enabled": "yes"}, {"enabled": True, "protect": ["X"]}, {}])
def test_protect_load_balancer_refuses_anything_but_enabled_true_or_false_when_the_config_is_read(argument):
    with pytest.raises(ProtectLoadBalancerError, match="!protect_load_balancer"):
        _hook(argument)


# --- end to end: sceptre launch -------------------------------------------------------------

E2E_STACK = "t-env-alb"
E2E_CONFIG = """\
template:
  path: {{ var.template }}
parameters:
  DeletionProtection: !once_created {value: "true"}
  IdleTimeout: "{{ var.idle_timeout }}"
hooks:
  after_create:
    - !protect_load_balancer {enabled: true}
"""


def _sceptre_launch(project: Path, template: str, idle_timeout: int) -> dict:
    """`sceptre launch env --yes` with these variables, and what it left: status, parameters, ALBs."""
    result = run_sceptre(
        project,
        "--var",
        f"template={template}",
        "--var",
        f"idle_timeout={idle_timeout}",
        "launch",
        "env",
        "--yes",
    )
    [stack] = boto3.client("cloudformation").describe_stacks(StackName=E2E_STACK)["Stacks"]
    return {
        "returncode": result.returncode,
        "output": result.stdout + result.stderr,
        "status": stack["StackStatus"],
        "parameters": {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters", [])},
        "protected": {arn: _protected(arn) for arn in _balancers()},
    }


@pytest.fixture(scope="module")
def launches(module_aws, tmp_path_factory):
    """A failing first create, then a successful create, then an update, each by `sceptre launch`."""
    project = small_project(
        tmp_path_factory.mktemp("protected-alb"),
        {
            "config/env/alb.yaml": E2E_CONFIG,
            "templates/alb.json": json.dumps(ALB),
            "templates/failing.json": json.dumps(FAILING),
        },
    )
    return {
        "failed create": _sceptre_launch(project, "failing.json", 30),
        "create": _sceptre_launch(project, "alb.json", 30),
        "update": _sceptre_launch(project, "alb.json", 60),
    }


def test_a_failed_first_create_with_deletion_protection_rolls_back_cleanly_and_leaves_no_load_balancer(
    launches,
):
    failed = launches["failed create"]
    assert failed["returncode"] != 0, failed["output"]
    assert failed["status"] == "ROLLBACK_COMPLETE", failed["output"]
    assert failed["protected"] == {}
    assert "!protect_load_balancer skipped" in failed["output"]


def test_after_a_successful_create_the_load_balancer_is_protected(launches):
    created = launches["create"]
    assert (created["returncode"], created["status"]) == (0, "CREATE_COMPLETE"), created["output"]
    assert list(created["protected"].values()) == [True]
    # Created with "false"; the next launch passes "true" (a no-op on the ALB: already protected).
    assert created["parameters"]["DeletionProtection"] == "false"


def test_an_update_passes_true_and_the_load_balancer_stays_protected(launches):
    updated = launches["update"]
    assert (updated["returncode"], updated["status"]) == (0, "UPDATE_COMPLETE"), updated["output"]
    assert updated["parameters"] == {"DeletionProtection": "true", "IdleTimeout": "60"}
    assert list(updated["protected"].values()) == [True]
    assert updated["protected"] == launches["create"]["protected"]  # the same ALB, not a new one
