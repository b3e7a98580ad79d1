"""The ALB's authentication session cookie: an opaque, encrypted value, split into shards.

The ALB names the shards `<SessionCookieName>-0`, `-1`, ... (default name
`AWSELBAuthSessionCookie`) and an application signs a user out by expiring every one of them
(docs/decisions.md, "Sessions and sign-out"). The value here is AES-GCM over the session's JSON with a key only the data plane
holds, so a client can neither read nor forge it.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Mapping
from http.cookies import SimpleCookie
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DEFAULT_NAME = "AWSELBAuthSessionCookie"
# Browsers keep at most about 4 KB per cookie, name and attributes included.
SHARD_SIZE = 4000


class SessionCookies:
    def __init__(self, key: bytes | None = None):
        self._aead = AESGCM(key or AESGCM.generate_key(bit_length=256))

    def seal(self, session: Mapping[str, Any]) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, json.dumps(session, separators=(",", ":")).encode(), None)
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, value: str) -> dict[str, Any] | None:
        """The session in a cookie value, or None if it is not one this data plane sealed."""
        try:
            raw = base64.urlsafe_b64decode(value.encode("ascii"))
            session = json.loads(self._aead.decrypt(raw[:12], raw[12:], None))
        except (ValueError, InvalidTag):
            return None
        return session if isinstance(session, dict) else None

    def set_cookie_headers(self, name: str, session: Mapping[str, Any], max_age: int) -> list[str]:
        """Set-Cookie values for every shard of the session."""
        value = self.seal(session)
        shards = [value[i : i + SHARD_SIZE] for i in range(0, len(value), SHARD_SIZE)]
        return [
            f"{name}-{n}={shard}; Path=/; Max-Age={max_age}; Secure; HttpOnly"
            for n, shard in enumerate(shards)
        ]

    def read(self, name: str, cookie_header: str) -> dict[str, Any] | None:
        """The live session in the request's cookies, or None (absent, tampered, expired)."""
        jar = SimpleCookie()
        try:
            jar.load(cookie_header or "")
        except Exception:  # a malformed Cookie header is no session
            return None
        shards: list[str] = []
        while f"{name}-{len(shards)}" in jar:
            shards.append(jar[f"{name}-{len(shards)}"].value)
        session = self.open("".join(shards)) if shards else None
        if session is None or session.get("expires", 0) <= time.time():
            return None
        return session
