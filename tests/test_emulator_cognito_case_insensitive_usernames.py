"""emulator/patches/cognito_case_insensitive_usernames.py: a pool configured case-insensitive
finds a user whatever the case of the address, as Cognito does; other pools match exactly."""

import boto3
import pytest
from botocore.exceptions import ClientError
from cognito_support import email_pool, invite


def test_a_case_insensitive_pool_finds_the_user_in_any_case(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp, case_sensitive=False)
    invite(idp, pool, "alice@example.com")

    user = idp.admin_get_user(UserPoolId=pool, Username="Alice@EXAMPLE.com")

    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email"] == "alice@example.com"
    idp.admin_disable_user(UserPoolId=pool, Username="ALICE@example.com")
    assert idp.admin_get_user(UserPoolId=pool, Username="alice@example.com")["Enabled"] is False


def test_inviting_the_same_address_in_another_case_is_refused_as_an_existing_user(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp, case_sensitive=False)
    invite(idp, pool, "bob@example.com")

    with pytest.raises(ClientError) as refused:
        invite(idp, pool, "Bob@Example.com")

    assert refused.value.response["Error"]["Code"] == "UsernameExistsException"
    assert len(idp.list_users(UserPoolId=pool)["Users"]) == 1


@pytest.mark.parametrize("case_sensitive", [True, None], ids=["case-sensitive", "not-configured"])
def test_other_pools_match_names_exactly(aws, case_sensitive):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp, case_sensitive=case_sensitive)
    invite(idp, pool, "carol@example.com")

    with pytest.raises(ClientError) as refused:
        idp.admin_get_user(UserPoolId=pool, Username="Carol@example.com")

    assert refused.value.response["Error"]["Code"] == "UserNotFoundException"
