from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qualifications import selectors


@login_required
def qualification_list(request: HttpRequest) -> HttpResponse:
    qualifications = selectors.qualification_list()
    return render(
        request,
        "qualifications/qualification_list.html",
        {"title": "Qualifications", "qualifications": qualifications},
    )


@login_required
def qualification_detail(request: HttpRequest, reference: str) -> HttpResponse:
    qualification = selectors.qualification_detail(reference)
    return render(
        request,
        "qualifications/qualification_detail.html",
        {"title": qualification.title, "qualification": qualification},
    )


@login_required
def unit_detail(request: HttpRequest, reference: str) -> HttpResponse:
    unit = selectors.unit_detail(reference)
    context = {
        "title": unit.title,
        "unit": unit,
        "outcomes": unit.outcomes.all(),
        "guidance_sections": selectors.guidance_sections(unit),
        "criterion_total": sum(len(o.criteria.all()) for o in unit.outcomes.all()),
    }
    return render(request, "qualifications/unit_detail.html", context)
