"""A user pool issues access tokens to its machine clients (the client-credentials grant).

moto 5.2.5 has no client-credentials grant (its token builder needs a user), so on `local` no
machine client could get a token. Cognito's token endpoint is the hosted UI's `/oauth2/token`,
which the data plane serves; the key that signs a pool's tokens lives here, in the emulator. This
extension is the part of the grant that needs the key, at a private endpoint beside moto's own:

POST /moto-api/cognito-idp/client-credentials-token
  {"UserPoolId", "ClientId", "ClientSecret", "Scope": "a b" or absent}
  200 {"access_token", "expires_in", "token_type": "Bearer"};
  401 {"error": "invalid_client"}: no such client in the pool, no secret, or another secret;
  400 {"error": "unauthorized_client"}: the client may not use the client_credentials flow;
  400 {"error": "invalid_scope"}: a scope the client is not allowed (no scope asks for all of them).

The access token is the one Cognito issues for the grant (its developer guide, "Understanding the
access token"): RS256 with the pool's own key (cognito_pool_signing_keys), claims `sub` (the
client id), `token_use` "access", `scope`, `auth_time`, `iss`, `exp`, `iat`, `version` 2, `jti`,
`client_id`, and no `aud` and no `username`. It lives as long as the client's
AccessTokenValidity says (TokenValidityUnits.AccessToken, hours by default; one hour by default).
"""

from __future__ import annotations

import hmac
import json
import time
import uuid
from typing import Any

from moto.cognitoidp.models import CognitoIdpUserPoolClient

from emulator import moto_internals
from emulator.patches import cognito_pool_signing_keys

PATH = "/moto-api/cognito-idp/client-credentials-token"
FLOW = "client_credentials"
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


class Refused(Exception):
    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def access_token_lifetime(client: CognitoIdpUserPoolClient) -> int:
    config = client.extended_config
    unit = (config.get("TokenValidityUnits") or {}).get("AccessToken") or "hours"
    return int(config.get("AccessTokenValidity") or 1) * UNIT_SECONDS.get(unit, 3600)


def issue(pool_id: str, client_id: str, client_secret: str, scope: str | None) -> dict[str, Any]:
    pool = cognito_pool_signing_keys.find_pool(pool_id)
    client = pool.clients.get(client_id) if pool is not None else None
    if pool is None or client is None or not client.generate_secret:
        raise Refused(401, "invalid_client", "no app client with a secret of that id in the user pool")
    if not hmac.compare_digest(client.secret.encode(), client_secret.encode()):
        raise Refused(401, "invalid_client", "the client secret is not the app client's")
    config = client.extended_config
    if FLOW not in (config.get("AllowedOAuthFlows") or []) or not config.get(
        "AllowedOAuthFlowsUserPoolClient"
    ):
        raise Refused(400, "unauthorized_client", "the app client may not use the client_credentials flow")
    allowed = list(config.get("AllowedOAuthScopes") or [])
    requested = scope.split() if scope else allowed
    if not requested or any(s not in allowed for s in requested):
        raise Refused(400, "invalid_scope", "a requested scope is not one the app client is allowed")
    now = int(time.time())
    lifetime = access_token_lifetime(client)
    claims = {
        "sub": client_id,
        "token_use": "access",
        "scope": " ".join(requested),
        "auth_time": now,
        "iss": f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}",
        "exp": now + lifetime,
        "iat": now,
        "version": 2,
        "jti": str(uuid.uuid4()),
        "client_id": client_id,
    }
    return {
        "access_token": cognito_pool_signing_keys.sign(pool, claims),
        "expires_in": lifetime,
        "token_type": "Bearer",
    }


def token_response(request: Any, full_url: str, headers: Any):
    """The private endpoint the data plane's token endpoint calls (moto's handler signature)."""
    try:
        body = json.loads(request.get_data() or b"{}")
        answer = issue(
            str(body["UserPoolId"]),
            str(body["ClientId"]),
            str(body.get("ClientSecret") or ""),
            body.get("Scope"),
        )
    except (KeyError, ValueError, TypeError) as err:
        return (
            400,
            {"Content-Type": "application/json"},
            json.dumps({"error": "invalid_request", "error_description": repr(err)}),
        )
    except Refused as refused:
        body = {"error": refused.error, "error_description": refused.description}
        return refused.status, {"Content-Type": "application/json"}, json.dumps(body)
    return 200, {"Content-Type": "application/json"}, json.dumps(answer)


def install() -> None:
    """Internals: a route beside moto's /moto-api/ ones; pools and clients read from the backend."""
    moto_internals.add_moto_api_route("{0}" + PATH, token_response)
