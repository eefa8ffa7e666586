"""The shape of a qualification fixture file, checked before anything is written."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from qualifications.models import REFERENCE_PATTERN, Framework

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Reference = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=40, pattern=REFERENCE_PATTERN
    ),
]
Level = Annotated[int, Field(ge=1, le=8)]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class AwardingBodySpec(Spec):
    code: Annotated[str, StringConstraints(max_length=20, pattern=REFERENCE_PATTERN)]
    name: Text


class QualificationSpec(Spec):
    reference: Reference
    awarding_body: Reference
    title: Text
    level: Level
    framework: Framework
    description: Text | None = None
    units: Annotated[list[Reference], Field(min_length=1)]

    @field_validator("framework", mode="before")
    @classmethod
    def framework_from_text(cls, value: Any) -> Any:
        # Strict mode would otherwise refuse the plain string YAML gives us.
        if isinstance(value, str) and value in Framework.values:
            return Framework(value)
        raise ValueError(f"must be one of {', '.join(Framework.values)}")


class CriterionSpec(Spec):
    number: str
    text: Text

    @field_validator("number", mode="before")
    @classmethod
    def number_is_dotted_string(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError(
                'must be a quoted string such as "1.10" '
                "(unquoted, YAML reads 1.10 as the number 1.1)"
            )
        parts = value.strip().split(".")
        if len(parts) != 2 or not all(part.isdigit() and int(part) >= 1 for part in parts):
            raise ValueError(f'must look like "1.1" (outcome number, dot, position); got {value!r}')
        return f"{int(parts[0])}.{int(parts[1])}"

    @property
    def outcome_number(self) -> int:
        return int(self.number.split(".")[0])

    @property
    def position(self) -> int:
        return int(self.number.split(".")[1])


class OutcomeSpec(Spec):
    number: Annotated[int, Field(ge=1)]
    text: Text
    criteria: Annotated[list[CriterionSpec], Field(min_length=1)]


class KeyConceptSpec(Spec):
    term: Text
    text: Text


class GuidanceSpec(Spec):
    key_concepts: list[KeyConceptSpec] = []
    assessment_guidance: list[Text] = []
    common_mistakes: list[Text] = []
    key_terms: list[Text] = []
    prior_knowledge: list[Text] = []


class UnitSpec(Spec):
    reference: Reference
    title: Text
    level: Level
    guided_learning_hours: Annotated[int, Field(ge=1)] | None = None
    overview: Text | None = None
    outcomes: Annotated[list[OutcomeSpec], Field(min_length=1)]
    guidance: GuidanceSpec = GuidanceSpec()


class CatalogueFileSpec(Spec):
    awarding_bodies: list[AwardingBodySpec] = []
    qualifications: list[QualificationSpec] = []
    units: list[UnitSpec] = []
