"""emulator/patches/cognito_temporary_password.py: an invited user gets a temporary password that
the pool's policy accepts, and signing in with it asks for a new password, as in Cognito."""

import re

import boto3
import pytest
from botocore.exceptions import ClientError
from cognito_support import POLICY, client, email_pool, invite, messages_to, temporary_password


def test_an_invited_user_gets_a_temporary_password_the_pool_policy_accepts(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp)

    invite(idp, pool, "policy@example.com")

    (mail,) = messages_to(aws.outbox, "policy@example.com")
    password = temporary_password(mail)
    assert len(password) >= POLICY["MinimumLength"]
    for character_class in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"):
        assert re.search(character_class, password), character_class


def test_signing_in_with_the_temporary_password_asks_for_a_new_one_that_then_works(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp)
    app = client(idp, pool)
    invite(idp, pool, "first-sign-in@example.com")
    (mail,) = messages_to(aws.outbox, "first-sign-in@example.com")

    challenge = idp.initiate_auth(
        ClientId=app,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "first-sign-in@example.com", "PASSWORD": temporary_password(mail)},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    signed_in = idp.respond_to_auth_challenge(
        ClientId=app,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": "first-sign-in@example.com",
            "NEW_PASSWORD": "A-new-passw0rd-of-mine",
        },
    )
    assert "AccessToken" in signed_in["AuthenticationResult"]
    user = idp.admin_get_user(UserPoolId=pool, Username="first-sign-in@example.com")
    assert user["UserStatus"] == "CONFIRMED"


def test_a_wrong_password_is_still_refused(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp)
    app = client(idp, pool)
    invite(idp, pool, "wrong@example.com")

    with pytest.raises(ClientError) as refused:
        idp.initiate_auth(
            ClientId=app,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "wrong@example.com", "PASSWORD": "Not-the-passw0rd"},
        )
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_a_temporary_password_given_by_the_caller_is_kept(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp)
    app = client(idp, pool)
    invite(idp, pool, "given@example.com", TemporaryPassword="Given-temp0rary-pw")

    challenge = idp.initiate_auth(
        ClientId=app,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "given@example.com", "PASSWORD": "Given-temp0rary-pw"},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
