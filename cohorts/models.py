"""Cohorts: groups of portfolios on one qualification that tutors follow together."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from accounts.models import Centre, Role, User
from qualifications.models import Qualification


class CohortQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> CohortQuerySet:
        """A tutor sees the cohorts they teach; an IQA or administrator all of their centre's."""
        if not user.is_authenticated or user.centre_id is None:
            return self.none()
        mine = self.filter(centre_id=user.centre_id)
        if user.has_role(Role.CENTRE_ADMIN, Role.IQA):
            return mine
        if user.has_role(Role.TUTOR):
            return mine.filter(
                pk__in=Cohort.tutors.through.objects.filter(user=user).values("cohort_id")
            )
        return self.none()


class Cohort(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=200)
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="cohorts", null=True, blank=True
    )
    start_date = models.DateField(null=True, blank=True)
    planned_end_date = models.DateField(null=True, blank=True)
    tutors = models.ManyToManyField(User, related_name="cohorts_taught", blank=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="cohort_name_unique_in_centre"),
            models.CheckConstraint(
                condition=Q(planned_end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(planned_end_date__gte=F("start_date")),
                name="cohort_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name
