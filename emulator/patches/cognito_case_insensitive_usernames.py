"""A user pool with `UsernameConfiguration: {CaseSensitive: false}` finds its users whatever the case.

moto 5.2.5 ignores the setting: `Alice@Example.com` is not the user `alice@example.com`, so an
invitation to a differently typed address creates a second user, and an admin call or a sign-in
typed in another case answers UserNotFoundException. AWS matches the user name and the username
attributes (email, phone_number) case-insensitively in such a pool; here the pool's one user
lookup, which every admin call, AdminCreateUser's "exists" check and sign-in go through, does
too. A pool without the setting (or with `CaseSensitive: true`) keeps moto's exact match.
"""

from __future__ import annotations

from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool
from moto.cognitoidp.utils import flatten_attrs

from emulator import moto_internals

_original_get_user = moto_internals.COGNITO_POOL_GET_USER.current()


def case_insensitive(pool: CognitoIdpUserPool) -> bool:
    setting = (pool.extended_config.get("UsernameConfiguration") or {}).get("CaseSensitive", True)
    # CloudFormation may hand the boolean over as text.
    return str(setting).lower() == "false"


def get_user(self: CognitoIdpUserPool, username: str) -> CognitoIdpUser | None:
    user = _original_get_user(self, username)
    if user is not None or not isinstance(username, str) or not case_insensitive(self):
        return user
    wanted = username.lower()
    attribute_types = self.extended_config.get("UsernameAttributes") or []
    for candidate in self.users.values():
        attributes = flatten_attrs(candidate.attributes)
        names = [candidate.username, *(attributes.get(kind) for kind in attribute_types)]
        if any(isinstance(name, str) and name.lower() == wanted for name in names):
            return candidate
    return None


def install() -> None:
    """Internals: the pool's one lookup of a user by name (moto_internals.COGNITO_POOL_GET_USER)."""
    moto_internals.replace_private(moto_internals.COGNITO_POOL_GET_USER, get_user)
