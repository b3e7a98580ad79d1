"""User pools as the project's cognito template makes them, and the emulator's outbox, for the
Cognito emulator tests."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

# templates/cognito.yaml.j2's pool: email sign-in, case-insensitive, 14+ characters of every class.
POLICY = {
    "MinimumLength": 14,
    "RequireLowercase": True,
    "RequireUppercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 3,
}


def email_pool(idp, name: str = "pool", case_sensitive: bool | None = False, **more) -> str:
    """A pool whose users sign in with their email (as templates/cognito.yaml.j2's); its id."""
    settings: dict = {
        "UsernameAttributes": ["email"],
        "Policies": {"PasswordPolicy": POLICY},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        **more,
    }
    if case_sensitive is not None:
        settings["UsernameConfiguration"] = {"CaseSensitive": case_sensitive}
    return idp.create_user_pool(PoolName=name, **settings)["UserPool"]["Id"]


def client(idp, pool: str) -> str:
    return idp.create_user_pool_client(UserPoolId=pool, ClientName="app")["UserPoolClient"]["ClientId"]


def invite(idp, pool: str, address: str, **more) -> dict:
    """AdminCreateUser as `webctl users invite` makes it: email delivery, the address verified."""
    return idp.admin_create_user(
        UserPoolId=pool,
        Username=address,
        UserAttributes=[{"Name": "email", "Value": address}, {"Name": "email_verified", "Value": "true"}],
        DesiredDeliveryMediums=["EMAIL"],
        **more,
    )["User"]


def messages_to(outbox: Path, address: str) -> list[EmailMessage]:
    """The messages in the outbox for `address`, oldest first."""
    if not outbox.is_dir():
        return []
    found = []
    for path in sorted(outbox.iterdir()):
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if str(mail["To"]) == address:
            found.append(mail)
    return found


def files_to(outbox: Path, address: str) -> list[Path]:
    return (
        sorted(path for path in outbox.iterdir() if path.name.endswith(f"-{address}.eml"))
        if outbox.is_dir()
        else []
    )


def temporary_password(mail: EmailMessage, before: str = "temporary password is ") -> str:
    """The password in a message made from Cognito's default invitation text."""
    body = mail.get_content()
    return body.split(before, 1)[1].split()[0].rstrip(".")
