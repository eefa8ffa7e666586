"""load_qualifications validates every fixture file first, then upserts by natural key."""

from __future__ import annotations

import io
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from portfolio.models import Mapping
from qualifications.models import (
    AssessmentCriterion,
    AwardingBody,
    GuidanceItem,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    Unit,
)
from tests.factories import MappingFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "qualifications"
MODELS = (
    AwardingBody,
    Qualification,
    QualificationUnit,
    Unit,
    LearningOutcome,
    AssessmentCriterion,
    GuidanceItem,
    Mapping,
)

MINIMAL = textwrap.dedent(
    """\
    awarding_bodies:
      - code: TAB
        name: Test Awarding Body
    qualifications:
      - reference: TAB-Q1
        awarding_body: TAB
        title: Test Qualification
        level: 2
        framework: RQF
        units: [U-ONE]
    units:
      - reference: U-ONE
        title: Unit one
        level: 2
        outcomes:
          - number: 1
            text: Know things.
            criteria:
              - number: "1.1"
                text: Describe a thing.
              - number: "1.2"
                text: Explain a thing.
          - number: 2
            text: Do things.
            criteria:
              - number: "2.1"
                text: Do a thing.
    """
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def edited(text: str, old: str, new: str) -> str:
    assert old in text, f"{old!r} is not in the document"
    return text.replace(old, new, 1)


def line_of(text: str, fragment: str) -> int:
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


def criterion(number: str, unit: str = "U-ONE") -> AssessmentCriterion:
    return AssessmentCriterion.objects.get(unit__reference=unit, number=number)


# Loading and reloading ---------------------------------------------------------------------


def test_the_real_fixtures_load_by_default_and_stdout_lists_what_was_created() -> None:
    out = load()
    files = sorted(FIXTURES.glob("*.yaml"))
    # Three seed qualifications and the invented example in two versions; three seed units,
    # the example's eleven and the second version of EX-RET-A2.
    assert Qualification.objects.count() == 5
    assert Unit.objects.count() == 15
    assert Unit.objects.filter(reference="EX-RET-A2").count() == 2
    assert f"Checked {len(files)} file(s)." in out
    assert "  qualifications: created 5" in out.splitlines()
    assert "  units: created 15" in out.splitlines()
    assert out.rstrip().endswith("Catalogue loaded.")


def test_second_run_reports_nothing_changed_and_keeps_every_row(catalogue: None) -> None:
    before = snapshot()
    out = load()
    assert "Nothing changed: the catalogue already matches the fixtures." in out
    assert snapshot() == before


def test_edited_criterion_text_updates_the_same_row_in_place(
    catalogue: None, tmp_path: Path
) -> None:
    copy = Path(shutil.copytree(FIXTURES, tmp_path / "fixtures"))
    path = copy / "unit-plan-deliver-and-review-reliable-customer-service.yaml"
    path.write_text(
        edited(path.read_text(), "producing a documented customer", "producing a written customer")
    )
    before = criterion("1.1", unit="RS-PDR")
    count = AssessmentCriterion.objects.count()
    out = load(copy)
    after = criterion("1.1", unit="RS-PDR")
    assert after.pk == before.pk
    assert "producing a written customer" in after.text
    assert out.splitlines()[1:3] == ["Changed:", "  assessment criteria: updated 1"]
    assert AssessmentCriterion.objects.count() == count


def test_dry_run_reports_what_would_change_and_writes_nothing(tmp_path: Path) -> None:
    out = load(write(tmp_path, "a.yaml", MINIMAL), dry_run=True)
    assert "Would change:" in out
    assert "  assessment criteria: created 3" in out.splitlines()
    assert "Dry run: nothing was written." in out
    assert all(rows == [] for rows in snapshot().values())


def test_dry_run_of_an_edit_leaves_the_old_text_in_place(tmp_path: Path) -> None:
    load(write(tmp_path, "a.yaml", MINIMAL))
    before = snapshot()
    out = load(write(tmp_path, "a.yaml", edited(MINIMAL, "Do a thing.", "Do it.")), dry_run=True)
    assert "  assessment criteria: updated 1" in out.splitlines()
    assert snapshot() == before


# Invalid input: one exact `file: location: message` line, and nothing written -------------

# name: (old text, new text, fragment on the reported line, rest of the location, message)
CASES = {
    "bad indentation": (
        "    title: Unit one\n",
        "     title: Unit one\n",
        "title: Unit one",
        ", column 11",
        "malformed YAML: mapping values are not allowed here",
    ),
    "duplicate key": (
        "    level: 2\n    outcomes:",
        "    level: 2\n    level: 3\n    outcomes:",
        "level: 3",
        ", column 5",
        "malformed YAML: the key 'level' appears twice in one mapping",
    ),
    "missing field": (
        "    title: Unit one\n",
        "",
        "- reference: U-ONE",
        ", units[0].title",
        "required field is missing",
    ),
    "empty string": (
        "title: Unit one",
        'title: ""',
        'title: ""',
        ", units[0].title",
        "must not be empty",
    ),
    "unquoted criterion number": (
        '- number: "1.2"',
        "- number: 1.10",
        "number: 1.10",
        ", units[0].outcomes[0].criteria[1].number",
        'must be a quoted string such as "1.10" (unquoted, YAML reads 1.10 as the number 1.1)',
    ),
    "duplicate criterion": (
        '- number: "1.2"',
        '- number: "1.1"',
        'number: "1.1"\n            text: Explain',
        ", units[0].outcomes[0].criteria[1].number",
        "criterion 1.1 appears twice in unit U-ONE "
        "(first at line 19, units[0].outcomes[0].criteria[0].number)",
    ),
    "duplicate outcome": (
        '- number: 2\n        text: Do things.\n        criteria:\n          - number: "2.1"',
        '- number: 1\n        text: Do things.\n        criteria:\n          - number: "1.3"',
        "number: 1\n        text: Do things.",
        ", units[0].outcomes[1].number",
        "outcome 1 appears twice in unit U-ONE",
    ),
    "criterion under the wrong outcome": (
        '- number: "1.2"',
        '- number: "2.2"',
        'number: "2.2"',
        ", units[0].outcomes[0].criteria[1].number",
        "criterion 2.2 is listed under outcome 1; number it 1.n or move it to outcome 2",
    ),
    "unknown unit": (
        "units: [U-ONE]",
        "units: [U-ONE, U-NONE]",
        "units: [U-ONE, U-NONE]",
        ", qualifications[0].units[1]",
        "unknown unit 'U-NONE': define it under units or load the file that does",
    ),
    "unknown awarding body": (
        "awarding_body: TAB",
        "awarding_body: NOPE",
        "awarding_body: NOPE",
        ", qualifications[0].awarding_body",
        "unknown awarding body 'NOPE': define it under awarding_bodies or load the file that does",
    ),
}


@pytest.mark.parametrize(("old", "new", "fragment", "where", "message"), CASES.values(), ids=CASES)
def test_an_invalid_file_is_reported_by_line_and_nothing_is_written(
    old: str, new: str, fragment: str, where: str, message: str, catalogue: None, tmp_path: Path
) -> None:
    text = edited(MINIMAL, old, new)
    path = write(tmp_path, "bad.yaml", text)
    before = snapshot()
    assert refused(path) == [f"{path}: line {line_of(text, fragment)}{where}: {message}"]
    assert snapshot() == before


def test_a_misspelt_field_is_reported_as_unknown_and_the_real_one_as_missing(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "bad.yaml", edited(MINIMAL, "title: Unit one", "titel: Unit one"))
    assert refused(path) == [
        f"{path}: line 12, units[0].title: required field is missing",
        f"{path}: line 13, units[0].titel: unknown field "
        "(check its spelling against the README's fixture format)",
    ]


def test_an_unclosed_bracket_is_reported_as_malformed_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", edited(MINIMAL, "units: [U-ONE]", "units: [U-ONE"))
    [line] = refused(path)
    assert line.startswith(f"{path}: line ")
    assert "malformed YAML: while parsing a flow sequence expected ',' or ']'" in line
    assert line.endswith("(the construct began at line 10)")


def test_a_sequence_used_as_a_key_is_reported_as_malformed_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "units:\n  - {[a]: 1}\n")
    [line] = refused(path)
    assert line.startswith(f"{path}: line 2, column 6: malformed YAML")


def test_a_missing_path_is_reported_and_nothing_is_written(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    assert refused(missing) == [f"{missing}: file: no such file or directory"]
    assert all(rows == [] for rows in snapshot().values())


def test_the_same_unit_in_two_files_is_reported_at_the_second(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", MINIMAL)
    unit_only = MINIMAL[MINIMAL.index("units:\n  - reference: U-ONE") :]
    second = write(tmp_path, "b.yaml", unit_only)
    assert refused(first, second) == [
        f"{second}: line 2, units[0].reference: unit U-ONE version 1 is defined "
        "twice "
        f"(also at {first} line 12, units[0].reference)"
    ]
    assert all(rows == [] for rows in snapshot().values())


def test_a_valid_file_is_not_written_when_another_file_in_the_run_is_invalid(
    tmp_path: Path,
) -> None:
    valid = write(tmp_path, "a.yaml", MINIMAL)
    invalid = write(tmp_path, "b.yaml", "units:\n  - reference: U-TWO\n")
    assert len(refused(valid, invalid)) == 3  # title, level, outcomes
    assert all(rows == [] for rows in snapshot().values())


# Criteria that other records refer to ------------------------------------------------------


@pytest.fixture
def referenced(tmp_path: Path) -> AssessmentCriterion:
    """U-ONE loaded, with a learner's evidence mapped to criterion 1.2."""
    load(write(tmp_path, "a.yaml", MINIMAL))
    MappingFactory(
        criterion=criterion("1.2"),
        evidence__portfolio__qualification=Qualification.objects.get(reference="TAB-Q1"),
    )
    return criterion("1.2")


def test_deleting_a_referenced_criterion_is_refused_and_nothing_changes(
    referenced: AssessmentCriterion, tmp_path: Path
) -> None:
    text = edited(MINIMAL, '          - number: "1.2"\n            text: Explain a thing.\n', "")
    text = edited(text, "Describe a thing.", "Describe a thing well.")
    path = write(tmp_path, "a.yaml", text)
    before = snapshot()
    assert refused(path) == [
        f"{path}: line {line_of(text, 'outcomes:')}, units[0].outcomes: criterion 1.2 of unit "
        "U-ONE would be deleted, but 1 record(s) refer to it; keep it as 1.2 (edit its text in "
        "place if it needs correcting), or publish the change as a new version"
    ]
    assert snapshot() == before


def test_renumbering_a_referenced_criterion_is_refused(
    referenced: AssessmentCriterion, tmp_path: Path
) -> None:
    path = write(tmp_path, "a.yaml", edited(MINIMAL, '"1.2"', '"1.3"'))
    before = snapshot()
    [line] = refused(path)
    assert "criterion 1.2 of unit U-ONE would be renumbered to 1.3, but 1 record(s) refer" in line
    assert snapshot() == before


def test_editing_a_referenced_criterion_text_in_place_is_allowed(
    referenced: AssessmentCriterion, tmp_path: Path
) -> None:
    load(write(tmp_path, "a.yaml", edited(MINIMAL, "Explain a thing.", "Explain a thing fully.")))
    assert criterion("1.2").pk == referenced.pk
    assert criterion("1.2").text == "Explain a thing fully."


def test_deleting_an_unreferenced_criterion_is_allowed_and_reported(
    referenced: AssessmentCriterion, tmp_path: Path
) -> None:
    text = edited(MINIMAL, '          - number: "1.1"\n            text: Describe a thing.\n', "")
    out = load(write(tmp_path, "a.yaml", text))
    assert "  assessment criteria: deleted 1" in out.splitlines()
    assert sorted(AssessmentCriterion.objects.values_list("number", flat=True)) == ["1.2", "2.1"]


def test_inserting_a_criterion_before_a_referenced_one_is_refused(
    referenced: AssessmentCriterion, tmp_path: Path
) -> None:
    text = edited(
        MINIMAL,
        '- number: "1.2"\n            text: Explain a thing.',
        '- number: "1.2"\n            text: List things.\n'
        '          - number: "1.3"\n            text: Explain a thing.',
    )
    path = write(tmp_path, "a.yaml", text)
    before = snapshot()
    # Today the load succeeds and the referenced row (still 1.2) now reads "List things.".
    with pytest.raises(CommandError):
        load(path)
    assert snapshot() == before


def test_changing_the_case_of_an_awarding_body_code_updates_the_existing_body(
    tmp_path: Path,
) -> None:
    load(write(tmp_path, "a.yaml", MINIMAL))
    load(write(tmp_path, "a.yaml", MINIMAL.replace("TAB", "tab")))
    assert AwardingBody.objects.count() == 1


# A qualification's units -------------------------------------------------------------------


def units_of(reference: str) -> list[tuple[str, int]]:
    links = QualificationUnit.objects.filter(qualification__reference=reference)
    return list(links.order_by("position").values_list("unit__reference", "position"))


def test_reordering_a_qualifications_units_changes_their_positions(
    catalogue: None, tmp_path: Path
) -> None:
    path = tmp_path / "qualifications.yaml"
    text = (FIXTURES / "qualifications.yaml").read_text()
    path.write_text(edited(text, "units: [RS-WWO, RS-PDR]", "units: [RS-PDR, RS-WWO]"))
    assert units_of("OCR-L3-RSSP-CERT") == [("RS-WWO", 1), ("RS-PDR", 2)]
    out = load(path)
    assert units_of("OCR-L3-RSSP-CERT") == [("RS-PDR", 1), ("RS-WWO", 2)]
    assert "  qualification units: updated 2" in out.splitlines()


def test_removing_a_unit_from_a_qualification_removes_only_the_link(
    catalogue: None, tmp_path: Path
) -> None:
    path = tmp_path / "qualifications.yaml"
    text = (FIXTURES / "qualifications.yaml").read_text()
    path.write_text(edited(text, "units: [RS-WWO, RS-PDR]", "units: [RS-WWO]"))
    out = load(path)
    assert units_of("OCR-L3-RSSP-CERT") == [("RS-WWO", 1)]
    assert Unit.objects.filter(reference="RS-PDR").exists()
    assert "  qualification units: deleted 1" in out.splitlines()
