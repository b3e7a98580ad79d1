"""UpdateStack with nothing changed is refused with AWS's "No updates are to be performed." """

import boto3
import pytest
from botocore.exceptions import ClientError
from cfn_stacks import parameters, put_stack

TEMPLATE = """
Parameters:
  Subnets: {Type: CommaDelimitedList}
  Retention: {Type: Number}
Resources:
  Logs: {Type: AWS::Logs::LogGroup, Properties: {RetentionInDays: !Ref Retention}}
"""
PARAMS = parameters({"Subnets": "a,b", "Retention": 7})


def test_an_unchanged_update_is_refused_and_a_changed_one_is_applied(aws):
    cf = boto3.client("cloudformation")
    cf.create_stack(
        StackName="noop", TemplateBody=TEMPLATE, Parameters=PARAMS, Tags=[{"Key": "team", "Value": "web"}]
    )

    with pytest.raises(ClientError, match="No updates are to be performed"):
        cf.update_stack(
            StackName="noop", TemplateBody=TEMPLATE, Parameters=PARAMS, Tags=[{"Key": "team", "Value": "web"}]
        )
    assert cf.describe_stacks(StackName="noop")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"

    changed = put_stack(cf, "noop", TEMPLATE, {"Subnets": "a,b", "Retention": 14}, update=True)
    assert changed["StackStatus"] == "UPDATE_COMPLETE"
