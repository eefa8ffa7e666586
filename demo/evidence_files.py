"""Photos and uploaded PDFs for large demo portfolios, stored as the upload path would store them.

Every photo differs from the others and compresses about as a real one does, so neither an
export nor a browser can share one image between pages, and file sizes are honest.
"""

from __future__ import annotations

import functools
import hashlib
import io
import multiprocessing
import random
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from django.core.files.base import ContentFile
from django.db import connection, connections
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from accounts.models import User
from demo.prose import paragraphs
from portfolio.models import Evidence, EvidenceFile, FileKind
from portfolio.uploads import make_renditions

# Photos are drawn on one of a few backdrops: drawing one at 4000×3000 takes seconds.
DISTINCT_BACKDROPS = 6
# The quality the upload check re-encodes photos at.
UPLOAD_JPEG_QUALITY = 92
# Drawing a 4000×3000 photo takes about a second: two processes halve the wait.
PHOTO_WORKERS = 2


@functools.cache
def backdrop(seed: int, width: int, height: int) -> Image.Image:
    """A blurred colour field with shapes, lines and grain: compresses about as a photo does."""
    chance = random.Random(seed)  # noqa: S311 - demo data, not secrets
    small = (max(width // 10, 40), max(height // 10, 30))
    linear = Image.linear_gradient("L").resize(small).rotate(chance.randint(0, 359))
    radial = Image.radial_gradient("L").resize(small)
    # A little randomness in each tone curve leaves ripples, as textured surfaces do.
    curves = [
        [int(v * scale + base + chance.randint(0, 40)) for v in range(256)]
        for scale, base in [(0.6, 40), (0.5, 30), (0.4, 50)]
    ]
    red = linear.point(curves[0])
    green = radial.point(curves[1])
    blue = ImageChops.blend(linear, radial, 0.5).point(curves[2])
    picture = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(picture)
    for _ in range(25):
        x, y, side = (
            chance.randint(0, small[0]),
            chance.randint(0, small[1]),
            chance.randint(4, small[0] // 3),
        )
        box = [x, y, x + side, y + side * chance.uniform(0.4, 1.4)]
        colour = tuple(chance.randint(0, 255) for _ in range(3))
        (draw.ellipse if chance.random() < 0.5 else draw.rectangle)(box, fill=colour)
    picture = picture.filter(ImageFilter.GaussianBlur(1.5)).resize((width, height), Image.BICUBIC)
    draw = ImageDraw.Draw(picture)
    reach = width // 5
    for _ in range(60):
        x, y = chance.randint(0, width), chance.randint(0, height)
        end = (x + chance.randint(-reach, reach), y + chance.randint(-reach, reach))
        colour = tuple(chance.randint(0, 255) for _ in range(3))
        draw.line([(x, y), end], fill=colour, width=chance.randint(2, max(3, width // 330)))
    grain = Image.effect_noise((width, height), 24).convert("RGB")
    return Image.blend(picture, grain, 0.12)


def photo(number: int, width: int, height: int) -> tuple[bytes, bytes, bytes]:
    """Photo number N as the upload path leaves it: (original, thumbnail, print rendition)."""
    picture = backdrop(number % DISTINCT_BACKDROPS, width, height).copy()
    chance = random.Random(number)  # noqa: S311 - demo data, not secrets
    draw = ImageDraw.Draw(picture)
    for _ in range(6):
        x, y, side = (
            chance.randint(0, width),
            chance.randint(0, height),
            chance.randint(width // 40, width // 8),
        )
        colour = tuple(chance.randint(0, 255) for _ in range(3))
        draw.ellipse([x, y, x + side, y + side], fill=colour)
    font = ImageFont.load_default(size=height // 12)
    draw.text((width // 20, height // 20), f"IMG {number:04d}", fill=(255, 255, 255), font=font)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=UPLOAD_JPEG_QUALITY)
    original = buffer.getvalue()
    thumbnail, print_rendition = make_renditions(ContentFile(original))
    return original, thumbnail.read(), print_rendition.read()


def photos(count: int, width: int, height: int) -> Iterator[tuple[bytes, bytes, bytes]]:
    """Photos 1..count, drawn by forked processes unless a transaction is open."""
    numbers = range(1, count + 1)
    if connection.in_atomic_block:
        # Forked workers must not share the parent's database connection, and an open
        # transaction (a test's, say) cannot be closed for them: draw the photos here.
        yield from (photo(number, width, height) for number in numbers)
        return
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=PHOTO_WORKERS, mp_context=context) as pool:
        yield from pool.map(photo, numbers, [width] * count, [height] * count, chunksize=4)


def uploaded_pdf(number: int, pages: int, chance: random.Random) -> bytes:
    """A witness statement of `pages` pages, as a learner would upload it."""
    from weasyprint import HTML  # loads slowly; only builders of large portfolios need it

    body = "".join(
        f'<section style="break-after: page"><h1>Witness statement {number}, page {page}</h1>'
        + "".join(f"<p>{paragraphs(chance, 1, (5, 8))}</p>" for _ in range(6))
        + "</section>"
        for page in range(1, pages + 1)
    )
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def photo_counts(evidence: list[Evidence], photo_total: int) -> list[int]:
    """Every fifth item (a reflective account, say) has no photo; the rest share them out."""
    with_photos = [i for i in range(len(evidence)) if i % 5 != 4] or list(range(len(evidence)))
    counts = [0] * len(evidence)
    for n in range(photo_total):
        counts[with_photos[n % len(with_photos)]] += 1
    return counts


def add_evidence_files(
    evidence: list[Evidence],
    *,
    uploader: User,
    photo_total: int,
    photo_px: tuple[int, int],
    pdf_total: int,
    pdf_pages: int,
    chance: random.Random,
) -> list[EvidenceFile]:
    """Store photos (with their renditions) and uploaded PDFs, and one row for each."""
    width, height = photo_px
    rows: list[EvidenceFile] = []

    def stored(
        item: Evidence, name: str, kind: str, content_type: str, body: bytes
    ) -> EvidenceFile:
        row = EvidenceFile(
            evidence=item,
            original_name=name,
            kind=kind,
            content_type=content_type,
            size=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
            uploaded_by=uploader,
        )
        suffix = ".jpg" if kind == FileKind.IMAGE else ".pdf"
        row.file.save(f"upload{suffix}", ContentFile(body), save=False)
        rows.append(row)
        return row

    owners = [
        item
        for item, count in zip(evidence, photo_counts(evidence, photo_total), strict=True)
        for _ in range(count)
    ]
    drawn = photos(photo_total, width, height)
    for number, (item, files) in enumerate(zip(owners, drawn, strict=True), start=1):
        original, thumbnail, print_rendition = files
        row = stored(item, f"IMG_{number:04d}.jpg", FileKind.IMAGE, "image/jpeg", original)
        row.width, row.height = width, height
        # Named as the rendition task names them.
        stem = row.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        row.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(thumbnail), save=False)
        row.print_rendition.save(f"{stem}-print.jpg", ContentFile(print_rendition), save=False)
    without_photos = [item for i, item in enumerate(evidence) if i % 5 == 4] or evidence
    for number in range(1, pdf_total + 1):
        item = without_photos[(number - 1) % len(without_photos)]
        body = uploaded_pdf(number, pdf_pages, chance)
        name = f"Witness statement {number}.pdf"
        stored(item, name, FileKind.PDF, "application/pdf", body)
    return EvidenceFile.objects.bulk_create(rows)
