"""Each user pool signs its tokens with its own key, published at its own JWKS URL.

moto 5.2.5 signs every pool's tokens RS256 with one static key (`kid` "dummy") and serves that
key at every `/<pool>/.well-known/jwks.json`, so a token of one pool verifies against another's
keys. In AWS each pool has its own keys. Here each pool gets its own 2048-bit RSA key (made on
first use, kept with the pool), its tokens carry that key's `kid` (its RFC 7638 thumbprint), and
`/<pool>/.well-known/jwks.json` serves that pool's public key only (404 for a pool that does not
exist). `sign(pool, claims)` is how other extensions issue a token of a pool.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from joserfc import jwk, jwt
from moto.cognitoidp import urls as cognitoidp_urls
from moto.cognitoidp.models import CognitoIdpUserPool, cognitoidp_backends
from moto.core import DEFAULT_ACCOUNT_ID

from emulator import moto_internals

ALGORITHM = "RS256"
JWKS_ROUTE = "{0}/(?P<user_pool_id>[^/]+)/.well-known/jwks.json$"
_POOL_IN_PATH = re.compile(r"/(?P<pool>[^/]+)/\.well-known/jwks\.json$")

_original_create_jwt = CognitoIdpUserPool.create_jwt
_lock = threading.Lock()


def signing_key(pool: CognitoIdpUserPool) -> jwk.RSAKey:
    """The pool's own key, made the first time it is needed."""
    with _lock:
        key = moto_internals.extension_state(pool, "signing_key", None)
        if key is None:
            key = jwk.RSAKey.generate_key(2048, private=True)
            moto_internals.set_extension_state(pool, "signing_key", key)
        return key


def key_id(pool: CognitoIdpUserPool) -> str:
    return signing_key(pool).thumbprint()


def sign(pool: CognitoIdpUserPool, claims: dict[str, Any]) -> str:
    """A JWT of these claims, signed RS256 with the pool's key, its `kid` in the header."""
    return jwt.encode({"kid": key_id(pool), "alg": ALGORITHM}, claims, signing_key(pool))


def create_jwt(self: CognitoIdpUserPool, *args: Any, **kwargs: Any) -> tuple[str, int]:
    # moto builds the claims (and signs them with its shared key); the same claims are signed again
    # with the pool's own key, so that everything moto keeps by token holds the pool's token.
    token, expires_in = _original_create_jwt(self, *args, **kwargs)
    claims = dict(jwt.decode(token, self.json_web_key).claims)
    return sign(self, claims), expires_in


def public_keys(pool: CognitoIdpUserPool) -> dict[str, Any]:
    public = signing_key(pool).as_dict(private=False)
    return {"keys": [{"alg": ALGORITHM, "kid": key_id(pool), "use": "sig", **public}]}


def find_pool(pool_id: str) -> CognitoIdpUserPool | None:
    """The pool of that id (its region is the id's prefix), in whichever account holds it."""
    region = pool_id.split("_", 1)[0]
    for account in {DEFAULT_ACCOUNT_ID, *cognitoidp_backends}:
        try:
            pool = cognitoidp_backends[account][region].user_pools.get(pool_id)
        except KeyError:  # not a region
            return None
        if pool is not None:
            return pool
    return None


def serve_json_web_key(request: Any, full_url: str, headers: Any):
    """`/<pool>/.well-known/jwks.json` (moto's handler signature)."""
    match = _POOL_IN_PATH.search(full_url.split("?", 1)[0])
    pool = find_pool(match["pool"]) if match else None
    if pool is None:
        body = {"message": f"User pool {match['pool'] if match else ''} does not exist."}
        return 404, {"Content-Type": "application/json"}, json.dumps(body)
    return 200, {"Content-Type": "application/json"}, json.dumps(public_keys(pool))


def install() -> None:
    """Internals: every token moto issues is made by the pool's create_jwt; the JWKS route is an
    entry of moto.cognitoidp.urls.url_paths, read when the server builds its routes."""
    moto_internals.replace(CognitoIdpUserPool, "create_jwt", create_jwt)
    moto_internals.replace_route(cognitoidp_urls, JWKS_ROUTE, serve_json_web_key)
