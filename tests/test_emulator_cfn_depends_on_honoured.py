"""A resource is created after what its DependsOn names, also when an exported output refers to it
(moto then creates it early, before its dependencies)."""

import boto3
from cfn_stacks import event_reasons, outputs, put_stack

# The client's scope exists only once the resource server does: Cognito (and the emulator) refuse
# the client before. Nothing but DependsOn says so; the output refers to the client alone.
TEMPLATE = """
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
    Properties: {UserPoolName: depends-on}
  Client:
    Type: AWS::Cognito::UserPoolClient
    DependsOn: [ResourceServer]
    Properties:
      UserPoolId: !Ref UserPool
      GenerateSecret: true
      AllowedOAuthFlowsUserPoolClient: true
      AllowedOAuthFlows: [client_credentials]
      AllowedOAuthScopes: [https://api.example.com/read]
  ResourceServer:
    Type: AWS::Cognito::UserPoolResourceServer
    Properties:
      UserPoolId: !Ref UserPool
      Identifier: https://api.example.com
      Name: api
      Scopes: [{ScopeName: read, ScopeDescription: Read}]
Outputs:
  ClientId:
    Value: !Ref Client
    Export: {Name: depends-on-ClientId}
"""


def test_a_resource_an_exported_output_refers_to_is_created_after_what_it_depends_on(aws):
    cf = boto3.client("cloudformation")
    stack = put_stack(cf, "depends-on", TEMPLATE)

    assert stack["StackStatus"] == "CREATE_COMPLETE", event_reasons(cf, "depends-on")[:3]
    client_id = outputs(stack)["ClientId"]
    pool = cf.describe_stack_resource(StackName="depends-on", LogicalResourceId="UserPool")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    client = boto3.client("cognito-idp").describe_user_pool_client(UserPoolId=pool, ClientId=client_id)
    assert client["UserPoolClient"]["AllowedOAuthScopes"] == ["https://api.example.com/read"]
