"""Importing a list from a file: idempotent, all or nothing, with a report.

    import_job_create(*, actor, watchlist, fmt, uploaded_file, deactivate_missing=True) -> ImportJob
    import_run(*, job_id) -> ImportJob          (the Celery task calls this)
    import_progress(job) -> (done, total)

A re-import updates the entries it matches by ``external_id``, creates the
new ones and (with ``deactivate_missing``) deactivates those the file no
longer holds; nothing is deleted. Rows that fail validation are rejected
with a reason and the rest imported; a file that cannot be read changes
nothing. The whole import is one transaction; while it runs the list is
marked "being imported" so screening answers from the other lists and says
so.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_log
from core.logsafe import log_failure
from core.tasks import enqueue_on_commit
from watchlists.imports import ImportFileError, read_file
from watchlists.models import (
    Availability,
    DocumentEntry,
    ImportFormat,
    ImportJob,
    ImportStatus,
    PersonEntry,
    VehicleEntry,
    Watchlist,
)
from watchlists.services.entries import (
    document_entry_create,
    document_entry_update,
    person_entry_create,
    person_entry_differs,
    person_entry_update,
    vehicle_entry_create,
    vehicle_entry_update,
)

logger = logging.getLogger(__name__)
MAX_FILE_BYTES = 200 * 1024 * 1024


def _progress_key(job_id: int) -> str:
    return f"watchlists:import:{job_id}:progress"


def import_progress(job: ImportJob) -> tuple[int, int]:
    if job.status == ImportStatus.RUNNING:
        value = cache.get(_progress_key(job.pk))
        if value:
            return tuple(value)
    return job.progress_done, job.progress_total


def import_job_create(*, actor, watchlist: Watchlist, fmt: str, uploaded_file, deactivate_missing: bool = True) -> ImportJob:
    if actor is not None and not Watchlist.objects.restrict(actor, "change").filter(pk=watchlist.pk).exists():
        raise PermissionDenied("you may not import into this watchlist")
    if fmt not in ImportFormat.values:
        raise ValidationError({"format": [f"one of {', '.join(ImportFormat.values)}"]})
    if uploaded_file is None:
        raise ValidationError({"file": ["choose a file"]})
    if getattr(uploaded_file, "size", 0) > MAX_FILE_BYTES:
        raise ValidationError({"file": ["the file is larger than 200 MB"]})
    from watchlists.tasks import import_file

    with transaction.atomic():
        job = ImportJob(watchlist=watchlist, format=fmt, filename=getattr(uploaded_file, "name", "")[:200],
                        deactivate_missing=deactivate_missing,
                        created_by=actor if actor is not None and actor.is_authenticated else None)
        job.file.save(f"{watchlist.code}-{timezone.now():%Y%m%d%H%M%S}.{fmt}", uploaded_file, save=False)
        job.save()
        audit_log(actor=actor, action="watchlist.import_requested", obj=job,
                  metadata={"watchlist": watchlist.code, "format": fmt, "filename": job.filename})
        enqueue_on_commit(import_file, job.pk)
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
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def _apply(job: ImportJob, records, report: dict) -> None:
    wl = job.watchlist
    existing_person = {e.external_id: e for e in PersonEntry.objects.filter(watchlist=wl).exclude(external_id="")}
    existing_doc = {e.external_id: e for e in DocumentEntry.objects.filter(watchlist=wl).exclude(external_id="")}
    existing_veh = {e.external_id: e for e in VehicleEntry.objects.filter(watchlist=wl).exclude(external_id="")}
    seen: set[tuple[str, str]] = set()
    rescreen: list[int] = []
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
                        rescreen.append(entry.pk)
                    elif person_entry_differs(entry, names=rec.names, **_person_fields(rec)):
                        person_entry_update(actor=None, entry=entry, names=rec.names, is_active=True,
                                            audit=False, rescreen=False, **_person_fields(rec))
                        report["updated"] += 1
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
                    else:
                        snapshot = (entry.number, entry.issuing_state, entry.status, entry.is_active)
                        entry = document_entry_update(actor=None, entry=entry, is_active=True, audit=False, **fields)
                        changed = snapshot != (entry.number, entry.issuing_state, entry.status, entry.is_active)
                        report["updated" if changed else "unchanged"] += 1
                elif rec.kind == "vehicle":
                    entry = existing_veh.get(rec.external_id)
                    fields = {"plate": rec.plate, "country": rec.country, "make": rec.make, "model": rec.model,
                              "colour": rec.colour, "remarks": rec.remarks}
                    if entry is None:
                        vehicle_entry_create(actor=None, watchlist=wl, external_id=rec.external_id, audit=False, **fields)
                        report["created"] += 1
                    else:
                        snapshot = (entry.plate, entry.country, entry.is_active)
                        entry = vehicle_entry_update(actor=None, entry=entry, is_active=True, audit=False, **fields)
                        changed = snapshot != (entry.plate, entry.country, entry.is_active)
                        report["updated" if changed else "unchanged"] += 1
                else:
                    raise ValidationError({"kind": [f"unknown kind {rec.kind!r} (person, document or vehicle)"]})
        except ValidationError as exc:
            report["rejected"].append({"row": rec.row, "external_id": rec.external_id, "reason": _message(exc)})
    if job.deactivate_missing:
        now = timezone.now()
        for model, kind in ((PersonEntry, "person"), (DocumentEntry, "document"), (VehicleEntry, "vehicle")):
            keep = [ext for k, ext in seen if k == kind]
            gone = model.objects.filter(watchlist=wl, is_active=True).exclude(external_id="").exclude(external_id__in=keep)
            report["deactivated"] += gone.update(is_active=False, updated_at=now)
    # Stamp every row this import touched again, just before the commit, so that the
    # screening index (which re-reads recent changes) sees them however long the import took.
    now = timezone.now()
    for model in (PersonEntry, DocumentEntry, VehicleEntry):
        model.objects.filter(watchlist=wl, updated_at__gte=started).update(updated_at=now)
    for start in range(0, len(rescreen), 500):
        from watchlists.tasks import rescreen_entries

        enqueue_on_commit(rescreen_entries, rescreen[start : start + 500])


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
