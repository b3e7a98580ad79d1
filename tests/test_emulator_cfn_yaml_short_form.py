"""YAML short forms on mappings and lists, and !Condition inside conditions, parse as in AWS."""

import boto3
from cfn_stacks import outputs, put_stack

TEMPLATE = """
Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsEu: !Equals [!Ref "AWS::Region", eu-west-1]
  ProdInEu: !And [!Condition IsProd, !Condition IsEu]
Resources:
  Logs: {Type: AWS::Logs::LogGroup}
  ProdLogs: {Type: AWS::Logs::LogGroup, Condition: ProdInEu}
Outputs:
  FirstZone: {Value: !Select [0, !GetAZs {Ref: "AWS::Region"}]}
  Arn: {Value: !GetAtt [Logs, Arn]}
  Encoded: {Value: !Base64 {"Fn::Sub": "${Env}-x"}}
"""


def _launch(cf, name, env):
    stack = put_stack(cf, name, TEMPLATE, {"Env": env})
    resources = {
        r["LogicalResourceId"] for r in cf.list_stack_resources(StackName=name)["StackResourceSummaries"]
    }
    return resources, outputs(stack)


def test_short_forms_and_condition_references_resolve(aws):
    cf = boto3.client("cloudformation")
    prod_resources, outputs = _launch(cf, "prod", "prod")
    dev_resources, _ = _launch(cf, "dev", "dev")

    assert prod_resources == {"Logs", "ProdLogs"}
    assert dev_resources == {"Logs"}
    assert outputs["FirstZone"] == "eu-west-1a"
    assert outputs["Arn"].startswith("arn:aws:logs:eu-west-1:123456789012:log-group:")
    assert outputs["Encoded"] == "cHJvZC14"  # base64 of "prod-x"
