"""Messages between a learner, their assessor, tutors and the centre's IQAs: one thread per
portfolio and one per piece of evidence, append-only, audited, notified and private."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, Role, User
from accounts.notifications import send_all_digests
from cohorts.models import Cohort
from portfolio import services
from portfolio.audit import describe
from portfolio.errors import ActionRefused
from portfolio.models import AuditEntry, Evidence, Message, Portfolio
from tests.cast import person
from tests.factories import PortfolioFactory
from tests.journeys import refer, submit
from tests.pages import messages_of, queries_for, text_of

pytestmark = pytest.mark.django_db


def post(actor: User, portfolio: Portfolio, body: str, evidence: Evidence | None = None) -> Message:
    return services.message_post(actor=actor, portfolio=portfolio, evidence=evidence, body=body)


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def evidence_messages_url(evidence: Evidence) -> str:
    return reverse("portfolio:evidence_messages", args=[evidence.pk])


def portfolio_messages_url(portfolio: Portfolio) -> str:
    return reverse("portfolio:portfolio_messages", args=[portfolio.pk])


# The model ----------------------------------------------------------------------------------


def test_a_message_cannot_be_edited_or_deleted(amy: User, amy_portfolio: Portfolio) -> None:
    message = post(amy, amy_portfolio, "Is my witness statement enough?")
    message.body = "Something else"

    with pytest.raises(TypeError, match="append-only"):
        message.save()
    with pytest.raises(TypeError, match="append-only"):
        message.delete()
    with pytest.raises(TypeError, match="append-only"):
        Message.objects.filter(pk=message.pk).update(body="Rewritten")
    with pytest.raises(TypeError, match="append-only"):
        Message.objects.filter(pk=message.pk).delete()
    assert Message.objects.get().body == "Is my witness statement enough?"


def test_the_database_refuses_an_empty_message(amy: User, amy_portfolio: Portfolio) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(portfolio=amy_portfolio, author=amy, body="")


# The service --------------------------------------------------------------------------------


def test_a_message_is_kept_in_its_own_thread(
    amy: User, asha: User, amy_portfolio: Portfolio, evidence: Evidence
) -> None:
    about_evidence = post(amy, amy_portfolio, "  Did the photo come out?  ", evidence)
    reply = post(asha, amy_portfolio, "Yes, it is clear.", evidence)
    general = post(asha, amy_portfolio, "Let us meet on Friday.")

    assert about_evidence.body == "Did the photo come out?"
    assert list(Message.objects.filter(evidence=evidence)) == [about_evidence, reply]
    assert list(Message.objects.filter(portfolio=amy_portfolio, evidence=None)) == [general]


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_message_is_refused(amy: User, amy_portfolio: Portfolio, body: str) -> None:
    with pytest.raises(ActionRefused, match="Write your message"):
        post(amy, amy_portfolio, body)

    assert not Message.objects.exists()


def test_a_message_about_another_portfolios_evidence_is_refused(
    amy: User, ben: User, amy_portfolio: Portfolio, ben_portfolio: Portfolio
) -> None:
    bens = services.evidence_create(
        actor=ben,
        portfolio=ben_portfolio,
        type="product",
        title="Ben's board",
        activity_date=datetime.date(2025, 10, 1),
        description="",
    )

    with pytest.raises(ActionRefused, match="not in this portfolio"):
        post(amy, amy_portfolio, "Look at this.", bens)

    assert not Message.objects.exists()


@pytest.mark.parametrize("who", ["ada", "eve", "ben"])
def test_only_people_in_the_conversation_may_write(
    amy_portfolio: Portfolio, who: str, request: pytest.FixtureRequest
) -> None:
    outsider = request.getfixturevalue(who)

    with pytest.raises(ActionRefused, match="Only the learner and the staff"):
        post(outsider, amy_portfolio, "Hello")

    assert not Message.objects.exists()


def test_the_learner_assessor_tutors_and_iqas_may_write(
    amy: User, asha: User, tom: User, iris: User, amy_portfolio: Portfolio, centre: Any
) -> None:
    cohort_tutor = person(centre, "Cal Cohort", Role.TUTOR)
    cohort = Cohort.objects.create(
        centre=centre, name="Retail 2025", qualification=amy_portfolio.qualification
    )
    cohort.tutors.add(cohort_tutor)
    Portfolio.objects.filter(pk=amy_portfolio.pk).update(cohort=cohort)
    amy_portfolio.refresh_from_db()

    for who in (amy, asha, tom, iris, cohort_tutor):
        post(who, amy_portfolio, f"From {who.full_name}")

    assert Message.objects.count() == 5


def test_an_assessor_of_other_learners_may_not_write(
    asha: User, amy_portfolio: Portfolio, centre: Any
) -> None:
    other_assessor = person(centre, "Omar Other", Role.ASSESSOR)

    with pytest.raises(ActionRefused):
        post(other_assessor, amy_portfolio, "Hello")


def test_evidence_with_messages_about_it_is_kept(
    amy: User, asha: User, amy_portfolio: Portfolio, evidence: Evidence
) -> None:
    post(asha, amy_portfolio, "Which till was this?", evidence)

    with pytest.raises(ActionRefused, match="messages are kept as part of the record"):
        services.evidence_delete(actor=amy, evidence=evidence)

    assert Evidence.objects.filter(pk=evidence.pk).exists()


# Notifications and the digest ---------------------------------------------------------------


def test_posting_tells_the_others_in_the_conversation_but_not_the_author(
    amy: User, asha: User, tom: User, iris: User, ada: User, eve: User, amy_portfolio: Portfolio
) -> None:
    post(amy, amy_portfolio, "Can I use the rota as evidence?\nIt shows my shifts.")

    told = {n.recipient for n in Notification.objects.all()}
    [to_asha] = Notification.objects.filter(recipient=asha)
    assert told == {asha, tom}
    assert to_asha.message == (
        "Amy Archer wrote about Amy Archer’s portfolio: "
        "Can I use the rota as evidence? It shows my shifts."
    )
    assert to_asha.link == portfolio_messages_url(amy_portfolio) + "#messages"


def test_the_designated_iqa_and_an_iqa_who_wrote_hear_of_replies(
    amy: User, asha: User, iris: User, amy_portfolio: Portfolio, evidence: Evidence, centre: Any
) -> None:
    sampler = person(centre, "Sam Sampler", Role.IQA)
    Portfolio.objects.filter(pk=amy_portfolio.pk).update(iqa=iris)
    amy_portfolio.refresh_from_db()
    post(sampler, amy_portfolio, "I sampled this: who took the photo?", evidence)
    Notification.objects.all().delete()

    post(amy, amy_portfolio, "My manager did.", evidence)

    told = {n.recipient for n in Notification.objects.all()}
    assert {iris, sampler, asha} <= told
    assert amy not in told
    [to_sampler] = Notification.objects.filter(recipient=sampler)
    assert to_sampler.message.startswith("Amy Archer wrote about “Customer feedback board”:")
    assert to_sampler.link == reverse("portfolio:evidence_detail", args=[evidence.pk]) + "#messages"


def test_an_iqa_who_never_wrote_is_not_told(
    amy: User, iris: User, amy_portfolio: Portfolio
) -> None:
    post(amy, amy_portfolio, "Hello")

    assert not Notification.objects.filter(recipient=iris).exists()


def test_the_tutors_of_the_cohort_are_told(
    amy: User, amy_portfolio: Portfolio, centre: Any
) -> None:
    cohort_tutor = person(centre, "Cal Cohort", Role.TUTOR)
    cohort = Cohort.objects.create(
        centre=centre, name="Retail 2025", qualification=amy_portfolio.qualification
    )
    cohort.tutors.add(cohort_tutor)
    Portfolio.objects.filter(pk=amy_portfolio.pk).update(cohort=cohort)
    amy_portfolio.refresh_from_db()

    post(amy, amy_portfolio, "Hello")

    assert Notification.objects.filter(recipient=cohort_tutor).exists()


def test_a_long_message_is_shortened_in_its_notification(
    amy: User, asha: User, amy_portfolio: Portfolio
) -> None:
    post(amy, amy_portfolio, "word " * 200)

    to_asha = Notification.objects.get(recipient=asha)
    assert to_asha.message.endswith("word…")
    assert len(to_asha.message) < 200


def test_a_message_is_mailed_in_the_digest(
    amy: User, asha: User, amy_portfolio: Portfolio, evidence: Evidence
) -> None:
    post(amy, amy_portfolio, "Is the photo clear enough?", evidence)

    send_all_digests()

    [to_asha] = [m for m in mail.outbox if m.to == [asha.email]]
    assert "Amy Archer wrote about “Customer feedback board”: Is the photo clear enough?" in (
        to_asha.body
    )
    # The mail links through the notification (opening it marks it read) to the evidence.
    notification = Notification.objects.get(recipient=asha)
    assert notification.link.startswith(reverse("portfolio:evidence_detail", args=[evidence.pk]))
    assert reverse("accounts:notification_open", args=[notification.pk]) in to_asha.body


# The audit trail ----------------------------------------------------------------------------


def test_every_message_is_audited_with_its_words(
    amy: User, asha: User, amy_portfolio: Portfolio, evidence: Evidence
) -> None:
    post(amy, amy_portfolio, "Is the photo clear enough?", evidence)
    post(asha, amy_portfolio, "Let us meet on Friday.")

    about_evidence, general = AuditEntry.objects.order_by("at", "pk").filter(
        action__startswith="message."
    )
    assert about_evidence.actor == amy
    assert about_evidence.portfolio == amy_portfolio
    line = describe(about_evidence)
    assert line.what == "Wrote a message about evidence"
    assert line.details == [
        f"About evidence: E{evidence.number} Customer feedback board",
        "Message: “Is the photo clear enough?”",
    ]
    assert describe(general).what == "Wrote a message on the portfolio"
    # The portfolio's own thread stays out of the timeline the PDF prints: only its length.
    assert describe(general).details == ["Characters written: 22"]


# The pages ----------------------------------------------------------------------------------


def test_the_learner_posts_on_evidence_and_returns_to_it(
    client: Client, amy: User, amy_portfolio: Portfolio, evidence: Evidence
) -> None:
    signed_in(client, amy)

    response = client.post(
        evidence_messages_url(evidence), {"body": "Is this <b>enough</b>?\nOr more?"}, follow=True
    )

    assert response.redirect_chain == [
        (reverse("portfolio:evidence_detail", args=[evidence.pk]) + "#messages", 302)
    ]
    assert messages_of(response) == ["Message sent; the others in this conversation will be told."]
    page = response.content.decode()
    assert "<p>Is this &lt;b&gt;enough&lt;/b&gt;?<br>Or more?</p>" in page
    assert "Amy Archer</strong> (learner)" in page


def test_the_assessor_replies_from_the_review_page_and_returns_to_it(
    client: Client, amy: User, asha: User, amy_portfolio: Portfolio, evidence: Evidence
) -> None:
    post(amy, amy_portfolio, "Is the photo clear enough?", evidence)
    signed_in(client, asha)
    review = reverse("assessment:evidence_review", args=[evidence.pk])
    assert "Is the photo clear enough?" in text_of(client.get(review))

    response = client.post(
        evidence_messages_url(evidence), {"body": "Yes, thank you.", "back": "review"}
    )

    assert response.status_code == 302
    assert response["Location"] == review + "#messages"
    assert "Yes, thank you." in text_of(client.get(review))


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("   ", "Write your message before sending it."),
        ("x" * 5_001, "Keep a message under 5,000 characters (it is 5001)."),
    ],
)
def test_a_message_that_cannot_be_sent_is_shown_again_with_why(
    client: Client, amy: User, amy_portfolio: Portfolio, evidence: Evidence, body: str, error: str
) -> None:
    signed_in(client, amy)

    response = client.post(evidence_messages_url(evidence), {"body": body, "back": "evidence"})

    assert response.status_code == 200
    page = text_of(response)
    assert error in page
    assert body.strip() in page  # the words are kept in the box
    assert 'name="back" value="evidence"' in page
    assert not Message.objects.exists()


def test_the_portfolio_thread_page_shows_the_thread_and_the_evidence_conversations(
    client: Client, amy: User, asha: User, amy_portfolio: Portfolio, evidence: Evidence
) -> None:
    post(amy, amy_portfolio, "Is the photo clear enough?", evidence)
    post(asha, amy_portfolio, "Yes.", evidence)
    signed_in(client, amy)

    response = client.post(portfolio_messages_url(amy_portfolio), {"body": "See you Friday."})
    page = text_of(client.get(response["Location"]))

    assert "See you Friday." in page
    assert "Is the photo clear enough?" not in page  # that is in the evidence's own thread
    assert f"E{evidence.number} Customer feedback board" in page
    assert "2 messages" in page


def test_the_header_shows_the_messages_tab_only_to_those_in_the_conversation(
    client: Client, amy: User, eve: User, amy_portfolio: Portfolio
) -> None:
    Portfolio.objects.filter(pk=amy_portfolio.pk).update(is_apprenticeship=True, employer=eve)
    overview = reverse("assessment:portfolio_detail", args=[amy_portfolio.pk])
    tab = f'href="{portfolio_messages_url(amy_portfolio)}"'

    assert tab in signed_in(client, amy).get(overview).content.decode()
    assert tab not in signed_in(Client(), eve).get(overview).content.decode()


def test_an_administrator_reads_the_thread_without_a_form(
    client: Client, amy: User, ada: User, amy_portfolio: Portfolio, evidence: Evidence
) -> None:
    post(amy, amy_portfolio, "Is the photo clear enough?", evidence)
    signed_in(client, ada)

    page = text_of(client.get(reverse("portfolio:evidence_detail", args=[evidence.pk])))

    assert "Is the photo clear enough?" in page
    assert "You can read this conversation" in page
    assert 'name="body"' not in page
    assert client.post(evidence_messages_url(evidence), {"body": "Hi"}).status_code == 403


def test_the_employer_contact_sees_the_evidence_but_not_its_messages(
    client: Client, amy: User, eve: User, amy_portfolio: Portfolio, evidence: Evidence
) -> None:
    Portfolio.objects.filter(pk=amy_portfolio.pk).update(is_apprenticeship=True, employer=eve)
    post(amy, amy_portfolio, "Private question", evidence)
    signed_in(client, eve)

    page = text_of(client.get(reverse("portfolio:evidence_detail", args=[evidence.pk])))

    assert "Private question" not in page
    assert 'id="messages"' not in page
    assert client.get(evidence_messages_url(evidence)).status_code == 403


def test_another_learners_thread_is_not_found(
    client: Client, ben: User, amy_portfolio: Portfolio, evidence: Evidence
) -> None:
    signed_in(client, ben)

    assert client.get(portfolio_messages_url(amy_portfolio)).status_code == 404
    assert client.get(evidence_messages_url(evidence)).status_code == 404
    assert client.post(evidence_messages_url(evidence), {"body": "Hi"}).status_code == 404
    assert not Message.objects.exists()


# Queries ------------------------------------------------------------------------------------


def _many_messages(portfolio: Portfolio, evidence: Evidence, people: list[User], n: int) -> None:
    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            portfolio=portfolio,
            evidence=about,
            author=people[i % len(people)],
            body=f"Message {i}",
            created_at=now + datetime.timedelta(seconds=i),
        )
        for i in range(n)
        for about in (evidence, None)
    )


@pytest.mark.parametrize(
    ("page", "ceiling"),
    [
        # Session, person, roles, unread notifications; then the portfolio, its thread and
        # the evidence conversations; or the evidence and its thread.
        ("portfolio", 7),
        ("evidence thread", 6),
        # The evidence page's 10 before messages, and its thread.
        ("evidence page", 11),
    ],
)
def test_the_thread_pages_run_the_same_queries_for_one_message_or_many(
    client: Client,
    amy: User,
    asha: User,
    tom: User,
    make_evidence: Callable[..., Evidence],
    amy_portfolio: Portfolio,
    django_assert_max_num_queries: Callable[..., Any],
    page: str,
    ceiling: int,
) -> None:
    evidence = make_evidence()
    others = [make_evidence(f"Other {n}") for n in range(3)]
    url = {
        "portfolio": portfolio_messages_url(amy_portfolio),
        "evidence thread": evidence_messages_url(evidence),
        "evidence page": reverse("portfolio:evidence_detail", args=[evidence.pk]),
    }[page]
    signed_in(client, amy)
    _many_messages(amy_portfolio, evidence, [amy], 1)
    client.get(url)
    one = queries_for(client, url)

    _many_messages(amy_portfolio, evidence, [amy, asha, tom], 60)
    for other in others:
        _many_messages(amy_portfolio, other, [asha], 5)
    with django_assert_max_num_queries(ceiling):
        many = queries_for(client, url)

    assert many == one
    assert "Message 59" in text_of(client.get(url))


def test_a_portfolio_of_another_centre_never_shows_its_messages(
    client: Client, oscar: User, amy: User, amy_portfolio: Portfolio
) -> None:
    foreign = PortfolioFactory(learner=oscar)
    post(oscar, foreign, "Riverside only")
    signed_in(client, amy)

    assert client.get(portfolio_messages_url(foreign)).status_code == 404


def test_an_iqa_sampling_a_decision_is_led_to_the_evidence_thread_and_writes_there(
    client: Client,
    amy: User,
    asha: User,
    iris: User,
    amy_portfolio: Portfolio,
    evidence: Evidence,
    wwo_1_1: Any,
) -> None:
    [mapping] = submit(evidence, wwo_1_1)
    decision = refer(asha, mapping)
    signed_in(client, iris)

    sample = client.get(reverse("assessment:decision_sample", args=[decision.pk])).content.decode()
    response = client.post(evidence_messages_url(evidence), {"body": "Who witnessed this?"})

    assert f'href="{reverse("portfolio:evidence_detail", args=[evidence.pk])}#messages"' in sample
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=amy, message__contains="Who witnessed").exists()
    assert Notification.objects.filter(recipient=asha, message__contains="Who witnessed").exists()


def test_a_post_without_a_message_field_says_what_is_missing(
    client: Client, amy: User, amy_portfolio: Portfolio
) -> None:
    signed_in(client, amy)

    response = client.post(portfolio_messages_url(amy_portfolio))

    assert response.status_code == 200
    assert "Write your message before sending it." in text_of(response)
    assert not Message.objects.exists()
