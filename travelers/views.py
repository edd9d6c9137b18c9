"""Pages of the travelers app: the officer's checkpoint screen (htmx), secondary inspection,
persons, overstays, inspections with booth telemetry, stay rules."""

from __future__ import annotations

import statistics
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import Role, role_required
from accounts.views import current_booth_id
from audit.services import audit_read
from core.models import Booth, Direction
from travelers import selectors
from travelers.forms import (
    DecisionForm,
    ManualDocumentForm,
    MrzForm,
    SecondaryDecisionForm,
    SplitForm,
    StayRuleForm,
    VisaForm,
)
from travelers.matching import RULE_TEXT
from travelers.models import (
    Inspection,
    InspectionStatus,
    Movement,
    Person,
    ReasonCode,
    SecondaryInspection,
    StayRule,
)
from travelers.mrz import FIELD_LABELS
from travelers.services import (
    DocumentInvalid,
    inspection_decide,
    inspection_start,
    person_split,
    secondary_decide,
    secondary_take,
    stay_rule_set,
    visa_issue,
)
from watchlists.selectors import hits_for_inspection

HUMANS = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
STAFF = (Role.SUPERVISOR, Role.ADMIN)


def _booth(request):
    """(the signed-in booth, or None and the booths the user may choose from)."""
    booth_id = current_booth_id(request)
    visible = Booth.objects.restrict(request.user, "view").filter(is_active=True).select_related("post")
    if booth_id:
        booth = visible.filter(pk=booth_id).first()
        if booth is not None:
            return booth, None
    return None, visible


def _default_direction(booth) -> str:
    return Direction.EXIT if booth is not None and booth.direction == Direction.EXIT else Direction.ENTRY


def _validation_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [f"{FIELD_LABELS.get(k, k.replace('_', ' '))}: {m}" for k, ms in exc.message_dict.items() for m in ms]
    return list(exc.messages)


@role_required(*HUMANS)
@require_GET
def checkpoint(request):
    booth, booths = _booth(request)
    form = MrzForm(initial={"direction": _default_direction(booth)}, booths=booths)
    return render(request, "travelers/checkpoint.html", {"form": form, "booth": booth})


@role_required(*HUMANS)
@require_GET
def checkpoint_manual(request):
    """The manual entry form, for a document without MRZ."""
    booth, booths = _booth(request)
    form = ManualDocumentForm(initial={"direction": request.GET.get("direction") or _default_direction(booth)},
                              booths=booths)
    return render(request, "travelers/_manual_form.html", {"form": form, "errors": [], "correcting": False})


@role_required(*HUMANS)
@require_POST
def checkpoint_read(request):
    """Read a document (MRZ, or typed data) and open the inspection; htmx swaps in the result."""
    booth, booths = _booth(request)
    manual = "document_number" in request.POST
    form = (ManualDocumentForm if manual else MrzForm)(request.POST, booths=booths)
    if not form.is_valid():
        template = "travelers/_manual_form.html" if manual else "travelers/_read_errors.html"
        return render(request, template, {"form": form, "errors": [], "correcting": manual, "form_errors": True},
                      status=200 if request.htmx else 400)
    data = form.cleaned_data
    booth = booth or data["booth"]
    mrz = data.get("mrz") or ""
    try:
        inspection = inspection_start(
            actor=request.user, post=booth.post, booth=booth, direction=data["direction"], mrz=mrz,
            document=form.document_fields() if manual else None,
            override_reason=data.get("override_reason", ""), transport_mode=data["transport_mode"],
            carrier=data["carrier"],
        )
    except DocumentInvalid as exc:
        if manual:
            correction = ManualDocumentForm(request.POST, booths=booths)
            correction.is_valid()
        else:
            parsed = exc.result.fields() if exc.result is not None and exc.result.format else None
            correction = ManualDocumentForm(initial={
                **ManualDocumentForm.initial_from(parsed), "mrz": mrz, "direction": data["direction"],
                "transport_mode": data["transport_mode"], "carrier": data["carrier"],
                "booth": data.get("booth"),
            }, booths=booths)
        context = {"form": correction, "errors": exc.field_errors, "overridable": exc.overridable,
                   "correcting": True, "result": exc.result}
        return render(request, "travelers/_read_errors.html", context, status=200 if request.htmx else 400)
    except (ValidationError, PermissionDenied) as exc:
        text = _validation_messages(exc) if isinstance(exc, ValidationError) else [str(exc)]
        return render(request, "travelers/_read_errors.html", {"form": None, "errors": [], "messages_": text},
                      status=200 if request.htmx else 400)
    if not request.htmx:
        return redirect("travelers:inspection-detail", pk=inspection.pk)
    return render(request, "travelers/_inspection.html", _inspection_context(request, inspection))


def _inspection_context(request, inspection: Inspection, decision_form=None) -> dict:
    # The screening summary as this user may see it (in memory only: lists they may not see unnamed).
    inspection.screening = selectors.inspection_screening_for(user=request.user, inspection=inspection)
    # The inspection came through the restricted queryset, and a person is visible wherever one
    # of their inspections is: reading the person needs no second lookup, only its audit event.
    person = inspection.person
    audit_read(actor=request.user, obj=person, purpose="inspection")
    movements = list(selectors.person_movements(user=request.user, person=person)[:10])
    document = inspection.document
    is_open = inspection.status == InspectionStatus.OPEN
    return {
        "inspection": inspection,
        "person": person,
        "document": document,
        "document_expired": document.date_of_expiry < timezone.localdate(),
        "movements": movements,
        "verdict": inspection.stay_verdict or {},
        "hits": list(hits_for_inspection(user=request.user, inspection_id=inspection.pk)),
        "decision_form": decision_form or DecisionForm(),
        "reasons": list(ReasonCode.objects.filter(is_active=True).order_by("code")) if is_open else [],
        "is_open": is_open,
        "secondary": (SecondaryInspection.objects.filter(inspection=inspection).first()
                      if inspection.status == InspectionStatus.REFERRED else None),
        "movement": _movement_of(inspection),
    }


def _movement_of(inspection: Inspection):
    if inspection.status != InspectionStatus.CLOSED:
        return None
    return Movement.objects.filter(inspection=inspection).select_related("post", "booth").first()


def _decided_context(request, inspection: Inspection) -> dict:
    audit_read(actor=request.user, obj=inspection.person, purpose="inspection decided")
    return {"inspection": inspection, "person": inspection.person, "document": inspection.document,
            "movement": _movement_of(inspection)}


@role_required(*HUMANS)
@require_GET
def inspection_detail(request, pk: int):
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    return render(request, "travelers/inspection_detail.html", _inspection_context(request, inspection))


@role_required(*HUMANS)
@require_GET
def inspection_screening(request, pk: int):
    """The screening panel alone (polled while the inspection is open)."""
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    inspection.screening = selectors.inspection_screening_for(user=request.user, inspection=inspection)
    hits = list(hits_for_inspection(user=request.user, inspection_id=inspection.pk))
    return render(request, "travelers/_screening.html", {
        "inspection": inspection, "hits": hits, "is_open": inspection.status == InspectionStatus.OPEN,
    })


@role_required(*HUMANS)
@require_POST
def inspection_decide_view(request, pk: int):
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    error_context = None
    if form.is_valid():
        reason = form.cleaned_data["reason_code"]
        try:
            inspection = inspection_decide(
                actor=request.user, inspection=inspection, decision=form.cleaned_data["decision"],
                reason_code=reason.code if reason else "", notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
            error_context = True
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            error_context = True
    else:
        error_context = True
    if error_context:
        inspection.refresh_from_db()
        context = _inspection_context(request, inspection, decision_form=form)
        return render(request, "travelers/_inspection.html", context, status=200 if request.htmx else 400)
    if not request.htmx:
        return redirect("travelers:inspection-detail", pk=inspection.pk)
    inspection = selectors.inspection_get(user=request.user, pk=inspection.pk)
    return render(request, "travelers/_decided.html", _decided_context(request, inspection))


# Secondary inspection ------------------------------------------------------------------------


@role_required(*HUMANS)
@require_GET
def secondary_queue(request):
    queue = list(selectors.secondary_queue(user=request.user))
    selectors.audit_person_list(user=request.user, person_ids=[i.inspection.person_id for i in queue],
                                purpose="secondary queue")
    return render(request, "travelers/secondary_queue.html", {"queue": queue})


@role_required(*HUMANS)
def secondary_detail(request, pk: int):
    secondary = get_object_or_404(
        SecondaryInspection.objects.restrict(request.user, "view").select_related("inspection"), pk=pk
    )
    form = SecondaryDecisionForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "take":
                secondary_take(actor=request.user, secondary=secondary)
                messages.success(request, _("You are now inspecting this traveler."))
                return redirect("travelers:secondary-detail", pk=pk)
            form = SecondaryDecisionForm(request.POST)
            if form.is_valid():
                reason = form.cleaned_data["reason_code"]
                secondary_decide(actor=request.user, secondary=secondary, outcome=form.cleaned_data["outcome"],
                                 reason_code=reason.code if reason else "", notes=form.cleaned_data["notes"])
                messages.success(request, _("Outcome recorded and the movement written."))
                return redirect("travelers:secondary-queue")
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    context = _inspection_context(request, secondary.inspection)
    context.update({"secondary": secondary, "form": form})
    return render(request, "travelers/secondary_detail.html", context, status=400 if form.errors else 200)


# Persons -----------------------------------------------------------------------------------


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        form.add_error(field if field in form.fields else None, errors)


@role_required(*HUMANS)
def person_detail(request, pk: int):
    """A traveler's documents, movements and visas; supervisors split wrong merges and record
    visas and permits here."""
    person = selectors.person_get(user=request.user, pk=pk, purpose="person page")
    is_staff = Person.objects.restrict(request.user, "split").filter(pk=pk).exists()
    split_form = SplitForm(person=person) if is_staff else None
    visa_form = VisaForm() if is_staff else None
    if request.method == "POST":
        if not is_staff:
            raise PermissionDenied
        if request.POST.get("action") == "visa":
            visa_form = VisaForm(request.POST)
            if visa_form.is_valid():
                try:
                    visa_issue(actor=request.user, person=person, **visa_form.cleaned_data)
                except ValidationError as exc:
                    _form_errors(visa_form, exc)
                else:
                    messages.success(request, _("Visa or permit recorded."))
                    return redirect("travelers:person-detail", pk=pk)
        else:
            split_form = SplitForm(request.POST, person=person)
            if split_form.is_valid():
                try:
                    new = person_split(actor=request.user, person=person,
                                       document_ids=[int(x) for x in split_form.cleaned_data["documents"]],
                                       reason=split_form.cleaned_data["reason"])
                except ValidationError as exc:
                    _form_errors(split_form, exc)
                else:
                    messages.success(request, _("The documents were moved to a new person."))
                    return redirect("travelers:person-detail", pk=new.pk)
    has_errors = any(f is not None and f.errors for f in (split_form, visa_form))
    return render(request, "travelers/person_detail.html", {
        "person": person,
        "documents": person.documents.order_by("-created_at"),
        "movements": selectors.person_movements(user=request.user, person=person)[:100],
        "visas": person.visas.order_by("-valid_until"),
        "split_form": split_form,
        "visa_form": visa_form,
        "rule_text": RULE_TEXT,
    }, status=400 if has_errors else 200)


# Supervisor pages --------------------------------------------------------------------------


@role_required(*STAFF)
@require_GET
def overstay_list(request):
    overstays = list(selectors.overstays_open(user=request.user))
    today = timezone.localdate()
    for overstay in overstays:
        overstay.days_over = (today - overstay.permitted_until).days
    selectors.audit_person_list(user=request.user, person_ids=[o.person_id for o in overstays], purpose="overstays")
    return render(request, "travelers/overstays.html", {"overstays": overstays})


@role_required(*STAFF)
@require_GET
def inspection_list(request):
    """Recent inspections and the booth telemetry: seconds from document read to decision."""
    recent = list(selectors.inspections_recent(user=request.user, limit=500))
    selectors.audit_person_list(user=request.user, person_ids=[i.person_id for i in recent[:100]],
                                purpose="inspection list")
    per_booth: dict[str, list[float]] = defaultdict(list)
    for inspection in recent:
        if inspection.seconds_to_decision is not None:
            label = f"{inspection.post.code}/{inspection.booth.code}" if inspection.booth else inspection.post.code
            per_booth[label].append(inspection.seconds_to_decision)
    telemetry = [
        {"booth": booth, "count": len(values), "median": statistics.median(values),
         "p90": sorted(values)[max(0, int(len(values) * 0.9) - 1)], "max": max(values)}
        for booth, values in sorted(per_booth.items())
    ]
    return render(request, "travelers/inspections.html", {"inspections": recent[:100], "telemetry": telemetry})


@role_required(*STAFF)
def stay_rules(request):
    form = StayRuleForm()
    if request.method == "POST":
        form = StayRuleForm(request.POST)
        if form.is_valid():
            try:
                stay_rule_set(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Stay rule saved."))
                return redirect(reverse("travelers:stay-rules"))
    rules = StayRule.objects.restrict(request.user, "view").order_by("nationality")
    return render(request, "travelers/stay_rules.html", {"rules": rules, "form": form},
                  status=400 if form.errors else 200)
