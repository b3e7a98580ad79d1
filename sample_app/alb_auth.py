"""Verifies the user claims an Application Load Balancer signs: the `x-amzn-oidc-data` header.

The ALB signs the claims of the signed-in user (Cognito's userInfo) as a JWT with ES256 and puts
the key's id (`kid`), its own ARN (`signer`) and an expiry (`exp`) in the JWT's header. Trust the
claims only when all of these hold:

- the signature is valid for the public key AUTH_PUBLIC_KEYS_URL/<kid> (PEM), computed over the
  raw `header.payload` text as received;
- `alg` is ES256 and `signer` is exactly AUTH_SIGNER_ARN (this load balancer, not another one in
  any account that signs with the same regional keys);
- `exp` has not passed.

The ALB's base64url parts carry `=` padding, which strict JWT libraries refuse (PyJWT 2.14 fails
with "Invalid crypto padding", jpadilla/pyjwt#1209), so this module decodes them itself and uses
`cryptography` only for the key and the signature. docs/application-contract.md describes the
contract; tests/test_alb_auth.py proves each refusal with tokens it signs.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

HEADER = "x-amzn-oidc-data"
_PART = re.compile(r"[A-Za-z0-9_-]+={0,2}")
# AWS's key ids are UUIDs; anything that could leave the key URL's path is refused before a fetch.
_KID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}")
_MAX_KEY_BYTES = 16 * 1024
_MAX_CACHED_KEYS = 64  # the ALB rotates its keys rarely; the cap bounds what forged kids can add


class InvalidToken(Exception):
    """The token is not one this load balancer signed, or it has expired. The message says why
    (never the token itself)."""


class KeyUnavailable(InvalidToken):
    """The key server could not be asked (down, unreachable, a 5xx): the token may be valid, so an
    application answers 503 rather than 401; it is still refused (an InvalidToken)."""


def b64url_decode(part: str) -> bytes:
    """base64url with or without `=` padding, as the ALB writes it (with)."""
    if not _PART.fullmatch(part):
        raise InvalidToken("a part of the token is not base64url")
    stripped = part.rstrip("=")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken("a part of the token is not base64url") from None


def _json_object(part: str, what: str) -> dict:
    try:
        value = json.loads(b64url_decode(part))
    except (UnicodeDecodeError, ValueError):
        raise InvalidToken(f"the token's {what} is not JSON") from None
    if not isinstance(value, dict):
        raise InvalidToken(f"the token's {what} is not a JSON object")
    return value


def _expiry(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidToken(f"the token's {what} has no valid exp")
    try:
        return float(value)
    except ValueError:
        raise InvalidToken(f"the token's {what} has no valid exp") from None


class AlbIdentityVerifier:
    """Checks `x-amzn-oidc-data` tokens signed by one load balancer; keys are fetched once per kid.

    `signer_arn` is AUTH_SIGNER_ARN, `public_keys_url` AUTH_PUBLIC_KEYS_URL (no trailing slash).
    Thread-safe: one verifier serves every request.
    """

    def __init__(
        self,
        signer_arn: str,
        public_keys_url: str,
        *,
        timeout: float = 5.0,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], float] = time.time,
        leeway: float = 0.0,
    ):
        if not signer_arn:
            raise ValueError("signer_arn (AUTH_SIGNER_ARN) is empty")
        if not public_keys_url.startswith(("https://", "http://")) or public_keys_url.endswith("/"):
            raise ValueError(
                "public_keys_url (AUTH_PUBLIC_KEYS_URL) must be an http(s) URL without a trailing /"
            )
        self.signer_arn = signer_arn
        self.public_keys_url = public_keys_url
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.clock = clock
        self.leeway = leeway
        self._keys: dict[str, ec.EllipticCurvePublicKey] = {}
        self._lock = threading.Lock()
        self.fetches = 0  # key downloads so far (the cache at work shows here)

    @classmethod
    def from_environment(cls, environ=os.environ, **options) -> AlbIdentityVerifier:
        """The verifier the platform's AUTH_SIGNER_ARN and AUTH_PUBLIC_KEYS_URL describe."""
        missing = [n for n in ("AUTH_SIGNER_ARN", "AUTH_PUBLIC_KEYS_URL") if not environ.get(n)]
        if missing:
            raise ValueError(
                f"{' and '.join(missing)} not set: the platform sets them (docs/application-contract.md)"
            )
        return cls(environ["AUTH_SIGNER_ARN"], environ["AUTH_PUBLIC_KEYS_URL"], **options)

    def verify(self, token: str | None) -> dict:
        """The verified user claims (sub, email, ...) of a token, or InvalidToken saying why not."""
        if not token:
            raise InvalidToken(f"no {HEADER} header")
        parts = token.split(".")
        if len(parts) != 3:
            raise InvalidToken("the token does not have three parts")
        header_part, payload_part, signature_part = parts
        header = _json_object(header_part, "header")
        if header.get("alg") != "ES256":
            raise InvalidToken(f"the token's alg is {header.get('alg')!r}, not ES256")
        # Before any key is fetched: a token from another load balancer is refused here.
        if header.get("signer") != self.signer_arn:
            raise InvalidToken("the token was signed by another load balancer than AUTH_SIGNER_ARN")
        kid = header.get("kid")
        if not isinstance(kid, str) or not _KID.fullmatch(kid):
            raise InvalidToken("the token's kid is missing or malformed")
        now = self.clock()
        if _expiry(header.get("exp"), "header") + self.leeway <= now:
            raise InvalidToken("the token has expired")
        signature = b64url_decode(signature_part)
        if len(signature) != 64:
            raise InvalidToken("the token's signature is not an ES256 signature")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            # Over the text as received, padding and all: re-encoding it would sign other bytes.
            self._key(kid).verify(
                der, f"{header_part}.{payload_part}".encode("ascii"), ec.ECDSA(hashes.SHA256())
            )
        except InvalidSignature:
            raise InvalidToken("the token's signature is not valid") from None
        claims = _json_object(payload_part, "payload")
        if "exp" in claims and _expiry(claims["exp"], "payload") + self.leeway <= now:
            raise InvalidToken("the token has expired")
        return claims

    def _key(self, kid: str) -> ec.EllipticCurvePublicKey:
        with self._lock:
            key = self._keys.get(kid)
        if key is not None:
            return key
        key = self._fetch(kid)
        with self._lock:
            if len(self._keys) >= _MAX_CACHED_KEYS:
                self._keys.pop(next(iter(self._keys)))
            self._keys[kid] = key
        return key

    def _fetch(self, kid: str) -> ec.EllipticCurvePublicKey:
        url = f"{self.public_keys_url}/{kid}"
        self.fetches += 1
        try:
            with urllib.request.urlopen(url, timeout=self.timeout, context=self.ssl_context) as response:
                pem = response.read(_MAX_KEY_BYTES + 1)
        except urllib.error.HTTPError as error:
            if 400 <= error.code < 500:  # a kid the key server does not know: not this ALB's token
                raise InvalidToken(f"no public key for kid {kid} at {url} (HTTP {error.code})") from None
            raise KeyUnavailable(f"the key server answered HTTP {error.code} for kid {kid} ({url})") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise KeyUnavailable(
                f"the public key for kid {kid} could not be fetched from {url}: {reason}"
            ) from None
        if len(pem) > _MAX_KEY_BYTES:
            raise KeyUnavailable(f"the answer of {url} is too large for a public key")
        try:
            key = serialization.load_pem_public_key(pem)
        except ValueError:
            raise KeyUnavailable(f"the answer of {url} is not a PEM public key") from None
        if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
            raise KeyUnavailable(f"the key at {url} is not a P-256 key (ES256)")
        return key
