"""The qualification catalogue: reference data loaded from fixtures/qualifications/."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*$"
reference_validator = RegexValidator(
    REFERENCE_PATTERN, "Use letters, digits and hyphens only (it appears in web addresses)."
)
LEVELS = [MinValueValidator(1), MaxValueValidator(8)]


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


class Unit(models.Model):
    """A unit of learning; one unit may belong to several qualifications."""

    reference = models.CharField(max_length=40, unique=True, validators=[reference_validator])
    title = models.CharField(max_length=300)
    level = models.PositiveSmallIntegerField(validators=LEVELS)
    guided_learning_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    overview = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=8), name="unit_level_1_to_8"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Qualification(models.Model):
    reference = models.CharField(max_length=40, unique=True, validators=[reference_validator])
    awarding_body = models.ForeignKey(
        AwardingBody, on_delete=models.PROTECT, related_name="qualifications"
    )
    title = models.CharField(max_length=300)
    level = models.PositiveSmallIntegerField(validators=LEVELS)
    framework = models.CharField(max_length=10, choices=Framework.choices)
    description = models.TextField(blank=True)
    units = models.ManyToManyField(Unit, through="QualificationUnit", related_name="qualifications")

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=8), name="qualification_level_1_to_8"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def description_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.description.splitlines() if line.strip()]


class QualificationUnit(models.Model):
    """A unit's place in a qualification's structure."""

    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="unit_links"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="qualification_links")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["qualification", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["qualification", "unit"], name="qualification_unit_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.qualification} – {self.unit}"


class LearningOutcome(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="outcomes")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

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


class AssessmentCriterion(models.Model):
    """What a learner must show, numbered "<outcome>.<n>" and unique within its unit.

    Evidence mappings will refer to criteria with PROTECT, so a criterion that anything
    depends on can never be deleted or renumbered by accident.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="criteria")
    outcome = models.ForeignKey(LearningOutcome, on_delete=models.CASCADE, related_name="criteria")
    number = models.CharField(max_length=10)
    position = models.PositiveSmallIntegerField(help_text="The part after the dot, for ordering.")
    text = models.TextField()

    class Meta:
        ordering = ["unit", "outcome__number", "position"]
        verbose_name_plural = "assessment criteria"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "number"], name="criterion_number_unique_in_unit"
            ),
            models.CheckConstraint(
                condition=models.Q(number__regex=r"^[1-9][0-9]*\.[1-9][0-9]*$"),
                name="criterion_number_dotted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.reference} {self.number}"


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
