"""SetStackPolicy fails on a stack that cannot be updated (rolled back, failed, deleted), as in AWS."""

import json

import boto3
import pytest
from botocore.exceptions import ClientError

POLICY = json.dumps(
    {"Statement": [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}
)
GOOD = "Resources:\n  Logs: {Type: AWS::Logs::LogGroup}\n"
# The scalable target names an ECS cluster that does not exist: the create fails and rolls back.
FAILING = """
Resources:
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties: {MinCapacity: 1, MaxCapacity: 2, ResourceId: service/none/none,
                 ScalableDimension: ecs:service:DesiredCount, ServiceNamespace: ecs}
"""


def test_a_stack_policy_can_be_set_on_a_created_stack(aws):
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName="ok", TemplateBody=GOOD)

    cf.set_stack_policy(StackName="ok", StackPolicyBody=POLICY)

    assert json.loads(cf.get_stack_policy(StackName="ok")["StackPolicyBody"]) == json.loads(POLICY)


def test_setting_a_stack_policy_on_a_rolled_back_stack_is_a_validation_error(aws):
    cf = boto3.client("cloudformation")
    stack_id = cf.create_stack(StackName="broken", TemplateBody=FAILING)["StackId"]
    assert cf.describe_stacks(StackName="broken")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"

    with pytest.raises(ClientError) as refused:
        cf.set_stack_policy(StackName="broken", StackPolicyBody=POLICY)

    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert refused.value.response["Error"]["Message"] == (
        f"Stack:{stack_id} is in ROLLBACK_COMPLETE state and can not be updated."
    )
    assert "StackPolicyBody" not in cf.get_stack_policy(StackName="broken")


def test_setting_a_stack_policy_on_a_deleted_stack_is_a_validation_error(aws):
    cf = boto3.client("cloudformation")
    stack_id = cf.create_stack(StackName="gone", TemplateBody=GOOD)["StackId"]
    cf.delete_stack(StackName="gone")

    with pytest.raises(ClientError) as refused:
        cf.set_stack_policy(StackName=stack_id, StackPolicyBody=POLICY)

    assert "DELETE_COMPLETE state and can not be updated" in refused.value.response["Error"]["Message"]
