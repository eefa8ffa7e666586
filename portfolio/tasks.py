"""Background work on evidence files, run by Django's tasks framework.

With the default immediate backend these run in-line as soon as the upload's transaction
commits; a database-backed worker can take them over without changing this code.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.tasks import task

from portfolio.models import EvidenceFile
from portfolio.uploads import make_renditions

logger = logging.getLogger(__name__)


@task(queue_name="renditions")
def make_file_renditions(evidence_file_id: int) -> None:
    """Make an image's thumbnail and print-size rendition once, and keep them."""
    evidence_file = EvidenceFile.objects.filter(pk=evidence_file_id).first()
    if evidence_file is None or not evidence_file.is_image or evidence_file.thumbnail:
        return
    with evidence_file.file.open("rb") as source:
        thumbnail, print_rendition = make_renditions(source)
    stem = evidence_file.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    evidence_file.thumbnail.save(f"{stem}-thumb.jpg", thumbnail, save=False)
    evidence_file.print_rendition.save(f"{stem}-print.jpg", print_rendition, save=False)
    with transaction.atomic():
        updated = EvidenceFile.objects.filter(pk=evidence_file_id, thumbnail="").update(
            thumbnail=evidence_file.thumbnail.name,
            print_rendition=evidence_file.print_rendition.name,
        )
    if not updated:
        # The file was deleted, or another worker got there first: keep no orphans.
        evidence_file.thumbnail.storage.delete(evidence_file.thumbnail.name)
        evidence_file.print_rendition.storage.delete(evidence_file.print_rendition.name)
        logger.info("Renditions for evidence file %s were not needed", evidence_file_id)
