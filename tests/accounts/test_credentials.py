"""Assessors' and IQAs' own credentials: recorded and removed by their holder, each change kept
in an append-only log, listed on the people directory, and shown beside their decisions."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Credential, CredentialChange, User
from assessment.models import Decision
from portfolio.models import Portfolio
from qualifications.models import Unit
from tests.journeys import meet_unit

pytestmark = pytest.mark.django_db

CAVA = "Level 3 Certificate in Assessing Vocational Achievement (CAVA)"
IQA_AWARD = "Level 4 Award in the Internal Quality Assurance of Assessment Processes and Practice"


def add_cava(person: User, **extra: object) -> Credential:
    return services.credential_add(
        actor=person,
        title=CAVA,
        awarding_body="City & Guilds",
        achieved_on=datetime.date(2021, 3, 12),
        **extra,
    )


def test_an_assessor_records_a_credential_and_the_change_is_logged(asha: User) -> None:
    credential = add_cava(asha, certificate_number="CG-123", expires_on=datetime.date(2031, 3, 1))

    assert list(asha.credentials.all()) == [credential]
    [change] = CredentialChange.objects.all()
    assert (change.person, change.actor, change.action) == (asha, asha, "add")
    assert change.described == (
        f"{CAVA}, City & Guilds, achieved 2021-03-12, certificate CG-123, expires 2031-03-01"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Give the credential's title and its awarding body."),
        ({"awarding_body": ""}, "Give the credential's title and its awarding body."),
        (
            {"achieved_on": timezone.localdate() + datetime.timedelta(days=1)},
            "The date achieved cannot be in the future.",
        ),
        (
            {"expires_on": datetime.date(2021, 3, 12)},
            "The expiry date must come after the date achieved.",
        ),
    ],
)
def test_a_credential_with_bad_details_is_refused_and_nothing_is_saved(
    iris: User, changes: dict[str, object], message: str
) -> None:
    fields = {
        "title": IQA_AWARD,
        "awarding_body": "Pearson",
        "achieved_on": datetime.date(2022, 6, 1),
        **changes,
    }

    with pytest.raises(services.CredentialRefused) as caught:
        services.credential_add(actor=iris, **fields)

    assert caught.value.message == message
    assert not Credential.objects.exists()
    assert not CredentialChange.objects.exists()


def test_only_assessors_and_iqas_record_credentials(amy: User, tom: User, ada: User) -> None:
    for person in (amy, tom, ada):
        with pytest.raises(services.CredentialRefused):
            add_cava(person)
    assert not Credential.objects.exists()


def test_removing_a_credential_deletes_it_and_logs_what_it_said(asha: User) -> None:
    credential = add_cava(asha)

    services.credential_remove(actor=asha, credential=credential)

    assert not asha.credentials.exists()
    assert [(c.action, c.described) for c in CredentialChange.objects.all()] == [
        ("add", f"{CAVA}, City & Guilds, achieved 2021-03-12"),
        ("remove", f"{CAVA}, City & Guilds, achieved 2021-03-12"),
    ]


def test_nobody_removes_someone_elses_credential(asha: User, iris: User) -> None:
    credential = add_cava(asha)

    with pytest.raises(services.CredentialRefused):
        services.credential_remove(actor=iris, credential=credential)

    assert Credential.objects.filter(pk=credential.pk).exists()
    assert CredentialChange.objects.count() == 1


def test_the_change_log_is_append_only(asha: User) -> None:
    add_cava(asha)
    change = CredentialChange.objects.get()

    with pytest.raises(TypeError):
        change.save()
    with pytest.raises(TypeError):
        change.delete()
    with pytest.raises(TypeError):
        CredentialChange.objects.update(described="Something else")


# Pages ---------------------------------------------------------------------------------------


def test_the_credentials_page_adds_and_removes_a_credential(client: Client, iris: User) -> None:
    client.force_login(iris)
    url = reverse("accounts:credential_list")

    response = client.post(
        url, {"title": IQA_AWARD, "awarding_body": "Pearson", "achieved_on": "2022-06-01"}
    )

    assert response.status_code == 302
    credential = iris.credentials.get()
    page = client.get(url).content.decode()
    assert IQA_AWARD in page
    assert "Added by Iris Okafor" in page
    client.post(reverse("accounts:credential_remove", args=[credential.pk]))
    page = client.get(url).content.decode()
    assert not iris.credentials.exists()
    assert "Removed by Iris Okafor" in page


def test_the_credentials_page_shows_what_is_wrong_and_keeps_nothing(
    client: Client, asha: User
) -> None:
    client.force_login(asha)
    url = reverse("accounts:credential_list")

    missing = client.post(url, {"title": CAVA, "achieved_on": "not a date"})
    backwards = client.post(
        url,
        {
            "title": CAVA,
            "awarding_body": "City & Guilds",
            "achieved_on": "2021-03-12",
            "expires_on": "2020-01-01",
        },
    )

    assert missing.status_code == 200
    assert "Enter a valid date." in missing.content.decode()
    assert "The expiry date must come after the date achieved." in backwards.content.decode()
    assert not Credential.objects.exists()


def test_the_people_directory_and_a_persons_page_show_credentials_to_the_administrator(
    client: Client, asha: User, ada: User
) -> None:
    add_cava(asha)
    client.force_login(ada)

    directory = client.get(reverse("accounts:people_list")).content.decode()
    person = client.get(reverse("accounts:person_detail", args=[asha.pk])).content.decode()

    assert f"{CAVA}, 2021" in directory
    assert f"<strong>{CAVA}</strong>, City &amp; Guilds, achieved 12 March 2021" in person


def test_the_evidence_page_and_the_iqa_sample_name_the_deciders_credentials(
    client: Client, amy: User, asha: User, iris: User, amy_portfolio: Portfolio, pdr: Unit
) -> None:
    add_cava(asha)
    mapping = meet_unit(amy_portfolio, pdr)[0]
    decision = Decision.objects.filter(mapping=mapping).get()

    client.force_login(amy)
    evidence = client.get(reverse("portfolio:evidence_detail", args=[mapping.evidence_id]))
    client.force_login(iris)
    sample = client.get(reverse("assessment:decision_sample", args=[decision.pk]))

    assert f"by Asha Patel — {CAVA}, 2021," in evidence.content.decode()
    assert f"Credentials of Asha Patel: {CAVA}, City &amp; Guilds, 2021." in sample.content.decode()
