"""The catalogue: every signed-in person may read every qualification and unit, in any
version. A reference alone shows the current version."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qualifications import selectors, versions
from qualifications.access import can_compare_versions, require_version_reader
from qualifications.models import Qualification, Unit
from qualifications.outline import grade_bands, rules_outline


@login_required
def qualification_list(request: HttpRequest) -> HttpResponse:
    qualifications = selectors.qualification_list()
    return render(
        request,
        "qualifications/qualification_list.html",
        {"title": "Qualifications", "qualifications": qualifications},
    )


@login_required
def qualification_detail(
    request: HttpRequest, reference: str, version: str | None = None
) -> HttpResponse:
    qualification = selectors.qualification_detail(reference, version)
    context = {
        "title": f"{qualification.title} (version {qualification.version})",
        "qualification": qualification,
        "illustrative_notes": _illustrative_notes([qualification]),
        "unstated": _unstated(
            qualification,
            [
                ("source_text", "source"),
                ("ofqual_number", "Ofqual number"),
                ("credits", "credits"),
                ("guided_learning_hours", "guided learning hours"),
                ("total_qualification_time", "total qualification time"),
                ("operational_end_date", "operational end date"),
            ],
        ),
        "rules": rules_outline(qualification),
        "versions": selectors.qualification_versions(qualification.reference),
        "can_compare_versions": can_compare_versions(request.user),
    }
    return render(request, "qualifications/qualification_detail.html", context)


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
def unit_detail(request: HttpRequest, reference: str, version: str | None = None) -> HttpResponse:
    unit = selectors.unit_detail(reference, version)
    outcomes = list(unit.outcomes.all())
    qualifications = list(unit.qualifications.all())
    context = {
        "title": f"{unit.title} (version {unit.version})",
        "unit": unit,
        "outcomes": outcomes,
        "grade_bands": grade_bands(outcomes),
        "qualifications": qualifications,
        "illustrative_notes": _illustrative_notes(qualifications),
        "unstated": _unstated(
            unit,
            [
                ("source_text", "source"),
                ("ofqual_reference", "Ofqual unit reference"),
                ("unit_number", "unit number"),
                ("credits", "credits"),
                ("guided_learning_hours", "guided learning hours"),
            ],
        ),
        "guidance_sections": selectors.guidance_sections(unit),
        "criterion_total": sum(len(o.criteria.all()) for o in outcomes),
        "versions": list(selectors.unit_versions(unit.reference)),
    }
    return render(request, "qualifications/unit_detail.html", context)


def _illustrative_notes(qualifications: list[Qualification]) -> list[str]:
    """What users must be told about specifications this project wrote itself, once each."""
    default = "This project wrote this specification itself; the awarding body's own may differ."
    return list(
        dict.fromkeys(q.illustrative_note or default for q in qualifications if q.is_illustrative)
    )


def _unstated(specification: Qualification | Unit, fields: list[tuple[str, str]]) -> list[str]:
    """What the specification leaves out, named once rather than as a column of blanks."""
    return [label for name, label in fields if getattr(specification, name) in (None, "")]
