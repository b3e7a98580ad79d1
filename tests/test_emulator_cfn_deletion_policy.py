"""DeletionPolicy: Retain keeps a resource always; RetainExceptOnCreate loses it only to a failed first create."""

import boto3

TEMPLATE = """
Resources:
  Kept: {Type: AWS::Logs::LogGroup, DeletionPolicy: Retain, Properties: {LogGroupName: kept}}
  KeptExceptOnCreate:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: RetainExceptOnCreate
    Properties: {LogGroupName: kept-except-on-create}
  Deleted: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: deleted}}
"""
# The scalable target names an ECS cluster that does not exist: the create fails after the logs.
FAILING = (
    TEMPLATE
    + """
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    DependsOn: [Kept, KeptExceptOnCreate, Deleted]
    Properties: {MinCapacity: 1, MaxCapacity: 2, ResourceId: service/none/none,
                 ScalableDimension: ecs:service:DesiredCount, ServiceNamespace: ecs}
"""
)


def _log_groups():
    return sorted(g["logGroupName"] for g in boto3.client("logs").describe_log_groups()["logGroups"])


def test_deleting_the_stack_keeps_retain_and_retain_except_on_create_resources(aws):
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName="logs", TemplateBody=TEMPLATE)

    cf.delete_stack(StackName="logs")

    assert cf.list_stacks()["StackSummaries"][0]["StackStatus"] == "DELETE_COMPLETE"
    assert _log_groups() == ["kept", "kept-except-on-create"]


def test_a_failed_first_create_deletes_retain_except_on_create_resources_and_keeps_retain_ones(aws):
    cf = boto3.client("cloudformation")

    cf.create_stack(StackName="logs", TemplateBody=FAILING)

    assert cf.describe_stacks(StackName="logs")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    assert _log_groups() == ["kept"]
    assert cf.list_stack_resources(StackName="logs")["StackResourceSummaries"] == []


def test_an_update_that_removes_them_keeps_retain_and_retain_except_on_create_resources(aws):
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName="logs", TemplateBody=TEMPLATE)

    cf.update_stack(
        StackName="logs",
        TemplateBody="Resources:\n  Other: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: other}}\n",
    )

    assert cf.describe_stacks(StackName="logs")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert _log_groups() == ["kept", "kept-except-on-create", "other"]
