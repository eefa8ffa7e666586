"""Is this PDF one the centre issued, unchanged? Answered from its SHA-256 (computed in the
reader's browser, so the file need not leave their machine) or from the file itself.

From a fingerprint alone the answer is genuine or not recognised. From the file, a PDF that is
not byte for byte an issued one is looked at more closely: if the part covered by our signature
is an issued file, something was added after it; if it names an issued export (its signature's
reason carries the verification code) but differs, it was altered; otherwise it is unknown.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass
from typing import IO

from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from exports.models import ExportState, PortfolioExport
from exports.selectors import latest_audit_id
from exports.signing import SIGNATURE_FIELD, signing_files

logger = logging.getLogger(__name__)

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
CODE_IN_REASON = re.compile(r"verification code ([0-9A-Z]{4}(?:-[0-9A-Z]{4})+)")
# A PDF literal string: (…) with backslash escapes, octal ones among them (\055 for "-").
REASON_IN_RAW = re.compile(rb"/Reason \(((?:[^()\\]|\\.)*)\)", re.DOTALL)
ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)


class Verdict:
    GENUINE = "genuine"
    APPENDED = "appended"  # our signed file, with something added after it
    ALTERED = "altered"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SignatureCheck:
    """What a PDF reader would say of the file's signature."""

    present: bool
    intact: bool = False  # the signed bytes are unchanged
    trusted: bool = False  # made with this site's signing certificate
    whole_file: bool = False  # nothing was added after signing
    signer: str = ""

    @property
    def valid(self) -> bool:
        return self.present and self.intact and self.trusted and self.whole_file


@dataclass(frozen=True)
class Check:
    verdict: str
    export: PortfolioExport | None = None
    signature: SignatureCheck | None = None
    size: int | None = None  # of the file checked, when it was sent
    pages: int | None = None
    newer: PortfolioExport | None = None  # a later export of the same portfolio
    changed_since: bool = False  # the portfolio changed after this export was made


def _issued(sha256: str) -> PortfolioExport | None:
    return (
        PortfolioExport.objects.filter(sha256=sha256, state=ExportState.DONE)
        .select_related("portfolio__learner", "portfolio__qualification", "portfolio__centre")
        .first()
    )


def _by_code(code: str) -> PortfolioExport | None:
    return (
        PortfolioExport.objects.filter(verification_code=code, state=ExportState.DONE)
        .select_related("portfolio__learner", "portfolio__qualification", "portfolio__centre")
        .first()
    )


def _with_context(check: Check) -> Check:
    """Add what has happened to the portfolio since the export was made."""
    export = check.export
    if export is None:
        return check
    newer = (
        PortfolioExport.objects.filter(
            portfolio_id=export.portfolio_id,
            state=ExportState.DONE,
            finished_at__gt=export.finished_at,
        )
        .order_by("-finished_at")
        .first()
    )
    latest = latest_audit_id(export.portfolio)
    changed = latest is not None and (export.last_audit_id is None or latest > export.last_audit_id)
    return Check(
        verdict=check.verdict,
        export=export,
        signature=check.signature,
        size=check.size,
        pages=check.pages,
        newer=newer,
        changed_since=changed,
    )


def check_fingerprint(sha256: str) -> Check:
    """Genuine if an issued export has exactly this SHA-256; otherwise not recognised."""
    sha256 = sha256.strip().lower()
    export = _issued(sha256) if SHA256_HEX.match(sha256) else None
    if export is None:
        return Check(Verdict.UNKNOWN)
    return _with_context(Check(Verdict.GENUINE, export=export))


def check_file(handle: IO[bytes]) -> Check:
    """The fullest answer for a file: its fingerprint, then its signature and what it claims."""
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    data = handle.read()
    signature, signed_sha256, code, pages = _inspect(data)
    if export := _issued(digest.hexdigest()):
        verdict = Verdict.GENUINE
    elif signed_sha256 and (export := _issued(signed_sha256)):
        verdict = Verdict.APPENDED
    elif code and (export := _by_code(code)):
        verdict = Verdict.ALTERED
    else:
        export, verdict = None, Verdict.UNKNOWN
    if verdict == Verdict.UNKNOWN:
        # Reveal nothing of a file we did not issue, not even how its signature reads.
        return Check(Verdict.UNKNOWN, size=size, pages=pages)
    return _with_context(Check(verdict, export=export, signature=signature, size=size, pages=pages))


def _inspect(data: bytes) -> tuple[SignatureCheck, str | None, str | None, int | None]:
    """The file's signature check, the SHA-256 of the revision our signature covers, the
    verification code the signature names, and the page count; whatever can be read."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        pages = int(reader.root["/Pages"]["/Count"])
        ours = [s for s in reader.embedded_signatures if s.field_name == SIGNATURE_FIELD]
        embedded = ours[-1] if ours else None
        reason = str(embedded.sig_object.get("/Reason", "")) if embedded else ""
        end = _signed_end(embedded.sig_object.get("/ByteRange")) if embedded else None
    except Exception as error:  # anything at all may be sent: a file that cannot be read
        logger.info("A PDF sent to /verify/ could not be read: %s", error)
        # Damage can make the file unreadable while our signature's words survive in it.
        return SignatureCheck(present=False), None, _code_in_bytes(data), None
    if embedded is None:
        return SignatureCheck(present=False), None, _code_in_bytes(data), pages
    found = CODE_IN_REASON.search(reason)
    signed_sha256 = hashlib.sha256(data[:end]).hexdigest() if end else None
    return _signature_check(embedded), signed_sha256, found.group(1) if found else None, pages


def _code_in_bytes(data: bytes) -> str | None:
    """The verification code our signature's reason names, read from the raw bytes (the
    signature dictionary is written uncompressed, at the end of the file)."""
    for literal in REASON_IN_RAW.findall(data[-64 * 1024 :]):
        text = ESCAPE.sub(_unescape, literal).decode("latin-1")
        if found := CODE_IN_REASON.search(text):
            return found.group(1)
    return None


def _unescape(match: re.Match[bytes]) -> bytes:
    escaped = match.group(1)
    if escaped.isdigit():
        return bytes([int(escaped, 8) & 0xFF])
    return {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(escaped, escaped)


def _signed_end(byte_range: object) -> int | None:
    """Where the bytes the signature covers end: [start, length, start, length]."""
    try:
        _, _, start, length = (int(n) for n in byte_range)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return None
    return start + length


def _signature_check(embedded: object) -> SignatureCheck:
    certificate = _certificate()
    try:
        status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[certificate]))
    except Exception as error:  # a malformed signature is simply not valid
        logger.info("A signature sent to /verify/ could not be validated: %s", error)
        return SignatureCheck(present=True)
    return SignatureCheck(
        present=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
        signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
    )


def _certificate() -> asn1_x509.Certificate:
    return load_cert_from_pemder(str(signing_files().certificate))
