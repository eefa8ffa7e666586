"""Checks across files and against the database, run before anything is written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from django.db.models.deletion import Collector, ProtectedError

from qualifications.loader.parsing import collect_paths, parse_file
from qualifications.loader.problems import CatalogueInvalid, CatalogueProblem, Location, ParsedFile
from qualifications.models import (
    AssessmentCriterion,
    AwardingBody,
    Qualification,
    Unit,
)
from qualifications.rules import Rules, UnitFacts, feasible, satisfiable
from qualifications.selectors import unit_facts
from qualifications.spec import GroupSpec, QualificationSpec, UnitSpec
from qualifications.usage import accepted_evidence


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
            if criterion.outcome_number not in (None, outcome.number):
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
            version = getattr(item, "version", None)
            if version is not None:
                value = f"{value} version {version}"
            where = f"{parsed.path} {parsed.where((section, index, key))}"
            if value in seen:
                problems.append(
                    CatalogueProblem(
                        parsed.path,
                        parsed.where((section, index, key)),
                        f"{label} {getattr(item, key)}"
                        f"{' version ' + version if version is not None else ''} is defined "
                        f"twice (also at {seen[value]})",
                    )
                )
            else:
                seen[value] = where
    return problems


def _known_units(files: list[ParsedFile]) -> dict[str, UnitFacts]:
    """The version of each unit a new qualification version would link, by lower-case
    reference: the current one after this load. That is the current version in the database,
    unless a file defines a version the database does not hold yet (it becomes current) or
    redefines the current one; a file correcting an older version leaves the current alone."""
    known = {
        unit.reference.lower(): unit_facts(unit) for unit in Unit.objects.current().order_by("pk")
    }
    stored = {
        (reference.lower(), version): is_current
        for reference, version, is_current in Unit.objects.values_list(
            "reference", "version", "is_current"
        )
    }
    for parsed in files:
        for spec in parsed.spec.units:
            if stored.get((spec.reference.lower(), spec.version), True):
                known[spec.reference.lower()] = _spec_facts(spec)
    return known


def _spec_facts(spec: UnitSpec) -> UnitFacts:
    return UnitFacts(
        reference=spec.reference, title=spec.title, credits=spec.credits or 0, level=spec.level
    )


def _linked_units(qualification: QualificationSpec) -> dict[str, UnitFacts]:
    """The unit versions an existing version of this qualification already links (loading it
    again keeps them, unless its file defines another version), by lower-case reference."""
    stored = Qualification.objects.filter(
        reference__iexact=qualification.reference, version=qualification.version
    ).first()
    if stored is None:
        return {}
    return {unit.reference.lower(): unit_facts(unit) for unit in stored.units.all()}


def _walk_groups(groups: list[GroupSpec], loc: Location) -> Iterator[tuple[GroupSpec, Location]]:
    """Every group, nested ones included, parents first, with where it is in the file."""
    for g_index, group in enumerate(groups):
        g_loc: Location = (*loc, "groups", g_index)
        yield group, g_loc
        yield from _walk_groups(group.groups, g_loc)


def _check_groups(
    parsed: ParsedFile, q_index: int, qualification: QualificationSpec, known: set[str]
) -> list[CatalogueProblem]:
    problems = []
    rules = qualification.rules
    if rules is None:
        return problems
    base: Location = ("qualifications", q_index, "rules")
    in_qualification = {ref.lower() for ref in qualification.unit_references()}
    group_of: dict[str, str] = {}
    names: set[str] = set()
    for group, g_loc in _walk_groups(rules.groups, base):
        if group.name.lower() in names:
            problems.append(
                CatalogueProblem(
                    parsed.path,
                    parsed.where((*g_loc, "name")),
                    f"group {group.name} is named twice in {qualification.reference}",
                )
            )
        names.add(group.name.lower())
        for u_index, reference in enumerate(group.units):
            where = parsed.where((*g_loc, "units", u_index))
            if reference.lower() not in known:
                problems.append(
                    CatalogueProblem(
                        parsed.path,
                        where,
                        f"group {group.name} names unknown unit {reference!r}: define it "
                        "under units or load the file that does",
                    )
                )
            first = group_of.get(reference.lower())
            if first is not None:
                problems.append(
                    CatalogueProblem(
                        parsed.path,
                        where,
                        f"unit {reference} is listed twice in group {group.name}"
                        if first == group.name
                        else f"unit {reference} is in group {first} and group {group.name}; "
                        "a unit belongs to one group only",
                    )
                )
            else:
                group_of[reference.lower()] = group.name
    if rules.groups:
        for u_index, reference in enumerate(qualification.units):
            if reference.lower() not in group_of:
                problems.append(
                    CatalogueProblem(
                        parsed.path,
                        parsed.where(("qualifications", q_index, "units", u_index)),
                        f"unit {reference} is in no group of the rules of combination; "
                        "put it in the group a learner takes it from",
                    )
                )
    for b_index, (first, second) in enumerate(rules.barred):
        where = parsed.where((*base, "barred", b_index))
        for reference in (first, second):
            if reference.lower() not in in_qualification:
                problems.append(
                    CatalogueProblem(
                        parsed.path,
                        where,
                        f"barred unit {reference} is not a unit of {qualification.reference}",
                    )
                )
        if first.lower() == second.lower():
            problems.append(
                CatalogueProblem(parsed.path, where, f"unit {first} is barred with itself")
            )
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
            problems.extend(_check_groups(parsed, q_index, qualification, unit_refs))
    return problems


def _most_credits(rules: Rules) -> int:
    """The most credits a valid choice of units can make (the rules must be satisfiable)."""
    low, high = 0, sum(unit.credits for unit in rules.units.values())
    while low < high:
        middle = (low + high + 1) // 2
        if feasible(replace(rules, min_credits=middle)):
            low = middle
        else:
            high = middle - 1
    return low


def _credit_problems(
    parsed: ParsedFile, loc: Location, qualification: QualificationSpec, rules: Rules
) -> list[CatalogueProblem]:
    """A qualification's credit value must be one its rules allow: the sum of its units when
    every unit is mandatory, else between the rules' minimum and the most a choice can make."""
    credits = qualification.credits
    if credits is None:
        return []
    where = parsed.where((*loc, "credits"))
    if rules.every_unit_required:
        total = sum(unit.credits for unit in rules.units.values())
        if total == credits:
            return []
        message = f"credits is {credits} but its units, all mandatory, add up to {total}"
        return [CatalogueProblem(parsed.path, where, message)]
    if rules.min_credits is not None and credits < rules.min_credits:
        message = (
            f"credits is {credits} but the rules ask for at least {rules.min_credits}; a "
            "qualification's credit value is at least the minimum a learner must achieve"
        )
        return [CatalogueProblem(parsed.path, where, message)]
    if satisfiable(rules) and not feasible(replace(rules, min_credits=credits)):
        message = (
            f"credits is {credits} but no valid choice of units makes that many; the most "
            f"any choice can make is {_most_credits(rules)}"
        )
        return [CatalogueProblem(parsed.path, where, message)]
    return []


def _group_problems(
    parsed: ParsedFile,
    loc: Location,
    qualification: QualificationSpec,
    facts: dict[str, UnitFacts],
) -> list[CatalogueProblem]:
    """Group minimums that the group's own units cannot reach, said at the group."""
    problems = []
    credits_of = {ref.lower(): unit.credits for ref, unit in facts.items()}
    groups = qualification.rules.groups if qualification.rules else []
    for group, g_loc in _walk_groups(groups, (*loc, "rules")):
        members = group.all_units()
        available = sum(credits_of[ref.lower()] for ref in members)
        if group.min_credits is not None and group.min_credits > available:
            problems.append(
                CatalogueProblem(
                    parsed.path,
                    parsed.where((*g_loc, "min_credits")),
                    f"group {group.name} asks for at least {group.min_credits} credits "
                    f"but its units add up to only {available}",
                )
            )
        if group.min_units is not None and group.min_units > len(members):
            problems.append(
                CatalogueProblem(
                    parsed.path,
                    parsed.where((*g_loc, "min_units")),
                    f"group {group.name} asks for at least {group.min_units} units but "
                    f"holds only {len(members)}",
                )
            )
    return problems


def _check_rules(files: list[ParsedFile]) -> list[CatalogueProblem]:
    """Credits that add up and rules some choice of units can satisfy, judged on the unit
    versions each qualification version will link once written."""
    problems = []
    known = _known_units(files)
    for parsed in files:
        same_file = {spec.reference.lower(): _spec_facts(spec) for spec in parsed.spec.units}
        for q_index, qualification in enumerate(parsed.spec.qualifications):
            loc: Location = ("qualifications", q_index)
            references = qualification.unit_references()
            if any(ref.lower() not in known for ref in references):
                continue  # already reported as an unknown unit
            linked = _linked_units(qualification)
            facts = {
                ref: same_file.get(ref.lower()) or linked.get(ref.lower()) or known[ref.lower()]
                for ref in references
            }
            rules = Rules.from_spec(qualification, facts)
            counts_credits = qualification.credits is not None or not rules.every_unit_required
            uncredited = [ref for ref, unit in facts.items() if not unit.credits]
            if counts_credits and uncredited and qualification.rules is not None:
                problems.append(
                    CatalogueProblem(
                        parsed.path,
                        parsed.where((*loc, "rules")),
                        f"the rules count credits but unit(s) {', '.join(uncredited)} have no "
                        "credits; give every unit its credit value",
                    )
                )
                continue
            group_problems = _group_problems(parsed, loc, qualification, facts)
            problems.extend(group_problems)
            problems.extend(_credit_problems(parsed, loc, qualification, rules))
            if not group_problems and not satisfiable(rules):
                problems.append(
                    CatalogueProblem(
                        parsed.path,
                        parsed.where((*loc, "rules")),
                        f"no choice of units can satisfy the rules of combination of "
                        f"{qualification.reference}; check the group limits, credits and "
                        "barred pairs",
                    )
                )
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
    """Refuse to delete or renumber a criterion that anything refers to, and to reword one
    that evidence has been accepted against without saying so.

    Within a version, a criterion is renumbered when its current text appears in the file
    under another number, whether or not its old number is reused. A new version is compared
    with the current one: a criterion that keeps its number (or names it with `was`) but
    changes its words must say `reworded: true` if accepted evidence rests on it.
    """
    problems = []
    for parsed in files:
        for index, unit_spec in enumerate(parsed.spec.units):
            versions = Unit.objects.filter(reference__iexact=unit_spec.reference)
            same = versions.filter(version=unit_spec.version).first()
            previous = same or versions.filter(is_current=True).first()
            if previous is None:
                continue
            existing = list(previous.criteria.all())
            accepted = accepted_evidence(c.pk for c in existing)
            problems.extend(_check_rewording(parsed, index, unit_spec, existing, accepted, same))
            if same is None:
                continue
            wanted = {c.number: c.text for o in unit_spec.outcomes for c in o.criteria}
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
                        f"{criterion.number} (edit its text in place if it needs correcting), "
                        "or publish the change as a new version",
                    )
                )
    return problems


def _check_rewording(
    parsed: ParsedFile,
    index: int,
    unit_spec: UnitSpec,
    existing: list[AssessmentCriterion],
    accepted: dict[int, int],
    same: Unit | None,
) -> list[CatalogueProblem]:
    problems = []
    by_number = {c.number: c for c in existing}
    for o_index, outcome in enumerate(unit_spec.outcomes):
        for c_index, criterion in enumerate(outcome.criteria):
            # Within a version a criterion is matched by its own number; `was` names its
            # number in the previous version.
            key = criterion.number if same is not None else (criterion.was or criterion.number)
            before = by_number.get(key)
            if (
                before is None
                or criterion.reworded
                or not accepted.get(before.pk)
                or before.text.strip() == criterion.text.strip()
            ):
                continue
            where = ("units", index, "outcomes", o_index, "criteria", c_index, "text")
            version = f"version {before.unit.version}" if same is None else "this version"
            problems.append(
                CatalogueProblem(
                    parsed.path,
                    parsed.where(where),
                    f"criterion {criterion.number} of unit {unit_spec.reference} rewords "
                    f"{before.number} of {version}, which {accepted[before.pk]} accepted "
                    "mapping(s) rest on; add `reworded: true` if it still asks the same, or give "
                    "it a new number if it asks something new",
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
    if not problems:
        problems.extend(_check_rules(files))
    problems.extend(_check_protected(files))
    if problems:
        raise CatalogueInvalid(problems)
    return files
