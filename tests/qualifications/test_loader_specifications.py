"""Loading real-shaped specifications: groups, credits, Ofqual references, graded and versioned
units. Every refusal the issue names is reported with its file, line and reason, and nothing
is written; the documented format loads as documented."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from portfolio.models import Mapping
from qualifications.models import (
    AssessmentCriterion,
    AwardingBody,
    BarredCombination,
    GuidanceItem,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    RuleGroup,
    Unit,
)
from tests.factories import MappingFactory

pytestmark = pytest.mark.django_db

MODELS = (
    AwardingBody,
    Qualification,
    RuleGroup,
    QualificationUnit,
    BarredCombination,
    Unit,
    LearningOutcome,
    AssessmentCriterion,
    GuidanceItem,
    Mapping,
)
DOCS = Path(settings.BASE_DIR) / "docs" / "qualification-format.md"

# A small diploma with every kind of rule. Its valid choices: U-A1 (group A) and U-B2 (every
# choice without it falls short of 10 credits, as U-B1 is barred with U-C1), plus U-B1, U-C1 or
# U-C2 as credits and the barred pair allow; at most 12 credits (A1, B1, B2, C2).
# U-X is defined but belongs to no qualification.
GROUPED = textwrap.dedent(
    """\
    awarding_bodies:
      - code: TAB
        name: Test Awarding Body
    qualifications:
      - reference: TAB-DIP
        awarding_body: TAB
        title: Test Diploma
        level: 3
        framework: RQF
        ofqual_number: 500/2911/3
        credits: 10
        rules:
          min_credits: 10
          min_credits_at_or_above_level: {level: 3, credits: 4}
          barred:
            - [U-B1, U-C1]
          groups:
            - name: A
              min_units: 1
              units: [U-A1]
            - name: B
              min_credits: 3
              groups:
                - name: B-inner
                  max_credits: 6
                  units: [U-B1, U-B2]
            - name: C
              max_credits: 4
              units: [U-C1, U-C2]
    units:
      - reference: U-A1
        title: Unit A1
        level: 3
        credits: 4
        ofqual_reference: H/503/5729
        outcomes:
          - number: 1
            kind: knowledge
            text: Know A1.
            criteria:
              - number: "1.1"
                text: Describe A1.
              - number: "1.2"
                text: Explain A1.
          - number: 2
            kind: skills
            text: Be able to do A1.
            criteria:
              - number: P1
                text: Do A1.
              - number: M1
                text: Do A1 well.
              - number: D1
                text: Do A1 superbly.
      - reference: U-B1
        title: Unit B1
        level: 2
        credits: 3
        outcomes: [{number: 1, text: Know B1., criteria: [{number: "1.1", text: Describe B1.}]}]
      - reference: U-B2
        title: Unit B2
        level: 3
        credits: 3
        outcomes: [{number: 1, text: Know B2., criteria: [{number: "1.1", text: Describe B2.}]}]
      - reference: U-C1
        title: Unit C1
        level: 2
        credits: 2
        outcomes: [{number: 1, text: Know C1., criteria: [{number: "1.1", text: Describe C1.}]}]
      - reference: U-C2
        title: Unit C2
        level: 2
        credits: 2
        outcomes: [{number: 1, text: Know C2., criteria: [{number: "1.1", text: Describe C2.}]}]
      - reference: U-X
        title: Unit X
        level: 2
        credits: 1
        outcomes: [{number: 1, text: Know X., criteria: [{number: "1.1", text: Describe X.}]}]
    """
)

# A qualification without rules: every unit is mandatory, so its credits are their sum.
FLAT = textwrap.dedent(
    """\
    awarding_bodies:
      - code: TAB
        name: Test Awarding Body
    qualifications:
      - reference: TAB-CERT
        awarding_body: TAB
        title: Test Certificate
        level: 2
        framework: QCF
        credits: 5
        units: [U-ONE, U-TWO]
    units:
      - reference: U-ONE
        title: Unit one
        level: 2
        credits: 3
        outcomes: [{number: 1, text: Know one., criteria: [{number: "1.1", text: Describe.}]}]
      - reference: U-TWO
        title: Unit two
        level: 2
        credits: 2
        outcomes: [{number: 1, text: Know two., criteria: [{number: "1.1", text: Describe.}]}]
    """
)

BASES = {"grouped": GROUPED, "flat": FLAT}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} is not in the document exactly once"
    return text.replace(old, new)


def line_of(text: str, fragment: str) -> int:
    assert text.count(fragment) == 1, f"{fragment!r} is not in the document exactly once"
    return text[: text.index(fragment)].count("\n") + 1


def load(*paths: Path, dry_run: bool = False) -> str:
    out = io.StringIO()
    options = ["--dry-run"] if dry_run else []
    call_command(
        "load_qualifications", *map(str, paths), *options, stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def refused(*paths: Path) -> list[str]:
    """Run the command expecting failure; return the problem lines it printed on stderr."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=r"problem\(s\) found; nothing was written"):
        call_command("load_qualifications", *map(str, paths), stdout=out, stderr=err)
    assert out.getvalue() == ""
    return err.getvalue().splitlines()


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def test_both_bases_load_as_they_are(tmp_path: Path) -> None:
    """The refusals below each come from one edit to a document that loads."""
    load(write(tmp_path, "grouped.yaml", GROUPED))
    load(write(tmp_path, "flat.yaml", FLAT))
    assert set(Qualification.objects.values_list("reference", flat=True)) == {
        "TAB-DIP",
        "TAB-CERT",
    }


# Refusals: one exact `file: line N, path: message` line each, and nothing written ----------

LONG_TITLE = "T" * 301
FIRST_A1_CRITERION = line_of(GROUPED, "text: Describe A1.") - 1

# name: (base, old text, new text, fragment on the reported line, path, message)
CASES = {
    "a rule no choice of units can satisfy": (
        "grouped",
        "{level: 3, credits: 4}",
        "{level: 3, credits: 8}",
        "    rules:",
        "qualifications[0].rules",
        "no choice of units can satisfy the rules of combination of TAB-DIP; check the group "
        "limits, credits and barred pairs",
    ),
    "a barred pair of two units every choice needs": (
        "grouped",
        "- [U-B1, U-C1]\n",
        "- [U-B1, U-C1]\n        - [U-A1, U-B2]\n",
        "    rules:",
        "qualifications[0].rules",
        "no choice of units can satisfy the rules of combination of TAB-DIP; check the group "
        "limits, credits and barred pairs",
    ),
    "a group naming an unknown unit": (
        "grouped",
        "units: [U-C1, U-C2]",
        "units: [U-C1, U-C2, U-NONE]",
        "units: [U-C1, U-C2, U-NONE]",
        "qualifications[0].rules.groups[2].units[2]",
        "group C names unknown unit 'U-NONE': define it under units or load the file that does",
    ),
    "a unit in two groups": (
        "grouped",
        "units: [U-C1, U-C2]",
        "units: [U-C1, U-C2, U-B1]",
        "units: [U-C1, U-C2, U-B1]",
        "qualifications[0].rules.groups[2].units[2]",
        "unit U-B1 is in group B-inner and group C; a unit belongs to one group only",
    ),
    "a unit twice in one group": (
        "grouped",
        "units: [U-C1, U-C2]",
        "units: [U-C1, U-C2, U-C1]",
        "units: [U-C1, U-C2, U-C1]",
        "qualifications[0].rules.groups[2].units[2]",
        "unit U-C1 is listed twice in group C",
    ),
    "credits that are not the sum of all-mandatory units": (
        "flat",
        "credits: 5",
        "credits: 6",
        "credits: 6",
        "qualifications[0].credits",
        "credits is 6 but its units, all mandatory, add up to 5",
    ),
    "credits below the rules' minimum": (
        "grouped",
        "\n    credits: 10",
        "\n    credits: 9",
        "credits: 9",
        "qualifications[0].credits",
        "credits is 9 but the rules ask for at least 10; a qualification's credit value is at "
        "least the minimum a learner must achieve",
    ),
    "credits no choice of units can make": (
        "grouped",
        "\n    credits: 10",
        "\n    credits: 13",
        "credits: 13",
        "qualifications[0].credits",
        "credits is 13 but no valid choice of units makes that many; the most any choice can "
        "make is 12",
    ),
    "a group minimum above its units' credits": (
        "grouped",
        "min_credits: 3\n",
        "min_credits: 7\n",
        "min_credits: 7",
        "qualifications[0].rules.groups[1].min_credits",
        "group B asks for at least 7 credits but its units add up to only 6",
    ),
    "a group minimum above its number of units": (
        "grouped",
        "min_units: 1",
        "min_units: 2",
        "min_units: 2",
        "qualifications[0].rules.groups[0].min_units",
        "group A asks for at least 2 units but holds only 1",
    ),
    "an Ofqual qualification number of the wrong shape": (
        "grouped",
        "ofqual_number: 500/2911/3",
        "ofqual_number: 500/291/3",
        "ofqual_number: 500/291/3",
        "qualifications[0].ofqual_number",
        "an Ofqual qualification number looks like 500/2911/3 (three digits, four digits, one "
        "digit or X); got '500/291/3'",
    ),
    "an Ofqual unit reference of the wrong shape": (
        "grouped",
        "ofqual_reference: H/503/5729",
        "ofqual_reference: h/503/5729",
        "ofqual_reference: h/503/5729",
        "units[0].ofqual_reference",
        "an Ofqual unit reference looks like H/503/5729 (a capital letter, three digits, four "
        "digits); got 'h/503/5729'",
    ),
    "two criteria of a unit whose codes differ only in leading zeros": (
        "grouped",
        '- number: "1.2"\n            text: Explain A1.',
        '- number: "1.01"\n            text: Explain A1.',
        'number: "1.01"',
        "units[0].outcomes[0].criteria[1].number",
        f"criterion 1.1 appears twice in unit U-A1 (first at line {FIRST_A1_CRITERION}, "
        "units[0].outcomes[0].criteria[0].number)",
    ),
    "a pass code with a merit grade": (
        "grouped",
        "- number: P1\n",
        "- number: P1\n            grade: merit\n",
        "number: P1",
        "units[0].outcomes[1].criteria[0]",
        "criterion P1 is coded as pass but has grade merit",
    ),
    "a merit code with a distinction grade": (
        "grouped",
        "- number: M1\n",
        "- number: M1\n            grade: distinction\n",
        "number: M1",
        "units[0].outcomes[1].criteria[1]",
        "criterion M1 is coded as merit but has grade distinction",
    ),
    "a barred unit outside the qualification": (
        "grouped",
        "- [U-B1, U-C1]",
        "- [U-B1, U-X]",
        "- [U-B1, U-X]",
        "qualifications[0].rules.barred[0]",
        "barred unit U-X is not a unit of TAB-DIP",
    ),
    "a unit barred with itself": (
        "grouped",
        "- [U-B1, U-C1]",
        "- [U-B1, U-B1]",
        "- [U-B1, U-B1]",
        "qualifications[0].rules.barred[0]",
        "unit U-B1 is barred with itself",
    ),
    "a listed unit in no group": (
        "grouped",
        "    rules:\n",
        "    units: [U-A1, U-X]\n    rules:\n",
        "units: [U-A1, U-X]",
        "qualifications[0].units[1]",
        "unit U-X is in no group of the rules of combination; put it in the group a learner "
        "takes it from",
    ),
    "a title longer than its column": (
        "grouped",
        "title: Test Diploma",
        f"title: {LONG_TITLE}",
        f"title: {LONG_TITLE}",
        "qualifications[0].title",
        "must be at most 300 characters (the column holds no more)",
    ),
    "a group name longer than its column": (
        "grouped",
        "- name: C\n",
        f"- name: {'C' * 101}\n",
        f"- name: {'C' * 101}",
        "qualifications[0].rules.groups[2].name",
        "must be at most 100 characters (the column holds no more)",
    ),
    "a criterion code longer than its column": (
        "grouped",
        '- number: "1.2"\n            text: Explain A1.',
        '- number: "1.1234567890"\n            text: Explain A1.',
        'number: "1.1234567890"',
        "units[0].outcomes[0].criteria[1].number",
        "must be at most 10 characters (the column holds no more); got '1.1234567890'",
    ),
}

UNKNOWN_SHAPES = ["X1", "1.0", "0.1", "1.1A", "P0", "PM1", "1", "1.1.1", "K"]


@pytest.mark.parametrize(
    ("base", "old", "new", "fragment", "where", "message"), CASES.values(), ids=CASES
)
def test_each_refusal_names_file_line_and_reason_and_writes_nothing(
    base: str,
    old: str,
    new: str,
    fragment: str,
    where: str,
    message: str,
    catalogue: None,
    tmp_path: Path,
) -> None:
    text = edited(BASES[base], old, new)
    path = write(tmp_path, "bad.yaml", text)
    before = snapshot()
    assert refused(path) == [f"{path}: line {line_of(text, fragment)}, {where}: {message}"]
    assert snapshot() == before


@pytest.mark.parametrize("code", UNKNOWN_SHAPES)
def test_a_criterion_code_of_no_known_shape_is_refused(
    code: str, catalogue: None, tmp_path: Path
) -> None:
    text = edited(GROUPED, "- number: M1\n", f'- number: "{code}"\n')
    path = write(tmp_path, "bad.yaml", text)
    before = snapshot()
    assert refused(path) == [
        f"{path}: line {line_of(text, f'number: "{code}"')}, "
        "units[0].outcomes[1].criteria[1].number: "
        'must look like "1.1" or "1.1a" (outcome number, dot, position), "P1", "M1" or "D1" '
        f'(graded units) or "K1", "S1" or "B1" (standards); got {code!r}'
    ]
    assert snapshot() == before


def test_every_problem_of_a_file_is_listed_not_just_the_first(tmp_path: Path) -> None:
    text = edited(GROUPED, "ofqual_number: 500/2911/3", "ofqual_number: 5002911")
    text = edited(text, "ofqual_reference: H/503/5729", "ofqual_reference: H5035729")
    path = write(tmp_path, "bad.yaml", text)
    lines = refused(path)
    assert [line.split(": ")[1] for line in lines] == [
        f"line {line_of(text, '5002911')}, qualifications[0].ofqual_number",
        f"line {line_of(text, 'H5035729')}, units[0].ofqual_reference",
    ]
    assert all(rows == [] for rows in snapshot().values())


# Rewording a criterion that evidence has been accepted against --------------------------------

VERSION_2 = textwrap.dedent(
    """\
    units:
      - reference: U-ONE
        version: 2
        title: Unit one
        level: 2
        credits: 3
        outcomes:
          - number: 1
            text: Know one.
            criteria:
              - number: "1.1"
                text: Describe it in other words.
    """
)


@pytest.fixture
def accepted(tmp_path: Path, amy: User, asha: User) -> AssessmentCriterion:
    """TAB-CERT loaded, with Amy's evidence accepted by Asha against U-ONE 1.1."""
    load(write(tmp_path, "flat.yaml", FLAT))
    found = AssessmentCriterion.objects.get(unit__reference="U-ONE", number="1.1")
    MappingFactory(
        criterion=found,
        evidence__portfolio__learner=amy,
        evidence__portfolio__assessor=asha,
        evidence__portfolio__qualification=Qualification.objects.get(reference="TAB-CERT"),
        accepted=True,
    )
    return found


def test_rewording_accepted_criterion_in_place_is_refused(
    accepted: AssessmentCriterion, tmp_path: Path
) -> None:
    text = edited(
        FLAT,
        'criteria: [{number: "1.1", text: Describe.}]}]\n  - reference: U-TWO',
        'criteria: [{number: "1.1", text: Describe it.}]}]\n  - reference: U-TWO',
    )
    path = write(tmp_path, "flat.yaml", text)
    before = snapshot()
    assert refused(path) == [
        f"{path}: line {line_of(text, 'Describe it.')}, units[0].outcomes[0].criteria[0].text: "
        "criterion 1.1 of unit U-ONE rewords 1.1 of this version, which 1 accepted mapping(s) "
        "rest on; add `reworded: true` if it still asks the same, or give it a new number if "
        "it asks something new"
    ]
    assert snapshot() == before


def test_rewording_accepted_criterion_in_a_new_version_is_refused(
    accepted: AssessmentCriterion, tmp_path: Path
) -> None:
    path = write(tmp_path, "v2.yaml", VERSION_2)
    before = snapshot()
    assert refused(path) == [
        f"{path}: line {line_of(VERSION_2, 'Describe it in')}, "
        "units[0].outcomes[0].criteria[0].text: criterion 1.1 of unit U-ONE rewords 1.1 of "
        "version 1, which 1 accepted mapping(s) rest on; add `reworded: true` if it still asks "
        "the same, or give it a new number if it asks something new"
    ]
    assert snapshot() == before


def test_a_new_version_renumbering_an_accepted_criterion_with_was_is_checked_against_it(
    accepted: AssessmentCriterion, tmp_path: Path
) -> None:
    text = edited(VERSION_2, '- number: "1.1"\n', '- number: "1.2"\n            was: "1.1"\n')
    path = write(tmp_path, "v2.yaml", text)
    [line] = refused(path)
    assert "criterion 1.2 of unit U-ONE rewords 1.1 of version 1, which 1 accepted" in line


def test_rewording_in_place_a_renumbered_criterion_with_accepted_evidence_is_refused(
    amy: User, asha: User, tmp_path: Path
) -> None:
    """`was` names the previous version's number; within its own version the criterion is
    still matched by its own number, so its accepted evidence is protected there too."""
    load(write(tmp_path, "flat.yaml", FLAT))
    renumbered = edited(VERSION_2, '- number: "1.1"\n', '- number: "1.2"\n            was: "1.1"\n')
    renumbered = edited(renumbered, "Describe it in other words.", "Describe.")
    load(write(tmp_path, "v2.yaml", renumbered))
    MappingFactory(
        criterion=AssessmentCriterion.objects.get(unit__reference="U-ONE", unit__version="2"),
        evidence__portfolio__learner=amy,
        evidence__portfolio__assessor=asha,
        evidence__portfolio__qualification=Qualification.objects.get(reference="TAB-CERT"),
        accepted=True,
    )
    path = write(tmp_path, "v2.yaml", edited(renumbered, "text: Describe.", "text: List."))
    before = snapshot()
    [line] = refused(path)
    assert "criterion 1.2 of unit U-ONE rewords 1.2 of this version, which 1 accepted" in line
    assert snapshot() == before


def test_reworded_true_lets_a_new_version_reword_an_accepted_criterion(
    accepted: AssessmentCriterion, tmp_path: Path
) -> None:
    text = edited(
        VERSION_2,
        "text: Describe it in other words.\n",
        "text: Describe it in other words.\n            reworded: true\n",
    )
    load(write(tmp_path, "v2.yaml", text))
    new = AssessmentCriterion.objects.get(unit__reference="U-ONE", unit__version="2")
    assert new.reworded and new.text == "Describe it in other words."
    assert AssessmentCriterion.objects.get(pk=accepted.pk).text == "Describe."


def test_reworded_true_lets_an_accepted_criterion_be_corrected_in_place(
    accepted: AssessmentCriterion, tmp_path: Path
) -> None:
    text = edited(
        FLAT,
        'criteria: [{number: "1.1", text: Describe.}]}]\n  - reference: U-TWO',
        'criteria: [{number: "1.1", text: Describe it., reworded: true}]}]\n  - reference: U-TWO',
    )
    load(write(tmp_path, "flat.yaml", text))
    after = AssessmentCriterion.objects.get(pk=accepted.pk)
    assert after.text == "Describe it."


def test_rewording_a_criterion_whose_evidence_is_not_accepted_needs_no_flag(
    tmp_path: Path,
) -> None:
    load(write(tmp_path, "flat.yaml", FLAT))
    MappingFactory(
        criterion=AssessmentCriterion.objects.get(unit__reference="U-ONE", number="1.1"),
        evidence__portfolio__qualification=Qualification.objects.get(reference="TAB-CERT"),
        submitted=True,
    )
    load(write(tmp_path, "v2.yaml", VERSION_2))
    assert Unit.objects.get(reference="U-ONE", is_current=True).version == "2"


# The documented format loads as documented ---------------------------------------------------


def worked_example() -> str:
    """The YAML of docs/qualification-format.md's "A complete worked example"."""
    section = DOCS.read_text(encoding="utf-8").split("## A complete worked example", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match, "the worked example has no YAML block"
    return match.group(1)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return write(tmp_path, "warehouse.yaml", worked_example())


def test_the_documented_worked_example_loads_with_manage_py_load_qualifications(
    warehouse: Path,
) -> None:
    out = load(warehouse)
    assert "Checked 1 file(s)." in out
    assert "  qualifications: created 1" in out.splitlines()
    assert "  units: created 6" in out.splitlines()
    assert "  rule groups: created 4" in out.splitlines()
    assert "  barred combinations: created 1" in out.splitlines()


def test_the_worked_example_writes_nested_groups_with_their_limits(warehouse: Path) -> None:
    load(warehouse)
    qualification = Qualification.objects.get(reference="EX-L2-WAREHOUSE-CERT")
    groups = {
        group.name: (
            group.parent.name if group.parent else None,
            group.min_credits,
            group.max_credits,
            group.min_units,
            group.max_units,
        )
        for group in qualification.rule_groups.select_related("parent")
    }
    assert groups == {
        "Mandatory": (None, None, None, 2, None),
        "Optional": (None, 7, None, None, None),
        "Handling": ("Optional", None, 4, None, None),
        "Stock": ("Optional", None, None, None, None),
    }
    assert list(qualification.rule_groups.values_list("name", flat=True)) == [
        "Mandatory",
        "Optional",
        "Handling",
        "Stock",
    ]
    assert (qualification.min_credits, qualification.credits) == (14, 14)
    assert (qualification.level_rule_level, qualification.level_rule_credits) == ("2", 11)
    assert (qualification.ofqual_number, qualification.guided_learning_hours) == ("000/0000/1", 100)
    assert qualification.total_qualification_time == 140
    assert qualification.is_illustrative
    assert qualification.source_text == (
        "Example Warehouse Operations Certificate specification, issue 1, 1 September 2024"
    )


def test_the_worked_example_computes_mandatory_units_and_their_groups(warehouse: Path) -> None:
    load(warehouse)
    links = QualificationUnit.objects.filter(
        qualification__reference="EX-L2-WAREHOUSE-CERT"
    ).order_by("position")
    assert [(link.unit.reference, link.group.name, link.mandatory) for link in links] == [
        ("EX-WH-01", "Mandatory", True),
        ("EX-WH-02", "Mandatory", True),
        ("EX-WH-03", "Handling", False),
        ("EX-WH-04", "Handling", False),
        # In the optional group, but every valid choice needs it.
        ("EX-WH-05", "Stock", True),
        ("EX-WH-06", "Stock", False),
    ]
    [pair] = BarredCombination.objects.filter(qualification__reference="EX-L2-WAREHOUSE-CERT")
    assert (pair.first.reference, pair.second.reference) == ("EX-WH-03", "EX-WH-06")


def test_the_worked_example_writes_grades_ranges_kinds_and_unit_details(warehouse: Path) -> None:
    load(warehouse)
    graded = AssessmentCriterion.objects.filter(unit__reference="EX-WH-05")
    assert dict(graded.values_list("number", "grade")) == {
        "P1": "pass",
        "M1": "merit",
        "D1": "distinction",
        "P2": "pass",
    }
    first = AssessmentCriterion.objects.get(unit__reference="EX-WH-01", number="1.1")
    assert first.range == "Vehicles: forklift trucks, pallet trucks, delivery lorries."
    assert first.grade == ""
    kinds = LearningOutcome.objects.filter(unit__reference="EX-WH-01").values_list("number", "kind")
    assert list(kinds) == [(1, "knowledge"), (2, "skills")]
    unit = Unit.objects.get(reference="EX-WH-01")
    assert (unit.ofqual_reference, unit.unit_number, unit.credits, unit.level) == (
        "A/000/0101",
        "W201",
        3,
        "2",
    )
    assert unit.assessment_requirement_lines == [
        "Learning outcome 2 must be assessed in the workplace."
    ]
    assert unit.aim.startswith("The learner works safely")


def test_reloading_the_worked_example_changes_nothing(warehouse: Path) -> None:
    load(warehouse)
    before = snapshot()
    out = load(warehouse)
    assert "Nothing changed: the catalogue already matches the fixtures." in out
    assert snapshot() == before


def test_a_dry_run_of_the_worked_example_writes_nothing(warehouse: Path) -> None:
    out = load(warehouse, dry_run=True)
    assert "  rule groups: created 4" in out.splitlines()
    assert "Dry run: nothing was written." in out
    assert all(rows == [] for rows in snapshot().values())


def test_the_grouped_base_marks_the_unit_every_choice_needs_mandatory(tmp_path: Path) -> None:
    load(write(tmp_path, "grouped.yaml", GROUPED))
    mandatory = QualificationUnit.objects.filter(qualification__reference="TAB-DIP", mandatory=True)
    assert sorted(mandatory.values_list("unit__reference", flat=True)) == ["U-A1", "U-B2"]
    group = RuleGroup.objects.get(name="B-inner")
    assert (group.parent.name, group.max_credits) == ("B", 6)


# Versions ------------------------------------------------------------------------------------

QUALIFICATION_2 = textwrap.dedent(
    """\
    qualifications:
      - reference: TAB-CERT
        version: 2
        awarding_body: TAB
        title: Test Certificate
        level: 2
        framework: QCF
        credits: 5
        units: [U-ONE, U-TWO]
    units:
      - reference: U-ONE
        version: 2
        title: Unit one, revised
        level: 2
        credits: 3
        outcomes: [{number: 1, text: Know one., criteria: [{number: "1.1", text: Describe.}]}]
    """
)


def units_linked(reference: str, version: str) -> dict[str, str]:
    links = QualificationUnit.objects.filter(
        qualification__reference=reference, qualification__version=version
    )
    return dict(links.values_list("unit__reference", "unit__version"))


def test_a_new_version_creates_rows_beside_the_old_ones_and_becomes_current(
    tmp_path: Path,
) -> None:
    load(write(tmp_path, "flat.yaml", FLAT))
    old_qualification = Qualification.objects.get(reference="TAB-CERT")
    old_unit = Unit.objects.get(reference="U-ONE")
    old_criterion = AssessmentCriterion.objects.get(unit=old_unit)
    load(write(tmp_path, "v2.yaml", QUALIFICATION_2))

    versions = Qualification.objects.filter(reference="TAB-CERT").order_by("sequence")
    assert list(versions.values_list("version", "sequence", "is_current")) == [
        ("1", 1, False),
        ("2", 2, True),
    ]
    units = Unit.objects.filter(reference="U-ONE").order_by("sequence")
    assert list(units.values_list("version", "title", "is_current")) == [
        ("1", "Unit one", False),
        ("2", "Unit one, revised", True),
    ]
    assert Qualification.objects.get(pk=old_qualification.pk).version == "1"
    assert AssessmentCriterion.objects.get(pk=old_criterion.pk).unit_id == old_unit.pk
    assert AssessmentCriterion.objects.filter(unit__reference="U-ONE").count() == 2
    assert units_linked("TAB-CERT", "2") == {"U-ONE": "2", "U-TWO": "1"}


def test_an_existing_qualification_version_keeps_the_unit_versions_it_links(
    tmp_path: Path,
) -> None:
    flat = write(tmp_path, "flat.yaml", FLAT)
    load(flat)
    load(write(tmp_path, "v2.yaml", QUALIFICATION_2))
    qualification_only = FLAT[: FLAT.index("units:\n  - reference: U-ONE")]
    load(write(tmp_path, "q1.yaml", qualification_only))
    assert units_linked("TAB-CERT", "1") == {"U-ONE": "1", "U-TWO": "1"}
    assert Qualification.objects.get(reference="TAB-CERT", is_current=True).version == "2"


def test_an_existing_qualification_version_is_checked_against_the_units_it_links(
    tmp_path: Path,
) -> None:
    """Reloading version 1 is judged on U-ONE version 1 (3 credits), which it keeps, not on
    the current version 2 (4 credits)."""
    load(write(tmp_path, "flat.yaml", FLAT))
    four_credits = edited(QUALIFICATION_2, "credits: 3", "credits: 4")
    load(write(tmp_path, "v2.yaml", edited(four_credits, "credits: 5", "credits: 6")))
    qualification_only = FLAT[: FLAT.index("units:\n  - reference: U-ONE")]
    out = load(write(tmp_path, "q1.yaml", qualification_only))
    assert "Nothing changed" in out
    assert units_linked("TAB-CERT", "1") == {"U-ONE": "1", "U-TWO": "1"}


def test_reloading_both_versions_changes_nothing(tmp_path: Path) -> None:
    paths = write(tmp_path, "flat.yaml", FLAT), write(tmp_path, "v2.yaml", QUALIFICATION_2)
    load(*paths)
    before = snapshot()
    assert "Nothing changed" in load(*paths)
    assert snapshot() == before


def test_a_dry_run_of_a_new_version_writes_nothing(tmp_path: Path) -> None:
    load(write(tmp_path, "flat.yaml", FLAT))
    before = snapshot()
    out = load(write(tmp_path, "v2.yaml", QUALIFICATION_2), dry_run=True)
    assert "  qualifications: created 1" in out.splitlines()
    assert "  units: created 1" in out.splitlines()
    assert snapshot() == before
    assert Qualification.objects.get(reference="TAB-CERT").is_current


def test_the_example_diploma_versions_link_the_unit_versions_they_were_written_with(
    catalogue: None,
) -> None:
    version_1 = units_linked("EX-L3-RETAIL-DIP", "1")
    version_2 = units_linked("EX-L3-RETAIL-DIP", "2")
    assert version_1["EX-RET-A2"] == "1"
    assert version_2["EX-RET-A2"] == "2"
    assert {ref: v for ref, v in version_2.items() if ref != "EX-RET-A2"} == {
        ref: "1" for ref in version_1 if ref != "EX-RET-A2"
    }
