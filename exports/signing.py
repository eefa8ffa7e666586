"""The certificate exported PDFs are signed with, and the signing itself (PAdES, with pyHanko).

In production the key and certificate come from PEM files named by settings
(PDF_SIGNING_KEY, PDF_SIGNING_CERTIFICATE, PDF_SIGNING_KEY_PASSPHRASE). Without them, a
self-signed development certificate is made once under VAR_DIR/signing and reused; its name
says it is for development, so no reader mistakes it for a provider's.
"""

from __future__ import annotations

import datetime
import functools
import io
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

# A certificate's common name holds at most 64 characters.
DEVELOPMENT_NAME = "Evidence portfolio development signing (not for production)"
DEVELOPMENT_ORGANISATION = "Development only: not a training provider's certificate"
SIGNATURE_FIELD = "PortfolioSignature"


@dataclass(frozen=True)
class SigningFiles:
    key: Path
    certificate: Path
    passphrase: bytes | None


def signing_files() -> SigningFiles:
    """The PEM files to sign with: the configured ones, else the development pair."""
    key, certificate = settings.PDF_SIGNING_KEY, settings.PDF_SIGNING_CERTIFICATE
    if bool(key) != bool(certificate):
        raise ImproperlyConfigured(
            "Set both PDF_SIGNING_KEY and PDF_SIGNING_CERTIFICATE, or neither (for a "
            "development certificate)."
        )
    if key:
        passphrase = settings.PDF_SIGNING_KEY_PASSPHRASE
        return SigningFiles(
            Path(key), Path(certificate), passphrase.encode() if passphrase else None
        )
    return development_files(Path(settings.VAR_DIR) / "signing")


def development_files(folder: Path) -> SigningFiles:
    """A self-signed certificate and its key under `folder`, made the first time."""
    files = SigningFiles(folder / "development-key.pem", folder / "development-cert.pem", None)
    if files.key.exists() and files.certificate.exists():
        return files
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, DEVELOPMENT_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEVELOPMENT_ORGANISATION),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=5 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    # Written beside each other under temporary names, then renamed: another process making
    # the pair at the same moment never reads half a file, and one pair wins whole.
    suffix = f".{os.getpid()}.tmp"
    key_tmp = files.key.with_suffix(suffix)
    cert_tmp = files.certificate.with_suffix(suffix + "c")
    key_tmp.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_tmp.chmod(0o600)
    cert_tmp.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    if files.key.exists() and files.certificate.exists():
        key_tmp.unlink()
        cert_tmp.unlink()
        return files
    key_tmp.replace(files.key)
    cert_tmp.replace(files.certificate)
    return files


@functools.cache
def _signer(files: SigningFiles) -> signers.SimpleSigner:
    signer = signers.SimpleSigner.load(
        str(files.key), str(files.certificate), key_passphrase=files.passphrase
    )
    if signer is None:
        raise ImproperlyConfigured(
            f"The PDF signing key {files.key} or certificate {files.certificate} could not be "
            "read: check the paths, that they are PEM files, and the passphrase."
        )
    return signer


def signing_certificate_pem() -> bytes:
    """The certificate exports are signed with, as PEM: what /verify/ trusts."""
    return signing_files().certificate.read_bytes()


def sign(pdf: bytes, *, reason: str, location: str) -> bytes:
    """The PDF with an invisible PAdES baseline signature over the whole file, appended as an
    incremental update: a reader shows whether anything changed after it was signed."""
    signer = _signer(signing_files())
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    output = signers.sign_pdf(writer, metadata, signer=signer)
    return output.getvalue()
