"""Cohorts: groups of portfolios that tutors follow together."""

from __future__ import annotations

from django.db import models

from accounts.models import Centre, User


class Cohort(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=200)
    tutors = models.ManyToManyField(User, related_name="cohorts_taught", blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="cohort_name_unique_in_centre"),
        ]

    def __str__(self) -> str:
        return self.name
