"""emulator/patches/cognito_global_sign_out.py: an admin sign-out revokes the user's tokens
whatever name they signed in with, as in Cognito."""

import boto3
import pytest
from botocore.exceptions import ClientError
from cognito_support import client, email_pool, invite


def signed_in(idp, pool: str, typed: str) -> dict:
    invite(idp, pool, typed.lower())
    idp.admin_set_user_password(
        UserPoolId=pool, Username=typed.lower(), Password="Chosen-passw0rd-1", Permanent=True
    )
    return idp.initiate_auth(
        ClientId=client(idp, pool),
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": typed, "PASSWORD": "Chosen-passw0rd-1"},
    )["AuthenticationResult"]


@pytest.mark.parametrize("named", ["EVE@example.com", "sub"], ids=["another case", "the sub user name"])
def test_a_sign_out_revokes_the_tokens_of_the_user_whatever_name_it_is_given(aws, named):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp, case_sensitive=False)
    tokens = signed_in(idp, pool, "eve@example.com")
    if named == "sub":
        named = idp.admin_get_user(UserPoolId=pool, Username="eve@example.com")["Username"]

    idp.admin_user_global_sign_out(UserPoolId=pool, Username=named)

    with pytest.raises(ClientError) as refused:
        idp.get_user(AccessToken=tokens["AccessToken"])
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_a_sign_out_leaves_other_users_signed_in(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp, case_sensitive=False)
    signed_in(idp, pool, "eve@example.com")
    other = signed_in(idp, pool, "fred@example.com")

    idp.admin_user_global_sign_out(UserPoolId=pool, Username="eve@example.com")

    assert idp.get_user(AccessToken=other["AccessToken"])["Username"]
