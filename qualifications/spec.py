"""The shape of a qualification fixture file, checked before anything is written.

docs/qualification-format.md documents every key with an example.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from qualifications.models import (
    CRITERION_CODE_PATTERN,
    OFQUAL_NUMBER_PATTERN,
    OFQUAL_UNIT_PATTERN,
    REFERENCE_PATTERN,
    Framework,
    Grade,
    Level,
    OutcomeKind,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _bounded(length: int) -> Any:
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=length)]


Reference = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=40, pattern=REFERENCE_PATTERN
    ),
]
Credits = Annotated[int, Field(ge=0, le=999)]
Hours = Annotated[int, Field(ge=1, le=30000)]

CRITERION_CODE_LENGTH = 10  # AssessmentCriterion.number and previous_number
GRADE_PREFIXES = {"P": Grade.PASS, "M": Grade.MERIT, "D": Grade.DISTINCTION}


def _choice(value: Any, choices: type, label: str) -> Any:
    if isinstance(value, str) and value in choices.values:
        return choices(value)
    raise ValueError(f"{label} must be one of {', '.join(choices.values)}")


def _level(value: Any) -> str:
    """A level is 1-8 (number or string) or E1-E3 for Entry level."""
    text = str(value).strip().upper() if isinstance(value, int | str) else ""
    if isinstance(value, bool) or text not in Level.values:
        raise ValueError('must be 1 to 8, or E1, E2 or E3 for Entry level (e.g. level: 3 or "E2")')
    return text


def _version(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError('must be a version label such as 2 or "2.1"')
    text = str(value).strip()
    if not text or len(text) > 20 or not re.fullmatch(r"[A-Za-z0-9.\-]+", text):
        raise ValueError(
            "must be up to 20 letters, digits, dots or hyphens (it appears in web addresses)"
        )
    return text


def _shaped(value: Any, pattern: str, shape: str) -> Any:
    """An optional code in its official shape (Ofqual numbers), stripped of spaces."""
    if value is None:
        return value
    if not isinstance(value, str) or not re.fullmatch(pattern, value.strip()):
        raise ValueError(f"{shape}; got {value!r}")
    return value.strip()


def _as_text(value: Any) -> Any:
    """YAML reads `issue: 3` or `name: 2` as a number; these keys are text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SourceSpec(Spec):
    """Where a specification comes from: the awarding body's document, its issue and date."""

    document: _bounded(300)
    issue: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    date: datetime.date | None = None

    @field_validator("issue", mode="before")
    @classmethod
    def issue_as_text(cls, value: Any) -> Any:
        return _as_text(value)


class AwardingBodySpec(Spec):
    code: Annotated[str, StringConstraints(max_length=20, pattern=REFERENCE_PATTERN)]
    name: _bounded(200)


class LevelRuleSpec(Spec):
    level: str
    credits: Credits

    @field_validator("level", mode="before")
    @classmethod
    def level_shape(cls, value: Any) -> str:
        return _level(value)


class GroupSpec(Spec):
    """A group in the rules of combination. Limits count the units of its subgroups too."""

    name: _bounded(100)
    units: list[Reference] = []
    min_credits: Credits | None = None
    max_credits: Credits | None = None
    min_units: Annotated[int, Field(ge=0, le=999)] | None = None
    max_units: Annotated[int, Field(ge=0, le=999)] | None = None
    groups: list[GroupSpec] = []

    @field_validator("name", mode="before")
    @classmethod
    def name_as_text(cls, value: Any) -> Any:
        return _as_text(value)

    @model_validator(mode="after")
    def limits_in_order(self) -> GroupSpec:
        if not self.units and not self.groups:
            raise ValueError(f"group {self.name} has no units and no groups")
        for low, high, what in (
            (self.min_credits, self.max_credits, "credits"),
            (self.min_units, self.max_units, "units"),
        ):
            if low is not None and high is not None and low > high:
                raise ValueError(f"group {self.name}: min_{what} {low} is above max_{what} {high}")
        return self

    def all_units(self) -> list[str]:
        """Its own units and those of every group nested in it."""
        return [ref for group in self.walk() for ref in group.units]

    def walk(self) -> list[GroupSpec]:
        """This group and every group nested in it, parents first."""
        found = [self]
        for child in self.groups:
            found.extend(child.walk())
        return found


class RulesSpec(Spec):
    min_credits: Credits | None = None
    min_credits_at_or_above_level: LevelRuleSpec | None = None
    barred: list[Annotated[list[Reference], Field(min_length=2, max_length=2)]] = []
    groups: list[GroupSpec] = []

    def all_groups(self) -> list[GroupSpec]:
        return [group for top in self.groups for group in top.walk()]


class QualificationSpec(Spec):
    reference: Reference
    version: str = "1"
    source: SourceSpec | None = None
    awarding_body: Reference
    title: _bounded(300)
    level: str
    framework: Framework
    description: Text | None = None
    illustrative: Text | None = None
    ofqual_number: str | None = None
    credits: Credits | None = None
    glh: Hours | None = None
    tqt: Hours | None = None
    operational_end_date: datetime.date | None = None
    units: list[Reference] = []
    rules: RulesSpec | None = None

    @field_validator("level", mode="before")
    @classmethod
    def level_shape(cls, value: Any) -> str:
        return _level(value)

    @field_validator("version", mode="before")
    @classmethod
    def version_shape(cls, value: Any) -> str:
        return _version(value)

    @field_validator("framework", mode="before")
    @classmethod
    def framework_from_text(cls, value: Any) -> Any:
        # Strict mode would otherwise refuse the plain string YAML gives us.
        return _choice(value, Framework, "framework")

    @field_validator("ofqual_number", mode="before")
    @classmethod
    def ofqual_number_shape(cls, value: Any) -> Any:
        return _shaped(
            value,
            OFQUAL_NUMBER_PATTERN,
            "an Ofqual qualification number looks like 500/2911/3 (three digits, four digits, "
            "one digit or X)",
        )

    @model_validator(mode="after")
    def has_units(self) -> QualificationSpec:
        if not self.units and not (self.rules and self.rules.groups):
            raise ValueError("list its units, or give rules with groups of units")
        return self

    def unit_references(self) -> list[str]:
        """Every unit, in the order the qualification lists them: `units` first, then any
        unit its groups name that `units` does not."""
        found = list(self.units)
        seen = {ref.lower() for ref in found}
        for group in self.rules.all_groups() if self.rules else []:
            for ref in group.units:
                if ref.lower() not in seen:
                    found.append(ref)
                    seen.add(ref.lower())
        return found


class CriterionSpec(Spec):
    number: str
    text: Text
    grade: Grade | None = None
    range: Text | None = None
    was: str | None = None
    reworded: bool = False

    @field_validator("number", "was", mode="before")
    @classmethod
    def code_shape(cls, value: Any) -> Any:
        if value is None:
            return value
        if not isinstance(value, str):
            raise ValueError(
                'must be a quoted string such as "1.10" '
                "(unquoted, YAML reads 1.10 as the number 1.1)"
            )
        code = value.strip()
        if re.fullmatch(r"[0-9]+\.[0-9]+[a-z]?", code):
            outcome, rest = code.split(".")
            suffix = rest[-1] if rest[-1].isalpha() else ""
            digits = rest.rstrip("abcdefghijklmnopqrstuvwxyz")
            if int(outcome) >= 1 and int(digits) >= 1:
                code = f"{int(outcome)}.{int(digits)}{suffix}"
        if len(code) > CRITERION_CODE_LENGTH:
            raise ValueError(
                f"must be at most {CRITERION_CODE_LENGTH} characters (the column holds no more); "
                f"got {value!r}"
            )
        if not re.fullmatch(CRITERION_CODE_PATTERN, code):
            raise ValueError(
                'must look like "1.1" or "1.1a" (outcome number, dot, position), "P1", "M1" or '
                f'"D1" (graded units) or "K1", "S1" or "B1" (standards); got {value!r}'
            )
        return code

    @field_validator("grade", mode="before")
    @classmethod
    def grade_from_text(cls, value: Any) -> Any:
        return value if value is None else _choice(value, Grade, "grade")

    @model_validator(mode="after")
    def grade_matches_code(self) -> CriterionSpec:
        implied = GRADE_PREFIXES.get(self.number[0])
        if implied and self.grade is None:
            self.grade = implied
        elif implied and self.grade != implied:
            raise ValueError(
                f"criterion {self.number} is coded as {implied.label.lower()} but has grade "
                f"{self.grade.value}"
            )
        return self

    @property
    def outcome_number(self) -> int | None:
        """The outcome a dotted code names ("2.1" → 2); None for letter codes such as P1."""
        return int(self.number.split(".")[0]) if "." in self.number else None


class OutcomeSpec(Spec):
    number: Annotated[int, Field(ge=1, le=999)]
    text: Text
    kind: OutcomeKind | None = None
    criteria: Annotated[list[CriterionSpec], Field(min_length=1)]

    @field_validator("kind", mode="before")
    @classmethod
    def kind_from_text(cls, value: Any) -> Any:
        return value if value is None else _choice(value, OutcomeKind, "kind")


class KeyConceptSpec(Spec):
    term: _bounded(200)
    text: Text


class GuidanceSpec(Spec):
    key_concepts: list[KeyConceptSpec] = []
    assessment_guidance: list[Text] = []
    common_mistakes: list[Text] = []
    key_terms: list[Text] = []
    prior_knowledge: list[Text] = []


class UnitSpec(Spec):
    reference: Reference
    version: str = "1"
    source: SourceSpec | None = None
    title: _bounded(300)
    level: str
    credits: Credits | None = None
    glh: Hours | None = Field(
        default=None, validation_alias=AliasChoices("glh", "guided_learning_hours")
    )
    ofqual_reference: str | None = None
    unit_number: _bounded(20) | None = None
    aim: Text | None = None
    assessment_requirements: list[Text] = []
    overview: Text | None = None
    outcomes: Annotated[list[OutcomeSpec], Field(min_length=1)]
    guidance: GuidanceSpec = GuidanceSpec()

    @field_validator("level", mode="before")
    @classmethod
    def level_shape(cls, value: Any) -> str:
        return _level(value)

    @field_validator("version", mode="before")
    @classmethod
    def version_shape(cls, value: Any) -> str:
        return _version(value)

    @field_validator("unit_number", mode="before")
    @classmethod
    def unit_number_as_text(cls, value: Any) -> Any:
        return _as_text(value)

    @field_validator("assessment_requirements", mode="before")
    @classmethod
    def requirements_as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("ofqual_reference", mode="before")
    @classmethod
    def ofqual_reference_shape(cls, value: Any) -> Any:
        return _shaped(
            value,
            OFQUAL_UNIT_PATTERN,
            "an Ofqual unit reference looks like H/503/5729 (a capital letter, three digits, "
            "four digits)",
        )

    @property
    def is_graded(self) -> bool:
        return any(c.grade for o in self.outcomes for c in o.criteria)


class CatalogueFileSpec(Spec):
    awarding_bodies: list[AwardingBodySpec] = []
    qualifications: list[QualificationSpec] = []
    units: list[UnitSpec] = []
