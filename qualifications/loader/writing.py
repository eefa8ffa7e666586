"""Writing a validated catalogue: upsert by natural key in one transaction, counting changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.db.models import Max

from qualifications.loader.checks import validate
from qualifications.loader.problems import ParsedFile
from qualifications.models import (
    AssessmentCriterion,
    AwardingBody,
    BarredCombination,
    GuidanceItem,
    GuidanceSection,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    RuleGroup,
    Unit,
    Versioned,
)
from qualifications.rules import Rules, mandatory_units
from qualifications.selectors import unit_facts
from qualifications.spec import GroupSpec, QualificationSpec, UnitSpec

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


def _source(spec: QualificationSpec | UnitSpec) -> dict[str, Any]:
    source = spec.source
    return {
        "source_document": source.document if source else "",
        "source_issue": (source.issue or "") if source else "",
        "source_date": source.date if source else None,
    }


def _upsert_version(
    model: type[Versioned], report: LoadReport, spec: QualificationSpec | UnitSpec, values: dict
) -> Versioned:
    """The row for this reference and version: updated in place if it exists, else a new
    version that becomes the current one. Older versions are never rewritten."""
    versions = model.objects.filter(reference__iexact=spec.reference)
    existing = versions.filter(version=spec.version).first()
    if existing is None:
        sequence = (versions.aggregate(top=Max("sequence"))["top"] or 0) + 1
        versions.filter(is_current=True).update(is_current=False)
        values = {**values, "sequence": sequence, "is_current": True}
    return _upsert(model, report, {"reference": spec.reference, "version": spec.version}, values)


def _write_unit(spec: UnitSpec, report: LoadReport) -> Unit:
    values = {
        "title": spec.title,
        "level": spec.level,
        "guided_learning_hours": spec.glh,
        "credits": spec.credits,
        "ofqual_reference": spec.ofqual_reference or "",
        "unit_number": spec.unit_number or "",
        "aim": spec.aim or "",
        "assessment_requirements": "\n".join(spec.assessment_requirements),
        "overview": spec.overview or "",
        **_source(spec),
    }
    unit = _upsert_version(Unit, report, spec, values)
    outcomes = {}
    for outcome_spec in spec.outcomes:
        outcomes[outcome_spec.number] = _upsert(
            LearningOutcome,
            report,
            {"unit": unit, "number": outcome_spec.number},
            {"text": outcome_spec.text, "kind": outcome_spec.kind or ""},
        )
    numbers = []
    for outcome_spec in spec.outcomes:
        for position, criterion in enumerate(outcome_spec.criteria, start=1):
            numbers.append(criterion.number)
            _upsert(
                AssessmentCriterion,
                report,
                {"unit": unit, "number": criterion.number},
                {
                    "outcome": outcomes[outcome_spec.number],
                    "position": position,
                    "text": criterion.text,
                    "grade": criterion.grade or "",
                    "range": criterion.range or "",
                    "previous_number": criterion.was or "",
                    "reworded": criterion.reworded,
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


def _unit_for(reference: str, qualification: Qualification, same_file: dict[str, Unit]) -> Unit:
    """The unit version a qualification links: the one defined in the same file, else the one
    this qualification version already links, else the current one."""
    key = reference.lower()
    if key in same_file:
        return same_file[key]
    linked = qualification.units.filter(reference__iexact=reference).first()
    return linked or Unit.objects.current().get(reference__iexact=reference)


def _write_groups(
    qualification: Qualification, groups: list[GroupSpec], report: LoadReport
) -> dict[str, RuleGroup]:
    """Upsert the rule groups by name, parents first; returns each unit's group by reference."""
    group_of_unit: dict[str, RuleGroup] = {}
    kept: list[int] = []
    position = 0

    def write(spec: GroupSpec, parent: RuleGroup | None) -> None:
        nonlocal position
        position += 1
        group = _upsert(
            RuleGroup,
            report,
            {"qualification": qualification, "name": spec.name},
            {
                "parent": parent,
                "position": position,
                "min_credits": spec.min_credits,
                "max_credits": spec.max_credits,
                "min_units": spec.min_units,
                "max_units": spec.max_units,
            },
        )
        kept.append(group.pk)
        for reference in spec.units:
            group_of_unit[reference.lower()] = group
        for child in spec.groups:
            write(child, group)

    for spec in groups:
        write(spec, None)
    stale = qualification.rule_groups.exclude(pk__in=kept)
    qualification.unit_links.filter(group__in=stale).update(group=None)
    # Children before parents, so deleting a parent never cascades into a counted row.
    for group in sorted(stale, key=lambda g: -g.position):
        _delete(RuleGroup, report, RuleGroup.objects.filter(pk=group.pk))
    return group_of_unit


def _write_qualification(
    spec: QualificationSpec, body: AwardingBody, same_file: dict[str, Unit], report: LoadReport
) -> Qualification:
    rules = spec.rules
    level_rule = rules.min_credits_at_or_above_level if rules else None
    qualification = _upsert_version(
        Qualification,
        report,
        spec,
        {
            "awarding_body": body,
            "title": spec.title,
            "level": spec.level,
            "framework": spec.framework.value,
            "description": spec.description or "",
            "is_illustrative": spec.illustrative is not None,
            "illustrative_note": spec.illustrative or "",
            "ofqual_number": spec.ofqual_number or "",
            "credits": spec.credits,
            "guided_learning_hours": spec.glh,
            "total_qualification_time": spec.tqt,
            "operational_end_date": spec.operational_end_date,
            "min_credits": rules.min_credits if rules else None,
            "level_rule_level": level_rule.level if level_rule else "",
            "level_rule_credits": level_rule.credits if level_rule else None,
            **_source(spec),
        },
    )
    references = spec.unit_references()
    units = {ref.lower(): _unit_for(ref, qualification, same_file) for ref in references}
    group_of_unit = _write_groups(qualification, rules.groups if rules else [], report)
    facts = {ref: unit_facts(units[ref.lower()], reference=ref) for ref in references}
    mandatory = {ref.lower() for ref in mandatory_units(Rules.from_spec(spec, facts))}
    for position, (key, unit) in enumerate(units.items(), start=1):
        _upsert(
            QualificationUnit,
            report,
            {"qualification": qualification, "unit": unit},
            {
                "position": position,
                "group": group_of_unit.get(key),
                "mandatory": key in mandatory,
            },
        )
    stale = qualification.unit_links.exclude(unit_id__in=[u.pk for u in units.values()])
    _delete(QualificationUnit, report, stale)
    pairs = []
    for first, second in rules.barred if rules else []:
        pair = _upsert(
            BarredCombination,
            report,
            {
                "qualification": qualification,
                "first": units[first.lower()],
                "second": units[second.lower()],
            },
            {},
        )
        pairs.append(pair.pk)
    _delete(BarredCombination, report, qualification.barred_combinations.exclude(pk__in=pairs))
    return qualification


def _write(files: list[ParsedFile], report: LoadReport) -> None:
    bodies = {}
    for parsed in files:
        for spec in parsed.spec.awarding_bodies:
            bodies[spec.code.lower()] = _upsert(
                AwardingBody, report, {"code": spec.code}, {"name": spec.name}
            )
    units_by_file: dict[str, dict[str, Unit]] = {}
    for parsed in files:
        written = units_by_file.setdefault(parsed.path, {})
        for spec in parsed.spec.units:
            written[spec.reference.lower()] = _write_unit(spec, report)
    for parsed in files:
        for spec in parsed.spec.qualifications:
            body = bodies.get(spec.awarding_body.lower()) or AwardingBody.objects.get(
                code__iexact=spec.awarding_body
            )
            _write_qualification(spec, body, units_by_file[parsed.path], report)


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
