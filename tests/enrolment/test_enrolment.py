"""Enrolment services (cohorts, one learner, reassignment) and the centre administrator's pages."""

from __future__ import annotations

import csv
import datetime
import io
import re
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Centre, Notification, Role, User
from cohorts.models import Cohort
from enrolment import services as enrolment
from enrolment.services import EnrolmentRefused
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Portfolio
from qualifications.models import Qualification
from tests.factories import PortfolioFactory, UserFactory
from tests.pages import messages_of, text_of

pytestmark = pytest.mark.django_db

OCR = "OCR-L3-RSSP-CERT"
DIPLOMA = "ICQ-L3-RSSP-DIP"
START, END = datetime.date(2026, 9, 1), datetime.date(2027, 7, 31)


@pytest.fixture(autouse=True)
def northgate_staff(asha: User, tom: User) -> None:
    """Asha assesses and Tom tutors in every test here."""


@pytest.fixture
def diploma(catalogue: None) -> Qualification:
    return Qualification.objects.get(reference=DIPLOMA)


@pytest.fixture
def cohort(centre: Centre, ocr: Qualification, tom: User) -> Cohort:
    cohort = Cohort.objects.create(centre=centre, name="Retail 2026", qualification=ocr)
    cohort.tutors.add(tom)
    return cohort


@pytest.fixture
def foreign_cohort(other_centre: Centre, ocr: Qualification) -> Cohort:
    return Cohort.objects.create(centre=other_centre, name="Riverside retail", qualification=ocr)


def enrol(actor: User, qualification: Qualification, cohort: Cohort | None, **overrides: Any):
    values: dict[str, Any] = {
        "full_name": "Cara Cole",
        "email": "cara@example.org",
        "qualification": qualification,
        "cohort": cohort,
        "assessor": User.objects.get(email="asha@northgate.test"),
        "start_date": START,
        "planned_end_date": END,
    }
    values.update(overrides)
    return enrolment.learner_enrol(actor=actor, **values)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Cohorts -------------------------------------------------------------------------------------


def test_cohort_create_saves_the_cohort_its_tutors_and_one_audit_entry(
    ada: User, tom: User, ocr: Qualification
) -> None:
    cohort = enrolment.cohort_create(
        actor=ada,
        name="  Retail   2026 ",
        qualification=ocr,
        start_date=START,
        planned_end_date=END,
        tutors=[tom],
    )

    assert (cohort.name, cohort.centre, cohort.qualification) == ("Retail 2026", ada.centre, ocr)
    assert list(cohort.tutors.all()) == [tom]
    [entry] = AuditEntry.objects.all()
    assert (entry.actor, entry.action, entry.object_id) == (ada, "cohort.create", str(cohort.pk))
    assert entry.changes["after"]["tutors"] == ["Tom Reid"]


def test_cohort_create_refuses_a_name_already_used_at_the_centre(
    ada: User, cohort: Cohort, ocr: Qualification
) -> None:
    with pytest.raises(EnrolmentRefused, match="already a cohort called") as refusal:
        enrolment.cohort_create(
            actor=ada,
            name="retail 2026",
            qualification=ocr,
            start_date=START,
            planned_end_date=END,
            tutors=[],
        )
    assert refusal.value.field == "name"
    assert not AuditEntry.objects.exists()


def test_cohort_create_refuses_a_tutor_who_is_not_a_tutor_here(
    ada: User, asha: User, ocr: Qualification
) -> None:
    with pytest.raises(EnrolmentRefused, match="tutors who work at this centre"):
        enrolment.cohort_create(
            actor=ada,
            name="Retail 2026",
            qualification=ocr,
            start_date=START,
            planned_end_date=END,
            tutors=[asha],
        )
    assert not Cohort.objects.exists()


def test_cohort_create_refuses_an_end_before_the_start(ada: User, ocr: Qualification) -> None:
    with pytest.raises(EnrolmentRefused, match="before the start"):
        enrolment.cohort_create(
            actor=ada,
            name="Retail 2026",
            qualification=ocr,
            start_date=END,
            planned_end_date=START,
            tutors=[],
        )


def test_only_a_centre_administrator_creates_cohorts(iris: User, ocr: Qualification) -> None:
    with pytest.raises(ActionRefused, match="Only centre administrators"):
        enrolment.cohort_create(
            actor=iris,
            name="Retail 2026",
            qualification=ocr,
            start_date=START,
            planned_end_date=END,
            tutors=[],
        )


# Enrolling one learner -----------------------------------------------------------------------


def test_enrolling_a_new_learner_creates_account_portfolio_and_one_audit_entry(
    ada: User, asha: User, tom: User, cohort: Cohort, ocr: Qualification
) -> None:
    result = enrol(ada, ocr, cohort, email=" Cara@Example.ORG ")

    assert (result.created_user, result.created_portfolio) == (True, True)
    portfolio = result.portfolio
    learner = portfolio.learner
    assert (learner.email, learner.full_name, learner.centre) == (
        "cara@example.org",
        "Cara Cole",
        ada.centre,
    )
    assert learner.has_role(Role.LEARNER)
    assert not learner.has_usable_password()
    assert (portfolio.qualification, portfolio.cohort) == (ocr, cohort)
    assert (portfolio.assessor, portfolio.tutor) == (asha, tom)
    assert (portfolio.start_date, portfolio.planned_end_date) == (START, END)
    [entry] = AuditEntry.objects.all()
    assert (entry.action, entry.portfolio, entry.actor) == ("learner.enrol", portfolio, ada)
    assert entry.changes["after"]["new_account"] is True


def test_a_new_learner_is_emailed_a_working_set_password_link(
    ada: User, cohort: Cohort, ocr: Qualification, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        enrol(ada, ocr, cohort)

    [invitation] = mail.outbox
    assert invitation.to == ["cara@example.org"]
    assert "Northgate Training" in invitation.subject
    assert ocr.title in invitation.body
    [link] = re.findall(r"http://\S+/password-reset/\S+/", invitation.body)
    assert link.startswith("http://127.0.0.1:8000/")

    client = Client()
    form_page = client.get(link.removeprefix("http://127.0.0.1:8000"), follow=True)
    assert "Choose a new password" in text_of(form_page)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "a-long-and-new-passphrase",
            "new_password2": "a-long-and-new-passphrase",
        },
    )
    assert done.status_code == 302
    assert Client().login(username="cara@example.org", password="a-long-and-new-passphrase")


def test_enrolling_the_same_learner_again_returns_the_portfolio_unchanged(
    ada: User, cohort: Cohort, ocr: Qualification, django_capture_on_commit_callbacks: Any
) -> None:
    first = enrol(ada, ocr, cohort)
    with django_capture_on_commit_callbacks(execute=True):
        again = enrol(ada, ocr, cohort, full_name="Someone Else", email="CARA@example.org")

    assert (again.created_user, again.created_portfolio) == (False, False)
    assert again.portfolio == first.portfolio
    assert again.portfolio.learner.full_name == "Cara Cole"
    assert Portfolio.objects.count() == 1
    assert AuditEntry.objects.count() == 1
    assert mail.outbox == []


def test_a_learner_on_an_earlier_version_is_already_enrolled_not_enrolled_twice(
    ada: User, amy: User, catalogue: None
) -> None:
    """Moving to a newer version is a move (enrolment/versions.py), never a second portfolio."""
    versions = Qualification.objects.filter(reference="EX-L3-RETAIL-DIP").order_by("sequence")
    earlier = PortfolioFactory(learner=amy, qualification=versions.first())

    again = enrol(ada, versions.last(), None, full_name=amy.full_name, email=amy.email)

    assert (again.created_user, again.created_portfolio) == (False, False)
    assert again.portfolio == earlier
    assert Portfolio.objects.filter(learner=amy).count() == 1


def test_a_learner_of_this_centre_is_enrolled_on_another_qualification_without_a_new_account(
    ada: User,
    amy: User,
    diploma: Qualification,
    centre: Centre,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = enrol(ada, diploma, None, email=amy.email)

    assert (result.created_user, result.created_portfolio) == (False, True)
    assert result.portfolio.learner == amy
    assert result.portfolio.tutor is None
    assert mail.outbox == []


def test_a_member_of_staff_enrolled_as_a_learner_gains_the_learner_role(
    ada: User, tom: User, ocr: Qualification
) -> None:
    result = enrol(ada, ocr, None, email=tom.email)

    assert result.portfolio.learner == tom
    assert set(tom.memberships.values_list("role", flat=True)) == {Role.TUTOR, Role.LEARNER}


def test_an_email_at_another_centre_is_refused_without_saying_so(
    ada: User, oscar: User, cohort: Cohort, ocr: Qualification, other_centre: Centre
) -> None:
    with pytest.raises(EnrolmentRefused) as refusal:
        enrol(ada, ocr, cohort, email=oscar.email.upper())

    assert refusal.value.field == "email"
    assert "cannot be enrolled here" in refusal.value.message
    assert "centre" not in refusal.value.message.lower()
    assert other_centre.name not in refusal.value.message
    assert not Portfolio.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_cohort_on_another_qualification_is_refused(
    ada: User, cohort: Cohort, diploma: Qualification
) -> None:
    with pytest.raises(EnrolmentRefused, match="is a cohort on") as refusal:
        enrol(ada, diploma, cohort)
    assert refusal.value.field == "cohort"
    assert not User.objects.filter(email="cara@example.org").exists()


def test_another_centres_cohort_is_refused(
    ada: User, foreign_cohort: Cohort, ocr: Qualification
) -> None:
    with pytest.raises(EnrolmentRefused, match="cohort of this centre"):
        enrol(ada, ocr, foreign_cohort)


def test_an_assessor_must_be_an_assessor_at_this_centre(
    ada: User, tom: User, cohort: Cohort, ocr: Qualification
) -> None:
    with pytest.raises(EnrolmentRefused, match="assessor who works at this centre"):
        enrol(ada, ocr, cohort, assessor=tom)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"full_name": "   "}, "full_name", "Enter the learner’s name."),
        ({"email": "cara at example"}, "email", "This is not an email address"),
        ({"planned_end_date": START - datetime.timedelta(days=1)}, "planned_end_date", "before"),
        ({"email": "asha@northgate.test"}, "assessor", "their own assessor"),
    ],
)
def test_the_service_refuses_what_the_enrolment_rules_refuse_naming_the_field(
    ada: User, cohort: Cohort, ocr: Qualification, overrides: dict, field: str, message: str
) -> None:
    with pytest.raises(EnrolmentRefused, match=message) as refusal:
        enrol(ada, ocr, cohort, **overrides)
    assert refusal.value.field == field
    assert not Portfolio.objects.exists()


def test_only_a_centre_administrator_enrols(
    asha: User, oscar: User, cohort: Cohort, ocr: Qualification
) -> None:
    with pytest.raises(EnrolmentRefused, match="Only centre administrators"):
        enrol(asha, ocr, cohort)
    # Oscar administers another centre: Northgate's cohort is not his to use.
    with pytest.raises(EnrolmentRefused, match="cohort of this centre"):
        enrol(oscar, ocr, cohort, assessor=None)
    assert not Portfolio.objects.exists()


# Reassigning ---------------------------------------------------------------------------------


@pytest.fixture
def portfolio(ada: User, cohort: Cohort, ocr: Qualification, asha: User) -> Portfolio:
    return enrol(ada, ocr, cohort).portfolio


@pytest.fixture
def second_assessor(centre: Centre) -> User:
    return UserFactory(
        email="sam@northgate.test", full_name="Sam Shah", centre=centre, roles=[Role.ASSESSOR]
    )


def test_reassigning_records_before_and_after_names_and_tells_the_new_assessor(
    ada: User, portfolio: Portfolio, second_assessor: User, tom: User
) -> None:
    enrolment.portfolio_reassign(
        actor=ada, portfolio=portfolio, assessor=second_assessor, tutor=None
    )

    portfolio.refresh_from_db()
    assert (portfolio.assessor, portfolio.tutor) == (second_assessor, None)
    entry = AuditEntry.objects.filter(action="portfolio.reassign").get()
    assert entry.portfolio == portfolio
    assert entry.changes == {
        "before": {"assessor": "Asha Patel", "tutor": "Tom Reid"},
        "after": {"assessor": "Sam Shah", "tutor": None},
    }
    [notification] = Notification.objects.filter(recipient=second_assessor)
    assert "Cara Cole" in notification.message
    assert notification.link == reverse("assessment:portfolio_detail", args=[portfolio.pk])


def test_reassigning_to_the_same_people_writes_nothing(
    ada: User, portfolio: Portfolio, asha: User, tom: User
) -> None:
    enrolment.portfolio_reassign(actor=ada, portfolio=portfolio, assessor=asha, tutor=tom)

    assert not AuditEntry.objects.filter(action="portfolio.reassign").exists()
    assert not Notification.objects.exists()


def test_reassigning_refuses_someone_who_is_not_an_assessor_here(
    ada: User, portfolio: Portfolio, oscar: User, tom: User
) -> None:
    with pytest.raises(EnrolmentRefused, match="assessor who works at this centre"):
        enrolment.portfolio_reassign(actor=ada, portfolio=portfolio, assessor=oscar, tutor=tom)
    with pytest.raises(EnrolmentRefused, match="tutor who works at this centre"):
        enrolment.portfolio_reassign(actor=ada, portfolio=portfolio, assessor=None, tutor=oscar)
    assert not AuditEntry.objects.filter(action="portfolio.reassign").exists()


def test_only_this_centres_administrator_reassigns(
    oscar: User, iris: User, portfolio: Portfolio, asha: User
) -> None:
    with pytest.raises(EnrolmentRefused, match="Only centre administrators"):
        enrolment.portfolio_reassign(actor=iris, portfolio=portfolio, assessor=asha, tutor=None)
    with pytest.raises(EnrolmentRefused, match="this centre’s portfolios"):
        enrolment.portfolio_reassign(actor=oscar, portfolio=portfolio, assessor=None, tutor=None)


# Pages ---------------------------------------------------------------------------------------

ADMIN_PAGES = [
    "enrolment:cohort_list",
    "enrolment:cohort_create",
    "enrolment:learner_list",
    "enrolment:learner_enrol",
    "enrolment:intake_upload",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_only_centre_administrators_open_the_enrolment_pages(
    name: str, ada: User, amy: User, asha: User, tom: User, iris: User
) -> None:
    url = reverse(name)
    assert signed_in(ada).get(url).status_code == 200
    for person in (amy, asha, tom, iris):
        assert signed_in(person).get(url).status_code == 403, person
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_cohort_list_shows_qualification_dates_tutors_and_learner_count(
    ada: User, portfolio: Portfolio, cohort: Cohort, django_assert_max_num_queries: Any
) -> None:
    Cohort.objects.filter(pk=cohort.pk).update(start_date=START, planned_end_date=END)
    client = signed_in(ada)
    client.get(reverse("enrolment:cohort_list"))  # the session and roles, read once

    with django_assert_max_num_queries(8):
        page = text_of(client.get(reverse("enrolment:cohort_list")))

    row = page[page.index("Retail 2026") :]
    assert cohort.qualification.title in row
    assert "1 Sep 2026" in row and "31 Jul 2027" in row
    assert "Tom Reid" in row
    assert "1 learner" in row


def test_the_cohort_list_runs_the_same_queries_for_one_cohort_and_many(
    ada: User, cohort: Cohort, ocr: Qualification, tom: User, django_assert_num_queries: Any
) -> None:
    client = signed_in(ada)
    url = reverse("enrolment:cohort_list")
    client.get(url)
    with django_assert_num_queries(7) as one:  # 6 before issue 14 counted for page links
        client.get(url)
    for n in range(20):
        extra = Cohort.objects.create(centre=ada.centre, name=f"Extra {n}", qualification=ocr)
        extra.tutors.add(tom)
    with django_assert_num_queries(len(one)):
        response = client.get(url)
    assert "21 cohorts" in text_of(response)


def test_an_administrator_creates_a_cohort_through_the_form(
    ada: User, tom: User, ocr: Qualification
) -> None:
    response = signed_in(ada).post(
        reverse("enrolment:cohort_create"),
        {
            "name": "Spring 2027",
            "qualification": ocr.pk,
            "start_date": "2027-03-01",
            "planned_end_date": "2028-02-28",
            "tutors": [tom.pk],
        },
    )

    assert response.status_code == 302
    cohort = Cohort.objects.get(name="Spring 2027")
    assert list(cohort.tutors.all()) == [tom]


def test_the_cohort_form_ties_a_duplicate_name_to_the_name_field(
    ada: User, cohort: Cohort, ocr: Qualification
) -> None:
    response = signed_in(ada).post(
        reverse("enrolment:cohort_create"),
        {
            "name": "Retail 2026",
            "qualification": ocr.pk,
            "start_date": "2027-03-01",
            "planned_end_date": "2028-02-28",
        },
    )

    assert response.status_code == 200
    assert "already a cohort called" in response.context["form"].errors["name"][0]


def test_an_administrator_enrols_a_learner_through_the_form(
    ada: User, asha: User, cohort: Cohort, ocr: Qualification
) -> None:
    response = signed_in(ada).post(
        reverse("enrolment:learner_enrol"),
        {
            "full_name": "Cara Cole",
            "email": "cara@example.org",
            "qualification": ocr.pk,
            "cohort": cohort.pk,
            "assessor": asha.pk,
            "start_date": "2026-09-01",
            "planned_end_date": "2027-07-31",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("enrolment:learner_list")
    assert any("emailed a link" in message for message in messages_of(response))
    assert "Cara Cole" in text_of(response)


def test_the_enrol_form_ties_another_centres_email_to_the_email_field(
    ada: User, asha: User, oscar: User, cohort: Cohort, ocr: Qualification
) -> None:
    response = signed_in(ada).post(
        reverse("enrolment:learner_enrol"),
        {
            "full_name": "Oscar Olsen",
            "email": oscar.email,
            "qualification": ocr.pk,
            "cohort": cohort.pk,
            "assessor": asha.pk,
            "start_date": "2026-09-01",
            "planned_end_date": "2027-07-31",
        },
    )

    assert response.status_code == 200
    assert "cannot be enrolled here" in response.context["form"].errors["email"][0]
    assert "another centre" not in text_of(response)
    assert "Riverside" not in text_of(response)


def test_the_enrol_form_refuses_another_centres_cohort(
    ada: User, asha: User, foreign_cohort: Cohort, ocr: Qualification
) -> None:
    response = signed_in(ada).post(
        reverse("enrolment:learner_enrol"),
        {
            "full_name": "Cara Cole",
            "email": "cara@example.org",
            "qualification": ocr.pk,
            "cohort": foreign_cohort.pk,
            "assessor": asha.pk,
            "start_date": "2026-09-01",
            "planned_end_date": "2027-07-31",
        },
    )

    assert response.status_code == 200
    assert "cohort" in response.context["form"].errors
    assert not Portfolio.objects.exists()


def test_another_centres_cohort_is_a_404_on_the_learner_list(
    ada: User, foreign_cohort: Cohort
) -> None:
    client = signed_in(ada)
    url = reverse("enrolment:learner_list")
    assert client.get(f"{url}?cohort={foreign_cohort.pk}").status_code == 404
    assert client.get(f"{url}?cohort=nonsense").status_code == 404


def test_the_learner_list_filters_by_cohort(
    ada: User, portfolio: Portfolio, amy: User, cohort: Cohort, diploma: Qualification
) -> None:
    enrol(ada, diploma, None, email=amy.email)

    page = text_of(signed_in(ada).get(f"{reverse('enrolment:learner_list')}?cohort={cohort.pk}"))

    assert "Learners in Retail 2026" in page
    assert "Cara Cole" in page
    assert "Amy Archer" not in page


def test_the_learner_list_runs_the_same_queries_for_one_learner_and_many(
    ada: User,
    portfolio: Portfolio,
    cohort: Cohort,
    ocr: Qualification,
    django_assert_num_queries: Any,
) -> None:
    client = signed_in(ada)
    url = reverse("enrolment:learner_list")
    client.get(url)
    # Session, person, roles, centre (footer), unread notifications, count, page.
    with django_assert_num_queries(6) as one:
        client.get(url)
    for n in range(30):
        enrol(ada, ocr, cohort, full_name=f"Learner {n}", email=f"learner{n}@example.org")
    with django_assert_num_queries(len(one)):
        response = client.get(url)
    assert "31 portfolios" in text_of(response)


def test_another_centres_portfolio_is_a_404_on_the_reassign_page(
    ada: User, oscar: User, ocr: Qualification
) -> None:
    foreign = PortfolioFactory(
        learner=oscar, qualification=ocr, start_date=START, planned_end_date=END
    )
    assert (
        signed_in(ada).get(reverse("enrolment:portfolio_reassign", args=[foreign.pk])).status_code
        == 404
    )


def test_an_administrator_reassigns_through_the_form(
    ada: User, portfolio: Portfolio, second_assessor: User, tom: User
) -> None:
    url = reverse("enrolment:portfolio_reassign", args=[portfolio.pk])
    client = signed_in(ada)
    assert "Asha Patel" in text_of(client.get(url))

    response = client.post(url, {"assessor": second_assessor.pk, "tutor": tom.pk})

    assert response.status_code == 302
    portfolio.refresh_from_db()
    assert portfolio.assessor == second_assessor
    assert Notification.objects.filter(recipient=second_assessor).count() == 1


# The intake pages ----------------------------------------------------------------------------

HEADER = [
    "name",
    "email",
    "qualification reference",
    "cohort",
    "assessor email",
    "start",
    "planned end",
]


def intake_file(*rows: list[str], name: str = "intake.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def intake_row(name: str, email: str, start: str = "01/09/2026") -> list[str]:
    return [name, email, OCR, "Retail 2026", "asha@northgate.test", start, "31/07/2027"]


def test_upload_preview_and_confirm_enrols_the_file_only_on_confirmation(
    ada: User, asha: User, cohort: Cohort, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(ada)
    upload = client.post(
        reverse("enrolment:intake_upload"),
        {
            "file": intake_file(
                intake_row("Cara Cole", "cara@example.org"),
                intake_row("Dan Dee", "dan@example.org"),
            )
        },
    )
    assert upload.url == reverse("enrolment:intake_preview")
    assert not Portfolio.objects.exists()

    preview = client.get(upload.url)
    page = text_of(preview)
    assert "Cara Cole" in page and "Dan Dee" in page
    assert "Import 2 learners" in page
    assert not Portfolio.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(upload.url, {"digest": preview.context["digest"]}, follow=True)

    assert confirmed.redirect_chain[-1][0] == reverse("enrolment:intake_result")
    result = text_of(confirmed)
    assert "New learner accounts" in result
    assert confirmed.context["summary"]["created_learners"] == 2
    assert confirmed.context["summary"]["invitations"] == 2
    assert Portfolio.objects.count() == 2
    assert len(mail.outbox) == 2


def test_the_preview_lists_each_problem_by_row_and_column_and_offers_no_import(
    ada: User, cohort: Cohort
) -> None:
    client = signed_in(ada)
    client.post(
        reverse("enrolment:intake_upload"),
        {
            "file": intake_file(
                intake_row("Cara Cole", "cara@example.org"),
                intake_row("Dan Dee", "dan@example.org", start="1st Sept"),
            )
        },
    )

    preview = client.get(reverse("enrolment:intake_preview"))
    page = text_of(preview)

    assert re.search(r"<td>3</td><td>start</td><td>“1st Sept” is not a date", page)
    assert 'name="digest"' not in page  # no import button
    confirmed = client.post(
        reverse("enrolment:intake_preview"), {"digest": preview.context["digest"]}, follow=True
    )
    assert any("Nothing was imported" in message for message in messages_of(confirmed))
    assert not Portfolio.objects.exists()


def test_a_change_between_preview_and_confirmation_is_caught_and_nothing_is_imported(
    ada: User, cohort: Cohort, other_centre: Centre
) -> None:
    client = signed_in(ada)
    client.post(
        reverse("enrolment:intake_upload"),
        {
            "file": intake_file(
                intake_row("Cara Cole", "cara@example.org"),
                intake_row("Dan Dee", "dan@example.org"),
            )
        },
    )
    preview = client.get(reverse("enrolment:intake_preview"))
    UserFactory(email="dan@example.org", centre=other_centre, roles=[Role.LEARNER])

    confirmed = client.post(
        reverse("enrolment:intake_preview"), {"digest": preview.context["digest"]}, follow=True
    )

    assert any("Nothing was imported" in message for message in messages_of(confirmed))
    assert confirmed.context["problems"][0].row == 3
    assert not User.objects.filter(email="cara@example.org").exists()


def test_a_confirmation_for_a_file_no_longer_in_the_session_imports_nothing(
    ada: User, cohort: Cohort
) -> None:
    client = signed_in(ada)
    client.post(
        reverse("enrolment:intake_upload"),
        {"file": intake_file(intake_row("Cara Cole", "cara@example.org"))},
    )
    stale = client.get(reverse("enrolment:intake_preview")).context["digest"]
    client.post(
        reverse("enrolment:intake_upload"),
        {"file": intake_file(intake_row("Dan Dee", "dan@example.org"))},
    )

    response = client.post(reverse("enrolment:intake_preview"), {"digest": stale}, follow=True)

    assert any("Another file was uploaded" in m for m in messages_of(response))
    assert not Portfolio.objects.exists()


def test_the_preview_of_a_large_file_shows_the_first_200_rows_and_the_counts(
    ada: User, cohort: Cohort, django_assert_max_num_queries: Any
) -> None:
    rows = [intake_row(f"Learner {n}", f"learner{n}@example.org") for n in range(250)]
    client = signed_in(ada)
    client.post(reverse("enrolment:intake_upload"), {"file": intake_file(*rows)})

    with django_assert_max_num_queries(12):
        preview = client.get(reverse("enrolment:intake_preview"))

    page = text_of(preview)
    assert "The first 200 of 250 rows" in page
    assert "New learner: 250" in page
    assert "Learner 199" in page and "Learner 200" not in page
    assert "Import 250 learners" in page


def test_a_file_that_is_not_utf8_is_refused_at_upload(ada: User, cohort: Cohort) -> None:
    content = "name,email\nZoë,zoe@example.org\n".encode("cp1252")
    response = signed_in(ada).post(
        reverse("enrolment:intake_upload"), {"file": SimpleUploadedFile("intake.csv", content)}
    )

    assert response.status_code == 200
    assert "not UTF-8" in response.context["form"].errors["file"][0]


def test_the_preview_and_result_without_an_upload_go_back_to_the_upload_page(ada: User) -> None:
    client = signed_in(ada)
    for name in ("enrolment:intake_preview", "enrolment:intake_result"):
        response = client.get(reverse(name))
        assert response.url == reverse("enrolment:intake_upload")
