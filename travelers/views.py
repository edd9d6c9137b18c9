"""Pages of the travelers app: the officer's checkpoint screen (htmx), secondary inspection,
persons, overstays, inspections with booth telemetry, stay rules."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import Role, role_required
from accounts.selectors import current_booth, current_booth_id
from audit.services import audit_read
from core.errors import Conflict, field_errors, form_add_errors, form_call
from core.models import Booth, Direction
from travelers import selectors
from travelers.forms import (
    AbandonForm,
    DecisionForm,
    HitResolveForm,
    ManualDocumentForm,
    MrzForm,
    OverrideForm,
    SecondaryDecisionForm,
    SplitForm,
    StayRuleForm,
    VisaForm,
)
from travelers.forms_identity import MergeForm, UnmergeForm
from travelers.labels import field_label
from travelers.matching import RULE_TEXT
from travelers.models import (
    Inspection,
    InspectionStatus,
    Person,
    PersonMerge,
    SecondaryInspection,
    StayRule,
    TransportMode,
)
from travelers.person_page import person_page
from travelers.services import (
    DocumentInvalid,
    decision_rules,
    inspection_abandon,
    inspection_decide,
    inspection_hit_resolve,
    inspection_override,
    inspection_start,
    person_split,
    secondary_decide,
    secondary_take,
    stay_rule_set,
    visa_issue,
)
from travelers.services.booth_routing import booth_capture_marker, booth_read_claim, booth_read_pending
from travelers.services.identity import person_merge, person_survivor, person_unmerge

HUMANS = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
STAFF = (Role.SUPERVISOR, Role.ADMIN)


def _booth(request):
    """(the signed-in booth, or None and the booths the user may choose from)."""
    booth = current_booth(request)
    if booth is not None:
        return booth, None
    return None, Booth.objects.restrict(request.user, "view").filter(is_active=True).select_related("post")


def _default_direction(booth) -> str:
    return Direction.EXIT if booth is not None and booth.direction == Direction.EXIT else Direction.ENTRY


def _validation_messages(exc: ValidationError) -> list[str]:
    """A service's refusal as lines for the screen, each naming its field."""
    return [m if k == "__all__" else f"{field_label(k)}: {m}" for k, ms in field_errors(exc).items() for m in ms]


def _booth_poll_context(booth_id: int | None) -> dict:
    """The booth strip of the checkpoint screen: its devices' state and what the poll compares."""
    devices, devices_key = selectors.booth_devices(booth_id)
    return {"booth_devices": devices, "poll_state": f"{devices_key}.{booth_capture_marker(booth_id)}",
            "poll_ms": settings.TRAVELERS_BOOTH_POLL_MS}


@role_required(*HUMANS)
@require_GET
def checkpoint(request):
    booth, booths = _booth(request)
    form = MrzForm(initial={"direction": _default_direction(booth)}, booths=booths)
    context = {"form": form, "booth": booth}
    if booth is not None:
        context.update(_booth_poll_context(booth.pk))
    return render(request, "travelers/checkpoint.html", context)


@role_required(*HUMANS)
@require_GET
@never_cache
def checkpoint_booth(request):
    """The booth's poll (every TRAVELERS_BOOTH_POLL_MS; passive, so no session activity): a document
    read on the booth's reader opens here as the inspection, exactly as a typed MRZ would, and the
    devices' status and captures from them stay current. When nothing changed it costs one indexed
    query and answers 204 (nothing swapped); no session write, no audit."""
    booth_id = current_booth_id(request)
    if not booth_id:
        return HttpResponse(status=204)
    read = booth_read_pending(booth_id)
    context = _booth_poll_context(booth_id)
    seen = request.GET.get("state", "")
    if read is None and seen == context["poll_state"]:
        return HttpResponse(status=204)
    if read is not None:
        booth = current_booth(request)
        if booth is None or booth.pk != booth_id:
            return HttpResponse(status=204)
        mode = request.GET.get("transport_mode", "")
        claim = booth_read_claim(
            actor=request.user, booth=booth, read=read, screen_direction=request.GET.get("direction", ""),
            transport_mode=mode if mode in TransportMode.values else "",
            carrier=request.GET.get("carrier", "")[:40],
        )
        if claim is not None:
            context.update(_claim_context(request, claim))
    capture = context["poll_state"].split(".", 1)[1]
    if seen and capture and seen.split(".", 1)[-1] != capture and "claim" not in context:
        # A capture from the booth's camera or scanner landed on the open inspection: its
        # biometrics panel is redrawn (if that inspection is the one on the screen).
        context["biometrics_inspection_id"] = int(capture.split(":", 1)[1])
    return render(request, "travelers/_booth_poll.html", context)


def _claim_context(request, claim) -> dict:
    """What a claimed read puts on the screen, as a typed MRZ would: the inspection, or the
    document's problems with the correction form, or why it could not be opened."""
    if claim.inspection is not None:
        return {"claim": "inspection", **_inspection_context(request, claim.inspection)}
    if claim.invalid is not None:
        return {"claim": "errors", **_mrz_correction_context(
            claim.invalid, mrz=claim.mrz,
            direction=claim.direction, transport_mode=request.GET.get("transport_mode", ""),
            carrier=request.GET.get("carrier", "")[:40])}
    exc = claim.refused
    text = _validation_messages(exc) if isinstance(exc, ValidationError) else [str(exc)]
    return {"claim": "errors", "form": None, "errors": [], "messages_": text}


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
            context = _correction_context(exc, correction)
        else:
            context = _mrz_correction_context(exc, mrz=mrz, direction=data["direction"], booths=booths,
                                              transport_mode=data["transport_mode"], carrier=data["carrier"],
                                              booth=data.get("booth"))
        return render(request, "travelers/_read_errors.html", context, status=200 if request.htmx else 400)
    except (ValidationError, PermissionDenied) as exc:
        text = _validation_messages(exc) if isinstance(exc, ValidationError) else [str(exc)]
        return render(request, "travelers/_read_errors.html", {"form": None, "errors": [], "messages_": text},
                      status=200 if request.htmx else 400)
    if not request.htmx:
        return redirect("travelers:inspection-detail", pk=inspection.pk)
    return render(request, "travelers/_inspection.html", _inspection_context(request, inspection))


def _correction_context(exc: DocumentInvalid, form) -> dict:
    """What the screen shows for a document that cannot be accepted as read: its problems and the
    form to correct them (or to proceed with an override reason where the problems allow it)."""
    return {"form": form, "errors": exc.field_errors, "overridable": exc.overridable, "correcting": True,
            "result": exc.result}


def _mrz_correction_context(exc: DocumentInvalid, *, mrz: str, direction: str, transport_mode: str, carrier: str,
                            booth=None, booths=None) -> dict:
    """An MRZ read with problems (typed, or read on the booth's reader): the manual form filled from
    what could be parsed, the MRZ as read kept with it."""
    parsed = exc.result.fields() if exc.result is not None and exc.result.format else None
    correction = ManualDocumentForm(initial={
        **ManualDocumentForm.initial_from(parsed), "mrz": mrz, "direction": direction,
        "transport_mode": transport_mode, "carrier": carrier, "booth": booth,
    }, booths=booths)
    return _correction_context(exc, correction)


def _inspection_context(request, inspection: Inspection, decision_form=None, resolve_errors=None,
                        abandon_form=None) -> dict:
    """What the inspection screen shows (selectors.inspection_screen) and its forms."""
    context = selectors.inspection_screen(user=request.user, inspection=inspection, resolve_errors=resolve_errors)
    rules = context["rules"]
    return {
        **context,
        "dismiss_reasons": HitResolveForm.base_fields["reason"].choices,
        "decision_form": decision_form or DecisionForm(initial={"reason_code": rules.refusal_reason or None}),
        "abandon_form": abandon_form or AbandonForm(),
        "can_override": (request.user.role in STAFF and not inspection.supervisor_override_by_id and bool(rules.blocks)
                         and inspection.status in (InspectionStatus.OPEN, InspectionStatus.REFERRED)),
        "override_form": OverrideForm(),
        "rule_text": RULE_TEXT,
    }


def _decided_context(request, inspection: Inspection) -> dict:
    audit_read(actor=request.user, obj=inspection.person, purpose="inspection decided")
    return {"inspection": inspection, "person": inspection.person, "document": inspection.document,
            "movement": getattr(inspection, "movement", None)}


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
    context = selectors.inspection_screening_panel(user=request.user, inspection=inspection)
    if request.GET.get("rules") is not None and request.GET["rules"] != context["rules_key"]:
        # What stops an admission changed (a new hit, a resolution elsewhere, an override): the
        # whole inspection is redrawn so the verdict and the decision buttons follow.
        response = render(request, "travelers/_inspection.html", _inspection_context(request, inspection))
        response["HX-Retarget"] = f"#inspection-{inspection.pk}"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "travelers/_screening.html", {
        "inspection": inspection, "is_open": inspection.status == InspectionStatus.OPEN, **context,
        "dismiss_reasons": HitResolveForm.base_fields["reason"].choices,
    })


@role_required(*HUMANS)
@require_POST
def inspection_decide_view(request, pk: int):
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    decided = None
    if form.is_valid():
        reason = form.cleaned_data["reason_code"]
        decided = form_call(form, inspection_decide, actor=request.user, inspection=inspection,
                            decision=form.cleaned_data["decision"], reason_code=reason.code if reason else "",
                            notes=form.cleaned_data["notes"])
    if decided is None:
        inspection.refresh_from_db()
        context = _inspection_context(request, inspection, decision_form=form)
        return render(request, "travelers/_inspection.html", context, status=200 if request.htmx else 400)
    if not request.htmx:
        return redirect("travelers:inspection-detail", pk=inspection.pk)
    inspection = selectors.inspection_get(user=request.user, pk=inspection.pk)
    return render(request, "travelers/_decided.html", _decided_context(request, inspection))


def _redraw(request, inspection: Inspection, *, status: int = 200, **extra):
    """The inspection again after a change on it: its own page, or the swapped-in article."""
    inspection = selectors.inspection_get(user=request.user, pk=inspection.pk)
    if request.htmx and status == 200 and inspection.status == InspectionStatus.REFERRED:
        # In secondary inspection the outcome form depends on the hits: the whole page is redrawn.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    if not request.htmx:
        if status == 200:
            return redirect(_back_to(request, inspection))
        return render(request, "travelers/inspection_detail.html",
                      _inspection_context(request, inspection, **extra), status=status)
    return render(request, "travelers/_inspection.html", _inspection_context(request, inspection, **extra))


def _back_to(request, inspection: Inspection) -> str:
    secondary = SecondaryInspection.objects.filter(inspection=inspection).first()
    if inspection.status == InspectionStatus.REFERRED and secondary is not None:
        return reverse("travelers:secondary-detail", args=[secondary.pk])
    return reverse("travelers:inspection-detail", args=[inspection.pk])


@role_required(*HUMANS)
@require_POST
def inspection_hit_resolve_view(request, pk: int, hit_id: int):
    """The officer resolves a hit on the spot: not this person (with a reason) or confirmed."""
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    form = HitResolveForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            inspection_hit_resolve(actor=request.user, inspection=inspection, hit_id=hit_id,
                                   decision=data["decision"], reason=data["reason"], note=data["note"])
        except Conflict as exc:
            errors = [exc.conflict_message]
        except ValidationError as exc:
            errors = _validation_messages(exc)
        except PermissionDenied as exc:
            errors = [str(exc)]
    else:
        errors = [f"{form.fields[k].label or k}: {m}" for k, ms in form.errors.items() for m in ms]
    if errors:
        return _redraw(request, inspection, status=400,
                       resolve_errors={hit_id: (errors, request.POST.get("reason", ""))})
    return _redraw(request, inspection)


@role_required(*HUMANS)
@require_POST
def inspection_abandon_view(request, pk: int):
    """"Next traveler" on an undecided inspection: it ends without a decision, with a reason."""
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    form = AbandonForm(request.POST)
    if form.is_valid():
        inspection = form_call(form, inspection_abandon, actor=request.user, inspection=inspection,
                               reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]) or inspection
    if form.errors:
        inspection.refresh_from_db()
        return _redraw(request, inspection, status=400, abandon_form=form)
    if not request.htmx:
        return redirect("travelers:checkpoint")
    return render(request, "travelers/_abandoned.html", {"inspection": inspection})


@role_required(*STAFF)
@require_POST
def inspection_override_view(request, pk: int):
    """A supervisor lifts what stops an admission, with a reason (audited, shown on the record)."""
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            inspection_override(actor=request.user, inspection=inspection, reason=form.cleaned_data["reason"])
        except Conflict as exc:
            messages.error(request, exc.conflict_message)
        except ValidationError as exc:
            for text in _validation_messages(exc):
                messages.error(request, text)
        else:
            messages.success(request, _("Override recorded: the decision is now the officer's."))
    else:
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, f"{form.fields['reason'].label}: {text}")
    return redirect(_back_to(request, inspection))


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
        SecondaryInspection.objects.restrict(request.user, "view").select_related("inspection", "handover_agency"),
        pk=pk,
    )
    rules = decision_rules(secondary.inspection, stage="secondary")
    form = SecondaryDecisionForm(allowed=rules.allowed, initial={
        "handover_agency": secondary.handover_agency, "reason_code": rules.refusal_reason or None})
    if request.method == "POST" and request.POST.get("action") == "take":
        if form_call(form, secondary_take, actor=request.user, secondary=secondary) is not None:
            messages.success(request, _("You are now inspecting this traveler."))
            return redirect("travelers:secondary-detail", pk=pk)
    elif request.method == "POST":
        form = SecondaryDecisionForm(request.POST, allowed=rules.allowed)
        if form.is_valid():
            data = form.cleaned_data
            reason = data["reason_code"]
            done = form_call(form, secondary_decide, actor=request.user, secondary=secondary, outcome=data["outcome"],
                             reason_code=reason.code if reason else "", notes=data["notes"],
                             handover_agency=data["handover_agency"], handover_officer=data["handover_officer"])
            if done is not None:
                messages.success(request, _("Outcome recorded and the movement written."))
                return redirect("travelers:secondary-queue")
    context = _inspection_context(request, secondary.inspection)
    context.update({"secondary": secondary, "form": form})
    return render(request, "travelers/secondary_detail.html", context, status=400 if form.errors else 200)


# Persons -----------------------------------------------------------------------------------


@role_required(*HUMANS)
def person_detail(request, pk: int):
    """Everything known of a person: every identity it was known under, documents, biometrics,
    movements, hits, decisions, other apps' panels and the merge history. Supervisors split wrong
    links, merge two records of one person and undo merges, and record visas and permits here.
    A merged-away record shows its survivor (a redirect)."""
    person = selectors.person_get(user=request.user, pk=pk, purpose="person page")
    if person.merged_into_id is not None and request.method != "POST":
        survivor = person_survivor(person)
        messages.info(request, _("Person #%(id)d was merged into person #%(into)d.") % {"id": pk, "into": survivor.pk})
        return redirect("travelers:person-detail", pk=survivor.pk)
    is_staff = Person.objects.restrict(request.user, "split").filter(pk=pk).exists()
    split_form = SplitForm(person=person) if is_staff else None
    visa_form = VisaForm() if is_staff else None
    merge_form = MergeForm() if is_staff else None
    unmerge_form = None
    if request.method == "POST":
        if not is_staff:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "visa":
            visa_form = VisaForm(request.POST)
            if visa_form.is_valid():
                try:
                    visa_issue(actor=request.user, person=person, **visa_form.cleaned_data)
                except ValidationError as exc:
                    form_add_errors(visa_form, exc)
                else:
                    messages.success(request, _("Visa or permit recorded."))
                    return redirect("travelers:person-detail", pk=pk)
        elif action == "merge":
            merge_form = MergeForm(request.POST)
            if merge_form.is_valid():
                target = Person.objects.restrict(request.user, "merge").filter(
                    pk=merge_form.cleaned_data["target"]).first()
                if target is None:
                    merge_form.add_error("target", _("No such person in your remit."))
                elif form_call(merge_form, person_merge, actor=request.user, source=person, target=target,
                               reason=merge_form.cleaned_data["reason"]) is not None:
                    messages.success(request, _("Person #%(id)d was merged into this person.") % {"id": person.pk})
                    return redirect("travelers:person-detail", pk=target.pk)
        elif action == "unmerge":
            unmerge_form = UnmergeForm(request.POST)
            if unmerge_form.is_valid():
                merge = PersonMerge.objects.filter(
                    pk=unmerge_form.cleaned_data["merge"]).filter(Q(source=person) | Q(target=person)).first()
                if merge is None:
                    unmerge_form.add_error(None, _("No such merge of this person."))
                else:
                    restored = form_call(unmerge_form, person_unmerge, actor=request.user, merge=merge,
                                         reason=unmerge_form.cleaned_data["reason"])
                    if restored is not None:
                        messages.success(request, _("The merge was undone: person #%(id)d is separate again.")
                                         % {"id": restored.pk})
                        return redirect("travelers:person-detail", pk=pk)
        else:
            split_form = SplitForm(request.POST, person=person)
            if split_form.is_valid():
                try:
                    new = person_split(actor=request.user, person=person,
                                       document_ids=[int(x) for x in split_form.cleaned_data["documents"]],
                                       reason=split_form.cleaned_data["reason"])
                except ValidationError as exc:
                    form_add_errors(split_form, exc)
                else:
                    messages.success(request, _("The documents were moved to a new person."))
                    return redirect("travelers:person-detail", pk=new.pk)
    has_errors = any(f is not None and f.errors for f in (split_form, visa_form, merge_form, unmerge_form))
    page = person_page(user=request.user, person=person)
    return render(request, "travelers/person_detail.html", {
        "person": person,
        "page": page,
        "documents": page.documents,
        "movements": page.movements,
        "visas": person.visas.order_by("-valid_until"),
        "split_form": split_form,
        "visa_form": visa_form,
        "merge_form": merge_form,
        "unmerge_form": unmerge_form,
        "can_merge": is_staff,
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
    """Recent inspections, those left open too long at their post, and the booth telemetry:
    seconds from document read to decision per booth and per officer."""
    recent = list(selectors.inspections_recent(user=request.user, limit=500))
    late = list(selectors.inspections_open_too_long(user=request.user)[:100])
    selectors.audit_person_list(user=request.user, person_ids=[i.person_id for i in recent[:100] + late],
                                purpose="inspection list")
    now = timezone.now()
    for inspection in late:
        inspection.open_minutes = int((now - inspection.read_at).total_seconds() // 60)
    return render(request, "travelers/inspections.html", {
        "inspections": recent[:100], "late": late, **selectors.booth_telemetry(inspections=recent),
    })


@role_required(*STAFF)
def stay_rules(request):
    form = StayRuleForm()
    if request.method == "POST":
        form = StayRuleForm(request.POST)
        if form.is_valid():
            try:
                stay_rule_set(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("Stay rule saved."))
                return redirect(reverse("travelers:stay-rules"))
    rules = StayRule.objects.restrict(request.user, "view").order_by("nationality")
    return render(request, "travelers/stay_rules.html", {"rules": rules, "form": form},
                  status=400 if form.errors else 200)
