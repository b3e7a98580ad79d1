"""The invitation Cognito emails on AdminCreateUser (and on its RESEND) is delivered to an outbox.

moto 5.2.5 sends nothing, so on `local` nobody could learn an invited user's temporary password.
When the emulator is started with an outbox directory (`python -m emulator --outbox DIR`, which
sets EMULATOR_OUTBOX), each invitation Cognito would email is written there as one message file
(`<UTC time>-<recipient>.eml`, mode 0600): From, To, Subject and the body, made from the pool's
invitation template (`AdminCreateUserConfig.InviteMessageTemplate`) or Cognito's default one,
with `{username}` and `{####}` (the temporary password) filled in. As in AWS, nothing is sent for
`MessageAction: SUPPRESS`, or unless `DesiredDeliveryMediums` names EMAIL (the default is SMS).
The outbox is the one place a temporary password is written: never the emulator's log.
"""

from __future__ import annotations

import datetime
import email.message
import email.utils
import os
import re
from pathlib import Path

from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.cognitoidp.utils import flatten_attrs

from emulator import moto_internals

OUTBOX_VARIABLE = "EMULATOR_OUTBOX"
# Cognito's default sender and invitation (what a pool without a template sends).
DEFAULT_FROM = "no-reply@verificationemail.com"
DEFAULT_SUBJECT = "Your temporary password"
DEFAULT_MESSAGE = "Your username is {username} and temporary password is {####}."

_original_admin_create_user = CognitoIdpResponse.admin_create_user


def outbox() -> Path | None:
    directory = os.environ.get(OUTBOX_VARIABLE)
    return Path(directory) if directory else None


def _sender(pool: CognitoIdpUserPool) -> str:
    configuration = pool.extended_config.get("EmailConfiguration") or {}
    if configuration.get("From"):
        return configuration["From"]
    source = configuration.get("SourceArn", "")
    # arn:aws:ses:<region>:<account>:identity/<address or domain>
    identity = source.rsplit("identity/", 1)[-1] if "identity/" in source else ""
    return identity if "@" in identity else DEFAULT_FROM


def message(pool: CognitoIdpUserPool, user: CognitoIdpUser) -> email.message.EmailMessage:
    """The invitation Cognito would email `user`, with their current temporary password."""
    attributes = flatten_attrs(user.attributes)
    template = (pool.extended_config.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    # In a pool whose users sign in with their email, that address is the name they type.
    username = (
        attributes["email"]
        if "email" in (pool.extended_config.get("UsernameAttributes") or [])
        else user.username
    )
    body = (template.get("EmailMessage") or DEFAULT_MESSAGE).replace("{username}", username)
    body = body.replace("{####}", user.password or "")
    mail = email.message.EmailMessage()
    mail["From"] = _sender(pool)
    mail["To"] = attributes["email"]
    mail["Subject"] = template.get("EmailSubject") or DEFAULT_SUBJECT
    mail["Date"] = email.utils.formatdate(usegmt=True)
    mail.set_content(body, subtype="html" if re.search(r"<[a-zA-Z][^>]*>", body) else "plain")
    return mail


def deliver(pool: CognitoIdpUserPool, user: CognitoIdpUser) -> Path | None:
    """Write the invitation to the outbox (if there is one); its path."""
    directory = outbox()
    if directory is None or not flatten_attrs(user.attributes).get("email"):
        return None
    directory.mkdir(parents=True, exist_ok=True)
    mail = message(pool, user)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    recipient = re.sub(r"[^A-Za-z0-9@._+-]", "_", str(mail["To"]))
    path = directory / f"{stamp}-{recipient}.eml"
    # Created only by us and readable only by its owner: it holds a temporary password.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(mail.as_bytes())
    return path


def admin_create_user(self: CognitoIdpResponse):
    result = _original_admin_create_user(self)
    mediums = moto_internals.request_param(self, "DesiredDeliveryMediums") or ["SMS"]
    if moto_internals.request_param(self, "MessageAction") != "SUPPRESS" and "EMAIL" in mediums:
        pool_id = moto_internals.request_param(self, "UserPoolId")
        user = self.backend.admin_get_user(pool_id, moto_internals.request_param(self, "Username"))
        deliver(self.backend.describe_user_pool(pool_id), user)
    return result


def install() -> None:
    """Internals: the response handler is where DesiredDeliveryMediums is known."""
    moto_internals.replace(CognitoIdpResponse, "admin_create_user", admin_create_user)
