"""The GOV.UK error summary: every error on the page, at the top, each a link to its field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.forms.formsets import BaseFormSet

register = template.Library()


@dataclass(frozen=True)
class ErrorLink:
    message: str
    field_id: str  # empty when the error is about the form as a whole


def first_input_id(bound: forms.BoundField) -> str:
    """The id of the element a person should land on: the field itself, or for a group of radio
    buttons, checkboxes or a split input, its first member (the group's label points nowhere)."""
    widget = bound.field.widget
    auto_id = bound.auto_id or ""
    if not auto_id:
        return ""
    if isinstance(widget, forms.MultiWidget):
        return f"{auto_id}_0"  # MultiWidget numbers its parts' ids from 0
    if isinstance(widget, forms.widgets.ChoiceWidget) and widget.input_type in {
        "radio",
        "checkbox",
    }:
        return widget.id_for_label(auto_id, "0")
    return auto_id


def form_error_links(form: forms.BaseForm) -> list[ErrorLink]:
    links = [ErrorLink(str(message), "") for message in form.non_field_errors()]
    for name, messages in form.errors.items():
        if name == forms.forms.NON_FIELD_ERRORS or name not in form.fields:
            continue
        bound = form[name]
        target = "" if bound.is_hidden else first_input_id(bound)
        links.extend(ErrorLink(str(message), target) for message in messages)
    return links


def error_links(*candidates: Any) -> list[ErrorLink]:
    """Each error of the bound forms and formsets given, in page order; anything else (an unset
    context variable, an unbound form) gives none."""
    links: list[ErrorLink] = []
    for candidate in candidates:
        if isinstance(candidate, BaseFormSet) and candidate.is_bound:
            links.extend(ErrorLink(str(m), "") for m in candidate.non_form_errors())
            for form in candidate.forms:
                links.extend(form_error_links(form))
        elif isinstance(candidate, forms.BaseForm) and candidate.is_bound:
            links.extend(form_error_links(candidate))
    return links


@register.inclusion_tag("_error_summary.html")
def error_summary(*candidates: Any) -> dict[str, list[ErrorLink]]:
    """`{% error_summary form other_form %}`: the box titled "There is a problem" listing every
    error, or nothing when there are none."""
    return {"error_links": error_links(*candidates)}
