"""The records an external quality assurer looks for: a learner's ULN (ten digits, once per
centre), their registration number, and the portfolio's designated IQA, set by the centre
administrator on the reassign page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Centre, Membership, Role, User
from enrolment import services as enrolment
from enrolment.services import EnrolmentRefused
from portfolio.models import AuditEntry, Portfolio
from tests.factories import UserFactory
from tests.pages import text_of

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reassign(ada: User, portfolio: Portfolio, **records: object) -> Portfolio:
    return enrolment.portfolio_reassign(
        actor=ada,
        portfolio=portfolio,
        assessor=portfolio.assessor,
        tutor=portfolio.tutor,
        **records,
    )


# The database --------------------------------------------------------------------------------


@pytest.mark.parametrize("uln", ["123456789", "12345678901", "12345abcde", "١٢٣٤٥٦٧٨٩٠"])
def test_the_database_refuses_a_uln_that_is_not_ten_digits(amy: User, uln: str) -> None:
    amy.uln = uln
    # Eleven digits overflow the column (PostgreSQL says so with a DataError); the rest break
    # the check.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        amy.save(update_fields=["uln"])


def test_the_database_refuses_one_uln_for_two_people_at_a_centre_but_not_at_two(
    amy: User, ben: User, oscar: User
) -> None:
    User.objects.filter(pk=amy.pk).update(uln="1234567890")
    User.objects.filter(pk=oscar.pk).update(uln="1234567890")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=ben.pk).update(uln="1234567890")
    # Any number of learners may have no ULN yet.
    assert User.objects.filter(uln="").count() >= 1


def test_the_model_explains_the_uln_shape(amy: User) -> None:
    amy.uln = "12345"
    with pytest.raises(ValidationError, match="exactly ten digits"):
        amy.full_clean()


def test_the_designated_iqa_must_be_an_iqa_at_the_centre(
    amy_portfolio: Portfolio, asha: User, iris: User
) -> None:
    amy_portfolio.iqa = asha
    with pytest.raises(ValidationError, match="is not an internal quality assurer at this centre"):
        amy_portfolio.clean()
    amy_portfolio.iqa = iris
    amy_portfolio.clean()


# The service ---------------------------------------------------------------------------------


def test_the_administrator_sets_the_designated_iqa_registration_number_and_uln(
    ada: User, amy_portfolio: Portfolio, iris: User, amy: User
) -> None:
    reassign(ada, amy_portfolio, iqa=iris, registration_number=" OCR  12/345 ", uln="123 456 7890")

    amy_portfolio.refresh_from_db()
    amy.refresh_from_db()
    assert amy_portfolio.iqa == iris
    assert amy_portfolio.registration_number == "OCR 12/345"
    assert amy.uln == "1234567890"
    entry = AuditEntry.objects.get(action="portfolio.reassign")
    assert entry.changes == {
        "before": {"iqa": None, "registration_number": None, "uln": None},
        "after": {"iqa": "Iris Okafor", "registration_number": "OCR 12/345", "uln": "1234567890"},
    }


def test_setting_the_same_records_again_writes_nothing(
    ada: User, amy_portfolio: Portfolio, iris: User
) -> None:
    records = {"iqa": iris, "registration_number": "R1", "uln": "1234567890"}
    reassign(ada, amy_portfolio, **records)
    reassign(ada, amy_portfolio, **records)

    assert AuditEntry.objects.filter(action="portfolio.reassign").count() == 1


def test_the_designated_iqa_must_be_an_iqa_here_and_not_the_assessor(
    ada: User, amy_portfolio: Portfolio, asha: User, oscar: User, iris: User
) -> None:
    with pytest.raises(EnrolmentRefused, match="internal quality assurer at this centre"):
        reassign(ada, amy_portfolio, iqa=asha)
    with pytest.raises(EnrolmentRefused, match="internal quality assurer at this centre"):
        reassign(ada, amy_portfolio, iqa=oscar)
    Membership.objects.create(user=asha, role=Role.IQA)
    with pytest.raises(EnrolmentRefused, match="cannot be the portfolio’s assessor") as refused:
        reassign(ada, amy_portfolio, iqa=asha)
    assert refused.value.field == "iqa"
    # Nor may the new assessor be the designated IQA named with them.
    Membership.objects.create(user=iris, role=Role.ASSESSOR)
    with pytest.raises(EnrolmentRefused, match="cannot be the portfolio’s assessor"):
        enrolment.portfolio_reassign(
            actor=ada, portfolio=amy_portfolio, assessor=iris, tutor=None, iqa=iris
        )
    assert not AuditEntry.objects.filter(action="portfolio.reassign").exists()


@pytest.mark.parametrize("uln", ["12345", "12345678901", "ABCDEFGHIJ", "١٢٣٤٥٦٧٨٩٠"])
def test_a_uln_that_is_not_ten_digits_is_refused_and_nothing_is_saved(
    ada: User, amy_portfolio: Portfolio, iris: User, uln: str
) -> None:
    with pytest.raises(EnrolmentRefused, match="exactly ten digits") as refused:
        reassign(ada, amy_portfolio, iqa=iris, registration_number="R1", uln=uln)

    assert refused.value.field == "uln"
    amy_portfolio.refresh_from_db()
    assert (amy_portfolio.iqa, amy_portfolio.registration_number) == (None, "")
    assert not AuditEntry.objects.filter(action="portfolio.reassign").exists()


def test_a_uln_another_learner_here_has_is_refused(
    ada: User, amy_portfolio: Portfolio, ben: User, oscar: User
) -> None:
    User.objects.filter(pk=ben.pk).update(uln="1234567890")
    with pytest.raises(EnrolmentRefused, match="Another learner at this centre"):
        reassign(ada, amy_portfolio, uln="1234567890")

    # Another centre's learner with the same number is no business of this centre's.
    User.objects.filter(pk=ben.pk).update(uln="")
    User.objects.filter(pk=oscar.pk).update(uln="1234567890")
    reassign(ada, amy_portfolio, uln="1234567890")
    assert User.objects.get(pk=amy_portfolio.learner_id).uln == "1234567890"


def test_a_registration_number_like_a_formula_is_refused(
    ada: User, amy_portfolio: Portfolio
) -> None:
    with pytest.raises(EnrolmentRefused, match="formula"):
        reassign(ada, amy_portfolio, registration_number="=HYPERLINK(1)")


# The pages -----------------------------------------------------------------------------------


def test_the_reassign_page_sets_the_records_and_shows_them_next_time(
    ada: User, amy_portfolio: Portfolio, asha: User, tom: User, iris: User
) -> None:
    url = reverse("enrolment:portfolio_reassign", args=[amy_portfolio.pk])
    client = signed_in(ada)
    form = {"assessor": asha.pk, "tutor": tom.pk, "iqa": iris.pk}

    response = client.post(url, {**form, "registration_number": "OCR-0042", "uln": "1234567890"})

    assert response.status_code == 302
    amy_portfolio.refresh_from_db()
    assert (amy_portfolio.iqa, amy_portfolio.registration_number) == (iris, "OCR-0042")
    page = client.get(url).content.decode()
    assert 'Designated IQA now</dt><dd class="col-sm-9">Iris Okafor</dd>' in page
    assert 'value="1234567890"' in page


def test_the_reassign_page_explains_a_bad_uln_and_an_iqa_who_assesses(
    ada: User, amy_portfolio: Portfolio, asha: User, tom: User
) -> None:
    Membership.objects.create(user=asha, role=Role.IQA)
    url = reverse("enrolment:portfolio_reassign", args=[amy_portfolio.pk])

    response = signed_in(ada).post(
        url, {"assessor": asha.pk, "tutor": tom.pk, "iqa": asha.pk, "uln": "12-34"}
    )

    assert response.status_code == 200
    page = text_of(response)
    assert "A ULN is exactly ten digits, such as 1234567890." in page
    assert "The designated IQA cannot be the portfolio’s assessor" in page
    amy_portfolio.refresh_from_db()
    assert amy_portfolio.iqa is None


def test_a_taken_uln_is_shown_against_its_field(
    ada: User, amy_portfolio: Portfolio, ben: User, asha: User, tom: User
) -> None:
    User.objects.filter(pk=ben.pk).update(uln="1234567890")
    url = reverse("enrolment:portfolio_reassign", args=[amy_portfolio.pk])

    response = signed_in(ada).post(url, {"assessor": asha.pk, "tutor": tom.pk, "uln": "1234567890"})

    assert response.status_code == 200
    assert "Another learner at this centre already has that ULN" in text_of(response)


def test_the_overview_shows_the_records_to_staff_but_not_to_the_learner(
    ada: User, amy_portfolio: Portfolio, iris: User, asha: User, amy: User, centre: Centre
) -> None:
    Centre.objects.filter(pk=centre.pk).update(centre_number="61245")
    reassign(ada, amy_portfolio, iqa=iris, registration_number="OCR-0042", uln="1234567890")
    url = reverse("assessment:portfolio_detail", args=[amy_portfolio.pk])

    staff = text_of(signed_in(asha).get(url))
    learner = text_of(signed_in(amy).get(url))

    assert (
        "Designated IQA: Iris Okafor · ULN: 1234567890 · Registration number: OCR-0042 · "
        "Centre number: 61245" in staff
    )
    assert "Designated IQA" not in learner


def test_a_person_with_no_centre_uln_stays_empty(centre: Centre) -> None:
    person = UserFactory(email="new@northgate.test", full_name="New Person", centre=centre)
    assert person.uln == ""


def test_a_uln_saved_meanwhile_by_another_administrator_is_refused_by_the_database(
    ada: User, amy_portfolio: Portfolio, ben: User, iris: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    User.objects.filter(pk=ben.pk).update(uln="1234567890")
    # As if Ben's ULN was saved after the check looked.
    monkeypatch.setattr(enrolment, "_uln_taken", lambda *args, **kwargs: False)

    with pytest.raises(EnrolmentRefused, match="Another learner at this centre"):
        reassign(ada, amy_portfolio, iqa=iris, uln="1234567890")

    amy_portfolio.refresh_from_db()
    assert amy_portfolio.iqa is None
    assert not AuditEntry.objects.filter(action="portfolio.reassign").exists()
