"""DescribeStacks returns parameters as given (lists as comma-separated text), NoEcho as ****."""

import boto3
from cfn_stacks import outputs, put_stack

TEMPLATE = """
Parameters:
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
  Names: {Type: CommaDelimitedList, Default: "a,b,c"}
  Count: {Type: Number, Default: 2}
  Password: {Type: String, NoEcho: true}
Resources:
  Group: {Type: AWS::Logs::LogGroup}
Outputs:
  JoinedSubnets: {Value: !Join ["+", !Ref Subnets]}
  JoinedNames: {Value: !Join ["+", !Ref Names]}
"""


def test_list_number_and_noecho_parameters_come_back_as_aws_returns_them(aws):
    cf = boto3.client("cloudformation")
    stack = put_stack(cf, "params", TEMPLATE, {"Subnets": "subnet-1,subnet-2", "Password": "s3cret"})

    params = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert params == {"Subnets": "subnet-1,subnet-2", "Names": "a,b,c", "Count": "2", "Password": "****"}
    assert outputs(stack) == {"JoinedSubnets": "subnet-1+subnet-2", "JoinedNames": "a+b+c"}
