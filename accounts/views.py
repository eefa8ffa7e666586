from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.access import get_person_for, require_people_access
from accounts.forms import CredentialForm
from accounts.models import Credential, Notification, Role
from accounts.notifications import mark_read
from accounts.pagination import paginate
from accounts.params import ids, search_words


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    require_people_access(request.user)
    query = search_words(request.GET.get("q"))
    role = request.GET.get("role", "")
    if role not in Role.values:
        role = ""
    people = paginate(
        request,
        selectors.people_directory(request.user, query=query, role=role),
        label="Pages of people",
        kept={"q": query, "role": role},
    )
    context = {
        "title": "People",
        "people": people,
        "query": query,
        "role": role,
        "role_choices": Role.choices,
    }
    return render(request, "accounts/people_list.html", context)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk)
    context = {
        "title": person.full_name,
        "person": person,
        "credentials": person.credentials.all(),
    }
    return render(request, "accounts/person_detail.html", context)


def _require_credential_holder(user: object) -> None:
    if not services.can_hold_credentials(user):
        raise PermissionDenied("Only assessors and IQAs record assessing credentials.")


@login_required
def credential_list(request: HttpRequest) -> HttpResponse:
    """The person's own assessor/IQA qualifications, and a form to add one."""
    _require_credential_holder(request.user)
    form = CredentialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            credential = services.credential_add(actor=request.user, **form.cleaned_data)
        except services.CredentialRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Added {credential.title}.")
            return redirect("accounts:credential_list")
    context = {
        "title": "Your assessing credentials",
        "form": form,
        "credentials": request.user.credentials.all(),
        "changes": request.user.credential_changes.select_related("actor").order_by("-at", "-pk"),
    }
    return render(request, "accounts/credential_list.html", context)


@login_required
@require_POST
def credential_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_credential_holder(request.user)
    credential = get_object_or_404(Credential, pk=pk, person=request.user)
    try:
        services.credential_remove(actor=request.user, credential=credential)
    except services.CredentialRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Removed {credential.title}.")
    return redirect("accounts:credential_list")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = paginate(
        request, selectors.notifications_for(request.user), label="Pages of notifications"
    )
    return render(
        request,
        "accounts/notification_list.html",
        {"title": "Notifications", "notifications": notifications},
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    # No id means "mark all read"; ids that are not ids mark nothing rather than everything.
    chosen = ids(request.POST.getlist("id")) if "id" in request.POST else None
    marked = mark_read(actor=request.user, notification_ids=chosen)
    if marked:
        messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} read.")
    return redirect("accounts:notification_list")


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way. Only the recipient may open
    it (anyone else gets a 404), and only a path on this site is followed, never another host."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    mark_read(actor=request.user, notification_ids=[notification.pk])
    link = notification.link
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("accounts:notification_list")


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """Ends this session and every other one the person has (a lost phone, a shared computer)."""
    services.user_sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, "You are signed out on every device. Sign in again to carry on.")
    return redirect("accounts:login")


def sign_in_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """django-axes's lockout response: the site's own page, saying when to try again."""
    context = {"title": "Sign-in paused", "cool_off_minutes": settings.SIGN_IN_COOL_OFF_MINUTES}
    return render(request, "registration/locked_out.html", context, status=429)
