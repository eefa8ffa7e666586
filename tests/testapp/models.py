from __future__ import annotations

from django.db import models


class CriterionReference(models.Model):
    """Refers to a criterion the way an evidence mapping will: deleting the criterion is refused."""

    criterion = models.ForeignKey(
        "qualifications.AssessmentCriterion",
        on_delete=models.PROTECT,
        related_name="test_references",
    )

    def __str__(self) -> str:
        return f"reference to criterion {self.criterion_id}"
