"""Characters that reorder text (U+202E and its kin) never reach the database from anything a
person types: every free-text field of every form, and the CSV intake."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from accounts.models import Centre, User
from accounts.text import FreeTextField, without_bidi_controls
from assessment.forms import DecisionsForm, IqaReviewForm, ReasonForm
from enrolment.forms import CohortForm, EnrolForm
from enrolment.intake_file import parse_intake_text
from portfolio import services
from portfolio.forms import CommentaryForm, EvidenceForm, MappingCommentaryForm
from portfolio.models import Evidence, Portfolio
from qualifications.models import AssessmentCriterion
from tests.files import jpeg_upload

pytestmark = pytest.mark.django_db

HOSTILE = "Checked the till\u202e gnicnalab \u2066and\u2069 the safe\u202c."
WITHOUT = "Checked the till gnicnalab and the safe."

FormMaker = Callable[[pytest.FixtureRequest], forms.Form]


def decisions_form(request: pytest.FixtureRequest) -> forms.Form:
    amy, evidence = request.getfixturevalue("amy"), request.getfixturevalue("evidence")
    [mapping] = services.mappings_create(
        actor=amy,
        evidence=evidence,
        commentaries={request.getfixturevalue("wwo_1_1"): "My commentary."},
        submit=True,
    )
    return DecisionsForm(mappings=[mapping])


FORMS: list[tuple[str, FormMaker, list[str]]] = [
    ("evidence", lambda request: EvidenceForm(), ["title", "description"]),
    (
        "commentaries",
        lambda request: CommentaryForm(criteria=[request.getfixturevalue("wwo_1_1")]),
        ["commentary-*"],
    ),
    ("commentary", lambda request: MappingCommentaryForm(), ["commentary"]),
    # Feedback per mapping, and a note on each of the five VACSR criteria.
    ("decisions", decisions_form, ["feedback-*", *["vacsr-*"] * 5]),
    ("reopen", lambda request: ReasonForm(), ["reason"]),
    ("iqa-review", lambda request: IqaReviewForm(), ["feedback"]),
    (
        "cohort",
        lambda request: CohortForm(centre_id=request.getfixturevalue("centre").pk),
        ["name"],
    ),
    (
        "enrol",
        lambda request: EnrolForm(centre_id=request.getfixturevalue("centre").pk),
        ["full_name", "uln", "registration_number"],
    ),
]


def free_text_fields(form: forms.Form) -> dict[str, forms.Field]:
    """Every field a person types words into: text boxes, not choices, dates or hidden values."""
    return {
        name: field
        for name, field in form.fields.items()
        if type(field) in (forms.CharField, FreeTextField)
        and not isinstance(field.widget, forms.HiddenInput)
    }


@pytest.mark.parametrize(
    ("make", "expected"), [pytest.param(make, names, id=key) for key, make, names in FORMS]
)
def test_every_free_text_field_removes_bidi_controls(
    request: pytest.FixtureRequest, make: FormMaker, expected: list[str]
) -> None:
    form = make(request)
    fields = free_text_fields(form)

    # A new free-text box added as a plain CharField fails here until it is a FreeTextField.
    assert sorted(name.split("-")[0] for name in fields) == sorted(
        name.removesuffix("-*") for name in expected
    )
    for field in fields.values():
        assert field.clean(HOSTILE) == WITHOUT


def test_evidence_typed_with_an_override_is_stored_without_it(
    as_amy: Client, amy_portfolio: Portfolio
) -> None:
    as_amy.post(
        reverse("portfolio:evidence_create", args=[amy_portfolio.pk]),
        {
            "type": "product",
            "title": "Till \u202echeck",
            "activity_date": "2025-10-14",
            "description": HOSTILE,
            "files": [jpeg_upload()],
        },
    )

    evidence = Evidence.objects.get(portfolio=amy_portfolio)
    assert (evidence.title, evidence.description) == ("Till check", WITHOUT)


def test_a_commentary_typed_with_an_override_is_stored_without_it(
    as_amy: Client, amy: User, evidence: Evidence, wwo_1_1: AssessmentCriterion
) -> None:
    [mapping] = services.mappings_create(
        actor=amy, evidence=evidence, commentaries={wwo_1_1: "First go."}
    )

    as_amy.post(reverse("portfolio:mapping_edit", args=[mapping.pk]), {"commentary": HOSTILE})

    mapping.refresh_from_db()
    assert mapping.commentary == WITHOUT


def test_names_in_a_csv_intake_lose_their_overrides(centre: Centre) -> None:
    parsed = parse_intake_text(
        "name,email,qualification reference,cohort,assessor email,start,planned end\r\n"
        "Amy \u202eArcher,amy@example.org,X,Sept \u2067A\u2069,asha@example.org,2026-09-01,"
        "2027-07-01\r\n"
    )

    [row] = parsed.rows
    assert (row.cells["name"], row.cells["cohort"]) == ("Amy Archer", "Sept A")


def test_the_rule_keeps_the_marks_right_to_left_writers_use() -> None:
    assert without_bidi_controls("\u05e9\u05dc\u05d5\u05dd\u200f (Shalom)") == (
        "\u05e9\u05dc\u05d5\u05dd\u200f (Shalom)"
    )
