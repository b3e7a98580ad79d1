"""AdminCreateUser without a TemporaryPassword gives the user one, as Cognito does.

moto 5.2.5 stores no password at all (None), so an invited user can never sign in and nothing
could be sent to them. Cognito generates a temporary password that satisfies the pool's password
policy; signing in with it answers the NEW_PASSWORD_REQUIRED challenge (moto already does, once
a password is stored). Here the same: a random password of the policy's minimum length (at least
12) with every character class the policy requires, from a CSPRNG.
"""

from __future__ import annotations

import secrets
import string

from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool

from emulator import moto_internals

# A subset of the symbols Cognito accepts, without quotes, backslash and angle brackets: a
# password may be copied from an email or a terminal.
SYMBOLS = "!#$%&*+-=?@^_~"
MINIMUM = 12

_original_admin_create_user = CognitoIdpBackend.admin_create_user


def generate(pool: CognitoIdpUserPool) -> str:
    """A password the pool's policy accepts (moto's defaults are Cognito's: every class required)."""
    policy = pool.extended_config.get("Policies", {}).get("PasswordPolicy", {})
    length = min(max(int(policy.get("MinimumLength", 8)), MINIMUM), 99)
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits, SYMBOLS]
    required = [
        alphabet
        for alphabet, flag in zip(
            classes, ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"), strict=True
        )
        if str(policy.get(flag, True)).lower() != "false"
    ]
    everything = "".join(classes)
    characters = [secrets.choice(alphabet) for alphabet in required]
    characters += [secrets.choice(everything) for _ in range(length - len(characters))]
    secrets.SystemRandom().shuffle(characters)
    return "".join(characters)


def admin_create_user(
    self: CognitoIdpBackend, user_pool_id, username, message_action, temporary_password, attributes
):
    if not temporary_password and message_action != "RESEND":
        temporary_password = generate(self.describe_user_pool(user_pool_id))
    return _original_admin_create_user(
        self, user_pool_id, username, message_action, temporary_password, attributes
    )


def install() -> None:
    """Internals: the backend's admin_create_user receives the TemporaryPassword (None if not given)."""
    moto_internals.replace(CognitoIdpBackend, "admin_create_user", admin_create_user)
