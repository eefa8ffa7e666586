"""Portfolios, the evidence in them, its files, and mappings of evidence to criteria."""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePosixPath
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Centre, Role, User
from cohorts.models import Cohort
from qualifications.models import AssessmentCriterion, Qualification, Unit


class PortfolioQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> PortfolioQuerySet:
        """Portfolios this person may open: a learner their own, an assessor those assigned to
        them, a tutor those they or their cohorts teach, an employer contact the apprentices
        they manage, an IQA or administrator the centre's, an external quality assurer the
        sample of an access grant that has neither expired nor been revoked."""
        if not user.is_authenticated or user.centre_id is None:
            return self.none()
        rule = Q(learner=user)
        if user.has_role(Role.ASSESSOR):
            rule |= Q(assessor=user)
        if user.has_role(Role.TUTOR):
            rule |= Q(tutor=user) | Q(cohort__in=Cohort.objects.filter(tutors=user))
        if user.has_role(Role.EMPLOYER):
            rule |= Q(employer=user, is_apprenticeship=True)
        if user.has_role(Role.IQA, Role.CENTRE_ADMIN):
            rule = Q(pk__isnull=False)
        if user.has_role(Role.EQA):
            # An external quality assurer's guest account sees its live sample and nothing else.
            rule = Q(
                pk__in=EqaGrant.portfolios.through.objects.filter(
                    eqagrant__in=EqaGrant.objects.active().filter(assurer=user)
                ).values("portfolio_id")
            )
        return self.filter(rule, centre_id=user.centre_id)


class Portfolio(models.Model):
    """One learner working towards one qualification at one centre."""

    learner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="portfolios")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="portfolios")
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="portfolios"
    )
    assessor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="assessed_portfolios",
        null=True,
        blank=True,
    )
    tutor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="tutored_portfolios", null=True, blank=True
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="portfolios", null=True, blank=True
    )
    # The IQA named to assure this portfolio, whoever happens to sample its decisions.
    iqa = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="iqa_portfolios",
        null=True,
        blank=True,
        verbose_name="designated IQA",
    )
    # The learner's registration number with the awarding body for this qualification.
    registration_number = models.CharField(
        "awarding-body registration number", max_length=40, blank=True
    )
    # An apprenticeship has an employer contact (the apprentice's line manager), three-way
    # progress reviews and off-the-job training hours.
    is_apprenticeship = models.BooleanField("apprenticeship", default=False)
    employer = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="apprentice_portfolios",
        null=True,
        blank=True,
        verbose_name="employer contact",
    )
    # The off-the-job training hours the apprenticeship plans for (none when not one).
    off_the_job_planned_hours = models.PositiveIntegerField(
        "planned off-the-job hours", null=True, blank=True
    )
    start_date = models.DateField()
    planned_end_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PortfolioQuerySet.as_manager()

    class Meta:
        ordering = ["learner__full_name", "qualification__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "qualification"], name="portfolio_one_per_learner_qualification"
            ),
            models.CheckConstraint(
                condition=Q(planned_end_date__gte=models.F("start_date")),
                name="portfolio_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(off_the_job_planned_hours__isnull=True)
                | Q(off_the_job_planned_hours__gt=0),
                name="portfolio_planned_hours_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner} – {self.qualification}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        people = [
            ("learner", self.learner_id and self.learner, Role.LEARNER),
            ("assessor", self.assessor_id and self.assessor, Role.ASSESSOR),
            ("tutor", self.tutor_id and self.tutor, Role.TUTOR),
            ("iqa", self.iqa_id and self.iqa, Role.IQA),
        ]
        for field, person, role in people:
            if not person:
                continue
            if person.centre_id != self.centre_id:
                errors[field] = f"{person} belongs to another centre."
            elif not person.has_role(role):
                label = Role(role).label.lower()
                article = "an" if label[0] in "aeiou" else "a"
                errors[field] = f"{person} is not {article} {label} at this centre."
        if self.cohort_id and self.cohort.centre_id != self.centre_id:
            errors["cohort"] = "This cohort belongs to another centre."
        if errors:
            raise ValidationError(errors)


class UnitChoice(models.Model):
    """An optional unit chosen for this portfolio. Mandatory units are never stored here:
    they follow from the qualification (`QualificationUnit.mandatory`)."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="unit_choices")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    chosen_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["portfolio", "unit__reference"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "unit"], name="unit_chosen_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.reference} chosen for {self.portfolio}"


class EvidenceType(models.TextChoices):
    OBSERVATION = "observation", "Observation"
    WITNESS_TESTIMONY = "witness_testimony", "Witness testimony"
    PRODUCT = "product", "Product of work"
    REFLECTIVE_ACCOUNT = "reflective_account", "Reflective account"
    PROFESSIONAL_DISCUSSION = "professional_discussion", "Professional discussion"
    QUESTIONING = "questioning", "Questioning record"
    MEDIA = "media", "Photo, video or audio record"
    PRIOR_LEARNING = "prior_learning", "Recognition of prior learning"


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> EvidenceQuerySet:
        return self.filter(portfolio__in=Portfolio.objects.visible_to(user))


# How often adding evidence takes another number after a clash with one added at the same time.
NUMBER_TRIES = 5


class Evidence(models.Model):
    """Something the learner did, described and backed by one or more files."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="evidence")
    type = models.CharField(max_length=30, choices=EvidenceType.choices)
    title = models.CharField(max_length=200)
    activity_date = models.DateField("date of the activity")
    description = models.TextField(max_length=20_000)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    # E1, E2 … in the portfolio, in the order evidence was added; never reused, so every PDF
    # and every page calls the same evidence by the same number.
    number = models.PositiveIntegerField(editable=False)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-activity_date", "-created_at"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=EvidenceType.values), name="evidence_type_known"
            ),
            models.UniqueConstraint(fields=["portfolio", "number"], name="evidence_number_once"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        """New evidence takes the portfolio's next number. Two added at the same moment may
        both read the same highest number: the database refuses the second, which reads
        again and takes the next (retried a few times, inside a savepoint)."""
        if not self._state.adding or self.number is not None:
            super().save(*args, **kwargs)
            return
        for attempt in range(NUMBER_TRIES):
            highest = Evidence.objects.filter(portfolio_id=self.portfolio_id).aggregate(
                highest=models.Max("number")
            )["highest"]
            self.number = (highest or 0) + 1
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                taken = Evidence.objects.filter(
                    portfolio_id=self.portfolio_id, number=self.number
                ).exists()
                self.number = None
                if not taken or attempt == NUMBER_TRIES - 1:
                    raise

    @property
    def reference(self) -> str:
        """How pages and the PDF call this evidence: "E12"."""
        return f"E{self.number}"


# The two kinds of evidence an assessor writes rather than the learner.
ASSESSOR_RECORD_TYPES = (EvidenceType.OBSERVATION, EvidenceType.PROFESSIONAL_DISCUSSION)


class AssessorRecord(models.Model):
    """The structured record behind assessor-authored evidence: an observation or a professional
    discussion, written by the portfolio's assessor and acknowledged by the learner in the exact
    words shown. Once acknowledged it never changes."""

    evidence = models.OneToOneField(
        Evidence, on_delete=models.PROTECT, related_name="assessor_record"
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    location = models.CharField("where", max_length=200, blank=True)
    occurred_at = models.DateTimeField("when")
    observed = models.TextField("what was observed", max_length=20_000, blank=True)
    judgement = models.TextField("assessor’s judgement", max_length=20_000)
    acknowledged_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_wording = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                    & Q(acknowledgement_wording="")
                )
                | (
                    Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False)
                    & ~Q(acknowledgement_wording="")
                ),
                name="assessor_record_acknowledged_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessor’s record: {self.evidence}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


def assessor_record_of(evidence: Evidence) -> AssessorRecord | None:
    """The assessor's record behind this evidence, or None for the learner's own evidence."""
    try:
        return evidence.assessor_record
    except AssessorRecord.DoesNotExist:
        return None


def witness_statement_of(evidence: Evidence) -> WitnessStatement | None:
    """The witness statement this evidence holds, if it is one (read from select_related)."""
    try:
        return evidence.witness_statement
    except WitnessStatement.DoesNotExist:
        return None


class DiscussionItem(models.Model):
    """One question the assessor asked in a professional discussion, and the answer summarised."""

    record = models.ForeignKey(AssessorRecord, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.TextField(max_length=2_000)
    answer = models.TextField("answer (summary)", max_length=10_000)

    class Meta:
        ordering = ["record", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "position"], name="discussion_item_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.position}: {self.question[:60]}"


class FileKind(models.TextChoices):
    IMAGE = "image", "Image"
    PDF = "pdf", "PDF"
    DOCUMENT = "document", "Document"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    TEXT = "text", "Text"


def evidence_file_path(instance: EvidenceFile, filename: str) -> str:
    """A generated name: the learner's filename is kept for display only."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"evidence/{instance.evidence.portfolio_id}/{uuid.uuid4().hex}{suffix}"


def rendition_path(instance: EvidenceFile, filename: str) -> str:
    return f"renditions/{instance.evidence.portfolio_id}/{PurePosixPath(filename).name}"


class EvidenceFileQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> EvidenceFileQuerySet:
        return self.filter(evidence__portfolio__in=Portfolio.objects.visible_to(user))


class EvidenceFile(models.Model):
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=evidence_file_path, max_length=300)
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=FileKind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumbnail = models.FileField(upload_to=rendition_path, max_length=300, blank=True)
    print_rendition = models.FileField(upload_to=rendition_path, max_length=300, blank=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FileKind.values), name="file_kind_known"),
            models.CheckConstraint(condition=Q(size__gt=0), name="file_not_empty"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.kind == FileKind.IMAGE

    @property
    def shows_inline(self) -> bool:
        return self.kind in {FileKind.IMAGE, FileKind.PDF}


class MappingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    REFERRED = "referred", "Referred"
    ACCEPTED = "accepted", "Accepted"


class MappingQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> MappingQuerySet:
        return self.filter(evidence__portfolio__in=Portfolio.objects.visible_to(user))


class Mapping(models.Model):
    """A learner's claim that one piece of evidence meets one criterion, with commentary."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="mappings")
    criterion = models.ForeignKey(
        AssessmentCriterion, on_delete=models.PROTECT, related_name="mappings"
    )
    commentary = models.TextField(max_length=10_000)
    status = models.CharField(
        max_length=10, choices=MappingStatus.choices, default=MappingStatus.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = MappingQuerySet.as_manager()

    class Meta:
        ordering = [
            "criterion__unit__reference",
            "criterion__outcome__number",
            "criterion__position",
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "criterion"], name="mapping_one_per_evidence_criterion"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MappingStatus.values), name="mapping_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status=MappingStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="mapping_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence} → {self.criterion}"

    @property
    def latest_decision(self) -> Any:
        """The most recent assessment decision, read from prefetched decisions when present."""
        decisions = list(self.decisions.all())
        return max(decisions, key=lambda d: (d.decided_at, d.pk)) if decisions else None


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Audit entries are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One recorded change: who did what to which object, when, and what it was before.

    Written only by the services; never updated or deleted.
    """

    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True)
    action = models.CharField(max_length=60)
    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="audit_entries", null=True
    )
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["portfolio", "at"], name="audit_portfolio_time")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit entries are append-only.")


class WitnessRequestQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> WitnessRequestQuerySet:
        return self.filter(portfolio__in=Portfolio.objects.visible_to(user))


class WitnessRequest(models.Model):
    """A witness without an account, asked by email to describe what they saw the learner do.

    The link's secret is never stored: only its SHA-256, so a copy of the database cannot
    be turned into working links. Resending replaces the secret; the link works once.
    """

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="witness_requests"
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    witness_name = models.CharField("witness's name", max_length=200)
    witness_job_title = models.CharField("job title", max_length=200)
    witness_relationship = models.CharField("relationship to the learner", max_length=200)
    witness_email = models.EmailField("witness's email")
    activity = models.TextField("what the witness saw", max_length=5_000)
    criteria = models.ManyToManyField(AssessmentCriterion, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = WitnessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(revoked_at__isnull=True),
                name="witness_request_used_or_revoked_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"Witness request to {self.witness_name}"

    @property
    def state(self) -> str:
        """used, revoked, expired or waiting: what the link would say if opened now."""
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "waiting"


class WitnessStatement(models.Model):
    """What a witness said, with who they are and their declaration word for word.

    The evidence it belongs to carries what they saw as its description; this keeps the
    witness's details and signature beside it, fixed as they were when the witness submitted.
    """

    evidence = models.OneToOneField(
        Evidence, on_delete=models.CASCADE, related_name="witness_statement"
    )
    # Asked for by a link (request), or written by the apprentice's employer contact from
    # their own account (author): exactly one of the two.
    request = models.OneToOneField(
        WitnessRequest, on_delete=models.PROTECT, related_name="statement", null=True, blank=True
    )
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    witness_name = models.CharField(max_length=200)
    witness_job_title = models.CharField(max_length=200)
    witness_relationship = models.CharField(max_length=200)
    witness_email = models.EmailField()
    activities = models.TextField("which activities", max_length=5_000)
    declaration = models.TextField()
    signed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=True, author__isnull=False)
                | Q(request__isnull=False, author__isnull=True),
                name="witness_statement_by_link_or_account",
            ),
        ]

    def __str__(self) -> str:
        return f"Witness statement by {self.witness_name}"


class OffTheJobStatus(models.TextChoices):
    LOGGED = "logged", "Waiting to be confirmed"
    QUERIED = "queried", "Queried"
    CONFIRMED = "confirmed", "Confirmed"


class OffTheJobEntryQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> OffTheJobEntryQuerySet:
        return self.filter(portfolio__in=Portfolio.objects.visible_to(user))


class OffTheJobEntry(models.Model):
    """Off-the-job training an apprentice logged: a day, its hours and what they did, confirmed
    by their employer contact or assessor (then fixed) or queried back to them with a reason."""

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="off_the_job_entries"
    )
    date = models.DateField("date")
    hours = models.DecimalField("hours", max_digits=4, decimal_places=2)
    activity = models.TextField("what you did", max_length=2_000)
    evidence = models.ForeignKey(
        Evidence,
        on_delete=models.SET_NULL,
        related_name="off_the_job_entries",
        null=True,
        blank=True,
        verbose_name="linked evidence",
    )
    status = models.CharField(
        max_length=10, choices=OffTheJobStatus.choices, default=OffTheJobStatus.LOGGED
    )
    logged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    queried_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    queried_at = models.DateTimeField(null=True, blank=True)
    query_reason = models.TextField(max_length=2_000, blank=True)

    objects = OffTheJobEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "off-the-job entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="off_the_job_hours_in_a_day"
            ),
            models.CheckConstraint(
                condition=Q(status__in=OffTheJobStatus.values), name="off_the_job_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=OffTheJobStatus.CONFIRMED)
                | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="off_the_job_confirmed_by_someone",
            ),
        ]
        indexes = [models.Index(fields=["portfolio", "date"], name="off_the_job_portfolio_day")]

    def __str__(self) -> str:
        return f"{self.hours} off-the-job hours on {self.date:%d %b %Y}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == OffTheJobStatus.CONFIRMED


class EqaGrantQuerySet(models.QuerySet):
    def active(self) -> EqaGrantQuerySet:
        """Grants that open their sample now: begun, not expired, not revoked."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, starts_at__lte=now, expires_at__gt=now)


class EqaGrant(models.Model):
    """Time-boxed, read-only access for an external quality assurer to a sample of portfolios.

    The assurer signs in as a guest account (only the EQA role, no usable password) through
    an emailed link and a one-time code. Only hashes of the link's secret and of the code are
    stored; the grant stops working at `expires_at` or when revoked, without any background job.
    """

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="eqa_grants")
    assurer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="eqa_grants")
    organisation = models.CharField(max_length=200)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    portfolios = models.ManyToManyField(Portfolio, related_name="eqa_grants")
    # The units the administrator sampled by, if any: their portfolios are in `portfolios`.
    units = models.ManyToManyField(Unit, blank=True, related_name="+")
    starts_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, blank=True, default="")
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = EqaGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("starts_at")),
                name="eqa_grant_expires_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"EQA access for {self.assurer}"

    @property
    def last_day(self) -> datetime.date:
        """The last day the access lasts to the end of, as the administrator chose it."""
        return timezone.localdate(self.expires_at - datetime.timedelta(microseconds=1))

    @property
    def state(self) -> str:
        """revoked, expired or active: whether the grant opens its sample now."""
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"


class EqaPageView(models.Model):
    """One page an external quality assurer opened under a grant, for the centre to see."""

    grant = models.ForeignKey(EqaGrant, on_delete=models.CASCADE, related_name="page_views")
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField()
    viewed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-viewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.path} at {self.viewed_at:%Y-%m-%d %H:%M}"


# The longest message anyone may post: a few paragraphs, not a document (that is evidence).
MESSAGE_MAX_LENGTH = 5_000


class MessageQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Messages are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Messages are append-only.")


class Message(models.Model):
    """One message in a portfolio's conversation: about one piece of evidence, or (without
    evidence) about the portfolio as a whole. Append-only: nobody edits or deletes what was
    said, so the conversation stays part of the record."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="messages")
    evidence = models.ForeignKey(
        Evidence, on_delete=models.PROTECT, related_name="messages", null=True, blank=True
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="message_not_empty"),
        ]
        indexes = [
            models.Index(fields=["portfolio", "evidence", "created_at"], name="message_thread"),
        ]

    def __str__(self) -> str:
        about = f"“{self.evidence}”" if self.evidence_id else "the portfolio"
        return f"Message from {self.author} about {about}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Messages are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Messages are append-only.")
