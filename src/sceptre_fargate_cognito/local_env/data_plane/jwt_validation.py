"""The ALB's `jwt-validation` action, as the ELB guide ("Verify JWTs using an Application Load
Balancer") and the API reference (JwtValidationActionConfig) describe it.

The token is the bearer token of the request's `Authorization` header. It passes when:
- its signature is RS256 (the only algorithm the ALB takes) by a key of the action's JWKS, found
  by the token's `kid`;
- `iss` is present and equals the action's `Issuer`, `exp` is present and not past; `nbf` and
  `iat`, when present, are not in the future;
- each of `AdditionalClaims` is present in its format: single-string (a text, one of the
  values), string-array (an array of texts, one of them among the values) or
  space-separated-values (a text of space-separated values, one of them among the values).
A passing request goes on to the next action with the token as it came (the ALB forwards "the
request with token as is"); any other gets 401 with a `WWW-Authenticate: Bearer` challenge
(RFC 6750: `error="invalid_token"` when a token was sent), never a redirect to a sign-in page.

The JWKS is fetched as the ALB fetches it, from `JwksEndpoint`; on `local` an endpoint on an
`*.amazonaws.com` host, or on `cognito-idp.<region>.localhost` (where the data plane serves the
user pools' keys), is the emulator's (AWS_ENDPOINT_URL), asked with the AWS host as `Host`, as
the emulator tells services apart. The ALB's limits apply (150 KB, 10 keys). Keys are cached per
endpoint for an hour, and fetched again at most once a minute when a token names a `kid` the
cached set lacks (a pool's new key), so a request costs no fetch in the common case.

Signature and registered claims are checked by PyJWT (with `cryptography`), not by hand.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt

from sceptre_fargate_cognito.local_env.data_plane.messages import Response

ALGORITHMS = ["RS256"]
MAX_JWKS_BYTES = 150 * 1024
MAX_JWKS_KEYS = 10
CACHE_SECONDS = 3600
# Where local serves a user pool's keys (AWS: https://cognito-idp.<region>.amazonaws.com/<pool>/...).
LOCAL_IDP_HOST = re.compile(r"^cognito-idp\.(?P<region>[a-z0-9-]+)\.localhost$")
JWKS_PATH = re.compile(r"^/[A-Za-z0-9_-]+/\.well-known/jwks\.json$")
REFETCH_SECONDS = 60


class JwksUnavailable(Exception):
    """The JWKS endpoint could not be read, or breaks the ALB's limits."""


def unauthorized(description: str | None) -> Response:
    """The ALB's refusal: 401 with a Bearer challenge (with the reason when a token was sent)."""
    challenge = (
        "Bearer"
        if description is None
        else f'Bearer error="invalid_token", error_description="{description}"'
    )
    return Response.text(401, "401 Unauthorized\n", [("WWW-Authenticate", challenge)])


def bearer_token(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def claim_matches(claim: Mapping[str, Any], claims: Mapping[str, Any]) -> bool:
    """Whether the token's claims satisfy one of the action's AdditionalClaims."""
    name, wanted = claim.get("Name"), set(claim.get("Values") or [])
    value = claims.get(str(name))
    claim_format = claim.get("Format")
    if claim_format == "single-string":
        return isinstance(value, str) and value in wanted
    if claim_format == "string-array":
        return isinstance(value, list) and any(isinstance(v, str) and v in wanted for v in value)
    if claim_format == "space-separated-values":
        return isinstance(value, str) and any(v in wanted for v in value.split())
    return False  # a format this data plane does not know never passes: fail closed


@dataclass
class _CachedKeys:
    keys: dict[str, jwt.PyJWK]
    fetched: float


def _fetch_over_http(url: str, host_header: str | None) -> bytes:
    request = urllib.request.Request(url, headers={"Host": host_header} if host_header else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback only
            body = answer.read(MAX_JWKS_BYTES + 1)
    except (urllib.error.URLError, OSError) as err:
        raise JwksUnavailable(f"the JWKS endpoint could not be read: {err}") from None
    return body


class JwtValidator:
    """Validates bearer tokens for the jwt-validation actions of the launched listeners.

    `aws_endpoint` is the emulator (AWS_ENDPOINT_URL); `fetch(url, host)` reads a URL (over
    loopback) and is replaceable for a measurement."""

    def __init__(
        self, aws_endpoint: str | None, fetch: Callable[[str, str | None], bytes] = _fetch_over_http
    ):
        self.aws_endpoint = (aws_endpoint or "").rstrip("/")
        self.fetch = fetch
        self._lock = threading.Lock()
        self._cache: dict[str, _CachedKeys] = {}

    def _where(self, endpoint: str) -> tuple[str, str | None]:
        """The URL to read a JWKS endpoint at, and the Host to send. AWS's hosts are the
        emulator's; so is `cognito-idp.<region>.localhost[:port]`, where the data plane serves
        the emulator's user-pool keys (`user_pool_keys`), read here without the detour."""
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        local = LOCAL_IDP_HOST.match(host)
        if self.aws_endpoint and local:
            return f"{self.aws_endpoint}{path}", f"cognito-idp.{local['region']}.amazonaws.com"
        if self.aws_endpoint and (host == "amazonaws.com" or host.endswith(".amazonaws.com")):
            return f"{self.aws_endpoint}{path}", parts.netloc
        return endpoint, None

    def user_pool_keys(self, region: str, request_path: str) -> Response:
        """`https://cognito-idp.<region>.localhost:<port>/<pool>/.well-known/jwks.json`: the
        emulator's keys of that pool, as Cognito serves them at its ProviderURL."""
        if not JWKS_PATH.match(request_path):
            return Response.text(404, "not found\n")
        try:
            body = self.fetch(f"{self.aws_endpoint}{request_path}", f"cognito-idp.{region}.amazonaws.com")
        except JwksUnavailable:
            return Response.text(404, "no such user pool\n")
        return Response(200, [("Content-Type", "application/json")], body)

    def _load(self, endpoint: str) -> dict[str, jwt.PyJWK]:
        body = self.fetch(*self._where(endpoint))
        if len(body) > MAX_JWKS_BYTES:
            raise JwksUnavailable(f"the JWKS is larger than the ALB's {MAX_JWKS_BYTES // 1024} KB")
        try:
            document = json.loads(body)
            listed = document["keys"]
        except (ValueError, KeyError, TypeError):
            raise JwksUnavailable("the JWKS endpoint did not answer a JSON Web Key Set") from None
        if len(listed) > MAX_JWKS_KEYS:
            raise JwksUnavailable(f"the JWKS has {len(listed)} keys, more than the ALB's {MAX_JWKS_KEYS}")
        keys = {}
        for entry in listed:
            try:
                key = jwt.PyJWK.from_dict(entry)
            except (jwt.PyJWKError, jwt.InvalidKeyError):
                continue  # a key of a type the ALB would not use for RS256
            if key.key_id:
                keys[key.key_id] = key
        return keys

    def key(self, endpoint: str, kid: str) -> jwt.PyJWK | None:
        """The key `kid` of the endpoint's JWKS: from the cache while it is fresh, unless the
        cache lacks `kid` and was read over a minute ago (the set may have gained a key)."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(endpoint)
        if (
            cached is None
            or now - cached.fetched > CACHE_SECONDS
            or (kid not in cached.keys and now - cached.fetched > REFETCH_SECONDS)
        ):
            cached = _CachedKeys(self._load(endpoint), now)
            with self._lock:
                self._cache[endpoint] = cached
        return cached.keys.get(kid)

    def check(self, config: Mapping[str, Any], headers: Mapping[str, str]) -> Response | None:
        """None when the request may go on; else the response the ALB gives."""
        token = bearer_token(headers)
        if token is None:
            return unauthorized(None)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            return unauthorized("the token is not a JWT")
        if header.get("alg") not in ALGORITHMS:
            return unauthorized("the token is not signed RS256")
        try:
            key = self.key(str(config.get("JwksEndpoint", "")), str(header.get("kid", "")))
        except JwksUnavailable as err:
            return Response.text(500, f"500 Internal Server Error: {err}\n")
        if key is None:
            return unauthorized("the token's key is not in the JWKS")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                issuer=str(config.get("Issuer", "")),
                options={"require": ["exp", "iss"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            return unauthorized("the token has expired")
        except jwt.InvalidIssuerError:
            return unauthorized("the token's issuer is not the expected one")
        except jwt.ImmatureSignatureError:
            return unauthorized("the token is not valid yet")
        except jwt.InvalidSignatureError:
            return unauthorized("the token's signature does not verify")
        except jwt.InvalidTokenError:
            return unauthorized("the token is not valid")
        for claim in config.get("AdditionalClaims") or []:
            if not claim_matches(claim, claims):
                return unauthorized(f"the claim {claim.get('Name')} is not an expected value")
        return None
