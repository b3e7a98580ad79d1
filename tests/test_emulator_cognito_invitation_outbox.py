"""emulator/patches/cognito_invitation_outbox.py: the invitation Cognito would email is written to
the emulator's outbox, one file a message, and only there."""

import stat

import boto3
from cognito_support import email_pool, files_to, invite, messages_to, temporary_password


def test_an_invitation_is_one_message_to_the_user_with_username_and_temporary_password(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp)

    invite(idp, pool, "dora@example.com")

    (path,) = files_to(aws.outbox, "dora@example.com")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    (mail,) = messages_to(aws.outbox, "dora@example.com")
    assert mail["From"] == "no-reply@verificationemail.com"
    assert mail["Subject"] == "Your temporary password"
    body = mail.get_content()
    assert body.startswith("Your username is dora@example.com and temporary password is ")
    assert len(temporary_password(mail)) >= 14


def test_the_pool_invitation_template_and_sender_are_used(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(
        idp,
        EmailConfiguration={
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
            "From": "Example App <no-reply@example.com>",
        },
        AdminCreateUserConfig={
            "AllowAdminCreateUserOnly": True,
            "InviteMessageTemplate": {
                "EmailSubject": "Your invitation to app.example.com",
                "EmailMessage": "Sign in at https://app.example.com/ as {username} with {####} within 3 days.",
            },
        },
    )

    invite(idp, pool, "erin@example.com")

    (mail,) = messages_to(aws.outbox, "erin@example.com")
    assert mail["From"] == "Example App <no-reply@example.com>"
    assert mail["Subject"] == "Your invitation to app.example.com"
    body = mail.get_content()
    assert body.startswith("Sign in at https://app.example.com/ as erin@example.com with ")
    assert "{####}" not in body and "{username}" not in body
    assert len(temporary_password(mail, before="with ")) >= 14


def test_nothing_is_sent_when_suppressed_or_not_by_email(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp)

    invite(idp, pool, "quiet@example.com", MessageAction="SUPPRESS")
    idp.admin_create_user(
        UserPoolId=pool,
        Username="sms@example.com",
        UserAttributes=[{"Name": "email", "Value": "sms@example.com"}],
    )

    assert messages_to(aws.outbox, "quiet@example.com") == []
    assert messages_to(aws.outbox, "sms@example.com") == []


def test_the_temporary_password_is_not_in_the_emulator_log(aws):
    idp = boto3.client("cognito-idp")
    pool = email_pool(idp)

    invite(idp, pool, "secret@example.com")

    (mail,) = messages_to(aws.outbox, "secret@example.com")
    log = aws.outbox.parent / "emulator.log"
    assert temporary_password(mail) not in log.read_text()
