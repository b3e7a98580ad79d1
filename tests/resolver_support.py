"""Helpers for the resolver tests: real certificates and images in the emulator, real Sceptre
stacks, and a count of the AWS calls the resolvers make (the calls still reach the emulator)."""

from __future__ import annotations

import datetime
import hashlib
import json
import urllib.request
from collections import Counter

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from sceptre.connection_manager import ConnectionManager
from sceptre.stack import Stack

from sceptre_fargate_cognito.resolvers import aws_lookup

ACCOUNT = "123456789012"
REGION = "eu-west-1"
_keys: dict[str, object] = {}


KEY_MAKERS = {
    "rsa": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "rsa4096": lambda: rsa.generate_private_key(public_exponent=65537, key_size=4096),
    "ec": lambda: ec.generate_private_key(ec.SECP256R1()),
    "ec384": lambda: ec.generate_private_key(ec.SECP384R1()),
}


def _key(kind: str):
    # Key generation dominates the cost of a certificate: one key per kind is enough here.
    if kind not in _keys:
        _keys[kind] = KEY_MAKERS[kind]()
    return _keys[kind]


def make_certificate(
    names: list[str],
    key: str = "rsa",
    valid_for: datetime.timedelta = datetime.timedelta(days=90),
    not_after=None,
):
    """A self-signed certificate for names[0] with every name as a SAN: (certificate PEM, key PEM)."""
    private_key = _key(key)
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(not_after or now + valid_for)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .sign(private_key, hashes.SHA256())
    )
    return (
        certificate.public_bytes(serialization.Encoding.PEM),
        private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )


def import_certificate(
    names, key="rsa", valid_for=datetime.timedelta(days=90), client=None, not_after=None
) -> str:
    certificate, private_key = make_certificate(names, key, valid_for, not_after)
    client = client or boto3.client("acm")
    return client.import_certificate(Certificate=certificate, PrivateKey=private_key)["CertificateArn"]


def import_many_certificates(count: int, client=None) -> list[str]:
    """`count` EC certificates site<i>.example.com, imported in parallel (EC: moto checks an RSA
    key at import for tens of milliseconds, an EC key in one)."""
    from concurrent.futures import ThreadPoolExecutor

    client = client or boto3.client("acm")
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(
            pool.map(
                lambda i: import_certificate([f"site{i}.example.com"], key="ec", client=client), range(count)
            )
        )


def moto_api(emulator, path: str, body: dict) -> None:
    request = urllib.request.Request(
        f"{emulator.endpoint}/moto-api/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()


def set_certificate_status(emulator, arn: str, status: str) -> None:
    moto_api(emulator, "static/acm/certificate-status", {"certificate_arn": arn, "status": status})


def manifest(layer_seed: str) -> str:
    """A single-platform image manifest whose layer digest depends on the seed."""
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1234,
                "digest": "sha256:" + hashlib.sha256(f"config {layer_seed}".encode()).hexdigest(),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 5678,
                    "digest": "sha256:" + hashlib.sha256(f"layer {layer_seed}".encode()).hexdigest(),
                }
            ],
        }
    )


def digest_of(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def push_image(repository: str, tag: str | None, seed: str, client=None) -> str:
    """Puts an image (optionally tagged) and returns the digest a registry gives it."""
    client = client or boto3.client("ecr")
    body = manifest(seed)
    kwargs = {"imageTag": tag} if tag else {}
    client.put_image(repositoryName=repository, imageManifest=body, **kwargs)
    return digest_of(body)


def make_stack(name="dev/alb-ecs", region=REGION, profile=None, sceptre_role=None, parameters=None) -> Stack:
    return Stack(
        name=name,
        project_code="resolvertest",
        region=region,
        profile=profile,
        sceptre_role=sceptre_role,
        template_handler_config={"type": "file", "path": "templates/alb-ecs.yaml.j2"},
        parameters=parameters or {},
    )


def clients_for_account(account_id: str, region: str = REGION) -> dict:
    """acm/ecr/sts clients acting as another account (through a role assumed in that account)."""
    credentials = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/test-setup", RoleSessionName="test-setup"
    )["Credentials"]
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )
    return {"session": session, "credentials": credentials}


@pytest.fixture
def fresh_resolvers(aws, monkeypatch):
    """The emulator reset, the resolver cache empty, and no boto3 session kept from another test
    (Sceptre keeps sessions and clients in class attributes for the whole process)."""
    aws_lookup.clear_cache()
    monkeypatch.setattr(ConnectionManager, "_boto_sessions", {})
    monkeypatch.setattr(ConnectionManager, "_boto_session_expirations", {})
    monkeypatch.setattr(ConnectionManager, "_clients", {})
    monkeypatch.setattr(ConnectionManager, "_stack_keys", {})
    yield aws
    aws_lookup.clear_cache()


@pytest.fixture
def aws_calls(monkeypatch):
    """Counts (service, command) of every call the stacks' connection managers make."""
    calls: Counter = Counter()
    original = ConnectionManager.call

    def counting_call(self, service, command, kwargs=None, *args, **more):
        calls[(service, command)] += 1
        return original(self, service, command, kwargs, *args, **more)

    monkeypatch.setattr(ConnectionManager, "call", counting_call)
    return calls
