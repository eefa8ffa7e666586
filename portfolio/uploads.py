"""Checking evidence uploads: a file is accepted for what its bytes are, never for its name.

Images are decoded and re-encoded, so what is kept carries no location data or hidden
payload; PDFs and office documents are opened to prove they are whole; anything else that is
not plain text is refused with a message the learner can act on.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import re
import threading
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import filetype
import pillow_heif
import pypdf
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from PIL import Image, ImageFile, ImageOps

from portfolio.errors import UploadRefused
from portfolio.models import FileKind

logger = logging.getLogger(__name__)

pillow_heif.register_heif_opener()

# Pillow's limits are module globals; one decode at a time changes them.
_PILLOW_SETTINGS = threading.Lock()

SNIFF_BYTES = 8 * 1024
TEXT_SAMPLE_BYTES = 64 * 1024
DISPLAY_NAME_MAX = 200
# Declared sizes bound what testzip() decompresses, so a zip bomb costs no more than this.
MAX_UNPACKED_BYTES = 1024**3
MAX_ARCHIVE_MEMBERS = 10_000

ACCEPTED_TYPES = (
    "Upload photos (JPEG, PNG, HEIC, WebP), PDFs, Word/Excel/PowerPoint/OpenDocument files, "
    "plain text, MP4/MOV video or MP3/M4A audio."
)


@dataclass(frozen=True)
class CheckedUpload:
    """What to store for an accepted upload, described from its content."""

    display_name: str
    kind: str
    content_type: str
    extension: str
    content: File
    size: int
    sha256: str
    width: int | None
    height: int | None


@dataclass(frozen=True)
class _Format:
    """How we keep one accepted type of file."""

    kind: str
    content_type: str
    extension: str
    description: str
    # Images only: the Pillow plugin allowed to decode it, and the format we re-encode it as.
    decoder: str | None = None
    encoder: str | None = None


_JPEG = _Format(FileKind.IMAGE, "image/jpeg", ".jpg", "photo", "JPEG", "JPEG")
_PNG = _Format(FileKind.IMAGE, "image/png", ".png", "image", "PNG", "PNG")
_WEBP = _Format(FileKind.IMAGE, "image/webp", ".webp", "image", "WEBP", "WEBP")
_HEIC = _Format(FileKind.IMAGE, "image/jpeg", ".jpg", "photo", "HEIF", "JPEG")
_PDF = _Format(FileKind.PDF, "application/pdf", ".pdf", "PDF")
_DOCX = _Format(
    FileKind.DOCUMENT,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
    "Word document",
)
_XLSX = _Format(
    FileKind.DOCUMENT,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
    "Excel spreadsheet",
)
_PPTX = _Format(
    FileKind.DOCUMENT,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pptx",
    "PowerPoint presentation",
)
_ODT = _Format(
    FileKind.DOCUMENT, "application/vnd.oasis.opendocument.text", ".odt", "OpenDocument text"
)
_MP4 = _Format(FileKind.VIDEO, "video/mp4", ".mp4", "video")
_MOV = _Format(FileKind.VIDEO, "video/quicktime", ".mov", "video")
_MP3 = _Format(FileKind.AUDIO, "audio/mpeg", ".mp3", "audio recording")
_M4A = _Format(FileKind.AUDIO, "audio/mp4", ".m4a", "audio recording")
_TEXT = _Format(FileKind.TEXT, "text/plain", ".txt", "text")

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

# Bidirectional formatting characters: they let "photo\u202egpj.exe" display as "photoexe.jpg".
_BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
# Control characters, lone surrogates (unstorable as UTF-8) and line/paragraph separators.
_UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_MARKUP_START = re.compile(r"[\s\ufeff]*<(?:!--|[!?/]?[A-Za-z])")


def clean_display_name(name: str) -> str:
    """The learner's filename made safe to show: no path, no invisible or reordering tricks."""
    name = re.split(r"[/\\]", name)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        char
        for char in name
        if char not in _BIDI_CONTROLS and unicodedata.category(char) not in _UNPRINTABLE_CATEGORIES
    )
    name = _strip_edges(name)
    if len(name) > DISPLAY_NAME_MAX:
        stem, dot, suffix = name.rpartition(".")
        if stem and dot and len(suffix) <= 16:
            name = _strip_edges(stem[: DISPLAY_NAME_MAX - len(suffix) - 1]) + "." + suffix
        else:
            name = _strip_edges(name[:DISPLAY_NAME_MAX])
    return name or "file"


def _strip_edges(name: str) -> str:
    """Leading dots hide files and trailing dots or spaces confuse Windows."""
    return re.sub(r"^[\s.]+|[\s.]+$", "", name)


def check_upload(uploaded: UploadedFile, *, max_bytes: int | None = None) -> CheckedUpload:
    """Decide from its bytes whether we keep a file, and exactly what to keep."""
    name = clean_display_name(uploaded.name or "")
    limit = settings.EVIDENCE_MAX_FILE_BYTES if max_bytes is None else max_bytes
    declared_size = uploaded.size or 0
    if declared_size == 0:
        raise UploadRefused(name, "is empty (0 bytes).")
    if getattr(uploaded, "exceeded_limit", False) or declared_size > limit:
        raise UploadRefused(
            name,
            f"is larger than the {_describe_bytes(limit)} limit (it is "
            f"{_describe_bytes(declared_size)}). Make it smaller – trim or compress a video, or "
            "split it into parts – and upload it again.",
        )

    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    if not head:
        raise UploadRefused(name, "is empty (0 bytes).")
    kept = _identify(uploaded, head, name)

    content: File
    width = height = None
    if kept.kind == FileKind.IMAGE:
        content, width, height = _clean_image(uploaded, name, kept)
    else:
        if kept.kind == FileKind.PDF:
            _check_pdf(uploaded, name)
        elif kept.kind == FileKind.DOCUMENT:
            _check_office_document(uploaded, name, kept)
        uploaded.seek(0)
        content = uploaded
    size, sha256 = _measure(content)
    return CheckedUpload(
        display_name=name,
        kind=str(kept.kind),
        content_type=kept.content_type,
        extension=kept.extension,
        content=content,
        size=size,
        sha256=sha256,
        width=width,
        height=height,
    )


def _describe_bytes(count: int) -> str:
    """Sizes as a learner reads them on their phone."""
    megabytes = count / (1024 * 1024)
    if megabytes >= 1024:
        return (
            f"{megabytes / 1024:.0f} GB" if megabytes % 1024 == 0 else f"{megabytes / 1024:.1f} GB"
        )
    if megabytes >= 1:
        return f"{megabytes:.0f} MB" if megabytes == round(megabytes) else f"{megabytes:.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} bytes"


def _identify(uploaded: UploadedFile, head: bytes, name: str) -> _Format:
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


def _identify_text(uploaded: UploadedFile, name: str) -> _Format:
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


@contextmanager
def _pixel_limit() -> Iterator[int]:
    """Pillow's own decompression-bomb guard set to our limit while we decode, and truncated
    images treated as errors: WeasyPrint switches Pillow's process-wide
    LOAD_TRUNCATED_IMAGES on when it is imported, and a cut-off upload must still be refused."""
    limit = settings.EVIDENCE_MAX_IMAGE_PIXELS
    with _PILLOW_SETTINGS:
        previous = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
        Image.MAX_IMAGE_PIXELS = limit
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield limit
        finally:
            Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _too_many_pixels(name: str, limit: int, size: tuple[int, int] | None) -> UploadRefused:
    """Refusal for an image whose decoded pixels would exhaust the server's memory."""
    dimensions = f"{size[0]} × {size[1]}" if size else f"more than {limit / 1_000_000:g} megapixels"
    return UploadRefused(
        name,
        f"is too large in pixels ({dimensions}) to process safely. Resize it to at most "
        f"{limit / 1_000_000:g} megapixels and upload it again.",
    )


def _damaged_image(name: str) -> UploadRefused:
    """Refusal for an image that does not decode completely."""
    return UploadRefused(
        name,
        "is damaged or incomplete, so it cannot be opened as an image; try exporting it "
        "again and upload the new copy.",
    )


def _clean_image(uploaded: UploadedFile, name: str, kept: _Format) -> tuple[ContentFile, int, int]:
    """Decode the whole image and re-encode it upright with nothing but pixels and colour."""
    assert kept.decoder and kept.encoder
    uploaded.seek(0)
    with (
        _pixel_limit() as limit,
        warnings.catch_warnings(action="error", category=Image.DecompressionBombWarning),
    ):
        try:
            image = Image.open(uploaded, formats=[kept.decoder])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels(name, limit, None) from exc
        except Exception as exc:
            logger.info("Image %r did not open", name, exc_info=True)
            raise _damaged_image(name) from exc
        with image:
            # Pillow's guard is process-wide and warnings filters are not thread-safe, so check
            # this image's own size before decoding anything.
            if image.width * image.height > limit:
                raise _too_many_pixels(name, limit, image.size)
            try:
                image.load()
                # In place, so a large photo is not held in memory twice more than needed.
                ImageOps.exif_transpose(image, in_place=True)
            except Exception as exc:
                logger.info("Image %r did not decode", name, exc_info=True)
                raise _damaged_image(name) from exc
            encoded = _encode_without_metadata(image, kept.encoder)
            width, height = image.size
    stem = PurePosixPath(name).stem or "image"
    return ContentFile(encoded, name=f"{stem}{kept.extension}"), width, height


def _encode_without_metadata(image: Image.Image, encoder: str) -> bytes:
    """The pixels re-encoded with only their colour profile: no EXIF, GPS, XMP or comments."""
    icc_profile = image.info.get("icc_profile")
    options: dict[str, Any]
    if encoder == "JPEG":
        cleaned = _flatten_onto_white(image)
        options = {"quality": 92}
    elif encoder == "WEBP":
        cleaned = image.convert("RGBA" if _has_alpha(image) else "RGB")
        options = {"quality": 90}
    else:
        cleaned = image
        if cleaned.mode not in {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}:
            cleaned = cleaned.convert("RGBA")
        options = {"optimize": True}
        if "transparency" in cleaned.info:
            options["transparency"] = cleaned.info["transparency"]
    # Pillow writes some of .info (a JPEG's comment, for one) back out unless it is emptied.
    cleaned.info = {}
    if _icc_matches(icc_profile, cleaned.mode):
        options["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    cleaned.save(buffer, format=encoder, **options)
    return buffer.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    """Whether some pixels are see-through, which JPEG cannot keep."""
    return image.mode in {"RGBA", "LA", "PA", "La", "RGBa"} or (
        image.mode == "P" and "transparency" in image.info
    )


def _flatten_onto_white(image: Image.Image) -> Image.Image:
    """RGB pixels, with see-through areas shown as they would be on a white page."""
    if not _has_alpha(image):
        return image.convert("RGB")
    with_alpha = image.convert("RGBA")
    page = Image.new("RGB", with_alpha.size, "white")
    page.paste(with_alpha, mask=with_alpha.getchannel("A"))
    return page


def _icc_matches(icc_profile: bytes | None, mode: str) -> bool:
    """A colour profile is kept only for pixels of its colour space, or colours would shift."""
    if not icc_profile or len(icc_profile) < 20:
        return False
    colour_space = icc_profile[16:20]
    if mode in {"RGB", "RGBA", "P"}:
        return colour_space == b"RGB "
    return colour_space == b"GRAY" and mode in {"1", "L", "LA", "I", "I;16"}


def _check_pdf(uploaded: UploadedFile, name: str) -> None:
    """A PDF is kept only if an assessor could open it and see every page."""
    uploaded.seek(0)
    try:
        reader = pypdf.PdfReader(uploaded)
        encrypted = reader.is_encrypted
        page_count = 0
        if not encrypted:
            for page in reader.pages:
                _ = page.mediabox
                page_count += 1
    except Exception as exc:
        logger.info("PDF %r did not open", name, exc_info=True)
        raise _damaged_pdf(name) from exc
    if encrypted:
        raise UploadRefused(
            name,
            "is password-protected or encrypted; save a copy without a password and upload that.",
        )
    if page_count == 0:
        raise _damaged_pdf(name)


def _damaged_pdf(name: str) -> UploadRefused:
    """Refusal for a PDF whose structure cannot be read."""
    return UploadRefused(
        name,
        "is damaged and cannot be opened as a PDF; try saving or exporting it again and "
        "upload the new copy.",
    )


def _check_office_document(uploaded: UploadedFile, name: str, kept: _Format) -> None:
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
            if len(members) > MAX_ARCHIVE_MEMBERS or (
                sum(member.file_size for member in members) > MAX_UNPACKED_BYTES
            ):
                raise UploadRefused(
                    name,
                    f"unpacks to more than {_describe_bytes(MAX_UNPACKED_BYTES)}, which is too "
                    "much to check safely. Save it again, or as a PDF, and upload that.",
                )
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


def _article(noun: str) -> str:
    """'a' or 'an', for the few nouns our messages use."""
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _measure(content: File) -> tuple[int, str]:
    """Size and SHA-256 read in chunks, so a large video is never wholly in memory."""
    digest = hashlib.sha256()
    size = 0
    for chunk in content.chunks():
        digest.update(chunk)
        size += len(chunk)
    content.seek(0)
    return size, digest.hexdigest()


def make_renditions(content: File) -> tuple[ContentFile, ContentFile]:
    """A thumbnail and a print-size JPEG, so pages and reports never send the full image."""
    content.seek(0)
    with _pixel_limit(), Image.open(content) as image:
        # A JPEG can be decoded straight at a reduced scale, which is far faster for photos.
        image.draft("RGB", (settings.EVIDENCE_PRINT_PX, settings.EVIDENCE_PRINT_PX))
        image.load()
        icc_profile = image.info.get("icc_profile")
        picture = _flatten_onto_white(image)
    if not _icc_matches(icc_profile, "RGB"):
        icc_profile = None
    picture.thumbnail((settings.EVIDENCE_PRINT_PX, settings.EVIDENCE_PRINT_PX))
    print_rendition = _jpeg(picture, quality=88, icc_profile=icc_profile, name="print.jpg")
    picture.thumbnail((settings.EVIDENCE_THUMBNAIL_PX, settings.EVIDENCE_THUMBNAIL_PX))
    thumbnail = _jpeg(picture, quality=80, icc_profile=icc_profile, name="thumb.jpg")
    content.seek(0)
    return thumbnail, print_rendition


def _jpeg(
    picture: Image.Image, *, quality: int, icc_profile: bytes | None, name: str
) -> ContentFile:
    """One rendition encoded for the web."""
    buffer = io.BytesIO()
    options: dict[str, Any] = {"quality": quality, "optimize": True}
    if icc_profile:
        options["icc_profile"] = icc_profile
    picture.save(buffer, format="JPEG", **options)
    return ContentFile(buffer.getvalue(), name=name)


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Streams uploads to disk, keeping nothing of a file past the limit so none can fill it."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.exceeded_limit = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.exceeded_limit:
            return
        if self.received > settings.EVIDENCE_MAX_FILE_BYTES:
            self.exceeded_limit = True
            # The file will be refused, so give back the disk space it has used already.
            self.file.seek(0)
            self.file.truncate()
            return
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile:
        uploaded = super().file_complete(file_size)
        uploaded.size = self.received
        uploaded.exceeded_limit = self.exceeded_limit
        return uploaded
