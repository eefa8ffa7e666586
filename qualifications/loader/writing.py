"""Writing a validated catalogue: upsert by natural key in one transaction, counting changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction

from qualifications.loader.checks import validate
from qualifications.loader.problems import ParsedFile
from qualifications.models import (
    AssessmentCriterion,
    AwardingBody,
    GuidanceItem,
    GuidanceSection,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    Unit,
)
from qualifications.spec import UnitSpec

GUIDANCE_SECTIONS = {
    "key_concepts": GuidanceSection.KEY_CONCEPT,
    "assessment_guidance": GuidanceSection.ASSESSMENT_GUIDANCE,
    "common_mistakes": GuidanceSection.COMMON_MISTAKE,
    "key_terms": GuidanceSection.KEY_TERM,
    "prior_knowledge": GuidanceSection.PRIOR_KNOWLEDGE,
}


@dataclass
class LoadReport:
    files: list[str]
    changes: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def record(self, model: type[models.Model], action: str | None) -> None:
        if action:
            self.changes[f"{model._meta.verbose_name_plural}: {action}"] += 1


def _upsert(
    model: type[models.Model], report: LoadReport, lookup: dict[str, Any], values: dict[str, Any]
) -> models.Model:
    """Create or update the row with this natural key; a code or reference matches in any case."""
    query = {
        f"{name}__iexact" if isinstance(value, str) else name: value
        for name, value in lookup.items()
    }
    obj = model.objects.filter(**query).first()
    values = {**{k: v for k, v in lookup.items() if isinstance(v, str)}, **values}
    if obj is None:
        obj = model.objects.create(**{**lookup, **values})
        report.record(model, "created")
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        report.record(model, "updated")
    return obj


def _delete(model: type[models.Model], report: LoadReport, queryset: models.QuerySet) -> None:
    for _ in range(queryset.count()):
        report.record(model, "deleted")
    queryset.delete()


def _write_unit(spec: UnitSpec, report: LoadReport) -> Unit:
    values = {
        "title": spec.title,
        "level": spec.level,
        "guided_learning_hours": spec.guided_learning_hours,
        "overview": spec.overview or "",
    }
    unit = _upsert(Unit, report, {"reference": spec.reference}, values)
    outcomes = {}
    for outcome_spec in spec.outcomes:
        outcomes[outcome_spec.number] = _upsert(
            LearningOutcome,
            report,
            {"unit": unit, "number": outcome_spec.number},
            {"text": outcome_spec.text},
        )
    numbers = []
    for outcome_spec in spec.outcomes:
        for criterion in outcome_spec.criteria:
            numbers.append(criterion.number)
            _upsert(
                AssessmentCriterion,
                report,
                {"unit": unit, "number": criterion.number},
                {
                    "outcome": outcomes[outcome_spec.number],
                    "position": criterion.position,
                    "text": criterion.text,
                },
            )
    _delete(AssessmentCriterion, report, unit.criteria.exclude(number__in=numbers))
    _delete(LearningOutcome, report, unit.outcomes.exclude(number__in=list(outcomes)))
    for key, section in GUIDANCE_SECTIONS.items():
        items = getattr(spec.guidance, key)
        for position, item in enumerate(items, start=1):
            term, text = (item.term, item.text) if key == "key_concepts" else ("", item)
            _upsert(
                GuidanceItem,
                report,
                {"unit": unit, "section": section, "position": position},
                {"term": term, "text": text},
            )
        stale = unit.guidance.filter(section=section, position__gt=len(items))
        _delete(GuidanceItem, report, stale)
    return unit


def _write(files: list[ParsedFile], report: LoadReport) -> None:
    bodies = {}
    for parsed in files:
        for spec in parsed.spec.awarding_bodies:
            bodies[spec.code.lower()] = _upsert(
                AwardingBody, report, {"code": spec.code}, {"name": spec.name}
            )
    for parsed in files:
        for spec in parsed.spec.units:
            _write_unit(spec, report)
    for parsed in files:
        for spec in parsed.spec.qualifications:
            body = bodies.get(spec.awarding_body.lower()) or AwardingBody.objects.get(
                code__iexact=spec.awarding_body
            )
            qualification = _upsert(
                Qualification,
                report,
                {"reference": spec.reference},
                {
                    "awarding_body": body,
                    "title": spec.title,
                    "level": spec.level,
                    "framework": spec.framework.value,
                    "description": spec.description or "",
                },
            )
            units = []
            for position, reference in enumerate(spec.units, start=1):
                unit = Unit.objects.get(reference__iexact=reference)
                units.append(unit.pk)
                _upsert(
                    QualificationUnit,
                    report,
                    {"qualification": qualification, "unit": unit},
                    {"position": position},
                )
            stale = qualification.unit_links.exclude(unit_id__in=units)
            _delete(QualificationUnit, report, stale)


class _DryRunRollback(Exception):
    pass


def load_catalogue(paths: Iterable[str | Path], *, dry_run: bool = False) -> LoadReport:
    """Validate every file, then write them all in one transaction (rolled back if dry_run)."""
    with transaction.atomic():
        files = validate(paths)
        report = LoadReport(files=[parsed.path for parsed in files], dry_run=dry_run)
        try:
            with transaction.atomic():
                _write(files, report)
                if dry_run:
                    raise _DryRunRollback
        except _DryRunRollback:
            pass
    return report
