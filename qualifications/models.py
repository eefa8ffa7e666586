"""The qualification catalogue: reference data loaded from fixtures/qualifications/."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*$"
reference_validator = RegexValidator(
    REFERENCE_PATTERN, "Use letters, digits and hyphens only (it appears in web addresses)."
)
OFQUAL_NUMBER_PATTERN = r"^[0-9]{3}/[0-9]{4}/[0-9X]$"
OFQUAL_UNIT_PATTERN = r"^[A-Z]/[0-9]{3}/[0-9]{4}$"
CRITERION_CODE_PATTERN = r"^([1-9][0-9]*\.[1-9][0-9]*[a-z]?|[PMDKSB][1-9][0-9]*)$"


class Level(models.TextChoices):
    """Ofqual levels: Entry 1 to 3, then 1 to 8, in that order."""

    E1 = "E1", "Entry 1"
    E2 = "E2", "Entry 2"
    E3 = "E3", "Entry 3"
    L1 = "1", "Level 1"
    L2 = "2", "Level 2"
    L3 = "3", "Level 3"
    L4 = "4", "Level 4"
    L5 = "5", "Level 5"
    L6 = "6", "Level 6"
    L7 = "7", "Level 7"
    L8 = "8", "Level 8"


LEVEL_RANK = {value: rank for rank, value in enumerate(Level.values)}


def level_at_or_above(level: str, threshold: str) -> bool:
    return LEVEL_RANK[level] >= LEVEL_RANK[threshold]


class Versioned(models.Model):
    """A specification that is revised over time: each revision is its own row, so what
    learners were registered on never changes under them. `sequence` orders the versions of
    one reference; `is_current` marks the newest, the one new learners start on."""

    version = models.CharField(max_length=20, default="1")
    sequence = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    source_document = models.CharField(max_length=300, blank=True)
    source_issue = models.CharField(max_length=40, blank=True)
    source_date = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def source_text(self) -> str:
        parts = [self.source_document]
        if self.source_issue:
            parts.append(f"issue {self.source_issue}")
        if self.source_date:
            parts.append(self.source_date.strftime("%-d %B %Y"))
        return ", ".join(part for part in parts if part)


class AwardingBody(models.Model):
    code = models.CharField(max_length=20, unique=True, validators=[reference_validator])
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "awarding bodies"

    def __str__(self) -> str:
        return self.name


class Framework(models.TextChoices):
    QCF = "QCF", "Qualifications and Credit Framework (QCF)"
    RQF = "RQF", "Regulated Qualifications Framework (RQF)"
    STANDARD = "STANDARD", "Apprenticeship standard"


class UnitQuerySet(models.QuerySet):
    def current(self) -> UnitQuerySet:
        return self.filter(is_current=True)


class Unit(Versioned):
    """A unit of learning, one row per version; one unit may belong to several
    qualifications."""

    reference = models.CharField(max_length=40, validators=[reference_validator])
    title = models.CharField(max_length=300)
    level = models.CharField(max_length=2, choices=Level.choices)
    guided_learning_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    credits = models.PositiveSmallIntegerField(null=True, blank=True)
    ofqual_reference = models.CharField(max_length=10, blank=True)
    unit_number = models.CharField(
        max_length=20, blank=True, help_text="The awarding body's own number for the unit."
    )
    overview = models.TextField(blank=True)
    aim = models.TextField(blank=True)
    assessment_requirements = models.TextField(blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["title", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["reference", "version"], name="unit_version_once"),
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values), name="unit_level_known"
            ),
            models.CheckConstraint(
                condition=models.Q(ofqual_reference="")
                | models.Q(ofqual_reference__regex=OFQUAL_UNIT_PATTERN),
                name="unit_ofqual_reference_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        """This version's page: what a portfolio on it was assessed against."""
        return reverse("qualifications:unit_version", args=[self.reference, self.version])

    @property
    def assessment_requirement_lines(self) -> list[str]:
        return [line.strip() for line in self.assessment_requirements.splitlines() if line.strip()]


class QualificationQuerySet(models.QuerySet):
    def current(self) -> QualificationQuerySet:
        """The newest version of each qualification: the one new learners are enrolled on."""
        return self.filter(is_current=True)


class Qualification(Versioned):
    """A qualification or apprenticeship standard, one row per version, with its rules of
    combination: the credit totals here and the groups in RuleGroup."""

    reference = models.CharField(max_length=40, validators=[reference_validator])
    awarding_body = models.ForeignKey(
        AwardingBody, on_delete=models.PROTECT, related_name="qualifications"
    )
    title = models.CharField(max_length=300)
    level = models.CharField(max_length=2, choices=Level.choices)
    framework = models.CharField(max_length=10, choices=Framework.choices)
    description = models.TextField(blank=True)
    ofqual_number = models.CharField(max_length=10, blank=True)
    credits = models.PositiveSmallIntegerField(null=True, blank=True)
    guided_learning_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    total_qualification_time = models.PositiveSmallIntegerField(null=True, blank=True)
    operational_end_date = models.DateField(null=True, blank=True)
    is_illustrative = models.BooleanField(
        default=False,
        help_text="Written for this project from revision notes or invented as an example, "
        "not taken from an awarding body's specification.",
    )
    illustrative_note = models.TextField(blank=True)
    min_credits = models.PositiveSmallIntegerField(null=True, blank=True)
    level_rule_level = models.CharField(max_length=2, choices=Level.choices, blank=True)
    level_rule_credits = models.PositiveSmallIntegerField(null=True, blank=True)
    units = models.ManyToManyField(Unit, through="QualificationUnit", related_name="qualifications")

    objects = QualificationQuerySet.as_manager()

    class Meta:
        ordering = ["title", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "version"], name="qualification_version_once"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values), name="qualification_level_known"
            ),
            models.CheckConstraint(
                condition=models.Q(ofqual_number="")
                | models.Q(ofqual_number__regex=OFQUAL_NUMBER_PATTERN),
                name="qualification_ofqual_number_shape",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """This version's page: what a portfolio on it works towards."""
        return reverse("qualifications:qualification_version", args=[self.reference, self.version])

    @property
    def description_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.description.splitlines() if line.strip()]


class RuleGroup(models.Model):
    """A group of units in a qualification's rules of combination, with limits on the
    credits and units a learner takes from it (its subgroups' units included)."""

    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="rule_groups"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, related_name="children", null=True, blank=True
    )
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()
    min_credits = models.PositiveSmallIntegerField(null=True, blank=True)
    max_credits = models.PositiveSmallIntegerField(null=True, blank=True)
    min_units = models.PositiveSmallIntegerField(null=True, blank=True)
    max_units = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["qualification", "position"]
        constraints = [
            models.UniqueConstraint(fields=["qualification", "name"], name="rule_group_name_once"),
        ]

    def __str__(self) -> str:
        return f"{self.qualification.reference} group {self.name}"


class BarredCombination(models.Model):
    """Two units of a qualification that a learner may not both take."""

    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="barred_combinations"
    )
    first = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["qualification", "first", "second"], name="barred_pair_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first.reference} barred with {self.second.reference}"


class QualificationUnit(models.Model):
    """A unit's place in a qualification's structure: its order, its rule group, and whether
    every learner must take it (worked out from the rules when the catalogue is loaded)."""

    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="unit_links"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="qualification_links")
    position = models.PositiveSmallIntegerField()
    group = models.ForeignKey(
        RuleGroup, on_delete=models.CASCADE, related_name="unit_links", null=True, blank=True
    )
    mandatory = models.BooleanField(default=True)

    class Meta:
        ordering = ["qualification", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["qualification", "unit"], name="qualification_unit_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.qualification} – {self.unit}"


class OutcomeKind(models.TextChoices):
    KNOWLEDGE = "knowledge", "Knowledge (know or understand)"
    SKILLS = "skills", "Skills (be able to)"
    BEHAVIOURS = "behaviours", "Behaviours"


class LearningOutcome(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="outcomes")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    kind = models.CharField(max_length=10, choices=OutcomeKind.choices, blank=True)

    class Meta:
        ordering = ["unit", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "number"], name="outcome_number_unique_in_unit"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="outcome_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.reference} LO{self.number}"


class Grade(models.TextChoices):
    PASS = "pass", "Pass"
    MERIT = "merit", "Merit"
    DISTINCTION = "distinction", "Distinction"


PASS_BANDS = ("", Grade.PASS)  # what every learner must meet: ungraded or pass criteria


class AssessmentCriterion(models.Model):
    """What a learner must show, coded "1.1", "1.1a", "P1"/"M1"/"D1" (graded units) or
    "K1"/"S1"/"B1" (apprenticeship standards), unique within its unit.

    Evidence mappings refer to criteria with PROTECT, so a criterion that anything depends
    on can never be deleted or renumbered by accident.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="criteria")
    outcome = models.ForeignKey(LearningOutcome, on_delete=models.CASCADE, related_name="criteria")
    number = models.CharField(max_length=10)
    position = models.PositiveSmallIntegerField(help_text="Order within its outcome.")
    text = models.TextField()
    grade = models.CharField(
        max_length=11,
        choices=Grade.choices,
        blank=True,
        help_text="The grade band a graded unit's criterion counts towards.",
    )
    range = models.TextField(blank=True, help_text="Range statement or amplification.")
    previous_number = models.CharField(
        max_length=10,
        blank=True,
        help_text="Its number in the unit's previous version, if it moved.",
    )
    reworded = models.BooleanField(
        default=False,
        help_text="Reworded from the previous version without changing what it asks, so "
        "evidence already accepted against it still counts.",
    )

    class Meta:
        ordering = ["unit", "outcome__number", "position"]
        verbose_name_plural = "assessment criteria"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "number"], name="criterion_number_unique_in_unit"
            ),
            models.CheckConstraint(
                condition=models.Q(number__regex=CRITERION_CODE_PATTERN),
                name="criterion_code_shape",
            ),
            models.CheckConstraint(
                condition=models.Q(grade="") | models.Q(grade__in=Grade.values),
                name="criterion_grade_known",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """How every page, message and record names a criterion: "RS-WWO 1.2". Numbers repeat
        from unit to unit, so a number alone is never enough."""
        return f"{self.unit.reference} {self.number}"

    @property
    def ksb(self) -> str:
        """ "K", "S" or "B" for an apprenticeship standard's knowledge, skills and behaviours."""
        return self.number[0] if self.number[0] in "KSB" else ""

    @property
    def counts_towards_pass(self) -> bool:
        """Criteria every learner must meet: all of an ungraded unit's, a graded unit's pass
        criteria."""
        return self.grade in PASS_BANDS


def criteria_in_words(criteria: Sequence[AssessmentCriterion], *, most: int = 3) -> str:
    """Criteria for a sentence: "RS-WWO 1.2", "RS-WWO 1.2 and RS-PDR 1.1", "RS-WWO 1.1,
    RS-WWO 1.2 and RS-PDR 1.1", or past `most` of them just how many: "5 criteria"."""
    references = [criterion.reference for criterion in criteria]
    if len(references) > most:
        return f"{len(references)} criteria"
    if len(references) < 2:
        return "".join(references)
    return f"{', '.join(references[:-1])} and {references[-1]}"


class GuidanceSection(models.TextChoices):
    KEY_CONCEPT = "key_concept", "Key concepts"
    ASSESSMENT_GUIDANCE = "assessment_guidance", "Assessment guidance"
    COMMON_MISTAKE = "common_mistake", "Common mistakes"
    KEY_TERM = "key_term", "Key terms"
    PRIOR_KNOWLEDGE = "prior_knowledge", "Before you start"


class GuidanceItem(models.Model):
    """One point of a unit's guidance for learners, in a named section."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="guidance")
    section = models.CharField(max_length=30, choices=GuidanceSection.choices)
    position = models.PositiveSmallIntegerField()
    term = models.CharField(max_length=200, blank=True, help_text="Key concepts only.")
    text = models.TextField()

    class Meta:
        ordering = ["unit", "section", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "section", "position"], name="guidance_position_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(section__in=GuidanceSection.values),
                name="guidance_section_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.reference} {self.get_section_display()} {self.position}"
