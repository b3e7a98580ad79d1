"""A throwaway certificate authority and the leaf certificates it signs, written as PEM files.

Used by the tests (real TLS servers on loopback) and by the local environment, which imports a
leaf into the emulator's ACM and serves it on the local data plane. Never for real traffic.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class CertificateAuthority:
    name: str
    key: PrivateKey
    certificate: x509.Certificate
    cert_path: Path  # give this to clients as their CA bundle
    key_path: Path


@dataclass(frozen=True)
class LeafCertificate:
    dns_names: tuple[str, ...]
    key: PrivateKey
    certificate: x509.Certificate
    cert_path: Path  # the leaf alone (what a server presents; ACM's Certificate)
    key_path: Path
    chain_path: Path  # the issuing CA (ACM's CertificateChain)
    fullchain_path: Path  # leaf then CA

    @property
    def not_after(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return key_pem(self.key)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# Key types ACM imports, by the names the tests and the local environment use. EC is the default
# because it is generated in microseconds; RSA 2048 in tens of milliseconds.
KEY_TYPES: dict[str, Callable[[], PrivateKey]] = {
    "ec": lambda: ec.generate_private_key(ec.SECP256R1()),
    "ec384": lambda: ec.generate_private_key(ec.SECP384R1()),
    "rsa": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "rsa4096": lambda: rsa.generate_private_key(public_exponent=65537, key_size=4096),
}


def new_key(key_type: str) -> PrivateKey:
    if key_type not in KEY_TYPES:
        raise ValueError(f"key_type must be one of {', '.join(KEY_TYPES)}, not {key_type!r}")
    return KEY_TYPES[key_type]()


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-").lower() or "cert"


def make_ca(
    directory: str | Path,
    name: str = "Throwaway Test CA",
    *,
    valid_days: int = 365,
    key_type: str = "ec",
) -> CertificateAuthority:
    """Create a self-signed root CA and write `<slug>.pem` and `<slug>.key.pem` under `directory`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = new_key(key_type)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    slug = _slug(name)
    cert_path = directory / f"{slug}.pem"
    key_path = directory / f"{slug}.key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key_pem(key))
    key_path.chmod(0o600)
    return CertificateAuthority(name, key, certificate, cert_path, key_path)


def issue(
    ca: CertificateAuthority,
    dns_names: Iterable[str],
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    directory: str | Path | None = None,
    *,
    key_type: str = "ec",
) -> LeafCertificate:
    """Sign a server certificate for `dns_names` (IP literals become IP SANs) and write its PEM files.

    Defaults: valid from five minutes ago for 90 days. Pass dates in the past for an expired one.
    Files go to `directory` (default: the CA's folder), named after the first name.
    """
    names = tuple(dns_names)
    if not names:
        raise ValueError("a certificate needs at least one DNS name")
    now = _now()
    not_before = not_before or now - dt.timedelta(minutes=5)
    not_after = not_after or now + dt.timedelta(days=90)
    directory = Path(directory) if directory is not None else ca.cert_path.parent
    directory.mkdir(parents=True, exist_ok=True)
    key = new_key(key_type)
    sans: list[x509.GeneralName] = []
    for name in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            sans.append(x509.DNSName(name))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                content_commitment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    slug = _slug(names[0].replace("*", "wildcard"))
    serial = f"{certificate.serial_number:x}"[:8]
    stem = directory / f"{slug}-{serial}"
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    ca_pem = ca.certificate.public_bytes(serialization.Encoding.PEM)
    cert_path = stem.with_name(stem.name + ".pem")
    key_path = stem.with_name(stem.name + ".key.pem")
    chain_path = stem.with_name(stem.name + ".chain.pem")
    fullchain_path = stem.with_name(stem.name + ".fullchain.pem")
    cert_path.write_bytes(cert_pem)
    key_path.write_bytes(key_pem(key))
    key_path.chmod(0o600)
    chain_path.write_bytes(ca_pem)
    fullchain_path.write_bytes(cert_pem + ca_pem)
    return LeafCertificate(names, key, certificate, cert_path, key_path, chain_path, fullchain_path)
