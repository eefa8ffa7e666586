"""Load the qualification catalogue from YAML fixtures: validate everything, then write.

Nothing is written unless every file is valid. Rows are matched by natural key (awarding body
code, qualification and unit reference, outcome number, criterion number), so a corrected
fixture updates text in place and a second run changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction
from django.db.models.deletion import Collector, ProtectedError
from pydantic import ValidationError

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
from qualifications.spec import CatalogueFileSpec, UnitSpec

Location = tuple[str | int, ...]

GUIDANCE_SECTIONS = {
    "key_concepts": GuidanceSection.KEY_CONCEPT,
    "assessment_guidance": GuidanceSection.ASSESSMENT_GUIDANCE,
    "common_mistakes": GuidanceSection.COMMON_MISTAKE,
    "key_terms": GuidanceSection.KEY_TERM,
    "prior_knowledge": GuidanceSection.PRIOR_KNOWLEDGE,
}

PYDANTIC_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (check its spelling against the README's fixture format)",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
}


@dataclass(frozen=True)
class CatalogueProblem:
    file: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.location}: {self.message}"


class CatalogueInvalid(Exception):
    def __init__(self, problems: Sequence[CatalogueProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the qualification fixtures")
        self.problems = list(problems)


@dataclass
class ParsedFile:
    path: str
    spec: CatalogueFileSpec
    lines: dict[Location, int]

    def where(self, loc: Location) -> str:
        return describe(loc, self.lines)


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


def describe(loc: Location, lines: dict[Location, int]) -> str:
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    line = None
    for size in range(len(loc), -1, -1):
        line = lines.get(tuple(loc[:size]))
        if line is not None:
            break
    prefix = f"line {line}" if line is not None else "file"
    return f"{prefix}, {path}" if path else prefix


# Parsing -----------------------------------------------------------------------------------


def collect_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[CatalogueProblem]]:
    found: list[Path] = []
    problems: list[CatalogueProblem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"}))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(CatalogueProblem(str(path), "file", "no such file or directory"))
    if not found and not problems:
        problems.append(CatalogueProblem(", ".join(map(str, paths)), "file", "no YAML files found"))
    return found, problems


def _to_python(
    loader: yaml.SafeLoader, node: yaml.Node, loc: Location, lines: dict[Location, int]
) -> Any:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise yaml.MarkedYAMLError(
                    problem="a key must be a plain word, not a list or mapping",
                    problem_mark=key_node.start_mark,
                )
            if key in result:
                raise yaml.MarkedYAMLError(
                    problem=f"the key {key!r} appears twice in one mapping",
                    problem_mark=key_node.start_mark,
                )
            result[key] = _to_python(loader, value_node, (*loc, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(loader, item, (*loc, i), lines) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def parse_file(path: Path) -> tuple[ParsedFile | None, list[CatalogueProblem]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [CatalogueProblem(name, "file", f"cannot be read as UTF-8 text: {error}")]
    lines: dict[Location, int] = {}
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        raw = {} if node is None else _to_python(loader, node, (), lines)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        what = " ".join(part for part in (error.context, error.problem) if part)
        if error.context_mark and error.problem_mark and error.context_mark != error.problem_mark:
            what += f" (the construct began at line {error.context_mark.line + 1})"
        return None, [CatalogueProblem(name, where, f"malformed YAML: {what}")]
    except yaml.YAMLError as error:
        return None, [CatalogueProblem(name, "file", f"malformed YAML: {error}")]
    finally:
        loader.dispose()
    if raw == {} and not lines:
        return None, [CatalogueProblem(name, "file", "the file is empty")]
    if not isinstance(raw, dict):
        return None, [CatalogueProblem(name, "line 1", "the file must be a mapping of sections")]
    try:
        spec = CatalogueFileSpec.model_validate(raw)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            message = PYDANTIC_MESSAGES.get(item["type"], item["msg"])
            message = message.removeprefix("Value error, ")
            problems.append(CatalogueProblem(name, describe(tuple(item["loc"]), lines), message))
        return None, problems
    return ParsedFile(name, spec, lines), []


# Cross-file checks -------------------------------------------------------------------------


def _check_unit(parsed: ParsedFile, index: int, unit: UnitSpec) -> list[CatalogueProblem]:
    problems = []
    seen_outcomes: dict[int, int] = {}
    seen_criteria: dict[str, str] = {}
    for o_index, outcome in enumerate(unit.outcomes):
        loc: Location = ("units", index, "outcomes", o_index)
        if outcome.number in seen_outcomes:
            problems.append(
                CatalogueProblem(
                    parsed.path,
                    parsed.where((*loc, "number")),
                    f"outcome {outcome.number} appears twice in unit {unit.reference}",
                )
            )
        seen_outcomes[outcome.number] = o_index
        for c_index, criterion in enumerate(outcome.criteria):
            c_loc = (*loc, "criteria", c_index, "number")
            if criterion.outcome_number != outcome.number:
                problems.append(
                    CatalogueProblem(
                        parsed.path,
                        parsed.where(c_loc),
                        f"criterion {criterion.number} is listed under outcome {outcome.number}; "
                        f"number it {outcome.number}.n or move it to outcome "
                        f"{criterion.outcome_number}",
                    )
                )
            if criterion.number in seen_criteria:
                problems.append(
                    CatalogueProblem(
                        parsed.path,
                        parsed.where(c_loc),
                        f"criterion {criterion.number} appears twice in unit {unit.reference} "
                        f"(first at {seen_criteria[criterion.number]})",
                    )
                )
            else:
                seen_criteria[criterion.number] = parsed.where(c_loc)
    return problems


def _check_duplicates(
    files: list[ParsedFile], section: str, key: str, label: str
) -> list[CatalogueProblem]:
    problems = []
    seen: dict[str, str] = {}
    for parsed in files:
        for index, item in enumerate(getattr(parsed.spec, section)):
            value = getattr(item, key).lower()
            where = f"{parsed.path} {parsed.where((section, index, key))}"
            if value in seen:
                problems.append(
                    CatalogueProblem(
                        parsed.path,
                        parsed.where((section, index, key)),
                        f"{label} {getattr(item, key)} is defined twice (also at {seen[value]})",
                    )
                )
            else:
                seen[value] = where
    return problems


def _check_references(files: list[ParsedFile]) -> list[CatalogueProblem]:
    problems = []
    body_codes = {b.code.lower() for f in files for b in f.spec.awarding_bodies}
    body_codes |= {code.lower() for code in AwardingBody.objects.values_list("code", flat=True)}
    unit_refs = {u.reference.lower() for f in files for u in f.spec.units}
    unit_refs |= {ref.lower() for ref in Unit.objects.values_list("reference", flat=True)}
    for parsed in files:
        for q_index, qualification in enumerate(parsed.spec.qualifications):
            if qualification.awarding_body.lower() not in body_codes:
                problems.append(
                    CatalogueProblem(
                        parsed.path,
                        parsed.where(("qualifications", q_index, "awarding_body")),
                        f"unknown awarding body {qualification.awarding_body!r}: define it under "
                        "awarding_bodies or load the file that does",
                    )
                )
            listed: set[str] = set()
            for u_index, reference in enumerate(qualification.units):
                loc: Location = ("qualifications", q_index, "units", u_index)
                if reference.lower() not in unit_refs:
                    problems.append(
                        CatalogueProblem(
                            parsed.path,
                            parsed.where(loc),
                            f"unknown unit {reference!r}: define it under units or load the "
                            "file that does",
                        )
                    )
                if reference.lower() in listed:
                    problems.append(
                        CatalogueProblem(
                            parsed.path,
                            parsed.where(loc),
                            f"unit {reference} is listed twice in {qualification.reference}",
                        )
                    )
                listed.add(reference.lower())
    return problems


def _protected_references(criteria: list[AssessmentCriterion]) -> dict[int, int]:
    """How many protecting rows point at each criterion, by criterion id."""
    if not criteria:
        return {}
    collector = Collector(using="default")
    try:
        collector.collect(criteria)
    except ProtectedError as error:
        counts: Counter[int] = Counter()
        for obj in error.protected_objects:
            for fk in obj._meta.concrete_fields:
                if fk.is_relation and fk.related_model is AssessmentCriterion:
                    counts[getattr(obj, fk.attname)] += 1
        return dict(counts)
    return {}


def _check_protected(files: list[ParsedFile]) -> list[CatalogueProblem]:
    """Refuse to delete or renumber a criterion that anything refers to.

    A criterion is renumbered when its current text appears in the file under another number,
    whether or not its old number is reused; editing its text in place is a correction.
    """
    problems = []
    for parsed in files:
        for index, unit_spec in enumerate(parsed.spec.units):
            wanted = {c.number: c.text for o in unit_spec.outcomes for c in o.criteria}
            existing = list(
                AssessmentCriterion.objects.filter(unit__reference__iexact=unit_spec.reference)
            )
            references = _protected_references(existing)
            for criterion in existing:
                count = references.get(criterion.pk)
                if not count or wanted.get(criterion.number) == criterion.text:
                    continue
                moved_to = [
                    number
                    for number, text in wanted.items()
                    if number != criterion.number and text.strip() == criterion.text.strip()
                ]
                if moved_to:
                    change = f"renumbered to {moved_to[0]}"
                elif criterion.number not in wanted:
                    change = "deleted"
                else:
                    continue
                problems.append(
                    CatalogueProblem(
                        parsed.path,
                        parsed.where(("units", index, "outcomes")),
                        f"criterion {criterion.number} of unit {unit_spec.reference} would be "
                        f"{change}, but {count} record(s) refer to it; keep it as "
                        f"{criterion.number} (edit its text in place if it needs correcting)",
                    )
                )
    return problems


def validate(paths: Iterable[str | Path]) -> list[ParsedFile]:
    """Parse and check every file; raise CatalogueInvalid listing every problem found."""
    found, problems = collect_paths(paths)
    files = []
    for path in found:
        parsed, file_problems = parse_file(path)
        problems.extend(file_problems)
        if parsed is not None:
            files.append(parsed)
    for parsed in files:
        for index, unit in enumerate(parsed.spec.units):
            problems.extend(_check_unit(parsed, index, unit))
    problems.extend(_check_duplicates(files, "awarding_bodies", "code", "awarding body"))
    problems.extend(_check_duplicates(files, "qualifications", "reference", "qualification"))
    problems.extend(_check_duplicates(files, "units", "reference", "unit"))
    problems.extend(_check_references(files))
    problems.extend(_check_protected(files))
    if problems:
        raise CatalogueInvalid(problems)
    return files


# Writing -----------------------------------------------------------------------------------


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
