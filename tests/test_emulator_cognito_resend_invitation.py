"""emulator/patches/cognito_resend_invitation.py: RESEND sends the same user a new invitation, and
is refused for a user who has already chosen a password, as in Cognito."""

import boto3
import pytest
from botocore.exceptions import ClientError
from cognito_support import client, email_pool, invite, messages_to, temporary_password


def test_a_resend_reaches_the_same_user_with_a_new_temporary_password(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp)
    app = client(idp, pool)
    first = invite(idp, pool, "again@example.com")

    again = invite(idp, pool, "again@example.com", MessageAction="RESEND")

    assert again["Username"] == first["Username"]
    assert len(idp.list_users(UserPoolId=pool)["Users"]) == 1
    old, new = (temporary_password(mail) for mail in messages_to(aws.outbox, "again@example.com"))
    assert old != new
    with pytest.raises(ClientError):
        idp.initiate_auth(
            ClientId=app,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "again@example.com", "PASSWORD": old},
        )
    challenge = idp.initiate_auth(
        ClientId=app,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "again@example.com", "PASSWORD": new},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_a_resend_to_a_user_who_chose_a_password_is_refused(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp)
    invite(idp, pool, "settled@example.com")
    idp.admin_set_user_password(
        UserPoolId=pool, Username="settled@example.com", Password="Chosen-passw0rd-x", Permanent=True
    )

    with pytest.raises(ClientError) as refused:
        invite(idp, pool, "settled@example.com", MessageAction="RESEND")

    assert refused.value.response["Error"]["Code"] == "UnsupportedUserStateException"
    assert "status is not FORCE_CHANGE_PASSWORD" in refused.value.response["Error"]["Message"]
    assert len(messages_to(aws.outbox, "settled@example.com")) == 1


def test_a_resend_to_nobody_says_the_user_does_not_exist(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp)

    with pytest.raises(ClientError) as refused:
        invite(idp, pool, "nobody@example.com", MessageAction="RESEND")

    assert refused.value.response["Error"]["Code"] == "UserNotFoundException"
    assert idp.list_users(UserPoolId=pool)["Users"] == []
