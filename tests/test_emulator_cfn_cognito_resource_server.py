"""The emulator creates, updates and deletes Cognito resource servers from a template, and refuses,
as Cognito does, an app client whose scopes no resource server of its pool defines."""

import boto3
import pytest
from botocore.exceptions import ClientError
from cfn_stacks import event_reasons, outputs, put_stack

TEMPLATE = """
Parameters:
  Identifier: {Type: String}
  ServerName: {Type: String}
  ClientScope: {Type: String}
  ReadDescription: {Type: String}
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
    Properties: {UserPoolName: machine-clients}
  ResourceServer:
    Type: AWS::Cognito::UserPoolResourceServer
    Properties:
      UserPoolId: !Ref UserPool
      Identifier: !Ref Identifier
      Name: !Ref ServerName
      Scopes:
        - {ScopeName: orders.read, ScopeDescription: !Ref ReadDescription}
        - {ScopeName: orders.write, ScopeDescription: Create orders}
  MachineClient:
    Type: AWS::Cognito::UserPoolClient
    DependsOn: ResourceServer
    Properties:
      UserPoolId: !Ref UserPool
      ClientName: partner
      GenerateSecret: true
      AllowedOAuthFlowsUserPoolClient: true
      AllowedOAuthFlows: [client_credentials]
      AllowedOAuthScopes: [!Ref ClientScope]
Outputs:
  UserPoolId: {Value: !Ref UserPool}
  Identifier: {Value: !Ref ResourceServer}
  ClientId: {Value: !Ref MachineClient}
"""
API = "https://api.example.com"


def launch(cf, update=False, **values):
    values = {
        "Identifier": API,
        "ServerName": "orders",
        "ClientScope": f"{API}/orders.read",
        "ReadDescription": "Read orders",
    } | values
    return put_stack(cf, "machine-clients", TEMPLATE, values, update=update)


def test_a_stack_creates_the_resource_server_the_cognito_api_describes(aws):
    cf, idp = boto3.client("cloudformation"), boto3.client("cognito-idp")
    stack = launch(cf)
    out = outputs(stack)

    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert out["Identifier"] == API
    server = idp.describe_resource_server(UserPoolId=out["UserPoolId"], Identifier=API)["ResourceServer"]
    assert server == {
        "UserPoolId": out["UserPoolId"],
        "Identifier": API,
        "Name": "orders",
        "Scopes": [
            {"ScopeName": "orders.read", "ScopeDescription": "Read orders"},
            {"ScopeName": "orders.write", "ScopeDescription": "Create orders"},
        ],
    }
    assert idp.list_resource_servers(UserPoolId=out["UserPoolId"], MaxResults=10)["ResourceServers"] == [
        server
    ]
    client = idp.describe_user_pool_client(UserPoolId=out["UserPoolId"], ClientId=out["ClientId"])[
        "UserPoolClient"
    ]
    assert client["AllowedOAuthScopes"] == [f"{API}/orders.read"]
    resources = cf.list_stack_resources(StackName="machine-clients")["StackResourceSummaries"]
    assert {r["LogicalResourceId"]: r["ResourceType"] for r in resources}["ResourceServer"] == (
        "AWS::Cognito::UserPoolResourceServer"
    )


def test_an_update_changes_the_name_and_scopes_in_place(aws):
    cf, idp = boto3.client("cloudformation"), boto3.client("cognito-idp")
    out = outputs(launch(cf))
    stack = launch(cf, update=True, ServerName="orders-v2", ReadDescription="Read every order")

    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    server = idp.describe_resource_server(UserPoolId=out["UserPoolId"], Identifier=API)["ResourceServer"]
    assert server["Name"] == "orders-v2"
    assert server["Scopes"][0] == {"ScopeName": "orders.read", "ScopeDescription": "Read every order"}


def test_a_new_identifier_replaces_the_resource_server(aws):
    cf, idp = boto3.client("cloudformation"), boto3.client("cognito-idp")
    out = outputs(launch(cf))
    other = "https://orders.example.com"
    stack = launch(cf, update=True, Identifier=other, ClientScope=f"{other}/orders.write")

    assert stack["StackStatus"] == "UPDATE_COMPLETE", event_reasons(cf, "machine-clients")[:3]
    servers = idp.list_resource_servers(UserPoolId=out["UserPoolId"], MaxResults=10)["ResourceServers"]
    assert [s["Identifier"] for s in servers] == [other]
    client = idp.describe_user_pool_client(UserPoolId=out["UserPoolId"], ClientId=out["ClientId"])[
        "UserPoolClient"
    ]
    assert client["AllowedOAuthScopes"] == [f"{other}/orders.write"]


def test_deleting_the_stack_deletes_the_resource_server(aws):
    cf, idp = boto3.client("cloudformation"), boto3.client("cognito-idp")
    out = outputs(launch(cf))
    cf.delete_stack(StackName="machine-clients")

    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        idp.describe_resource_server(UserPoolId=out["UserPoolId"], Identifier=API)


def test_a_client_that_names_a_scope_no_resource_server_defines_fails_the_stack(aws):
    cf = boto3.client("cloudformation")
    stack = launch(cf, ClientScope=f"{API}/orders.delete")

    assert stack["StackStatus"] in ("CREATE_FAILED", "ROLLBACK_COMPLETE")
    assert any(
        f"Invalid scope requested: {API}/orders.delete" in r for r in event_reasons(cf, "machine-clients")
    )


def test_an_update_to_a_scope_no_resource_server_defines_fails_and_keeps_the_client(aws):
    cf, idp = boto3.client("cloudformation"), boto3.client("cognito-idp")
    out = outputs(launch(cf))
    stack = launch(cf, update=True, ClientScope="https://elsewhere.example.com/orders.read")

    assert stack["StackStatus"] in ("UPDATE_FAILED", "UPDATE_ROLLBACK_COMPLETE")
    client = idp.describe_user_pool_client(UserPoolId=out["UserPoolId"], ClientId=out["ClientId"])[
        "UserPoolClient"
    ]
    assert client["AllowedOAuthScopes"] == [f"{API}/orders.read"]


def test_the_api_refuses_an_undefined_scope_and_accepts_defined_and_built_in_ones(aws):
    idp = boto3.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    idp.create_resource_server(
        UserPoolId=pool,
        Identifier=API,
        Name="orders",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}],
    )
    with pytest.raises(ClientError) as error:
        idp.create_user_pool_client(UserPoolId=pool, ClientName="c", AllowedOAuthScopes=[f"{API}/write"])
    assert error.value.response["Error"]["Code"] == "ScopeDoesNotExistException"
    assert error.value.response["Error"]["Message"] == f"Invalid scope requested: {API}/write"

    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="c", AllowedOAuthScopes=[f"{API}/read", "openid", "email"]
    )["UserPoolClient"]
    with pytest.raises(ClientError, match="ScopeDoesNotExistException"):
        idp.update_user_pool_client(
            UserPoolId=pool, ClientId=client["ClientId"], AllowedOAuthScopes=["orders"]
        )
