"""Photos and images: decoded whole under a pixel limit, turned upright, and re-encoded with
nothing but pixels and colour, so what is kept carries no location data or hidden payload.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import Any

import pillow_heif
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageFile, ImageOps

from portfolio.errors import UploadRefused
from portfolio.uploads.sniffing import AcceptedFormat

logger = logging.getLogger(__name__)

pillow_heif.register_heif_opener()

# Pillow's limits are module globals; one decode at a time changes them.
_PILLOW_SETTINGS = threading.Lock()


@contextmanager
def pixel_limit() -> Iterator[int]:
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


def clean_image(
    uploaded: UploadedFile, name: str, kept: AcceptedFormat
) -> tuple[ContentFile, int, int]:
    """Decode the whole image and re-encode it upright with nothing but pixels and colour."""
    assert kept.decoder and kept.encoder
    uploaded.seek(0)
    with (
        pixel_limit() as limit,
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
        cleaned = flatten_onto_white(image)
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
    if icc_matches(icc_profile, cleaned.mode):
        options["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    cleaned.save(buffer, format=encoder, **options)
    return buffer.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    """Whether some pixels are see-through, which JPEG cannot keep."""
    return image.mode in {"RGBA", "LA", "PA", "La", "RGBa"} or (
        image.mode == "P" and "transparency" in image.info
    )


def flatten_onto_white(image: Image.Image) -> Image.Image:
    """RGB pixels, with see-through areas shown as they would be on a white page."""
    if not _has_alpha(image):
        return image.convert("RGB")
    with_alpha = image.convert("RGBA")
    page = Image.new("RGB", with_alpha.size, "white")
    page.paste(with_alpha, mask=with_alpha.getchannel("A"))
    return page


def icc_matches(icc_profile: bytes | None, mode: str) -> bool:
    """A colour profile is kept only for pixels of its colour space, or colours would shift."""
    if not icc_profile or len(icc_profile) < 20:
        return False
    colour_space = icc_profile[16:20]
    if mode in {"RGB", "RGBA", "P"}:
        return colour_space == b"RGB "
    return colour_space == b"GRAY" and mode in {"1", "L", "LA", "I", "I;16"}
