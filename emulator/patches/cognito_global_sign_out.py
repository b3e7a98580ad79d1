"""AdminUserGlobalSignOut signs the user out, whatever name their tokens were issued under.

moto 5.2.5 revokes only the tokens issued under the exact name string the call gives: a user who
signed in as `eve@example.com` stays signed in after a sign-out of `EVE@example.com` (one user
in a case-insensitive pool), or of their `sub` user name. AWS signs out the user. Here every
token whose holder is the same user as the one named is revoked.
"""

from __future__ import annotations

from moto.cognitoidp.models import CognitoIdpUserPool

from emulator import moto_internals

_original_sign_out = CognitoIdpUserPool.sign_out


def sign_out(self: CognitoIdpUserPool, username: str) -> None:
    user = moto_internals.cognito_pool_user(self, username)
    if user is None:
        return _original_sign_out(self, username)
    holders = {
        holder
        for holder in {entry[1] for entry in self.refresh_tokens.values() if entry}
        | {entry[1] for entry in self.access_tokens.values()}
        if moto_internals.cognito_pool_user(self, holder) is user
    }
    for holder in holders | {username}:
        _original_sign_out(self, holder)
    return None


def install() -> None:
    """Internals: the pool's sign_out(name) is what AdminUserGlobalSignOut and GlobalSignOut call;
    tokens are kept as refresh_tokens {token: (client, name, ...)} and access_tokens {token: (client, name)}."""
    moto_internals.replace(CognitoIdpUserPool, "sign_out", sign_out)
