"""A stack's target group has the attributes and health-check settings its template gives, on
create and after an update that changes them in place (moto drops TargetGroupAttributes and
replaces the group on any change)."""

import boto3
from cfn_stacks import outputs, put_stack

TEMPLATE = """
Parameters:
  Delay: {Type: String}
  Path: {Type: String}
  Interval: {Type: Number}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Group:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref Vpc
      TargetType: ip
      Protocol: HTTP
      Port: 8080
      HealthCheckEnabled: true
      HealthCheckPath: !Ref Path
      HealthCheckIntervalSeconds: !Ref Interval
      HealthyThresholdCount: 2
      Matcher: {HttpCode: "200-299"}
      TargetGroupAttributes:
        - {Key: deregistration_delay.timeout_seconds, Value: !Ref Delay}
        - {Key: load_balancing.algorithm.type, Value: least_outstanding_requests}
Outputs:
  GroupArn: {Value: !Ref Group}
"""


def _settings(elb, arn):
    (group,) = elb.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"]
    attributes = {
        a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    }
    return group, attributes


def test_a_stacks_target_group_has_its_attributes_and_health_check(aws):
    cf, elb = boto3.client("cloudformation"), boto3.client("elbv2")
    arn = outputs(put_stack(cf, "tg", TEMPLATE, {"Delay": "0", "Path": "/healthz", "Interval": 5}))[
        "GroupArn"
    ]
    group, attributes = _settings(elb, arn)
    assert attributes["deregistration_delay.timeout_seconds"] == "0"
    assert attributes["load_balancing.algorithm.type"] == "least_outstanding_requests"
    assert (group["HealthCheckPath"], group["HealthCheckIntervalSeconds"], group["Matcher"]) == (
        "/healthz",
        5,
        {"HttpCode": "200-299"},
    )


def test_an_update_changes_them_in_place(aws):
    cf, elb = boto3.client("cloudformation"), boto3.client("elbv2")
    arn = outputs(put_stack(cf, "tg", TEMPLATE, {"Delay": "0", "Path": "/healthz", "Interval": 5}))[
        "GroupArn"
    ]
    updated = put_stack(cf, "tg", TEMPLATE, {"Delay": "20", "Path": "/ready", "Interval": 10}, update=True)
    assert outputs(updated)["GroupArn"] == arn, "the same target group"
    group, attributes = _settings(elb, arn)
    assert attributes["deregistration_delay.timeout_seconds"] == "20"
    assert (group["HealthCheckPath"], group["HealthCheckIntervalSeconds"]) == ("/ready", 10)
