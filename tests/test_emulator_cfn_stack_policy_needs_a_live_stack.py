"""The emulator's SetStackPolicy: refused on a stack whose creation rolled back, as on AWS."""

import json

import boto3
import pytest
from botocore.exceptions import ClientError

POLICY = json.dumps(
    {"Statement": [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}
)
BROKEN = json.dumps(
    {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "Subnet": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "192.168.0.0/24"},
            },
        }
    }
)


def test_a_policy_is_set_on_a_created_stack(aws):
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName="fine", TemplateBody='{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}')

    cf.set_stack_policy(StackName="fine", StackPolicyBody=POLICY)

    assert json.loads(cf.get_stack_policy(StackName="fine")["StackPolicyBody"]) == json.loads(POLICY)


def test_a_policy_on_a_stack_whose_creation_rolled_back_is_refused(aws):
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName="broken", TemplateBody=BROKEN)
    assert cf.describe_stacks(StackName="broken")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"

    with pytest.raises(ClientError, match=r"is in ROLLBACK_COMPLETE state and can not be updated"):
        cf.set_stack_policy(StackName="broken", StackPolicyBody=POLICY)
