"""Tokens signed as an ALB signs `x-amzn-oidc-data`, and a real key server on loopback that serves
their public keys as AWS's does (PEM at <base>/<kid>), for the verifier and sample-app tests.

tests/conftest.py loads its fixtures as a pytest plugin; import its helpers by name.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from sceptre_fargate_cognito.local_env import certificate_authority

SIGNER = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/webapp-prod/50dc6c495c0c9188"
OTHER_SIGNER = (
    "arn:aws:elasticloadbalancing:eu-west-1:444455556666:loadbalancer/app/someone-else/0123456789abcdef"
)
CLAIMS = {
    "sub": "3f1c6a52-0000-4000-8000-000000000001",
    "email": "alice@example.com",
    "email_verified": "true",
}


def b64url(data: bytes, padded: bool = True) -> str:
    text = base64.urlsafe_b64encode(data).decode()
    return text if padded else text.rstrip("=")


@dataclass
class AlbSigningKey:
    """One of the ALB's signing keys: its kid and private key."""

    kid: str = field(default_factory=lambda: str(uuid.uuid4()))
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))

    def public_pem(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def token(
        self,
        claims: dict | None = None,
        *,
        signer: str = SIGNER,
        expires_in: float = 120,
        padded: bool = True,
        **header_changes,
    ) -> str:
        """A token as the ALB writes it: ES256 over `header.payload`, base64url with `=` padding."""
        header = {
            "typ": "JWT",
            "kid": self.kid,
            "alg": "ES256",
            "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example",
            "client": "4example5client6id",
            "signer": signer,
            "exp": int(time.time() + expires_in),
        } | header_changes
        # JSON lengths chosen by the content: most tokens have a part that needs padding.
        signing_input = f"{b64url(json.dumps(header).encode(), padded)}.{b64url(json.dumps(claims or CLAIMS).encode(), padded)}"
        der = self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'), padded)}"


class KeyServer:
    """A real HTTP(S) server on loopback: GET <base>/<kid> answers the key's PEM, else 404."""

    def __init__(self, *keys: AlbSigningKey, tls: certificate_authority.LeafCertificate | None = None):
        self.keys = {k.kid: k.public_pem() for k in keys}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                pem = server.keys.get(self.path.removeprefix("/alb-keys/"))
                self.send_response(200 if pem else 404)
                body = pem or b"not found\n"
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(tls.fullchain_path, tls.key_path)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}/alb-keys"
        # A short poll: shutdown() waits for it, in every test that stops a server.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def alb_key():
    return AlbSigningKey()


@pytest.fixture
def key_server(alb_key):
    server = KeyServer(alb_key)
    yield server
    server.stop()


@pytest.fixture
def https_key_server(alb_key, test_ca):
    server = KeyServer(alb_key, tls=certificate_authority.issue(test_ca, ["127.0.0.1"]))
    yield server
    server.stop()
