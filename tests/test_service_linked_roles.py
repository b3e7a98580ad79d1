"""A new account lacks the ECS, ELB and Application Auto Scaling service-linked roles: the
preflight makes them before any stack changes, or stops naming the command to run."""

from __future__ import annotations

import json

import boto3
import pytest
from resolver_support import make_stack, set_auth

from sceptre_fargate_cognito import service_linked_roles
from sceptre_fargate_cognito.aws_lookup import AwsCaller, target_for
from sceptre_fargate_cognito.plugin_base.errors import ResolverError

ROLE_NAMES = [role for _, role in service_linked_roles.ROLES]
pytestmark = pytest.mark.usefixtures("fresh_resolvers")


def caller():
    stack = make_stack()
    aws = AwsCaller(stack, target_for(stack, {}), "preflight")
    return lambda service, command, **kwargs: aws.call(service, command, **kwargs)


def test_a_new_account_gets_the_three_service_linked_roles_once(aws):
    assert service_linked_roles.create_missing(caller()) == ROLE_NAMES
    iam = boto3.client("iam")
    for service, role in service_linked_roles.ROLES:
        assert iam.get_role(RoleName=role)["Role"]["Path"] == f"/aws-service-role/{service}/"
    assert service_linked_roles.create_missing(caller()) == []


def test_a_deployer_who_may_not_create_them_is_told_the_exact_command(aws, monkeypatch):
    iam = boto3.client("iam")
    iam.create_user(UserName="deployer")
    may_only_read = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"}],
    }
    iam.put_user_policy(UserName="deployer", PolicyName="read", PolicyDocument=json.dumps(may_only_read))
    key = iam.create_access_key(UserName="deployer")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    set_auth(aws, "0")
    try:
        with pytest.raises(ResolverError) as refused:
            service_linked_roles.create_missing(caller())
    finally:
        set_auth(aws, "inf")
    message = str(refused.value)
    assert "the account has no AWSServiceRoleForECS and this launch may not create it" in message
    assert "aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com" in message


@pytest.mark.e2e
def test_launching_local_on_an_account_without_them_makes_them_first(launched_local):
    # launched_local's emulator refuses an ECS service until AWSServiceRoleForECS exists, as AWS does.
    roles = {
        role["RoleName"]: role["CreateDate"]
        for role in launched_local.client("iam").list_roles(PathPrefix="/aws-service-role/")["Roles"]
    }
    assert set(ROLE_NAMES) <= set(roles)
    stacks = launched_local.client("cloudformation").describe_stacks()["Stacks"]
    first_create = min(stack["CreationTime"] for stack in stacks)
    assert all(roles[name] <= first_create for name in ROLE_NAMES), (roles, first_create)
