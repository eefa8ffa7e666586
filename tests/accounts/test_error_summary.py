"""The error summary partial ({% error_summary %}, templates/_error_summary.html): every error of
a form at the top of the page, each a link to the input it is about."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.templatetags.error_summary import ErrorLink, error_links


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(choices=[("agree", "Agree"), ("disagree", "Disagree")])
    criteria = forms.MultipleChoiceField(
        choices=[("1.1", "1.1"), ("1.2", "1.2")], widget=forms.CheckboxSelectMultiple
    )
    feedback = forms.CharField()
    seen = forms.CharField(widget=forms.HiddenInput)
    observed_at = forms.SplitDateTimeField()
    unit = forms.ChoiceField(choices=[("a", "A")])

    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("Nothing was recorded: the mapping has changed.")


class RadioForm(ReviewForm):
    verdict = forms.ChoiceField(
        choices=[("agree", "Agree"), ("disagree", "Disagree")], widget=forms.RadioSelect
    )


def render(*forms_given: object) -> str:
    template = Template("{% load error_summary %}{% error_summary first second %}")
    names = dict(zip(["first", "second"], [*forms_given, None, None], strict=False))
    return template.render(Context(names))


def test_an_unbound_form_or_a_missing_variable_renders_nothing() -> None:
    assert render(ReviewForm()).strip() == ""
    assert render(None).strip() == ""
    assert render("not a form").strip() == ""


def test_a_form_without_errors_renders_nothing() -> None:
    class Simple(forms.Form):
        name = forms.CharField()

    form = Simple({"name": "Amy"})
    assert form.is_valid()
    assert render(form).strip() == ""


def test_each_error_links_to_the_input_a_person_should_land_on() -> None:
    links = error_links(RadioForm({}))
    targets = {link.field_id for link in links}
    assert "id_verdict_0" in targets  # a radio group: its first button, not the group's id
    assert "id_criteria_0" in targets  # checkboxes likewise
    assert "id_observed_at_0" in targets  # a split date and time: its first box
    assert "id_feedback" in targets and "id_unit" in targets  # a plain input or a select
    assert "id_verdict" not in targets and "id_unit_0" not in targets


def test_errors_about_the_whole_form_or_a_hidden_field_are_listed_without_a_link() -> None:
    links = error_links(ReviewForm({}))
    assert links[0] == ErrorLink("Nothing was recorded: the mapping has changed.", "")
    assert ErrorLink("This field is required.", "") in links  # the hidden "seen" field
    assert not any(link.field_id == "id_seen" for link in links)


def test_the_summary_is_titled_there_is_a_problem_and_takes_focus() -> None:
    html = render(RadioForm({"feedback": "Fine"}))
    assert 'role="alert"' in html and 'tabindex="-1"' in html and "data-error-summary" in html
    assert re.search(r'id="error-summary-title">There is a problem</h2>', html)
    assert '<a href="#id_verdict_0">This field is required.</a>' in html
    assert "#id_feedback" not in html  # answered, so not listed


def test_a_formset_lists_each_forms_errors_with_its_prefixed_ids() -> None:
    class Name(forms.Form):
        name = forms.CharField()

    formset_class = forms.formset_factory(Name, extra=0, min_num=2)
    formset = formset_class(
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-name": "Amy",
            "form-1-name": "",
        }
    )
    assert [link.field_id for link in error_links(formset)] == ["id_form-1-name"]


def test_two_forms_are_summarised_in_the_order_given() -> None:
    class Name(forms.Form):
        name = forms.CharField()

    first, second = Name({}, prefix="first"), Name({}, prefix="second")
    assert [link.field_id for link in error_links(first, second)] == [
        "id_first-name",
        "id_second-name",
    ]


@pytest.mark.django_db
def test_every_page_shows_its_forms_errors_at_the_top_and_whole_form_errors_once(
    client: Client, amy: User
) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": amy.email, "password": "not her password"}
    )
    page = response.text
    summary = page.index("There is a problem")
    assert summary < page.index('name="password"')
    assert page.count("do not match an account") == 1  # not repeated above the fields


@pytest.mark.django_db
def test_a_field_error_is_in_the_summary_and_beside_its_field(client: Client, amy: User) -> None:
    client.force_login(amy)
    response = client.post(reverse("accounts:password_change"), {})
    page = response.text
    assert '<a href="#id_old_password">' in page
    assert 'id="id_old_password_error"' in page or "invalid-feedback" in page
    assert page.index("There is a problem") < page.index('name="old_password"')
