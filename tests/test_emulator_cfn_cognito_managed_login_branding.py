"""The emulator creates the managed login branding a user pool's app client needs, and the
pinned hosted-UI version of a domain."""

import boto3
from cfn_stacks import event_reasons, put_stack

TEMPLATE = """
Parameters:
  ClientId: {Type: String, Default: ""}
Conditions:
  OwnClient: !Equals [!Ref ClientId, ""]
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
    Properties: {UserPoolName: app-users}
  UserPoolClient:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref UserPool, GenerateSecret: true}
  UserPoolDomain:
    Type: AWS::Cognito::UserPoolDomain
    Properties: {Domain: !Sub "app-auth-${AWS::StackName}", UserPoolId: !Ref UserPool, ManagedLoginVersion: 2}
  ManagedLoginBranding:
    Type: AWS::Cognito::ManagedLoginBranding
    Properties:
      UserPoolId: !Ref UserPool
      ClientId: !If [OwnClient, !Ref UserPoolClient, !Ref ClientId]
      UseCognitoProvidedValues: true
Outputs:
  BrandingId: {Value: !GetAtt ManagedLoginBranding.ManagedLoginBrandingId}
"""


def _launch(cf, name, client_id=""):
    return put_stack(cf, name, TEMPLATE, {"ClientId": client_id})


def test_a_stack_creates_a_branding_style_for_its_app_client_and_deletes_it_with_the_stack(aws):
    cf = boto3.client("cloudformation")
    stack = _launch(cf, "login")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    (output,) = stack["Outputs"]
    assert output["OutputKey"] == "BrandingId" and len(output["OutputValue"]) == 36

    cf.delete_stack(StackName="login")
    statuses = {s["StackName"]: s["StackStatus"] for s in cf.list_stacks()["StackSummaries"]}
    assert statuses["login"] == "DELETE_COMPLETE"
    # The client's style went with the stack: a new stack can brand a client again.
    assert _launch(cf, "login-again")["StackStatus"] == "CREATE_COMPLETE"


def test_a_branding_style_for_an_app_client_that_does_not_exist_fails_the_stack(aws):
    cf = boto3.client("cloudformation")
    stack = _launch(cf, "no-client", client_id="1234567890abcdefghijklmnop")
    assert stack["StackStatus"] in ("CREATE_FAILED", "ROLLBACK_COMPLETE")


def test_a_second_branding_style_for_the_same_app_client_fails_the_stack(aws):
    # AWS allows one style per app client.
    second = """
  SecondBranding:
    Type: AWS::Cognito::ManagedLoginBranding
    DependsOn: ManagedLoginBranding
    Properties: {UserPoolId: !Ref UserPool, ClientId: !Ref UserPoolClient, UseCognitoProvidedValues: true}
"""
    cf = boto3.client("cloudformation")
    stack = put_stack(cf, "twice", TEMPLATE.replace("Outputs:", second.lstrip("\n") + "Outputs:"))
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = event_reasons(cf, "twice")
    assert any("already has a managed login branding style" in reason for reason in reasons), reasons
