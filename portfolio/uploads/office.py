"""Office documents (Word, Excel, PowerPoint, OpenDocument): ZIP archives opened and tested
part by part, refused if encrypted, carrying macros, damaged or too big to unpack safely.
"""

from __future__ import annotations

import logging
import zipfile

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from portfolio.errors import UploadRefused
from portfolio.uploads.sizes import describe_bytes
from portfolio.uploads.sniffing import AcceptedFormat

logger = logging.getLogger(__name__)

MAX_ARCHIVE_MEMBERS = 10_000
# Parts smaller than this unpacked cost nothing to check, however well they pack.
RATIO_EXEMPT_BYTES = 1024 * 1024


def check_office_document(uploaded: UploadedFile, name: str, kept: AcceptedFormat) -> None:
    """An office document is a ZIP archive: every part must be present and pass its CRC check."""
    required = "mimetype" if kept.extension == ".odt" else "[Content_Types].xml"
    damaged = UploadRefused(
        name,
        f"is damaged and cannot be opened as {_article(kept.description)} "
        f"{kept.description}; try saving it again and upload the new copy.",
    )
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            members = archive.infolist()
            _refuse_if_too_much_to_unpack(members, name)
            names = {member.filename for member in members}
            if any(member.flag_bits & 0x1 for member in members):
                raise UploadRefused(
                    name,
                    "is password-protected or encrypted; save a copy without a password and "
                    "upload that.",
                )
            if any(
                part.lower().endswith("vbaproject.bin") or part.startswith(("Basic/", "Scripts/"))
                for part in names
            ):
                raise UploadRefused(
                    name,
                    f"contains macros, which cannot be accepted. Save a copy as an ordinary "
                    f"{kept.extension} file without macros and upload that.",
                )
            if required not in names:
                raise damaged
            broken_part = archive.testzip()
    except UploadRefused:
        raise
    except Exception as exc:
        logger.info("Document %r did not open", name, exc_info=True)
        raise damaged from exc
    if broken_part is not None:
        raise damaged


def _refuse_if_too_much_to_unpack(members: list[zipfile.ZipInfo], name: str) -> None:
    """Judge the archive by its directory alone, before a byte of any part is inflated.

    Reading a part stops at its declared size (and fails its CRC check if it lies), so the
    declared sizes bound what testzip() will decompress.
    """
    limit = settings.EVIDENCE_MAX_UNPACKED_MB * 1024 * 1024
    ratio = settings.EVIDENCE_MAX_ZIP_RATIO
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_ARCHIVE_MEMBERS or unpacked > limit:
        raise UploadRefused(
            name,
            f"unpacks to more than {describe_bytes(limit)}, which is too much to check safely. "
            "Save it again, or as a PDF, and upload that.",
        )
    if any(
        member.file_size > RATIO_EXEMPT_BYTES
        and member.file_size > ratio * max(member.compress_size, 1)
        for member in members
    ):
        raise UploadRefused(
            name,
            f"has a part that unpacks to more than {ratio} times its packed size, which is too "
            "much to check safely and nothing a real document holds. Save it again, or as a "
            "PDF, and upload that.",
        )


def _article(noun: str) -> str:
    """'a' or 'an', for the few nouns our messages use."""
    return "an" if noun[:1].lower() in "aeiou" else "a"
