from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Role, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_unique_whatever_its_case(amy: User) -> None:
    with pytest.raises(IntegrityError):
        User.objects.create(email=amy.email.upper(), full_name="Amy Again")


def test_new_users_email_is_stored_in_lower_case() -> None:
    user = User.objects.create_user("Mixed.Case@Example.ORG", "pw", full_name="M")
    assert user.email == "mixed.case@example.org"


def test_a_person_holds_each_role_once(amy: User) -> None:
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=amy, role=Role.LEARNER)


def test_the_database_refuses_an_unknown_role(amy: User) -> None:
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=amy, role="headteacher")


def test_a_person_may_hold_several_roles(iris: User) -> None:
    Membership.objects.create(user=iris, role=Role.ASSESSOR)
    assert iris.has_role(Role.ASSESSOR)
    assert iris.has_role(Role.IQA)
    assert not iris.has_role(Role.LEARNER)


def test_sign_in_with_email_in_any_case_lands_on_home(client: Client, amy: User) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": amy.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboards:home")


def test_wrong_password_says_what_to_do_and_signs_nobody_in(client: Client, amy: User) -> None:
    response = client.post(reverse("accounts:login"), {"username": amy.email, "password": "no"})
    assert response.status_code == 200
    assert "do not match an account" in response.text
    assert "_auth_user_id" not in client.session


def test_inactive_person_cannot_sign_in(client: Client, amy: User) -> None:
    amy.is_active = False
    amy.save()
    response = client.post(reverse("accounts:login"), {"username": amy.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_anonymous_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("qualifications:qualification_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_sign_out_ends_the_session(client: Client, amy: User) -> None:
    client.force_login(amy)
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("dashboards:home")).status_code == 302


def test_password_change_requires_the_current_password(client: Client, amy: User) -> None:
    client.force_login(amy)
    url = reverse("accounts:password_change")
    bad = client.post(
        url,
        {
            "old_password": "wrong",
            "new_password1": "N3w-pass-phrase",
            "new_password2": "N3w-pass-phrase",
        },
    )
    assert bad.status_code == 200
    assert "old password was entered incorrectly" in bad.text
    good = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "N3w-pass-phrase",
            "new_password2": "N3w-pass-phrase",
        },
    )
    assert good.status_code == 302
    amy.refresh_from_db()
    assert amy.check_password("N3w-pass-phrase")


def test_password_reset_emails_a_link_that_sets_a_new_password(client: Client, amy: User) -> None:
    client.post(reverse("accounts:password_reset"), {"email": amy.email})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [amy.email]
    link = re.search(r"http://127\.0\.0\.1:8000(/password-reset/\S+/)", mail.outbox[0].body).group(
        1
    )
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.text
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Fresh-pass-2026", "new_password2": "Fresh-pass-2026"},
    )
    assert response.status_code == 302
    amy.refresh_from_db()
    assert amy.check_password("Fresh-pass-2026")


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(
    client: Client, db: None
) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_home_names_the_persons_roles_and_centre(client: Client, iris: User) -> None:
    Membership.objects.create(user=iris, role=Role.ASSESSOR)
    client.force_login(iris)
    response = client.get(reverse("dashboards:home"))
    assert "Your roles at Northgate Training: Assessor, Internal quality assurer." in response.text
    assert reverse("accounts:people_list") in response.text


def test_home_of_a_learner_does_not_link_to_the_people_list(client: Client, amy: User) -> None:
    client.force_login(amy)
    response = client.get(reverse("dashboards:home"))
    assert reverse("accounts:people_list") not in response.text


def test_people_list_shows_only_the_viewers_centre(
    client: Client, ada: User, amy: User, oscar: User
) -> None:
    client.force_login(ada)
    response = client.get(reverse("accounts:people_list"))
    assert amy.email in response.text
    assert oscar.email not in response.text
    assert oscar.full_name not in response.text


def test_people_list_filters_by_role_and_text(
    client: Client, ada: User, amy: User, ben: User, asha: User
) -> None:
    client.force_login(ada)
    response = client.get(reverse("accounts:people_list"), {"role": Role.LEARNER, "q": "ben"})
    people = list(response.context["people"])
    assert people == [ben]


def test_people_list_runs_a_fixed_number_of_queries(
    client: Client, ada: User, django_assert_max_num_queries
) -> None:
    client.force_login(ada)
    url = reverse("accounts:people_list")
    with django_assert_max_num_queries(8):
        client.get(url)
    for n in range(30):
        UserFactory(
            centre=ada.centre, roles=[Role.LEARNER, Role.TUTOR] if n % 2 else [Role.LEARNER]
        )
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert len(response.context["people"]) == 31


def test_demo_data_refuses_to_run_with_debug_off(settings, db: None) -> None:
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError, match="local development only"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_demo_data_can_be_seeded_twice(settings, db: None) -> None:
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.filter(email="amy@northgate.example").count() == 1
    amy = User.objects.get(email="amy@northgate.example")
    assert amy.check_password("portfolio-demo")
    assert amy.roles == {Role.LEARNER}


def test_someone_invited_who_never_set_a_password_can_still_ask_for_a_reset(
    client: Client, centre
) -> None:
    invited = User.objects.create_user(
        "new.learner@example.org", None, full_name="New", centre=centre
    )
    assert not invited.has_usable_password()
    client.post(reverse("accounts:password_reset"), {"email": "NEW.learner@example.org"})
    assert [message.to for message in mail.outbox] == [["new.learner@example.org"]]
