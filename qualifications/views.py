from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qualifications import selectors, versions
from qualifications.access import can_compare_versions, require_version_reader


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
        {
            "title": qualification.title,
            "qualification": qualification,
            "versions": selectors.qualification_versions(qualification.reference),
            "can_compare_versions": can_compare_versions(request.user),
        },
    )


@login_required
def qualification_diff(
    request: HttpRequest, reference: str, from_version: str, to_version: str
) -> HttpResponse:
    """What changed between two versions: criteria added, removed, reworded and renumbered."""
    require_version_reader(request.user)
    old = selectors.qualification_version(reference, from_version)
    new = selectors.qualification_version(reference, to_version)
    context = {
        "title": f"{new.title}: version {old.version} to version {new.version}",
        "diff": versions.diff(old, new),
        "versions": selectors.qualification_versions(reference),
    }
    return render(request, "qualifications/qualification_diff.html", context)


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
