"""An ALB with deletion protection on cannot be deleted, by the API or by a stack, as in AWS."""

import boto3
import pytest
from botocore.exceptions import ClientError
from cfn_stacks import event_reasons, outputs, put_stack

NETWORK = """
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  SubnetA: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: eu-west-1a}}
  SubnetB: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: eu-west-1b}}
"""
TEMPLATE = (
    """
Parameters:
  DeletionProtection: {Type: String}
Resources:"""
    + NETWORK
    + """
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [!Ref SubnetA, !Ref SubnetB]
      LoadBalancerAttributes:
        - {Key: deletion_protection.enabled, Value: !Ref DeletionProtection}
        - {Key: idle_timeout.timeout_seconds, Value: "30"}
Outputs:
  AlbArn: {Value: !Ref Alb}
"""
)
# The scalable target names an ECS cluster that does not exist: the create fails after the ALB.
FAILING = TEMPLATE.replace(
    "Outputs:",
    """  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    DependsOn: Alb
    Properties: {MinCapacity: 1, MaxCapacity: 2, ResourceId: service/none/none,
                 ScalableDimension: ecs:service:DesiredCount, ServiceNamespace: ecs}
Outputs:""",
)


def _launch(cf, protection, body=TEMPLATE, update=False):
    return put_stack(cf, "alb", body, {"DeletionProtection": protection}, update=update)


def _attributes(elb, arn):
    return {
        a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    }


def _balancers(elb):
    return [lb["LoadBalancerArn"] for lb in elb.describe_load_balancers()["LoadBalancers"]]


def test_delete_load_balancer_is_refused_while_protection_is_on_and_works_once_it_is_off(aws):
    ec2, elb = boto3.client("ec2"), boto3.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"eu-west-1{z}")["Subnet"][
            "SubnetId"
        ]
        for i, z in enumerate("ab")
    ]
    arn = elb.create_load_balancer(Name="app", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}]
    )

    with pytest.raises(ClientError) as refused:
        elb.delete_load_balancer(LoadBalancerArn=arn)
    assert refused.value.response["Error"]["Code"] == "OperationNotPermitted"
    assert refused.value.response["Error"]["Message"] == (
        f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled"
    )
    assert _balancers(elb) == [arn]

    elb.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
    )
    elb.delete_load_balancer(LoadBalancerArn=arn)
    assert _balancers(elb) == []


def test_a_stack_sets_the_alb_attributes_and_changes_them_in_place_on_update(aws):
    cf, elb = boto3.client("cloudformation"), boto3.client("elbv2")
    arn = outputs(_launch(cf, "true"))["AlbArn"]
    assert _attributes(elb, arn)["deletion_protection.enabled"] == "true"
    assert _attributes(elb, arn)["idle_timeout.timeout_seconds"] == "30"

    stack = _launch(cf, "false", update=True)

    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert outputs(stack)["AlbArn"] == arn  # the same ALB, not a replacement
    assert _attributes(elb, arn)["deletion_protection.enabled"] == "false"
    assert _balancers(elb) == [arn]


def test_deleting_a_stack_whose_alb_is_protected_fails_and_keeps_the_alb(aws):
    cf, elb = boto3.client("cloudformation"), boto3.client("elbv2")
    arn = outputs(_launch(cf, "true"))["AlbArn"]

    cf.delete_stack(StackName="alb")

    stack = cf.describe_stacks(StackName="alb")["Stacks"][0]
    assert stack["StackStatus"] == "DELETE_FAILED"
    reasons = event_reasons(cf, "alb")
    assert any("deletion protection is enabled" in r for r in reasons)
    assert _balancers(elb) == [arn]

    # As on AWS: turn protection off on the ALB itself, then delete the stack again.
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
    )
    cf.delete_stack(StackName="alb")
    assert _balancers(elb) == []
    assert cf.describe_stacks()["Stacks"] == []


def test_an_update_that_removes_a_protected_alb_rolls_back_naming_it_and_keeps_it(aws):
    cf, elb = boto3.client("cloudformation"), boto3.client("elbv2")
    arn = outputs(_launch(cf, "true"))["AlbArn"]
    without_alb = TEMPLATE[: TEMPLATE.index("  Alb:")] + "  Kept: {Type: AWS::ECS::Cluster}\n"

    stack = _launch(cf, "true", body=without_alb, update=True)

    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    reasons = event_reasons(cf, "alb")
    assert any("failed to delete: [Alb]" in r and "deletion protection is enabled" in r for r in reasons), (
        reasons
    )
    assert _balancers(elb) == [arn]


def test_a_failed_first_create_with_a_protected_alb_ends_rollback_failed_with_the_alb_left(aws):
    cf, elb = boto3.client("cloudformation"), boto3.client("elbv2")

    stack = _launch(cf, "true", body=FAILING)

    assert stack["StackStatus"] == "ROLLBACK_FAILED"
    [arn] = _balancers(elb)
    reasons = event_reasons(cf, "alb")
    assert any("failed to delete: [Alb]" in r and "deletion protection is enabled" in r for r in reasons)
    listed = cf.list_stack_resources(StackName="alb")["StackResourceSummaries"]
    assert [(r["LogicalResourceId"], r["PhysicalResourceId"]) for r in listed] == [("Alb", arn)]


def test_a_failed_first_create_with_an_unprotected_alb_rolls_back_completely(aws):
    cf, elb = boto3.client("cloudformation"), boto3.client("elbv2")

    stack = _launch(cf, "false", body=FAILING)

    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert _balancers(elb) == []
