"""The `x-amzn-oidc-data` header the ALB adds after sign-in, signed as the ALB signs it.

An ES256 JWT whose header carries `kid`, `signer` (the load balancer's ARN), `iss`, `client` and
`exp`, and whose base64url parts keep their `=` padding, as AWS's do (strict JWT libraries refuse
them: docs/decisions.md). The public half of the key is served as PEM at <public keys URL>/<kid>.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url_padded(data: bytes) -> str:
    """base64url WITH the `=` padding, as the ALB writes it."""
    return base64.urlsafe_b64encode(data).decode("ascii")


class SigningKey:
    """One P-256 key and its id, as the ALB has per region (it rotates them; this one lives as
    long as the data plane)."""

    def __init__(self, key: ec.EllipticCurvePrivateKey | None = None, kid: str | None = None):
        self.key = key or ec.generate_private_key(ec.SECP256R1())
        self.kid = kid or str(uuid.uuid4())

    def public_pem(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, header: Mapping[str, Any], claims: Mapping[str, Any]) -> str:
        header = {"typ": "JWT", "kid": self.kid, "alg": "ES256", **header}
        signing_input = ".".join(
            b64url_padded(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        der = self.key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        # JWS ES256: the raw r||s, 32 bytes each, not DER.
        return f"{signing_input}.{b64url_padded(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def oidc_data(
    key: SigningKey, *, signer: str, issuer: str, client_id: str, expires: int, user_claims: Mapping[str, Any]
) -> str:
    """The header value: the user's claims (from the userInfo endpoint) with `exp` and `iss`."""
    return key.sign(
        {"signer": signer, "iss": issuer, "client": client_id, "exp": expires},
        {**user_claims, "exp": expires, "iss": issuer},
    )
