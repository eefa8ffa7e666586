"""Cohorts, enrolling learners one at a time or from a CSV file, reassigning portfolios,
moving them to a new version of their qualification, and external quality assurers' access."""

from __future__ import annotations

import dataclasses
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.pagination import paginate
from accounts.params import id_or_none, search_words
from assessment.selectors import newer_version
from enrolment import selectors, versions
from enrolment import services as enrolment
from enrolment.access import (
    get_cohort_to_manage,
    get_eqa_grant_to_manage,
    get_portfolio_to_manage,
    require_centre_admin,
)
from enrolment.forms import (
    ApprenticeshipForm,
    CohortForm,
    EnrolForm,
    EqaGrantForm,
    IntakeUploadForm,
    ReassignForm,
)
from enrolment.intake_check import check_intake_text
from enrolment.intake_file import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    OPTIONAL_UNITS,
    REGISTRATION_NUMBER,
    ULN,
    parse_intake_text,
)
from enrolment.intake_file import intake_template as intake_template_text
from enrolment.services import EnrolmentRefused
from portfolio.errors import ActionRefused
from portfolio.models import Portfolio
from portfolio.services import eqa

# The parsed file waits in the session between the preview and the confirmation; nothing is
# written until the administrator confirms.
SESSION_INTAKE = "enrolment:intake"
SESSION_RESULT = "enrolment:intake_result"
PREVIEW_ROWS = 200
PROBLEMS_SHOWN = 1_000
# The grant's page lists this many of the latest pages the assurer opened.
EQA_VIEWS_SHOWN = 200


# Cohorts -------------------------------------------------------------------------------------


@login_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    require_centre_admin(request.user)
    query = search_words(request.GET.get("q"))
    cohorts = paginate(
        request,
        selectors.cohort_list(request.user.centre_id, query=query),
        label="Pages of cohorts",
        kept={"q": query},
    )
    context = {"title": "Cohorts", "cohorts": cohorts, "query": query}
    return render(request, "enrolment/cohort_list.html", context)


@login_required
def cohort_create(request: HttpRequest) -> HttpResponse:
    require_centre_admin(request.user)
    form = CohortForm(request.POST or None, centre_id=request.user.centre_id)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = enrolment.cohort_create(actor=request.user, **form.cleaned_data)
        except EnrolmentRefused as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"Cohort “{cohort.name}” created.")
            return redirect("enrolment:cohort_list")
    return render(request, "enrolment/cohort_form.html", {"title": "New cohort", "form": form})


# Learners ------------------------------------------------------------------------------------


@login_required
def learner_list(request: HttpRequest) -> HttpResponse:
    """The centre's portfolios, optionally one cohort's, with who assesses and tutors each."""
    require_centre_admin(request.user)
    cohort = None
    if "cohort" in request.GET:
        cohort_id = id_or_none(request.GET["cohort"])
        if cohort_id is None:
            raise Http404("No such cohort.")
        cohort = get_cohort_to_manage(request.user, cohort_id)
    query = search_words(request.GET.get("q"))
    page = paginate(
        request,
        selectors.learners(centre_id=request.user.centre_id, cohort=cohort, query=query),
        label="Pages of learners",
        kept={"cohort": str(cohort.pk) if cohort else "", "q": query},
    )
    context = {
        "title": f"Learners in {cohort.name}" if cohort else "Learners",
        "cohort": cohort,
        "page": page,
        "query": query,
    }
    return render(request, "enrolment/enrol_learner_list.html", context)


@login_required
def learner_enrol(request: HttpRequest) -> HttpResponse:
    require_centre_admin(request.user)
    form = EnrolForm(request.POST or None, centre_id=request.user.centre_id)
    if request.method == "POST" and form.is_valid():
        try:
            result = enrolment.learner_enrol(actor=request.user, **form.cleaned_data)
        except EnrolmentRefused as error:
            form.add_error(error.field, error.message)
        else:
            portfolio = result.portfolio
            if not result.created_portfolio:
                messages.info(
                    request,
                    f"{portfolio.learner} is already enrolled on {portfolio.qualification}; "
                    "nothing changed.",
                )
            elif result.created_user:
                messages.success(
                    request,
                    f"{portfolio.learner} is enrolled on {portfolio.qualification} and has been "
                    "emailed a link to choose a password.",
                )
            else:
                messages.success(
                    request, f"{portfolio.learner} is enrolled on {portfolio.qualification}."
                )
            if result.created_portfolio and selectors.has_optional_units(portfolio.qualification):
                # Mandatory units follow from the qualification; optional ones are chosen next.
                messages.info(
                    request,
                    "This qualification has optional units: choose them for the learner here, "
                    "now or later.",
                )
                return redirect("assessment:portfolio_units", portfolio.pk)
            return redirect("enrolment:learner_list")
    return render(request, "enrolment/enrol_form.html", {"title": "Enrol a learner", "form": form})


@login_required
def portfolio_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_to_manage(request.user, pk)
    form = ReassignForm(
        request.POST or None,
        centre_id=request.user.centre_id,
        initial={
            "assessor": portfolio.assessor_id,
            "tutor": portfolio.tutor_id,
            "iqa": portfolio.iqa_id,
            "registration_number": portfolio.registration_number,
            "uln": portfolio.learner.uln,
        },
    )
    if request.method == "POST" and form.is_valid():
        before = _reassigned(portfolio)
        try:
            portfolio = enrolment.portfolio_reassign(
                actor=request.user,
                portfolio=portfolio,
                assessor=form.cleaned_data["assessor"],
                tutor=form.cleaned_data["tutor"],
                iqa=form.cleaned_data["iqa"],
                registration_number=form.cleaned_data["registration_number"],
                uln=form.cleaned_data["uln"],
            )
        except EnrolmentRefused as error:
            form.add_error(error.field, error.message)
        else:
            if _reassigned(portfolio) == before:
                messages.info(request, "Nothing changed: that is what the portfolio already had.")
            else:
                messages.success(
                    request,
                    f"Saved who assesses and tutors {portfolio.learner}’s portfolio, its "
                    "designated IQA and the learner’s numbers.",
                )
            return redirect("enrolment:learner_list")
    context = {
        "title": f"Reassign {portfolio.learner}’s portfolio",
        "portfolio": portfolio,
        "form": form,
    }
    return render(request, "enrolment/reassign_form.html", context)


def _reassigned(portfolio: Portfolio) -> tuple[object, ...]:
    """What the reassign page sets, to tell whether saving it changed anything."""
    return (
        portfolio.assessor_id,
        portfolio.tutor_id,
        portfolio.iqa_id,
        portfolio.registration_number,
        portfolio.learner.uln,
    )


@login_required
def portfolio_apprenticeship(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_portfolio_to_manage(request.user, pk)
    form = ApprenticeshipForm(
        request.POST or None,
        centre_id=request.user.centre_id,
        initial={
            "is_apprenticeship": portfolio.is_apprenticeship,
            "planned_hours": portfolio.off_the_job_planned_hours,
            "employer": portfolio.employer_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_employer = (
            enrolment.NewPerson(data["new_employer_name"], data["new_employer_email"])
            if data["new_employer_email"]
            else None
        )
        try:
            portfolio = enrolment.portfolio_apprenticeship(
                actor=request.user,
                portfolio=portfolio,
                is_apprenticeship=data["is_apprenticeship"],
                planned_hours=data["planned_hours"],
                employer=data["employer"],
                new_employer=new_employer,
            )
        except EnrolmentRefused as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"Saved the apprenticeship settings of {portfolio.learner}.")
            return redirect("enrolment:learner_list")
    context = {
        "title": f"Apprenticeship: {portfolio.learner}",
        "portfolio": portfolio,
        "form": form,
    }
    return render(request, "enrolment/apprenticeship_form.html", context)


@login_required
def portfolio_version(request: HttpRequest, pk: int) -> HttpResponse:
    """What moving the portfolio to the newest version would carry across (GET), and the move
    (POST), for the version the preview showed."""
    portfolio = get_portfolio_to_manage(request.user, pk)
    target = newer_version(portfolio)
    if request.method == "POST" and target is not None:
        if request.POST.get("target") != str(target.pk):
            messages.error(
                request,
                "The qualification has changed since that preview was shown; check what will "
                "carry across now before moving the portfolio.",
            )
            return redirect("enrolment:portfolio_version", portfolio.pk)
        try:
            plan = versions.portfolio_move(actor=request.user, portfolio=portfolio, target=target)
        except EnrolmentRefused as error:
            messages.error(request, error.message)
            return redirect("enrolment:portfolio_version", portfolio.pk)
        messages.success(
            request,
            f"{portfolio.learner}’s portfolio is on version {target.version} now: "
            f"{len(plan.carried)} mapping{'s' if len(plan.carried) != 1 else ''} carried "
            f"across, {len(plan.left)} listed for the assessor.",
        )
        return redirect("assessment:portfolio_detail", portfolio.pk)
    context = {
        "title": f"Move {portfolio.learner}’s portfolio to a new version",
        "portfolio": portfolio,
        "target": target,
        "plan": versions.plan_move(portfolio, target) if target else None,
        "refusal": versions.move_refusal(request.user, portfolio, target) if target else None,
    }
    return render(request, "enrolment/portfolio_version.html", context)


# The CSV intake ------------------------------------------------------------------------------


@login_required
def intake_upload(request: HttpRequest) -> HttpResponse:
    require_centre_admin(request.user)
    form = IntakeUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        request.session[SESSION_INTAKE] = {
            "name": (form.cleaned_data["file"].name or "intake.csv")[:200],
            "text": text,
            "digest": hashlib.sha256(text.encode()).hexdigest(),
        }
        request.session.pop(SESSION_RESULT, None)
        return redirect("enrolment:intake_preview")
    context = {
        "title": "Import learners from a file",
        "form": form,
        "columns": COLUMNS,
        "optional_units": OPTIONAL_UNITS,
        "uln": ULN,
        "registration_number": REGISTRATION_NUMBER,
    }
    return render(request, "enrolment/import_upload.html", context)


@login_required
def intake_template(request: HttpRequest) -> HttpResponse:
    """The CSV to fill in: the header row, with every column the intake reads."""
    require_centre_admin(request.user)
    response = HttpResponse(intake_template_text(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="learner-intake.csv"'
    return response


@login_required
def intake_preview(request: HttpRequest) -> HttpResponse:
    """Every row and every problem; with no problems, a button to import (POST here)."""
    require_centre_admin(request.user)
    stored = request.session.get(SESSION_INTAKE)
    if not stored:
        messages.info(request, "Upload an intake file first.")
        return redirect("enrolment:intake_upload")
    if request.method == "POST":
        if request.POST.get("digest") != stored["digest"]:
            messages.error(
                request,
                "Another file was uploaded after that preview was shown. Check this one "
                "before importing it.",
            )
            return redirect("enrolment:intake_preview")
        try:
            summary = enrolment.intake_import(
                actor=request.user, rows=parse_intake_text(stored["text"]).rows
            )
        except EnrolmentRefused as error:
            # Something changed since the preview (an account, a cohort): show it afresh.
            messages.error(request, error.message)
            return redirect("enrolment:intake_preview")
        else:
            del request.session[SESSION_INTAKE]
            request.session[SESSION_RESULT] = {
                "name": stored["name"],
                **dataclasses.asdict(summary),
            }
            return redirect("enrolment:intake_result")
    checked = check_intake_text(centre=request.user.centre, text=stored["text"])
    # An optional column shows only when the file fills it in somewhere.
    columns = COLUMNS + tuple(
        column for column in OPTIONAL_COLUMNS if any(row.cells[column] for row in checked.rows)
    )
    context = {
        "title": "Check the intake file",
        "name": stored["name"],
        "digest": stored["digest"],
        "headings": [ULN.upper() if column == ULN else column.capitalize() for column in columns],
        "rows": [
            (row.row, [row.cells[column] for column in columns], row.status)
            for row in checked.rows[:PREVIEW_ROWS]
        ],
        "row_count": len(checked.rows),
        "rows_hidden": max(0, len(checked.rows) - PREVIEW_ROWS),
        "counts": [(status, count) for status, count in checked.counts.items() if count],
        "rows_with_problems": checked.rows_with_problems,
        "problems": checked.problems[:PROBLEMS_SHOWN],
        "problem_count": len(checked.problems),
        "problems_hidden": max(0, len(checked.problems) - PROBLEMS_SHOWN),
        "to_enrol": checked.to_enrol_count,
        "upload_form": IntakeUploadForm(),
    }
    return render(request, "enrolment/import_preview.html", context)


@login_required
def intake_result(request: HttpRequest) -> HttpResponse:
    require_centre_admin(request.user)
    summary = request.session.get(SESSION_RESULT)
    if not summary:
        return redirect("enrolment:intake_upload")
    context = {"title": "Learners imported", "summary": summary}
    return render(request, "enrolment/import_result.html", context)


# External quality assurance --------------------------------------------------------------------


@login_required
def eqa_grant_list(request: HttpRequest) -> HttpResponse:
    require_centre_admin(request.user)
    grants = selectors.eqa_grants(request.user.centre_id)
    context = {"title": "External quality assurance", "grants": grants}
    return render(request, "enrolment/eqa_grant_list.html", context)


@login_required
def eqa_grant_create(request: HttpRequest) -> HttpResponse:
    require_centre_admin(request.user)
    form = EqaGrantForm(request.POST or None, centre_id=request.user.centre_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant, _ = eqa.eqa_grant_create(
                actor=request.user,
                assurer=eqa.Assurer(
                    full_name=data["full_name"],
                    email=data["email"],
                    organisation=data["organisation"],
                ),
                expires_on=data["expires_on"],
                portfolios=data["portfolios"],
                units=data["units"],
            )
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, f"{grant.assurer} has been emailed a link to sign in to their sample."
            )
            return redirect("enrolment:eqa_grant_detail", grant.pk)
    context = {"title": "Grant external quality assurance access", "form": form}
    return render(request, "enrolment/eqa_grant_form.html", context)


@login_required
def eqa_grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_eqa_grant_to_manage(request.user, pk)
    context = {
        "title": f"Access for {grant.assurer}",
        "grant": grant,
        "views_shown": EQA_VIEWS_SHOWN,
        **selectors.eqa_grant_record(grant, views_shown=EQA_VIEWS_SHOWN),
    }
    return render(request, "enrolment/eqa_grant_detail.html", context)


@login_required
def eqa_grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """A page asking to confirm; the POST ends the access at once."""
    grant = get_eqa_grant_to_manage(request.user, pk)
    if request.method == "POST":
        try:
            eqa.eqa_grant_revoke(actor=request.user, grant=grant)
        except ActionRefused as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{grant.assurer}’s access has ended.")
        return redirect("enrolment:eqa_grant_detail", grant.pk)
    context = {"title": f"Revoke access for {grant.assurer}", "grant": grant}
    return render(request, "enrolment/eqa_grant_revoke.html", context)
