"""Supervisor pages: lists, entries (search, create, edit, deactivate), imports, hits queue."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import Role, role_required
from audit.services import audit_read
from core.errors import form_add_errors
from watchlists.explain import phrase
from watchlists.filters import HitFilter
from watchlists.forms import (
    AdjudicateForm,
    DocumentEntryForm,
    ImportConfirmForm,
    ImportForm,
    PersonEntryForm,
    SearchForm,
    VehicleEntryForm,
    WatchlistForm,
)
from watchlists.hooks import hit_context
from watchlists.models import (
    DocumentEntry,
    Hit,
    HitStatus,
    ImportJob,
    ImportStatus,
    NameScript,
    PersonEntry,
    VehicleEntry,
    Watchlist,
)
from watchlists.search import dob_string
from watchlists.selectors import (
    can_change_watchlist,
    false_positive_rates,
    hit_queue,
    hit_queue_groups,
    hits_by_ids,
    person_entries_matching,
    watchlist_other_entries,
    watchlist_person_entries,
    watchlist_rows,
)
from watchlists.services import (
    ImportPreviewChanged,
    document_entry_create,
    document_entry_update,
    entry_deactivate,
    hit_adjudicate,
    import_job_confirm,
    import_job_preview,
    person_entry_create,
    person_entry_update,
    screen_person,
    vehicle_entry_create,
    vehicle_entry_update,
    watchlist_create,
    watchlist_update,
)
from watchlists.services.imports import import_progress

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


@role_required(*SUPERVISORS)
def watchlist_list(request):
    return render(request, "watchlists/watchlist_list.html", {"rows": watchlist_rows(user=request.user)})


@role_required(*SUPERVISORS)
def watchlist_edit(request, code=None):
    wl = get_object_or_404(Watchlist.objects.restrict(request.user, "change"), code=code) if code else None
    initial = {f: getattr(wl, f) for f in WatchlistForm.base_fields} if wl else {"default_threshold": Watchlist._meta.get_field("default_threshold").default}
    form = WatchlistForm(request.POST or None, initial=initial)
    if wl:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if wl:
                data.pop("code")
                wl = watchlist_update(actor=request.user, watchlist=wl, **data)
            else:
                wl = watchlist_create(actor=request.user, owner_agency=request.user.agency, **data)
        except ValidationError as exc:
            form_add_errors(form, exc, phrase=phrase)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Watchlist saved."))
            return redirect("watchlists:detail", code=wl.code)
    return render(request, "watchlists/watchlist_form.html", {"form": form, "wl": wl})


@role_required(*SUPERVISORS)
def watchlist_detail(request, code):
    wl = get_object_or_404(Watchlist.objects.restrict(request.user, "view"), code=code)
    can_change = can_change_watchlist(user=request.user, watchlist_id=wl.pk)
    form = SearchForm(request.GET or None)
    persons = watchlist_person_entries(watchlist=wl)
    similar = None
    if form.is_valid() and form.cleaned_data["q"]:
        q = form.cleaned_data["q"]
        if form.cleaned_data["similar"]:
            try:
                outcome = screen_person(names=[q], actor=request.user, store_hits=False, limit=50)
            except ValidationError as exc:
                form_add_errors(form, exc, phrase=phrase)
            else:
                similar = [h for h in outcome.hits if h["list"] == wl.code]
                persons = persons.filter(pk__in=[h["entry_id"] for h in similar])
        else:
            persons = person_entries_matching(persons, q)
    page = Paginator(persons, 50).get_page(request.GET.get("page"))
    for e in page:
        e.dob = dob_string(e.birth_year, e.birth_month, e.birth_day)
    scores = {h["entry_id"]: h["score"] for h in similar} if similar else {}
    return render(request, "watchlists/watchlist_detail.html", {
        "wl": wl, "form": form, "page": page, "can_change": can_change, "scores": scores,
        **watchlist_other_entries(watchlist=wl),
    })


@role_required(*SUPERVISORS)
def person_edit(request, code, pk=None):
    wl = get_object_or_404(Watchlist.objects.restrict(request.user, "change"), code=code)
    entry = get_object_or_404(PersonEntry, watchlist=wl, pk=pk) if pk else None
    initial = {}
    if entry:
        initial = {
            "names": "\n".join(entry.names.order_by("-is_primary", "pk").values_list("full_name", flat=True)),
            "date_of_birth": dob_string(entry.birth_year, entry.birth_month, entry.birth_day) or "",
            "gender": entry.gender, "nationalities": ", ".join(entry.nationalities),
            "document_numbers": ", ".join(entry.document_numbers), "place_of_birth": entry.place_of_birth,
            "remarks": entry.remarks, "external_id": entry.external_id,
        }
    form = PersonEntryForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            kwargs = form.service_kwargs()
            if entry:
                person_entry_update(actor=request.user, entry=entry, **kwargs)
            else:
                entry = person_entry_create(actor=request.user, watchlist=wl, **kwargs)
        except ValidationError as exc:
            form_add_errors(form, exc, phrase=phrase)
        else:
            messages.success(request, _("Entry saved; recent travelers are being re-screened."))
            return redirect("watchlists:detail", code=wl.code)
    return render(request, "watchlists/entry_form.html", {"form": form, "wl": wl, "entry": entry, "kind": _("person")})


def _simple_entry_edit(request, code, pk, *, model, form_class, create, update, saved, kind):
    """New or edit page of a document or vehicle entry (audited by the services)."""
    wl = get_object_or_404(Watchlist.objects.restrict(request.user, "change"), code=code)
    entry = get_object_or_404(model, watchlist=wl, pk=pk) if pk else None
    initial = {f: getattr(entry, f) for f in form_class.base_fields} if entry else None
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if entry:
                update(actor=request.user, entry=entry, **form.cleaned_data)
            else:
                create(actor=request.user, watchlist=wl, **form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc, phrase=phrase)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, saved)
            return redirect("watchlists:detail", code=wl.code)
    return render(request, "watchlists/entry_form.html", {"form": form, "wl": wl, "entry": entry, "kind": kind})


@role_required(*SUPERVISORS)
def document_edit(request, code, pk=None):
    return _simple_entry_edit(request, code, pk, model=DocumentEntry, form_class=DocumentEntryForm,
                              create=document_entry_create, update=document_entry_update,
                              saved=_("Document entry saved."), kind=_("document"))


@role_required(*SUPERVISORS)
def vehicle_edit(request, code, pk=None):
    return _simple_entry_edit(request, code, pk, model=VehicleEntry, form_class=VehicleEntryForm,
                              create=vehicle_entry_create, update=vehicle_entry_update,
                              saved=_("Vehicle entry saved."), kind=_("vehicle"))


_ENTRY_MODELS = {"persons": PersonEntry, "documents": DocumentEntry, "vehicles": VehicleEntry}


@require_POST
@role_required(*SUPERVISORS)
def entry_deactivate_view(request, code, kind, pk):
    wl = get_object_or_404(Watchlist.objects.restrict(request.user, "change"), code=code)
    model = _ENTRY_MODELS.get(kind)
    if model is None:
        raise PermissionDenied
    entry = get_object_or_404(model, watchlist=wl, pk=pk)
    entry_deactivate(actor=request.user, entry=entry, reason=request.POST.get("reason", "")[:200])
    messages.success(request, _("Entry deactivated (kept for the record)."))
    return redirect("watchlists:detail", code=wl.code)


@role_required(*SUPERVISORS)
def import_new(request, code):
    wl = get_object_or_404(Watchlist.objects.restrict(request.user, "change"), code=code)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            # A preview first: nothing changes until the user confirms it on the import's page.
            job = import_job_preview(actor=request.user, watchlist=wl, fmt=form.cleaned_data["format"],
                                     uploaded_file=form.cleaned_data["file"],
                                     deactivate_missing=form.cleaned_data["deactivate_missing"])
        except ValidationError as exc:
            form_add_errors(form, exc, phrase=phrase)
        else:
            return redirect("watchlists:import", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "watchlists/import_form.html", {"form": form, "wl": wl}, status=status)


_KIND_MODELS = {"person": PersonEntry, "document": DocumentEntry, "vehicle": VehicleEntry}


def _field_label(model, name: str) -> str:
    if name == "names":
        return _("names")
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001  (a name the model does not have is shown as stored)
        return name


def _preview_display(preview: dict) -> dict:
    """The stored preview with its kinds and changed fields named in the reader's language."""
    if not preview:
        return {}
    kinds = {"person": _("Person"), "document": _("Document"), "vehicle": _("Vehicle")}
    shown = dict(preview)
    for section in ("created", "updated", "deactivated"):
        rows = []
        for item in preview.get(section, []):
            model = _KIND_MODELS.get(item.get("kind"), PersonEntry)
            rows.append({**item, "kind_label": kinds.get(item.get("kind"), item.get("kind")),
                         "field_labels": [_field_label(model, f) for f in item.get("fields", [])]})
        shown[section] = rows
    return shown


def _import_page(request, job, *, confirm_form=None, status=200):
    done, total = import_progress(job)
    can_confirm = (job.status == ImportStatus.PREVIEW
                   and can_change_watchlist(user=request.user, watchlist_id=job.watchlist_id))
    if confirm_form is None:
        confirm_form = ImportConfirmForm(initial={"digest": job.preview.get("digest", "")})
    template = "watchlists/_import_status.html" if request.headers.get("HX-Request") else "watchlists/import_detail.html"
    return render(request, template, {"job": job, "done": done, "total": total, "can_confirm": can_confirm,
                                      "confirm_form": confirm_form, "preview": _preview_display(job.preview)},
                  status=status)


@role_required(*SUPERVISORS)
def import_detail(request, pk):
    job = get_object_or_404(ImportJob.objects.restrict(request.user, "view").select_related("watchlist"), pk=pk)
    return _import_page(request, job)


@require_POST
@role_required(*SUPERVISORS)
def import_confirm_view(request, pk):
    job = get_object_or_404(ImportJob.objects.restrict(request.user, "change").select_related("watchlist"), pk=pk)
    form = ImportConfirmForm(request.POST)
    if form.is_valid():
        try:
            import_job_confirm(actor=request.user, job=job, digest=form.cleaned_data["digest"])
        except ImportPreviewChanged as exc:
            job.refresh_from_db()
            form = ImportConfirmForm({"digest": job.preview.get("digest", "")})  # the recomputed preview
            form.is_valid()
            form.add_error(None, phrase(exc.messages[0]))
            return _import_page(request, job, confirm_form=form, status=409)
        except ValidationError as exc:
            job.refresh_from_db()
            form_add_errors(form, exc, phrase=phrase)
            return _import_page(request, job, confirm_form=form, status=400)
        messages.success(request, _("Import confirmed: it is running."))
        return redirect("watchlists:import", pk=job.pk)
    return _import_page(request, job, confirm_form=form, status=400)


def _screened(query: dict) -> dict:
    """What screening was given (the traveler's side when no provider tells more)."""
    query = query or {}
    return {"names": query.get("names") or [], "date_of_birth": query.get("date_of_birth") or "",
            "nationality": query.get("nationality") or "", "number": query.get("number") or "",
            "plate": query.get("plate") or ""}


def _hit_queue_context(request, params, *, bound: dict | None = None) -> dict:
    """The hit queue page for the filters in ``params``: one group per traveler, most serious
    first, each hit with both sides and its own decision form (``bound``: forms posted with
    errors, by hit id, shown on their cards with what was typed)."""
    bound = bound or {}
    data = params.copy()
    if "status" not in data:
        data["status"] = HitStatus.PENDING  # the page opens on the hits awaiting a decision
    filters = HitFilter(data, queryset=hit_queue(user=request.user), request=request)
    if filters.is_valid():
        page, groups = hit_queue_groups(user=request.user, hits=filters.qs, page_number=params.get("page"))
    else:  # a value a filter cannot take: named on the page, and nothing shown as if it applied
        page, groups = hit_queue_groups(user=request.user, hits=filters.queryset.none())
    hits = [hit for group in groups for hit in group["hits"]]
    missing = [pk for pk in bound if pk not in {h.pk for h in hits}]
    if missing:  # a card posted with errors stays on screen even when the filters would hide it
        extra = hits_by_ids(user=request.user, ids=missing)
        groups = [{"key": f"h{h.pk}", "person_id": h.person_id, "action": h.action, "hits": [h]} for h in extra] + groups
        hits = extra + hits
    context = hit_context(user=request.user, hits=hits)
    for hit in hits:
        hit.ctx = context.get(hit.pk, {})
        hit.screened = _screened(hit.query)
        entry = hit.person_entry
        if entry is not None:
            hit.entry_dob = dob_string(entry.birth_year, entry.birth_month, entry.birth_day)
            names = list(entry.names.all())
            hit.entry_latin = [n for n in names if n.script != NameScript.ARABIC]
            hit.entry_arabic = [n for n in names if n.script == NameScript.ARABIC]
        hit.form = bound.get(hit.pk) or AdjudicateForm(auto_id=f"hit{hit.pk}_%s")
    for group in groups:
        first = group["hits"][0]
        person = (first.ctx or {}).get("person")
        group["person"] = person
        group["title"] = (person["name_readable"] if person else
                          (first.screened["names"][0] if first.screened["names"] else first.matched_name))
        group["inspection"] = (first.ctx or {}).get("inspection")
    return {
        "page": page, "groups": groups, "filter": filters, "status": data.get("status", ""),
        "list_code": data.get("list", ""), "rates": false_positive_rates(user=request.user),
    }


@role_required(*SUPERVISORS)
def hit_queue_view(request):
    context = _hit_queue_context(request, request.GET)
    return render(request, "watchlists/hit_queue.html", context, status=400 if context["filter"].errors else 200)


@require_POST
@role_required(*SUPERVISORS)
def hit_adjudicate_view(request, pk):
    hit = get_object_or_404(Hit.objects.restrict(request.user, "adjudicate"), pk=pk)
    form = AdjudicateForm(request.POST, auto_id=f"hit{hit.pk}_%s")
    if form.is_valid():
        try:
            hit_adjudicate(actor=request.user, hit=hit, decision=form.cleaned_data["decision"],
                           reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            form_add_errors(form, exc, phrase=phrase)
        else:
            decision = form.cleaned_data["decision"]
            label = HitStatus(decision).label if decision in HitStatus.values else decision
            messages.success(request, _("Hit %(id)s: %(decision)s.") % {"id": hit.pk, "decision": label})
            target = _safe_next(request)
            return HttpResponseRedirect(target) if target else redirect("watchlists:hits")
    # The errors are shown on the hit's card, with what was chosen and typed kept.
    target = _safe_next(request)
    params = QueryDict(mutable=True)
    if target:
        parts = urlsplit(target)
        if parts.path == reverse("watchlists:hits"):
            params = QueryDict(parts.query, mutable=True)
    context = _hit_queue_context(request, params, bound={hit.pk: form})
    context["error_hit"] = hit.pk
    return render(request, "watchlists/hit_queue.html", context, status=400)


@role_required(*SUPERVISORS)
def entry_photo(request, pk):
    """The photo of a watchlist person entry, for supervisors who may see its list."""
    entry = get_object_or_404(PersonEntry.objects.restrict(request.user, "view"), pk=pk)
    if not entry.photo:
        raise Http404
    with entry.photo.open("rb") as fh:
        data = fh.read()
    audit_read(actor=request.user, obj=entry, purpose="photo")  # a face image: every read is recorded
    name = entry.photo.name.lower()
    kind = "image/png" if name.endswith(".png") else "image/webp" if name.endswith(".webp") else "image/jpeg"
    response = HttpResponse(data, content_type=kind)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _safe_next(request) -> str:
    """The page to go back to: a path on this site only (no open redirect, never a URL name); ""
    otherwise."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""
