"""Checks across files and against the database, run before anything is written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from django.db.models.deletion import Collector, ProtectedError

from qualifications.loader.parsing import collect_paths, parse_file
from qualifications.loader.problems import CatalogueInvalid, CatalogueProblem, Location, ParsedFile
from qualifications.models import (
    AssessmentCriterion,
    AwardingBody,
    Unit,
)
from qualifications.spec import UnitSpec


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
