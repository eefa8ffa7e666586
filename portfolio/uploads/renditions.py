"""Smaller copies of a kept image, so pages and reports never send the full picture."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from PIL import Image

from portfolio.uploads.images import flatten_onto_white, icc_matches, pixel_limit


def make_renditions(content: File) -> tuple[ContentFile, ContentFile]:
    """A thumbnail and a print-size JPEG, so pages and reports never send the full image."""
    content.seek(0)
    with pixel_limit(), Image.open(content) as image:
        # A JPEG can be decoded straight at a reduced scale, which is far faster for photos.
        image.draft("RGB", (settings.EVIDENCE_PRINT_PX, settings.EVIDENCE_PRINT_PX))
        image.load()
        icc_profile = image.info.get("icc_profile")
        picture = flatten_onto_white(image)
    if not icc_matches(icc_profile, "RGB"):
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
