"""moto's one static signing key is imported once, not again for every user pool.

moto 5.2.5 gives each new user pool the RSA key it signs tokens with by importing the JWK in
`cognitoidp/resources/jwks-private.json` (`jwk.RSAKey.import_key`). That JWK holds no prime
factors, so each import recovers them: 180 ms of CPU per pool (measured), most of a CreateUserPool
and of a cognito stack's create. The key is the same for every pool, and cognito_pool_signing_keys
signs each pool's tokens with a key of the pool's own, so the import is made once and its key
shared.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from joserfc import jwk
from moto.cognitoidp import models

from emulator import moto_internals

_imported: dict[str, jwk.RSAKey] = {}
_lock = threading.Lock()


class _RSAKey:
    @staticmethod
    def import_key(value: Any, *args: Any, **kwargs: Any) -> jwk.RSAKey:
        if args or kwargs or not isinstance(value, dict):
            return jwk.RSAKey.import_key(value, *args, **kwargs)
        text = json.dumps(value, sort_keys=True)
        with _lock:
            if text not in _imported:
                _imported[text] = jwk.RSAKey.import_key(value)
            return _imported[text]


class _JwkImportingOnce:
    """joserfc's `jwk` module as moto.cognitoidp.models sees it, with RSAKey.import_key kept."""

    RSAKey = _RSAKey

    def __getattr__(self, name: str) -> Any:
        return getattr(jwk, name)


def install() -> None:
    """Internals: CognitoIdpUserPool.__init__ imports the key through its module's `jwk`."""
    moto_internals.replace(models, "jwk", _JwkImportingOnce())
