"""Field pages (tablets and phones): apprehension → each person of the group → review → done with
the candidates per person; a case's page with its status transitions; the list of registrations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import Role, role_required
from core.errors import form_call
from core.models import BorderPost, Sector
from registrations.filters import RegistrationFilter
from registrations.forms import ApprehensionForm, PersonForm, TransitionForm
from registrations.models import FINGER_POSITIONS, FingerMissing, GroupKind, Need, Registration
from registrations.selectors import (
    candidates_for,
    groups_visible,
    registration_read,
    registrations_visible,
)
from registrations.services import (
    apprehension_create,
    case_transition,
    group_add,
    group_complete,
    registration_create,
)

FIELD_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)


def _posts(user):
    return BorderPost.objects.restrict(user, "view").order_by("code")


@role_required(*FIELD_ROLES)
def registration_list(request):
    filterset = RegistrationFilter(request.GET or None, queryset=registrations_visible(user=request.user),
                                   request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else (
        registrations_visible(user=request.user) if not filterset.is_bound else Registration.objects.none())
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "registrations/registration_list.html", {"filter": filterset, "page": page},
                  status=400 if filterset.is_bound and filterset.errors else 200)


@role_required(*FIELD_ROLES)
def apprehension_new(request):
    posts = _posts(request.user)
    sectors = Sector.objects.restrict(request.user, "view").select_related("post").order_by("code")
    initial = {}
    incident = request.GET.get("incident", "")
    if incident.isdigit():
        initial["incident"] = int(incident)
    if posts.count() == 1:
        initial["post"] = posts.first()
    form = ApprehensionForm(request.POST or None, posts=posts, sectors=sectors, initial=initial)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        group = form_call(form, apprehension_create, actor=request.user, apprehended_at=c["apprehended_at"],
                          post=c["post"], sector=c["sector"], latitude=c["latitude"], longitude=c["longitude"],
                          unit=c["unit"], incident_id=c["incident"], group_kind=c["group_kind"])
        if group is not None:
            return redirect("registrations:person-new", group=group.pk)
    return render(request, "registrations/apprehension_form.html", {
        "form": form, "incident_id": form["incident"].value(),
    }, status=400 if form.is_bound else 200)


def _group(request, pk):
    return get_object_or_404(groups_visible(user=request.user), pk=pk)


@role_required(*FIELD_ROLES)
def person_new(request, group):
    group = _group(request, group)
    members = list(group.members.order_by("pk"))
    form = PersonForm(request.POST or None, request.FILES or None)
    if not form.is_bound and not members:
        form.initial["relationship"] = "head"
    if request.method == "POST" and form.is_valid():
        registration = form_call(form, registration_create, actor=request.user, apprehension=group.apprehension,
                                 group=group, data=form.data_for_service())
        if registration is not None:
            messages.success(request, _("%(name)s registered (%(reference)s).")
                             % {"name": registration.full_name, "reference": registration.reference})
            if request.POST.get("next") == "another":
                return redirect("registrations:person-new", group=group.pk)
            return redirect("registrations:group", pk=group.pk)
    return render(request, "registrations/person_form.html", {
        "form": form, "group": group, "members": members, "step": len(members) + 1,
    }, status=400 if form.is_bound else 200)


@role_required(*FIELD_ROLES)
def group_review(request, pk):
    group = _group(request, pk)
    members = list(registrations_visible(user=request.user).filter(group=group).order_by("pk"))
    for member in members:
        member.need_labels = [Need(n).label for n in member.needs if n in Need.values]
    return render(request, "registrations/group_review.html", {
        "group": group, "apprehension": group.apprehension, "members": members, "group_kinds": GroupKind.choices,
        "other_groups": groups_visible(user=request.user).filter(apprehension=group.apprehension).exclude(pk=group.pk),
    })


@require_POST
@role_required(*FIELD_ROLES)
def group_finish(request, pk):
    group = _group(request, pk)
    try:
        group_complete(actor=request.user, group=group)
    except ValidationError as exc:  # nobody registered yet
        messages.error(request, " ".join(exc.messages))
        return redirect("registrations:group", pk=group.pk)
    return redirect("registrations:group-done", pk=group.pk)


@require_POST
@role_required(*FIELD_ROLES)
def group_new(request, pk):
    """Another household or travel group of the same apprehension."""
    group = _group(request, pk)
    try:
        new = group_add(actor=request.user, apprehension=group.apprehension, kind=request.POST.get("kind", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("registrations:group", pk=group.pk)
    return redirect("registrations:person-new", group=new.pk)


@role_required(*FIELD_ROLES)
def group_done(request, pk):
    group = _group(request, pk)
    members = list(registrations_visible(user=request.user).filter(group=group).order_by("pk"))
    for member in members:
        member.candidates = candidates_for(user=request.user, registration=member)
    return render(request, "registrations/group_done.html", {
        "group": group, "apprehension": group.apprehension, "members": members,
    })


def _missing_by_reason(registration) -> list[tuple[str, str]]:
    """(reason, "finger, finger...") for the fingers not taken, grouped by reason."""
    by_reason: dict[str, list[str]] = {}
    for position, reason in sorted(registration.fingers_missing.items(), key=lambda x: int(x[0])):
        by_reason.setdefault(reason, []).append(str(FINGER_POSITIONS[int(position)]))
    return [(FingerMissing(r).label if r in FingerMissing.values else r, ", ".join(names))
            for r, names in by_reason.items()]


def _detail(request, registration, *, form=None, status=200):
    return render(request, "registrations/registration_detail.html", {
        "registration": registration, "apprehension": registration.apprehension,
        "transitions": registration.transitions.select_related("actor").order_by("at", "pk"),
        "documents": registration.documents.all(),
        "need_labels": [Need(n).label for n in registration.needs if n in Need.values],
        "missing": _missing_by_reason(registration),
        "taken": [FINGER_POSITIONS[p] for p in registration.fingers_taken],
        "candidates": candidates_for(user=request.user, registration=registration),
        "form": form or TransitionForm(statuses=registration.next_statuses),
        "group_members": registrations_visible(user=request.user).filter(group_id=registration.group_id)
        .exclude(pk=registration.pk) if registration.group_id else [],
    }, status=status)


@role_required(*FIELD_ROLES)
def registration_detail(request, pk):
    return _detail(request, registration_read(user=request.user, pk=pk, purpose="registration page"))


@require_POST
@role_required(*FIELD_ROLES)
def registration_transition(request, pk):
    registration = get_object_or_404(Registration.objects.restrict(request.user, "change"), pk=pk)
    form = TransitionForm(request.POST, statuses=registration.next_statuses)
    if form.is_valid() and form_call(form, case_transition, actor=request.user, registration=registration,
                                     to_status=form.cleaned_data["to_status"], reason=form.cleaned_data["reason"],
                                     referral_to=form.cleaned_data["referral_to"]):
        messages.success(request, _("Case status changed."))
        return redirect("registrations:detail", pk=registration.pk)
    registration = registration_read(user=request.user, pk=pk, purpose="registration page")
    return _detail(request, registration, form=form, status=400)
