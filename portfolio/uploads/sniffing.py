"""What a file is, told from its leading bytes: one of the kinds we keep, or a refusal naming it.

A file is accepted for what its bytes are, never for its name or the type the browser sent.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import filetype
from django.core.files.uploadedfile import UploadedFile

from portfolio.errors import UploadRefused
from portfolio.models import FileKind

SNIFF_BYTES = 8 * 1024
TEXT_SAMPLE_BYTES = 64 * 1024

ACCEPTED_TYPES = (
    "Upload photos (JPEG, PNG, HEIC, WebP), PDFs, Word/Excel/PowerPoint/OpenDocument files, "
    "plain text, MP4/MOV video or MP3/M4A audio."
)


@dataclass(frozen=True)
class AcceptedFormat:
    """How we keep one accepted type of file."""

    kind: str
    content_type: str
    extension: str
    description: str
    # Images only: the Pillow plugin allowed to decode it, and the format we re-encode it as.
    decoder: str | None = None
    encoder: str | None = None


_JPEG = AcceptedFormat(FileKind.IMAGE, "image/jpeg", ".jpg", "photo", "JPEG", "JPEG")
_PNG = AcceptedFormat(FileKind.IMAGE, "image/png", ".png", "image", "PNG", "PNG")
_WEBP = AcceptedFormat(FileKind.IMAGE, "image/webp", ".webp", "image", "WEBP", "WEBP")
_HEIC = AcceptedFormat(FileKind.IMAGE, "image/jpeg", ".jpg", "photo", "HEIF", "JPEG")
_PDF = AcceptedFormat(FileKind.PDF, "application/pdf", ".pdf", "PDF")
_DOCX = AcceptedFormat(
    FileKind.DOCUMENT,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
    "Word document",
)
_XLSX = AcceptedFormat(
    FileKind.DOCUMENT,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
    "Excel spreadsheet",
)
_PPTX = AcceptedFormat(
    FileKind.DOCUMENT,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pptx",
    "PowerPoint presentation",
)
_ODT = AcceptedFormat(
    FileKind.DOCUMENT, "application/vnd.oasis.opendocument.text", ".odt", "OpenDocument text"
)
_MP4 = AcceptedFormat(FileKind.VIDEO, "video/mp4", ".mp4", "video")
_MOV = AcceptedFormat(FileKind.VIDEO, "video/quicktime", ".mov", "video")
_MP3 = AcceptedFormat(FileKind.AUDIO, "audio/mpeg", ".mp3", "audio recording")
_M4A = AcceptedFormat(FileKind.AUDIO, "audio/mp4", ".m4a", "audio recording")
_TEXT = AcceptedFormat(FileKind.TEXT, "text/plain", ".txt", "text")

# Keyed by the MIME type filetype reports.
_ACCEPTED = {
    "image/jpeg": _JPEG,
    "image/png": _PNG,
    "image/apng": _PNG,
    "image/webp": _WEBP,
    "image/heic": _HEIC,
    "image/heif": _HEIC,
    "application/pdf": _PDF,
    _DOCX.content_type: _DOCX,
    _XLSX.content_type: _XLSX,
    _PPTX.content_type: _PPTX,
    _ODT.content_type: _ODT,
    "video/mp4": _MP4,
    "video/quicktime": _MOV,
    "audio/mpeg": _MP3,
    "audio/mp4": _M4A,
    "audio/m4a": _M4A,
    "audio/x-m4a": _M4A,
}

# filetype only knows HEIC files whose major brand is "heic"; phones also write these.
_HEIF_BRANDS = {"heic", "heix", "heim", "heis"}
_HEIF_STRUCTURE_BRANDS = {"mif1", "msf1"}
# An MP4 container labelled as audio (iTunes audio, audiobooks) is an M4A recording.
_AUDIO_MP4_BRANDS = {"M4A ", "M4B "}

# Keyed by the extension filetype reports, for telling the learner what they sent.
_REFUSED_DESCRIPTIONS = {
    "gif": "a GIF image",
    "bmp": "a BMP image",
    "tif": "a TIFF image",
    "psd": "a Photoshop file",
    "xcf": "a GIMP file",
    "avif": "an AVIF image",
    "jpx": "a JPEG 2000 image",
    "jxr": "a JPEG XR image",
    "ico": "an icon file",
    "cr2": "a camera RAW image",
    "dwg": "a CAD drawing",
    "3gp": "a 3GP video",
    "m4v": "an M4V video",
    "mkv": "an MKV video",
    "avi": "an AVI video",
    "wmv": "a WMV video",
    "mpg": "an MPEG video",
    "webm": "a WebM video",
    "flv": "a Flash video",
    "aac": "an AAC audio file",
    "ogg": "an Ogg audio file",
    "flac": "a FLAC audio file",
    "wav": "a WAV audio file",
    "amr": "an AMR voice recording",
    "aiff": "an AIFF audio file",
    "mid": "a MIDI file",
    "doc": "an older Word document (.doc)",
    "xls": "an older Excel spreadsheet (.xls)",
    "ppt": "an older PowerPoint presentation (.ppt)",
    "ods": "an OpenDocument spreadsheet (.ods)",
    "odp": "an OpenDocument presentation (.odp)",
    "rtf": "a Rich Text document (.rtf)",
    "epub": "an e-book (EPUB)",
    "ps": "a PostScript file",
    "zip": "a ZIP archive",
    "rar": "a RAR archive",
    "7z": "a 7-Zip archive",
    "tar": "a TAR archive",
    "gz": "a compressed (gzip) file",
    "bz2": "a compressed (bzip2) file",
    "xz": "a compressed (xz) file",
    "zst": "a compressed (Zstandard) file",
    "exe": "a Windows program",
    "elf": "a Linux program",
    "deb": "a software package",
    "rpm": "a software package",
    "wasm": "a WebAssembly program",
    "swf": "a Flash file",
    "sqlite": "a database file",
    "woff": "a font file",
    "woff2": "a font file",
    "ttf": "a font file",
    "otf": "a font file",
}
_SAVE_AS = {"doc": ".docx", "xls": ".xlsx", "ppt": ".pptx", "ods": ".xlsx", "odp": ".pptx"}

_MARKUP_START = re.compile(r"[\s\ufeff]*<(?:!--|[!?/]?[A-Za-z])")


def identify(uploaded: UploadedFile, head: bytes, name: str) -> AcceptedFormat:
    """The accepted type the file's leading bytes show it to be, or a refusal saying what it is."""
    detected = filetype.guess(head)
    brands = _ftyp_brands(head)
    if brands and (detected is None or detected.extension == "mp4"):
        major, compatible = brands
        if major in _HEIF_BRANDS or (major in _HEIF_STRUCTURE_BRANDS and compatible & _HEIF_BRANDS):
            return _HEIC
        if detected is not None and major in _AUDIO_MP4_BRANDS:
            return _M4A
    if detected is None:
        return _identify_text(uploaded, name)
    if detected.mime in _ACCEPTED:
        return _ACCEPTED[detected.mime]
    # Some signatures are two or three printable letters ("MZ", "BM"), which ordinary notes
    # can start with; real files of those types have bytes no text file contains.
    if _decode_text(head, complete=len(head) < SNIFF_BYTES) is not None:
        return _identify_text(uploaded, name)
    description = _REFUSED_DESCRIPTIONS.get(
        detected.extension, f"a {detected.extension.upper()} file"
    )
    advice = ""
    if detected.extension in _SAVE_AS:
        advice = f"Open it and use Save As to make a {_SAVE_AS[detected.extension]} copy. "
    raise UploadRefused(
        name, f"is {description}, which cannot be accepted. {advice}{ACCEPTED_TYPES}"
    )


def _ftyp_brands(head: bytes) -> tuple[str, set[str]] | None:
    """The major and compatible brands of an ISO media file (MP4, MOV, HEIC, M4A), if it is one."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    box_size = min(int.from_bytes(head[0:4], "big"), len(head))
    major = head[8:12].decode("latin-1")
    compatible = {head[i : i + 4].decode("latin-1") for i in range(16, box_size - 3, 4)}
    return major, compatible


def _identify_text(uploaded: UploadedFile, name: str) -> AcceptedFormat:
    """Plain UTF-8 text is accepted; markup is refused because a browser would run it."""
    uploaded.seek(0)
    sample = uploaded.read(TEXT_SAMPLE_BYTES)
    complete = not uploaded.read(1)
    text = _decode_text(sample, complete=complete)
    if text is None:
        raise UploadRefused(name, f"is not a file type we can accept. {ACCEPTED_TYPES}")
    if _MARKUP_START.match(text):
        raise UploadRefused(
            name,
            "looks like a web page or SVG image (HTML/XML markup), which cannot be accepted. "
            f"{ACCEPTED_TYPES}",
        )
    return _TEXT


def _decode_text(sample: bytes, *, complete: bool) -> str | None:
    """The sample as text if it is UTF-8 without NULs; a character cut at the end is allowed."""
    if b"\x00" in sample:
        return None
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=complete)
    except UnicodeDecodeError:
        return None
