"""The emulator creates, updates and deletes Cognito user pools, app clients and domains."""

import boto3
import pytest
from botocore.exceptions import ClientError
from cfn_stacks import outputs, put_stack

TEMPLATE = """
Parameters:
  CallbackUrl: {Type: String}
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolName: app-users
      UsernameAttributes: [email]
      AutoVerifiedAttributes: [email]
  UserPoolDomain:
    Type: AWS::Cognito::UserPoolDomain
    Properties: {Domain: app-auth-1234, UserPoolId: !Ref UserPool}
  UserPoolClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref UserPool
      GenerateSecret: true
      AllowedOAuthFlowsUserPoolClient: true
      AllowedOAuthFlows: [code]
      AllowedOAuthScopes: [openid, email]
      CallbackURLs: [!Ref CallbackUrl]
      SupportedIdentityProviders: [COGNITO]
Outputs:
  UserPoolId: {Value: !Ref UserPool}
  UserPoolArn: {Value: !GetAtt UserPool.Arn}
  ProviderName: {Value: !GetAtt UserPool.ProviderName}
  ProviderURL: {Value: !GetAtt UserPool.ProviderURL}
  ClientId: {Value: !Ref UserPoolClient}
  ClientSecret: {Value: !GetAtt UserPoolClient.ClientSecret}
  Domain: {Value: !Ref UserPoolDomain}
"""


def _launch(cf, callback, update=False):
    stack = put_stack(cf, "cognito", TEMPLATE, {"CallbackUrl": callback}, update=update)
    return stack["StackStatus"], outputs(stack)


def test_a_stack_creates_the_user_pool_client_and_domain_in_cognito(aws):
    cf, idp = boto3.client("cloudformation"), boto3.client("cognito-idp")
    status, out = _launch(cf, "https://app.example.com/oauth2/idpresponse")

    assert status == "CREATE_COMPLETE"
    pool = idp.describe_user_pool(UserPoolId=out["UserPoolId"])["UserPool"]
    assert pool["Name"] == "app-users" and pool["Arn"] == out["UserPoolArn"]
    assert out["ProviderName"] == f"cognito-idp.eu-west-1.amazonaws.com/{out['UserPoolId']}"
    assert out["ProviderURL"] == f"https://{out['ProviderName']}"
    client = idp.describe_user_pool_client(UserPoolId=out["UserPoolId"], ClientId=out["ClientId"])[
        "UserPoolClient"
    ]
    assert client["ClientSecret"] == out["ClientSecret"]
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthScopes"] == ["openid", "email"]
    assert client["CallbackURLs"] == ["https://app.example.com/oauth2/idpresponse"]
    domain = idp.describe_user_pool_domain(Domain=out["Domain"])["DomainDescription"]
    assert domain["UserPoolId"] == out["UserPoolId"]
    kinds = {
        r["LogicalResourceId"]: r["ResourceType"]
        for r in cf.list_stack_resources(StackName="cognito")["StackResourceSummaries"]
    }
    assert kinds == {
        "UserPool": "AWS::Cognito::UserPool",
        "UserPoolDomain": "AWS::Cognito::UserPoolDomain",
        "UserPoolClient": "AWS::Cognito::UserPoolClient",
    }


def test_an_update_changes_the_client_in_place_keeping_its_id_and_secret(aws):
    cf, idp = boto3.client("cloudformation"), boto3.client("cognito-idp")
    _, before = _launch(cf, "https://old.example.com/oauth2/idpresponse")
    status, after = _launch(cf, "https://new.example.com/oauth2/idpresponse", update=True)

    assert status == "UPDATE_COMPLETE"
    assert after == before
    client = idp.describe_user_pool_client(UserPoolId=after["UserPoolId"], ClientId=after["ClientId"])[
        "UserPoolClient"
    ]
    assert client["CallbackURLs"] == ["https://new.example.com/oauth2/idpresponse"]


def test_deleting_the_stack_removes_pool_client_and_domain(aws):
    cf, idp = boto3.client("cloudformation"), boto3.client("cognito-idp")
    _, out = _launch(cf, "https://app.example.com/oauth2/idpresponse")
    cf.delete_stack(StackName="cognito")

    assert idp.list_user_pools(MaxResults=10)["UserPools"] == []
    assert idp.describe_user_pool_domain(Domain=out["Domain"])["DomainDescription"] == {}
    with pytest.raises(ClientError):
        idp.describe_user_pool_client(UserPoolId=out["UserPoolId"], ClientId=out["ClientId"])
