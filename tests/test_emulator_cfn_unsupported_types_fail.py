"""A resource type the emulator cannot create is refused by name instead of silently skipped."""

import boto3
import pytest
from botocore.exceptions import ClientError

TEMPLATE = """
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Broker: {Type: AWS::AmazonMQ::Broker, Properties: {BrokerName: b}}
"""


def test_create_stack_names_the_unsupported_type(aws):
    cf = boto3.client("cloudformation")
    with pytest.raises(ClientError, match="does not implement resource type AWS::AmazonMQ::Broker"):
        cf.create_stack(StackName="gap", TemplateBody=TEMPLATE)
    assert cf.describe_stacks()["Stacks"] == []


def test_an_unsupported_type_behind_a_false_condition_does_not_matter(aws):
    cf = boto3.client("cloudformation")
    conditional = (
        TEMPLATE.replace(
            "  Broker: {Type: AWS::AmazonMQ::Broker,",
            "  Broker: {Type: AWS::AmazonMQ::Broker, Condition: Never,",
        )
        + 'Conditions:\n  Never: !Equals ["a", "b"]\n'
    )
    cf.create_stack(StackName="gap", TemplateBody=conditional)
    assert cf.describe_stacks(StackName="gap")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
