"""A demo certification authority and signer for `dev.py up` and the tests: made locally on first use (EC P-256,
PKCS#12), kept under SERAMBI_DEMO_CA_DIR (var/demo-ca by default), never committed. Documents signed with it say
"DEMO" in their signature block, and no one outside this installation trusts it."""

import datetime as dt
import os
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

CA_FILE = "demo-ca.pem"
SIGNER_FILE = "demo-signer.p12"
PASSPHRASE_FILE = "demo-signer.pass"  # noqa: S105 - a file name


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Serambi DEMO"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _usage(*, sign_certs: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not sign_certs,
        content_commitment=not sign_certs,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=sign_certs,
        crl_sign=sign_certs,
        encipher_only=False,
        decipher_only=False,
    )


def _certificate(subject, issuer, public_key, issuer_key, *, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(_usage(sign_certs=ca), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def ensure(directory: Path) -> tuple[Path, Path, bytes]:
    """(CA certificate PEM, signer PKCS#12, passphrase), made once in `directory`."""
    directory = Path(directory)
    ca_path, p12_path, pass_path = directory / CA_FILE, directory / SIGNER_FILE, directory / PASSPHRASE_FILE
    if not (ca_path.exists() and p12_path.exists() and pass_path.exists()):
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("Serambi DEMO CA")
        ca = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(_name("Serambi DEMO Penanda Tangan"), ca_name, key.public_key(), ca_key, ca=False)
        passphrase = secrets.token_urlsafe(18).encode()
        bundle = pkcs12.serialize_key_and_certificates(
            b"serambi-demo", key, cert, [ca], serialization.BestAvailableEncryption(passphrase)
        )
        # The signer first, the CA last: a reader finding the CA sees a complete pair.
        _write(p12_path, bundle)
        _write(pass_path, passphrase)
        _write(ca_path, ca.public_bytes(serialization.Encoding.PEM))
    return ca_path, p12_path, pass_path.read_bytes().strip()
