"""Certificates and images put into the emulator, as a real account would hold them: for the
local environment, the resolver tests and the resolver benchmark."""

from __future__ import annotations

import datetime
import hashlib
import json

import boto3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from sceptre_fargate_cognito.local_env.certificate_authority import PrivateKey, key_pem, new_key

_keys: dict[str, PrivateKey] = {}


def _key(kind: str) -> PrivateKey:
    # Key generation dominates the cost of a certificate: one key per kind is enough here.
    if kind not in _keys:
        _keys[kind] = new_key(kind)
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
        key_pem(private_key),
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


def upload_blob(ecr, repository: str, data: bytes) -> str:
    """Upload one blob (a layer or an image config) as `docker push` does; return its digest."""
    upload = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    ecr.upload_layer_part(
        repositoryName=repository,
        uploadId=upload,
        partFirstByte=0,
        partLastByte=len(data) - 1,
        layerPartBlob=data,
    )
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    return ecr.complete_layer_upload(repositoryName=repository, uploadId=upload, layerDigests=[digest])[
        "layerDigest"
    ]


def push_image_with_config(
    repository: str, tag: str | None, seed: str, architecture: str = "amd64", client=None
) -> str:
    """A single-platform image whose config blob (architecture, os) is in the registry, so
    `!ecr_image` can verify its platform; the digest depends on the seed. Returns the digest."""
    ecr = client or boto3.client("ecr")
    config = json.dumps(
        {"architecture": architecture, "os": "linux", "rootfs": {"type": "layers"}, "comment": seed}
    ).encode()
    body = json.loads(manifest(seed))
    body["config"].update(digest=upload_blob(ecr, repository, config), size=len(config))
    text = json.dumps(body, separators=(",", ":"))
    ecr.put_image(repositoryName=repository, imageManifest=text, **({"imageTag": tag} if tag else {}))
    return digest_of(text)
