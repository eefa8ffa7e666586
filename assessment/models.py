"""Assessors' decisions, unit declarations and sign-offs, IQA sampling, and notifications.

Decisions, declarations and IQA reviews are append-only: rows are created by the services in
assessment/services/ and never edited or deleted. A sign-off is revoked, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Centre, User
from portfolio.models import Mapping, Portfolio
from qualifications.models import AssessmentCriterion, Unit


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise TypeError(f"{self.model._meta.verbose_name_plural} are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.model._meta.verbose_name_plural} are append-only.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{self._meta.verbose_name_plural} are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self._meta.verbose_name_plural} are append-only.")


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REFERRED = "referred", "Referred"
    REOPENED = "reopened", "Reopened"


OUTCOME_VERBS = {Outcome.ACCEPTED: "accept", Outcome.REFERRED: "refer", Outcome.REOPENED: "reopen"}


@dataclass(frozen=True)
class VacsrCriterion:
    """One of the five things an assessor confirms of evidence before accepting it."""

    key: str
    label: str
    hint: str
    refusal: str


VACSR = (
    VacsrCriterion(
        "valid",
        "Valid",
        "It is relevant to the criteria and shown by a suitable method.",
        "Not valid",
    ),
    VacsrCriterion("authentic", "Authentic", "It is the learner’s own work.", "Not authentic"),
    VacsrCriterion("current", "Current", "It shows what the learner can do now.", "Not current"),
    VacsrCriterion(
        "sufficient",
        "Sufficient",
        "There is enough of it to show the criteria are met.",
        "Not sufficient",
    ),
    VacsrCriterion(
        "reliable",
        "Reliable",
        "It is consistent: another assessor would judge it the same.",
        "Not reliable",
    ),
)
VACSR_KEYS = tuple(c.key for c in VACSR)


@dataclass(frozen=True)
class VacsrCheck:
    """How one VACSR criterion stood on a decision: confirmed or not, with the assessor's note."""

    criterion: VacsrCriterion
    confirmed: bool
    note: str


def _vacsr_all(lookup: str, value: bool) -> Q:
    """The same lookup on all five VACSR columns: `("", True)` all confirmed, `("__isnull",
    True)` none recorded."""
    return Q(**{f"vacsr_{key}{lookup}": value for key in VACSR_KEYS})


def _vacsr_flag() -> models.BooleanField:
    return models.BooleanField(null=True, blank=True)


def _vacsr_note() -> models.TextField:
    return models.TextField(blank=True, default="", max_length=2_000)


class Decision(AppendOnlyModel):
    """One judgement on a mapping: accepted, referred with feedback, or reopened with a reason.

    A reopening (by the assessor, or by an IQA who disagrees) puts the mapping back in the
    assessor's queue.

    An acceptance carries the assessor's VACSR confirmation: the evidence is valid, authentic,
    current, sufficient and reliable, each confirmed (True) with an optional note. A referral
    made because one of them was not confirmed keeps the five as the assessor gave them; other
    referrals and reopenings leave them null. Acceptances recorded before VACSR confirmation
    was required have `predates_vacsr` set and no VACSR at all.
    """

    mapping = models.ForeignKey(Mapping, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    feedback = models.TextField(blank=True, max_length=10_000)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="decisions")
    decided_at = models.DateTimeField(default=timezone.now, editable=False)
    vacsr_valid = _vacsr_flag()
    vacsr_authentic = _vacsr_flag()
    vacsr_current = _vacsr_flag()
    vacsr_sufficient = _vacsr_flag()
    vacsr_reliable = _vacsr_flag()
    vacsr_valid_note = _vacsr_note()
    vacsr_authentic_note = _vacsr_note()
    vacsr_current_note = _vacsr_note()
    vacsr_sufficient_note = _vacsr_note()
    vacsr_reliable_note = _vacsr_note()
    # Set by the migration on every decision that existed before VACSR; never by a service.
    predates_vacsr = models.BooleanField(default=False, editable=False)
    # What the assessor judged: the commentary, and the evidence's files as [{"id", "name"}],
    # as they were, so a resubmission after a referral can show what changed since. Empty
    # (commentary is never empty) and null on reopenings and on decisions recorded before.
    commentary_seen = models.TextField(blank=True, default="", editable=False)
    files_seen = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="decision_outcome_known"
            ),
            models.CheckConstraint(
                condition=Q(outcome=Outcome.ACCEPTED) | ~Q(feedback=""),
                name="decision_refer_or_reopen_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.ACCEPTED)
                | Q(predates_vacsr=True)
                # Not null as well as true: a CHECK lets a null through.
                | (_vacsr_all("__isnull", False) & _vacsr_all("", True)),
                name="decision_accept_confirms_vacsr",
            ),
            models.CheckConstraint(
                condition=_vacsr_all("__isnull", True) | _vacsr_all("__isnull", False),
                name="decision_vacsr_all_or_none",
            ),
            models.CheckConstraint(
                condition=Q(predates_vacsr=False) | _vacsr_all("__isnull", True),
                name="decision_before_vacsr_has_none",
            ),
        ]
        indexes = [models.Index(fields=["decided_by", "decided_at"], name="decision_by_time")]

    def __str__(self) -> str:
        return f"{self.decided_by}’s decision to {self.verb} {self.mapping}"

    @property
    def verb(self) -> str:
        """The outcome as what was decided: "accept", "refer" or "reopen", so a sentence can
        say "Asha Assessor’s decision to accept RS-PDR 1.1"."""
        return OUTCOME_VERBS[self.outcome]

    @property
    def vacsr(self) -> list[VacsrCheck]:
        """The five as recorded, in VACSR order; empty when none was recorded."""
        if self.vacsr_valid is None:
            return []
        return [
            VacsrCheck(
                criterion=c,
                confirmed=bool(getattr(self, f"vacsr_{c.key}")),
                note=getattr(self, f"vacsr_{c.key}_note"),
            )
            for c in VACSR
        ]

    @property
    def accepted_before_vacsr(self) -> bool:
        """An acceptance from before VACSR confirmation was required, shown as such."""
        return self.predates_vacsr and self.outcome == Outcome.ACCEPTED

    @property
    def vacsr_summary(self) -> str:
        """One sentence for the history, the IQA and the PDF: "VACSR confirmed: valid, ..." or
        "VACSR: not current; confirmed valid, ..."; empty when no VACSR was recorded."""
        if self.accepted_before_vacsr:
            return "Recorded before VACSR confirmation was required."
        checks = self.vacsr
        if not checks:
            return ""
        confirmed = ", ".join(c.criterion.label.lower() for c in checks if c.confirmed)
        refused = ", ".join(c.criterion.refusal.lower() for c in checks if not c.confirmed)
        if not refused:
            return f"VACSR confirmed: {confirmed}."
        return f"VACSR: {refused}; confirmed {confirmed or 'none'}."

    @property
    def vacsr_notes(self) -> list[VacsrCheck]:
        """The assessor's notes on confirmed criteria; a refusal's note is already the opening
        of the feedback, so it is not repeated."""
        return [c for c in self.vacsr if c.confirmed and c.note]


class UnitDeclaration(AppendOnlyModel):
    """The learner's declaration that a unit's evidence is their own work, word for word."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="declarations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    declared_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(default=timezone.now, editable=False)
    wording = models.TextField()

    class Meta:
        ordering = ["declared_at"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "unit"], name="declaration_once_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.reference} declared by {self.declared_by}"


class UnitSignOffQuerySet(models.QuerySet):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Sign-offs are revoked, never deleted.")


class UnitSignOff(models.Model):
    """The assessor's sign-off of a unit. Reopening a mapping it depended on revokes it;
    the row stays, with who revoked it, when and why."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="sign_offs")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now, editable=False)
    wording = models.TextField()
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(blank=True)

    objects = UnitSignOffQuerySet.as_manager()

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "unit"],
                condition=Q(revoked_at__isnull=True),
                name="sign_off_one_active_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True)
                | (Q(revoked_by__isnull=False) & ~Q(revoke_reason="")),
                name="sign_off_revocation_has_who_and_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.reference} signed off by {self.signed_by}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Sign-offs are revoked, never deleted.")


class CountersignatureQuerySet(models.QuerySet):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Countersignatures are revoked, never deleted.")


class Countersignature(models.Model):
    """An IQA's countersignature, after sampling, of a signed-off unit (unit set) or of a
    complete portfolio (unit empty), in the exact words they signed. Revoked, never deleted,
    when the sign-off beneath it is revoked."""

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="countersignatures"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    signed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now, editable=False)
    wording = models.TextField()
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(blank=True)

    objects = CountersignatureQuerySet.as_manager()

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "unit"],
                condition=Q(revoked_at__isnull=True, unit__isnull=False),
                name="countersignature_one_active_per_unit",
            ),
            models.UniqueConstraint(
                fields=["portfolio"],
                condition=Q(revoked_at__isnull=True, unit__isnull=True),
                name="countersignature_one_active_per_portfolio",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True)
                | (Q(revoked_by__isnull=False) & ~Q(revoke_reason="")),
                name="countersignature_revocation_has_who_and_why",
            ),
        ]

    def __str__(self) -> str:
        what = self.unit.reference if self.unit_id else "the portfolio"
        return f"{what} countersigned by {self.signed_by}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Countersignatures are revoked, never deleted.")


class IqaAgreement(models.TextChoices):
    AGREE = "agree", "Agree"
    DISAGREE = "disagree", "Disagree"


class IqaReview(AppendOnlyModel):
    """An IQA's verdict on one sampled decision, with feedback to the assessor."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="iqa_review")
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="iqa_reviews")
    verdict = models.CharField(max_length=10, choices=IqaAgreement.choices)
    feedback = models.TextField(blank=True, max_length=10_000)
    reviewed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["reviewed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict=IqaAgreement.AGREE) | ~Q(feedback=""),
                name="iqa_disagreement_has_feedback",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} {self.verdict_past} with {self.decision}"

    @property
    def verdict_past(self) -> str:
        """ "agreed" or "disagreed", for sentences about the review."""
        return f"{self.verdict}d"


class SamplingRate(models.Model):
    """What share of decisions an IQA samples: a centre default, per assessor or per unit."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="sampling_rates")
    assessor = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    percent = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="sampling_percent_0_to_100"
            ),
            models.CheckConstraint(
                condition=Q(assessor__isnull=True) | Q(unit__isnull=True),
                name="sampling_rate_for_assessor_or_unit",
            ),
            models.UniqueConstraint(
                fields=["centre"],
                condition=Q(assessor__isnull=True, unit__isnull=True),
                name="sampling_one_default_per_centre",
            ),
            models.UniqueConstraint(
                fields=["centre", "assessor"],
                condition=Q(assessor__isnull=False),
                name="sampling_one_rate_per_assessor",
            ),
            models.UniqueConstraint(
                fields=["centre", "unit"],
                condition=Q(unit__isnull=False),
                name="sampling_one_rate_per_unit",
            ),
        ]

    def __str__(self) -> str:
        target = self.assessor or self.unit or "everyone"
        return f"{self.percent}% for {target}"


class PlanMethod(models.TextChoices):
    """How an activity in the assessment plan is to be assessed."""

    OBSERVATION = "observation", "Observation"
    PROFESSIONAL_DISCUSSION = "professional_discussion", "Professional discussion"
    PRODUCT_EVIDENCE = "product_evidence", "Product evidence"
    WITNESS_TESTIMONY = "witness_testimony", "Witness testimony"
    QUESTIONING = "questioning", "Questioning"


class PlanItem(models.Model):
    """One activity of a portfolio's assessment plan, agreed by the assessor and the learner:
    what the learner will do, how it is assessed, the criteria it should cover and by when.

    Whether it is met is worked out from the criteria's status (assessment/plans.py), never
    stored: it is met once every one of its criteria has accepted evidence."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="plan_items")
    activity = models.TextField(max_length=2_000)
    method = models.CharField(max_length=30, choices=PlanMethod.choices)
    criteria = models.ManyToManyField(AssessmentCriterion, related_name="+")
    target_date = models.DateField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["target_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=PlanMethod.values), name="plan_item_method_known"
            ),
            models.CheckConstraint(condition=~Q(activity=""), name="plan_item_has_activity"),
        ]

    def __str__(self) -> str:
        return self.activity[:60]


class ReviewParty(models.TextChoices):
    """Who signs a progress review: the learner, their employer (for an apprenticeship) and the
    provider, whose assessor writes it."""

    LEARNER = "learner", "Learner"
    EMPLOYER = "employer", "Employer"
    PROVIDER = "provider", "Provider"


class ProgressReview(models.Model):
    """A review of progress against the plan and of what comes next, written by the assessor
    and signed by each party in the exact words shown to them. An apprenticeship's review is
    three-way: the employer contact signs too. It is complete when every party has signed;
    `completed_at` is kept in step by the signing service so lists can filter on it."""

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="progress_reviews"
    )
    held_on = models.DateField()
    progress = models.TextField(max_length=20_000)
    next_steps = models.TextField(max_length=20_000)
    is_three_way = models.BooleanField(default=False)
    written_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(progress="") & ~Q(next_steps=""), name="progress_review_has_text"
            ),
        ]
        indexes = [
            models.Index(fields=["portfolio", "completed_at"], name="progress_review_completion")
        ]

    def __str__(self) -> str:
        return f"Progress review of {self.held_on:%-d %B %Y}"

    @property
    def parties(self) -> list[ReviewParty]:
        """Who must sign, in the order their signatures are shown."""
        if self.is_three_way:
            return [ReviewParty.LEARNER, ReviewParty.EMPLOYER, ReviewParty.PROVIDER]
        return [ReviewParty.LEARNER, ReviewParty.PROVIDER]


class ReviewSignature(AppendOnlyModel):
    """One party's agreement to a progress review, word for word, with who and when."""

    review = models.ForeignKey(ProgressReview, on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(max_length=10, choices=ReviewParty.choices)
    signed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now, editable=False)
    wording = models.TextField()

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "party"], name="review_signed_once_per_party"
            ),
            models.CheckConstraint(
                condition=Q(party__in=ReviewParty.values), name="review_signature_party_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()} signature by {self.signed_by}"
