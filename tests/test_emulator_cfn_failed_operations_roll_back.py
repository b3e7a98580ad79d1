"""A create that fails part-way rolls back to ROLLBACK_COMPLETE and the server keeps answering."""

import boto3
from cfn_stacks import event_reasons

# The target registers against an ECS cluster that does not exist: it fails after the VPC and
# log group were created.
TEMPLATE = """
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Logs: {Type: AWS::Logs::LogGroup, DependsOn: Vpc}
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    DependsOn: Logs
    Properties:
      MinCapacity: 1
      MaxCapacity: 2
      ResourceId: service/no-cluster/no-service
      ScalableDimension: ecs:service:DesiredCount
      ServiceNamespace: ecs
"""


def test_a_failed_create_ends_rolled_back_with_nothing_left_and_can_be_deleted(aws):
    cf, ec2, logs = boto3.client("cloudformation"), boto3.client("ec2"), boto3.client("logs")

    cf.create_stack(StackName="broken", TemplateBody=TEMPLATE)

    stack = cf.describe_stacks(StackName="broken")["Stacks"][0]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert any("Cluster not found" in r for r in event_reasons(cf, "broken"))
    assert cf.list_stack_resources(StackName="broken")["StackResourceSummaries"] == []
    assert [v for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []
    assert logs.describe_log_groups()["logGroups"] == []

    cf.delete_stack(StackName="broken")
    assert cf.describe_stacks()["Stacks"] == []
