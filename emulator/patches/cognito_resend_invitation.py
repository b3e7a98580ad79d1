"""AdminCreateUser with `MessageAction: RESEND` resends the invitation to the user who exists.

moto 5.2.5 runs the whole create again, so in a pool whose users sign in with their email it
adds a second user (a new `sub`) under the same address. AWS resends the invitation to the same
user with a new temporary password (the one given, or a generated one) and a fresh expiry, and
refuses it for a user who has already chosen a password: UnsupportedUserStateException. Without
the user, both answer UserNotFoundException.
"""

from __future__ import annotations

from moto.cognitoidp.models import CognitoIdpBackend, UserStatus
from moto.core.exceptions import JsonRESTError
from moto.core.utils import utcnow

from emulator import moto_internals
from emulator.patches import cognito_temporary_password

_original_admin_create_user = CognitoIdpBackend.admin_create_user


class UnsupportedUserStateException(JsonRESTError):
    def __init__(self, message: str):
        super().__init__("UnsupportedUserStateException", message)


def admin_create_user(
    self: CognitoIdpBackend, user_pool_id, username, message_action, temporary_password, attributes
):
    if message_action != "RESEND":
        return _original_admin_create_user(
            self, user_pool_id, username, message_action, temporary_password, attributes
        )
    user = self.admin_get_user(user_pool_id, username)  # UserNotFoundException, as in AWS
    if user.status != UserStatus.FORCE_CHANGE_PASSWORD:
        raise UnsupportedUserStateException(
            f"Resend not possible. {user.username} status is not FORCE_CHANGE_PASSWORD."
        )
    if temporary_password:
        moto_internals.cognito_validate_password(self, user_pool_id, temporary_password)
    user.password = temporary_password or cognito_temporary_password.generate(
        self.describe_user_pool(user_pool_id)
    )
    user.last_modified_date = utcnow()
    return user


def install() -> None:
    """Internals: wraps the backend's admin_create_user (after cognito_temporary_password)."""
    moto_internals.replace(CognitoIdpBackend, "admin_create_user", admin_create_user)
