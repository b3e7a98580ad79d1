"""emulator/patches/cfn_conditional_exports.py: an output whose condition is false is not exported,
and does not fail the stack."""

import json

import boto3
from cfn_stacks import put_stack

TEMPLATE = {
    "Parameters": {"Create": {"Type": "String", "AllowedValues": ["true", "false"]}},
    "Conditions": {"Creates": {"Fn::Equals": [{"Ref": "Create"}, "true"]}},
    "Resources": {
        "Topic": {"Type": "AWS::SNS::Topic", "Condition": "Creates"},
        "Always": {"Type": "AWS::SNS::Topic"},
    },
    "Outputs": {
        "TopicArn": {"Condition": "Creates", "Value": {"Ref": "Topic"}, "Export": {"Name": "t-TopicArn"}},
        "TopicName": {
            "Condition": "Creates",
            "Value": {"Fn::GetAtt": ["Topic", "TopicName"]},
            "Export": {"Name": "t-TopicName"},
        },
    },
}


def launch(name: str, create: str) -> str:
    cf = boto3.client("cloudformation")
    return put_stack(cf, name, json.dumps(TEMPLATE), {"Create": create})["StackStatus"]


def test_an_output_whose_condition_is_false_is_neither_shown_nor_exported(aws):
    assert launch("off", "false") == "CREATE_COMPLETE"
    cf = boto3.client("cloudformation")
    assert cf.describe_stacks(StackName="off")["Stacks"][0].get("Outputs", []) == []
    assert cf.list_exports()["Exports"] == []


def test_an_output_whose_condition_holds_is_exported(aws):
    assert launch("on", "true") == "CREATE_COMPLETE"
    names = {e["Name"] for e in boto3.client("cloudformation").list_exports()["Exports"]}
    assert names == {"t-TopicArn", "t-TopicName"}
