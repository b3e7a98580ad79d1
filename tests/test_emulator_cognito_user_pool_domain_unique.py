"""A Cognito domain prefix already taken cannot be given to a second user pool, as in AWS."""

import boto3
import pytest
from botocore.exceptions import ClientError
from cfn_stacks import event_reasons

TEMPLATE = """
Resources:
  UserPool: {Type: AWS::Cognito::UserPool, Properties: {UserPoolName: second}}
  Domain: {Type: AWS::Cognito::UserPoolDomain, Properties: {Domain: app-auth, UserPoolId: !Ref UserPool}}
"""


def test_a_second_pool_cannot_take_a_domain_prefix_already_in_use(aws):
    idp = boto3.client("cognito-idp")
    first = idp.create_user_pool(PoolName="first")["UserPool"]["Id"]
    second = idp.create_user_pool(PoolName="second")["UserPool"]["Id"]
    idp.create_user_pool_domain(Domain="app-auth", UserPoolId=first)

    with pytest.raises(ClientError) as refused:
        idp.create_user_pool_domain(Domain="app-auth", UserPoolId=second)

    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert refused.value.response["Error"]["Message"] == "Domain already associated with another user pool."
    assert idp.describe_user_pool_domain(Domain="app-auth")["DomainDescription"]["UserPoolId"] == first


def test_a_stack_whose_domain_prefix_is_taken_fails_and_rolls_back(aws):
    idp, cf = boto3.client("cognito-idp"), boto3.client("cloudformation")
    first = idp.create_user_pool(PoolName="first")["UserPool"]["Id"]
    idp.create_user_pool_domain(Domain="app-auth", UserPoolId=first)

    cf.create_stack(StackName="cognito", TemplateBody=TEMPLATE)

    assert cf.describe_stacks(StackName="cognito")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    assert any("Domain already associated with another user pool." in r for r in event_reasons(cf, "cognito"))
    assert [p["Id"] for p in idp.list_user_pools(MaxResults=10)["UserPools"]] == [first]
    assert idp.describe_user_pool_domain(Domain="app-auth")["DomainDescription"]["UserPoolId"] == first


def test_a_prefix_is_free_again_once_its_domain_is_deleted(aws):
    idp = boto3.client("cognito-idp")
    first = idp.create_user_pool(PoolName="first")["UserPool"]["Id"]
    second = idp.create_user_pool(PoolName="second")["UserPool"]["Id"]
    idp.create_user_pool_domain(Domain="app-auth", UserPoolId=first)
    idp.delete_user_pool_domain(Domain="app-auth", UserPoolId=first)

    idp.create_user_pool_domain(Domain="app-auth", UserPoolId=second)

    assert idp.describe_user_pool_domain(Domain="app-auth")["DomainDescription"]["UserPoolId"] == second
