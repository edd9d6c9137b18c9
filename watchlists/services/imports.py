"""Importing a list from a file: idempotent, all or nothing, with a report.

    import_job_preview(*, actor, watchlist, fmt, uploaded_file, deactivate_missing=False) -> ImportJob
    import_job_confirm(*, actor, job, digest) -> ImportJob
    import_job_create(*, actor, watchlist, fmt, uploaded_file, deactivate_missing=False) -> ImportJob
    import_run(*, job_id) -> ImportJob          (the Celery task calls this)
    import_progress(job) -> (done, total)

A list cannot be changed silently: the pages (and the API with ``dry_run``)
first make a *preview* (:func:`import_job_preview`): the file is parsed and
compared with the list, nothing is written but the job, and the job holds what
the import would add, change, deactivate and reject. Only the user's
confirmation (:func:`import_job_confirm`) queues the import, and the import
applies exactly what the preview showed or nothing: the preview's digest (the
entries created, updated and deactivated, the rows rejected) is compared with
what the import did, inside its transaction. A list that changed between the
preview and the confirmation gets its preview recomputed and the confirmation
refused (:class:`ImportPreviewChanged`), so the user confirms what will happen.
:func:`import_job_create` (the API without ``dry_run``) applies at once.

A re-import updates the entries it matches by ``external_id``, creates the
new ones and (with ``deactivate_missing``) deactivates those the file no
longer holds; nothing is deleted. Rows that fail validation are rejected
with a reason and the rest imported; a file that cannot be read changes
nothing. The whole import is one transaction; while it runs the list is
marked "being imported" so screening answers from the other lists and says
so.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Prefetch
from django.utils import timezone
from django.utils.translation import override

from audit.services import audit_log
from core.errors import field_errors
from core.logsafe import log_failure
from core.tasks import enqueue_named_on_commit
from watchlists.imports import ImportFileError, read_file
from watchlists.models import (
    Availability,
    DocumentEntry,
    ImportFormat,
    ImportJob,
    ImportStatus,
    PersonEntry,
    PersonEntryName,
    VehicleEntry,
    Watchlist,
)
from watchlists.names.score import normalize_document_number
from watchlists.services.entries import (
    RESCREEN_ENTRIES_TASK,
    _clean_entry_names,
    _person_values,
    document_entry_create,
    document_entry_update,
    person_entry_create,
    person_entry_differs,
    person_entry_update,
    vehicle_entry_create,
    vehicle_entry_update,
)
from watchlists.services.screening import normalize_plate

logger = logging.getLogger(__name__)
MAX_FILE_BYTES = 200 * 1024 * 1024

IMPORT_FILE_TASK = "watchlists.import_file"
"""Dispatched by name (watchlists.tasks imports this module, never the reverse)."""


def _progress_key(job_id: int) -> str:
    return f"watchlists:import:{job_id}:progress"


def import_progress(job: ImportJob) -> tuple[int, int]:
    if job.status == ImportStatus.RUNNING:
        value = cache.get(_progress_key(job.pk))
        if value:
            return tuple(value)
    return job.progress_done, job.progress_total


def _check_upload(actor, watchlist: Watchlist, fmt: str, uploaded_file) -> None:
    if actor is not None and not Watchlist.objects.restrict(actor, "change").filter(pk=watchlist.pk).exists():
        raise PermissionDenied("you may not import into this watchlist")
    if fmt not in ImportFormat.values:
        raise ValidationError({"format": [f"one of {', '.join(ImportFormat.values)}"]})
    if uploaded_file is None:
        raise ValidationError({"file": ["choose a file"]})
    if getattr(uploaded_file, "size", 0) > MAX_FILE_BYTES:
        raise ValidationError({"file": ["the file is larger than 200 MB"]})


def import_job_create(*, actor, watchlist: Watchlist, fmt: str, uploaded_file, deactivate_missing: bool = False) -> ImportJob:
    """Queue an import that applies without a preview (the API without ``dry_run``)."""
    _check_upload(actor, watchlist, fmt, uploaded_file)
    with transaction.atomic():
        job = ImportJob(watchlist=watchlist, format=fmt, filename=getattr(uploaded_file, "name", "")[:200],
                        deactivate_missing=deactivate_missing,
                        created_by=actor if actor is not None and actor.is_authenticated else None)
        job.file.save(f"{watchlist.code}-{timezone.now():%Y%m%d%H%M%S}.{fmt}", uploaded_file, save=False)
        job.save()
        audit_log(actor=actor, action="watchlist.import_requested", obj=job,
                  metadata={"watchlist": watchlist.code, "format": fmt, "filename": job.filename})
        enqueue_named_on_commit(IMPORT_FILE_TASK, job.pk)
    return job


class ImportPreviewChanged(ValidationError):
    """The list changed since the preview: the preview was recomputed, nothing was queued."""


# Entries listed by name in a stored preview, per section (the counts and the digest cover all).
PREVIEW_ITEMS = 1000


def _list_state(watchlist_id: int) -> dict:
    """A cheap fingerprint of a list's entries: any write to an entry (create, edit, deactivate,
    import) changes its ``updated_at`` (entries are never deleted)."""
    state = {}
    for model, kind in ((PersonEntry, "person"), (DocumentEntry, "document"), (VehicleEntry, "vehicle")):
        agg = model.objects.filter(watchlist_id=watchlist_id).aggregate(n=Count("pk"), last=Max("updated_at"),
                                                                        top=Max("pk"))
        state[kind] = [agg["n"], agg["last"].isoformat() if agg["last"] else None, agg["top"]]
    return state


def _digest(*, created, updated, unchanged: int, deactivated, rejected) -> str:
    """What an import does, in one value: the same file against the same list gives the same."""
    body = {
        "created": sorted(created), "updated": sorted(updated), "unchanged": unchanged,
        "deactivated": sorted(deactivated), "rejected": sorted([r["row"], r["external_id"]] for r in rejected),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _record_label(rec) -> str:
    if rec.kind == "document":
        return f"{rec.issuing_state} {rec.number}".strip()
    if rec.kind == "vehicle":
        return f"{rec.country} {rec.plate}".strip()
    return rec.names[0] if rec.names else ""


def _validated_copy(entry, fields: dict, upper: tuple, normalize):
    """``entry`` as ``_exact_entry_update`` would leave it, validated, not saved."""
    twin = copy.copy(entry)
    for k, v in fields.items():
        setattr(twin, k, v.strip().upper() if k in upper and isinstance(v, str) else v)
    twin.is_active = True
    normalize(twin)
    twin.full_clean(validate_constraints=False)
    return twin


def _plan(watchlist: Watchlist, records, deactivate_missing: bool) -> dict:
    """What importing ``records`` would do to the list, without writing: the same decisions as
    ``_apply`` (created, updated, unchanged, rejected with the same reasons, deactivated)."""
    wl = watchlist
    names_qs = PersonEntryName.objects.order_by("-is_primary", "pk")
    persons = {e.external_id: e for e in PersonEntry.objects.filter(watchlist=wl).exclude(external_id="")
               .prefetch_related(Prefetch("names", queryset=names_qs))}
    docs = {e.external_id: e for e in DocumentEntry.objects.filter(watchlist=wl).exclude(external_id="")}
    vehs = {e.external_id: e for e in VehicleEntry.objects.filter(watchlist=wl).exclude(external_id="")}
    created, updated, rejected = [], [], []
    unchanged = 0
    seen: set[tuple[str, str]] = set()
    for rec in records:
        key = (rec.kind, rec.external_id)
        if not rec.external_id:
            rejected.append({"row": rec.row, "external_id": "", "reason": "external_id is missing"})
            continue
        if key in seen:
            rejected.append({"row": rec.row, "external_id": rec.external_id, "reason": "duplicate external_id in the file"})
            continue
        seen.add(key)
        item = {"kind": rec.kind, "external_id": rec.external_id, "row": rec.row, "name": _record_label(rec)}
        try:
            if rec.kind == "person":
                clean = _clean_entry_names(rec.names)
                values = _person_values(**_person_fields(rec))
                entry = persons.get(rec.external_id)
                if entry is None:
                    PersonEntry(watchlist=wl, external_id=rec.external_id, **values).full_clean(
                        validate_constraints=False)
                    created.append(item)
                    continue
                fields = [k for k, v in values.items() if getattr(entry, k) != v]
                if [n.full_name for n in entry.names.all()] != clean:
                    fields.insert(0, "names")
                if not entry.is_active:
                    fields.append("is_active")
                if fields:
                    twin = copy.copy(entry)
                    for k, v in values.items():
                        setattr(twin, k, v)
                    twin.is_active = True
                    twin.full_clean(validate_constraints=False)
                    updated.append({**item, "fields": fields})
                else:
                    unchanged += 1
            elif rec.kind == "document":
                entry = docs.get(rec.external_id)
                fields = {"number": rec.number, "issuing_state": rec.issuing_state, "status": rec.status,
                          "document_type": rec.document_type, "reported_on": rec.reported_on or None,
                          "remarks": rec.remarks}
                if entry is None:
                    new = DocumentEntry(
                        watchlist=wl, number=(rec.number or "").strip(),
                        number_normalized=normalize_document_number(rec.number),
                        issuing_state=(rec.issuing_state or "").strip().upper(), status=rec.status,
                        document_type=(rec.document_type or "").upper()[:2], reported_on=rec.reported_on or None,
                        remarks=rec.remarks, external_id=rec.external_id,
                    )
                    if not new.number_normalized:
                        raise ValidationError({"number": ["give the document number"]})
                    new.full_clean(validate_constraints=False)
                    created.append(item)
                    continue

                def normalize_doc(e):
                    e.number_normalized = normalize_document_number(e.number)

                twin = _validated_copy(entry, fields, ("issuing_state", "document_type"), normalize_doc)
                changed = [f for f in ("number", "issuing_state", "status", "is_active")
                           if getattr(entry, f) != getattr(twin, f)]
                if changed:
                    updated.append({**item, "fields": changed})
                else:
                    unchanged += 1
            elif rec.kind == "vehicle":
                entry = vehs.get(rec.external_id)
                fields = {"plate": rec.plate, "country": rec.country, "make": rec.make, "model": rec.model,
                          "colour": rec.colour, "remarks": rec.remarks}
                if entry is None:
                    new = VehicleEntry(
                        watchlist=wl, plate=(rec.plate or "").strip(), plate_normalized=normalize_plate(rec.plate),
                        country=(rec.country or "").strip().upper(), make=rec.make, model=rec.model,
                        colour=rec.colour, remarks=rec.remarks, external_id=rec.external_id,
                    )
                    if not new.plate_normalized:
                        raise ValidationError({"plate": ["give the plate"]})
                    new.full_clean(validate_constraints=False)
                    created.append(item)
                    continue

                def normalize_veh(e):
                    e.plate_normalized = normalize_plate(e.plate)

                twin = _validated_copy(entry, fields, ("country",), normalize_veh)
                changed = [f for f in ("plate", "country", "is_active") if getattr(entry, f) != getattr(twin, f)]
                if changed:
                    updated.append({**item, "fields": changed})
                else:
                    unchanged += 1
            else:
                raise ValidationError({"kind": [f"unknown kind {rec.kind!r} (person, document or vehicle)"]})
        except ValidationError as exc:
            rejected.append({"row": rec.row, "external_id": rec.external_id, "reason": _message(exc)})
    deactivated = []
    if deactivate_missing:
        for kind, existing in (("person", persons), ("document", docs), ("vehicle", vehs)):
            for ext, entry in existing.items():
                if entry.is_active and (kind, ext) not in seen:
                    deactivated.append({"kind": kind, "external_id": ext, "name": _entry_label(kind, entry)})
    return {"created": created, "updated": updated, "unchanged": unchanged, "deactivated": deactivated,
            "rejected": rejected}


def _entry_label(kind: str, entry) -> str:
    if kind == "person":
        names = list(entry.names.all())
        return names[0].full_name if names else ""
    return str(entry)


def _keys(items) -> list[list[str]]:
    return [[i["kind"], i["external_id"]] for i in items]


def _preview_body(job: ImportJob, data: bytes) -> dict:
    """Parse the file and compare it with the list (English reasons, shown translated)."""
    with override("en"):
        try:
            result = read_file(job.format, data)
        except ImportFileError as exc:
            raise ValidationError({"file": [f"the file could not be read: {exc}"]}) from exc
        state = _list_state(job.watchlist_id)
        plan = _plan(job.watchlist, result.records, job.deactivate_missing)
    plan["rejected"] = result.rejected + plan["rejected"]
    counts = {k: (len(v) if isinstance(v, list) else v) for k, v in plan.items()}
    counts["skipped"] = len(result.skipped)
    body = {
        "counts": counts,
        "digest": _digest(created=_keys(plan["created"]), updated=_keys(plan["updated"]),
                          unchanged=plan["unchanged"], deactivated=_keys(plan["deactivated"]),
                          rejected=plan["rejected"]),
        "list_state": state,
        "computed_at": timezone.now().isoformat(),
        "deactivate_missing": job.deactivate_missing,
        "skipped": result.skipped[:PREVIEW_ITEMS],
    }
    for section in ("created", "updated", "deactivated", "rejected"):
        body[section] = plan[section][:PREVIEW_ITEMS]
    return body


def import_job_preview(*, actor, watchlist: Watchlist, fmt: str, uploaded_file,
                       deactivate_missing: bool = False) -> ImportJob:
    """Parse the file and store on a new job what importing it would do; no entry is written.
    A file that cannot be read is refused with an error on ``file`` (no job is kept)."""
    _check_upload(actor, watchlist, fmt, uploaded_file)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read()
    job = ImportJob(watchlist=watchlist, format=fmt, filename=getattr(uploaded_file, "name", "")[:200],
                    deactivate_missing=deactivate_missing, status=ImportStatus.PREVIEW,
                    created_by=actor if actor is not None and actor.is_authenticated else None)
    job.preview = _preview_body(job, data)
    with transaction.atomic():
        job.file.save(f"{watchlist.code}-{timezone.now():%Y%m%d%H%M%S}.{fmt}", ContentFile(data), save=False)
        job.save()
        audit_log(actor=actor, action="watchlist.import_previewed", obj=job,
                  metadata={"watchlist": watchlist.code, "format": fmt, "filename": job.filename,
                            "deactivate_missing": deactivate_missing, **job.preview["counts"]})
    return job


def import_job_confirm(*, actor, job: ImportJob, digest: str) -> ImportJob:
    """Queue the import of a previewed job. ``digest`` is the preview the user saw: a preview
    recomputed since is refused; a list that changed since the preview gets the preview
    recomputed and :class:`ImportPreviewChanged` raised (nothing queued)."""
    if actor is not None and not Watchlist.objects.restrict(actor, "change").filter(pk=job.watchlist_id).exists():
        raise PermissionDenied("you may not import into this watchlist")
    changed = False
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("watchlist").get(pk=job.pk)
        if job.status != ImportStatus.PREVIEW:
            raise ValidationError({"__all__": ["this import is not awaiting confirmation"]})
        if not digest or digest != job.preview.get("digest"):
            raise ValidationError({"__all__": ["the preview changed since it was shown: check it again"]})
        if job.preview.get("list_state") != _list_state(job.watchlist_id):
            with job.file.open("rb") as fh:
                data = fh.read()
            job.preview = _preview_body(job, data)
            job.save(update_fields=["preview"])
            audit_log(actor=actor, action="watchlist.import_previewed", obj=job,
                      metadata={"watchlist": job.watchlist.code, "recomputed": True, **job.preview["counts"]})
            changed = True
        else:
            job.status = ImportStatus.PENDING
            job.confirmed_by = actor if actor is not None and actor.is_authenticated else None
            job.confirmed_at = timezone.now()
            job.save(update_fields=["status", "confirmed_by", "confirmed_at"])
            audit_log(actor=actor, action="watchlist.import_confirmed", obj=job,
                      metadata={"watchlist": job.watchlist.code, "digest": digest, **job.preview["counts"]})
            enqueue_named_on_commit(IMPORT_FILE_TASK, job.pk)
    if changed:
        raise ImportPreviewChanged({"__all__": [
            "the list changed since the preview: the preview was computed again; check it and confirm again"]})
    return job


def _set_availability(watchlist_id: int, value: str, note: str = "") -> None:
    Watchlist.objects.filter(pk=watchlist_id).update(availability=value, availability_note=note[:300],
                                                     updated_at=timezone.now())


def _person_fields(rec) -> dict:
    return {
        "date_of_birth": rec.date_of_birth or "", "gender": rec.gender or "", "nationalities": rec.nationalities,
        "document_numbers": rec.document_numbers, "place_of_birth": rec.place_of_birth, "remarks": rec.remarks,
    }


def _message(exc: ValidationError) -> str:
    return "; ".join(f"{k}: {' '.join(v)}" if k else " ".join(v) for k, v in field_errors(exc, "").items())


def _apply(job: ImportJob, records, report: dict) -> None:
    wl = job.watchlist
    existing_person = {e.external_id: e for e in PersonEntry.objects.filter(watchlist=wl).exclude(external_id="")}
    existing_doc = {e.external_id: e for e in DocumentEntry.objects.filter(watchlist=wl).exclude(external_id="")}
    existing_veh = {e.external_id: e for e in VehicleEntry.objects.filter(watchlist=wl).exclude(external_id="")}
    seen: set[tuple[str, str]] = set()
    rescreen: list[int] = []
    done: dict[str, list] = {"created": [], "updated": [], "deactivated": []}
    started = timezone.now()
    total = len(records)
    for n, rec in enumerate(records, start=1):
        if n % 200 == 0 or n == total:
            cache.set(_progress_key(job.pk), (n, total), 3600)
        key = (rec.kind, rec.external_id)
        if not rec.external_id:
            report["rejected"].append({"row": rec.row, "external_id": "", "reason": "external_id is missing"})
            continue
        if key in seen:
            report["rejected"].append({"row": rec.row, "external_id": rec.external_id, "reason": "duplicate external_id in the file"})
            continue
        seen.add(key)
        try:
            with transaction.atomic():  # a savepoint: a rejected row leaves no trace
                if rec.kind == "person":
                    entry = existing_person.get(rec.external_id)
                    if entry is None:
                        entry = person_entry_create(actor=None, watchlist=wl, names=rec.names, external_id=rec.external_id,
                                                    audit=False, rescreen=False, **_person_fields(rec))
                        report["created"] += 1
                        done["created"].append([rec.kind, rec.external_id])
                        rescreen.append(entry.pk)
                    elif person_entry_differs(entry, names=rec.names, **_person_fields(rec)):
                        person_entry_update(actor=None, entry=entry, names=rec.names, is_active=True,
                                            audit=False, rescreen=False, **_person_fields(rec))
                        report["updated"] += 1
                        done["updated"].append([rec.kind, rec.external_id])
                        rescreen.append(entry.pk)
                    else:
                        report["unchanged"] += 1
                elif rec.kind == "document":
                    entry = existing_doc.get(rec.external_id)
                    fields = {"number": rec.number, "issuing_state": rec.issuing_state, "status": rec.status,
                              "document_type": rec.document_type, "reported_on": rec.reported_on or None,
                              "remarks": rec.remarks}
                    if entry is None:
                        document_entry_create(actor=None, watchlist=wl, external_id=rec.external_id, audit=False, **fields)
                        report["created"] += 1
                        done["created"].append([rec.kind, rec.external_id])
                    else:
                        snapshot = (entry.number, entry.issuing_state, entry.status, entry.is_active)
                        entry = document_entry_update(actor=None, entry=entry, is_active=True, audit=False, **fields)
                        changed = snapshot != (entry.number, entry.issuing_state, entry.status, entry.is_active)
                        report["updated" if changed else "unchanged"] += 1
                        if changed:
                            done["updated"].append([rec.kind, rec.external_id])
                elif rec.kind == "vehicle":
                    entry = existing_veh.get(rec.external_id)
                    fields = {"plate": rec.plate, "country": rec.country, "make": rec.make, "model": rec.model,
                              "colour": rec.colour, "remarks": rec.remarks}
                    if entry is None:
                        vehicle_entry_create(actor=None, watchlist=wl, external_id=rec.external_id, audit=False, **fields)
                        report["created"] += 1
                        done["created"].append([rec.kind, rec.external_id])
                    else:
                        snapshot = (entry.plate, entry.country, entry.is_active)
                        entry = vehicle_entry_update(actor=None, entry=entry, is_active=True, audit=False, **fields)
                        changed = snapshot != (entry.plate, entry.country, entry.is_active)
                        report["updated" if changed else "unchanged"] += 1
                        if changed:
                            done["updated"].append([rec.kind, rec.external_id])
                else:
                    raise ValidationError({"kind": [f"unknown kind {rec.kind!r} (person, document or vehicle)"]})
        except ValidationError as exc:
            report["rejected"].append({"row": rec.row, "external_id": rec.external_id, "reason": _message(exc)})
    if job.deactivate_missing:
        now = timezone.now()
        for model, kind in ((PersonEntry, "person"), (DocumentEntry, "document"), (VehicleEntry, "vehicle")):
            keep = [ext for k, ext in seen if k == kind]
            gone = model.objects.filter(watchlist=wl, is_active=True).exclude(external_id="").exclude(external_id__in=keep)
            done["deactivated"].extend([kind, ext] for ext in gone.values_list("external_id", flat=True))
            report["deactivated"] += gone.update(is_active=False, updated_at=now)
    if job.preview.get("digest"):
        applied = _digest(created=done["created"], updated=done["updated"], unchanged=report["unchanged"],
                          deactivated=done["deactivated"], rejected=report["rejected"])
        if applied != job.preview["digest"]:
            raise ImportPreviewMismatch
    # Stamp every row this import touched again, just before the commit, so that the
    # screening index (which re-reads recent changes) sees them however long the import took.
    now = timezone.now()
    for model in (PersonEntry, DocumentEntry, VehicleEntry):
        model.objects.filter(watchlist=wl, updated_at__gte=started).update(updated_at=now)
    for start in range(0, len(rescreen), 500):
        enqueue_named_on_commit(RESCREEN_ENTRIES_TASK, rescreen[start : start + 500])


class ImportPreviewMismatch(Exception):
    """The import would not do what its confirmed preview showed (the list changed in between)."""


def import_run(*, job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("watchlist").get(pk=job_id)
    if job.status not in (ImportStatus.PENDING, ImportStatus.FAILED):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, started_at=timezone.now(), error="")
    job.status = ImportStatus.RUNNING
    report = {"created": 0, "updated": 0, "unchanged": 0, "deactivated": 0, "rejected": [], "skipped": []}
    try:
        with job.file.open("rb") as fh:
            data = fh.read()
        result = read_file(job.format, data)
        report["rejected"].extend(result.rejected)
        report["skipped"].extend(result.skipped)
        _set_availability(job.watchlist_id, Availability.IMPORTING, f"import {job.pk}")
        try:
            with transaction.atomic():
                _apply(job, result.records, report)
                summary = {k: (len(v) if isinstance(v, list) else v) for k, v in report.items()}
                audit_log(actor=job.created_by, action="watchlist.import", obj=job.watchlist,
                          metadata={"import_job": job.pk, "format": job.format, **summary})
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportStatus.SUCCEEDED, finished_at=timezone.now(), report=report,
                    progress_done=len(result.records), progress_total=len(result.records),
                )
        finally:
            _set_availability(job.watchlist_id, Availability.AVAILABLE)
    except ImportFileError as exc:
        _fail(job, f"the file could not be read: {exc}", report)
    except ImportPreviewMismatch:
        _fail(job, "the list changed after the preview was confirmed: nothing was changed; preview the file again",
              report)
    except Exception as exc:
        log_failure(logger, "import %s failed", job.pk, exc=exc)
        _fail(job, f"the import failed and changed nothing ({type(exc).__name__})", report)
    cache.delete(_progress_key(job.pk))
    job.refresh_from_db()
    return job


def _fail(job: ImportJob, message: str, report: dict) -> None:
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, finished_at=timezone.now(), error=message,
                                                   report={**report, "created": 0, "updated": 0, "deactivated": 0})
        audit_log(actor=job.created_by, action="watchlist.import_failed", obj=job.watchlist,
                  metadata={"import_job": job.pk, "error": message})
