"""Creating, changing and deactivating watchlists and their entries (audited).

Every write checks that ``actor`` may change the list (``actor=None`` is the
system: imports, demo data), validates, writes in one transaction with its
audit event, and, for person entries, queues the background re-screening of
recent travelers once the transaction commits.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_log, model_changes
from core.tasks import enqueue_named_on_commit
from watchlists.models import (
    DocumentEntry,
    NameScript,
    PersonEntry,
    PersonEntryName,
    VehicleEntry,
    Watchlist,
)
from watchlists.names.normalize import has_arabic, normalize_text
from watchlists.names.score import normalize_document_number, parse_dob
from watchlists.services.screening import normalize_plate
from watchlists.validation import clean_country, clean_gender, clean_name, clean_photo

WATCHLIST_FIELDS = (
    "code", "name", "description", "kind", "owner_agency", "visibility", "action", "refusal_reason",
    "default_threshold", "valid_from", "valid_until", "is_active",
)


def _check_change(actor, watchlist: Watchlist) -> None:
    if actor is None:
        return
    if not Watchlist.objects.restrict(actor, "change").filter(pk=watchlist.pk).exists():
        raise PermissionDenied("you may not change this watchlist")


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str | list):
        return value
    return str(value)


def _snapshot(obj, fields) -> dict:
    return {f: _plain(getattr(obj, f"{f}_id" if f in ("owner_agency", "watchlist") else f)) for f in fields}


def _diff(before: dict, after: dict) -> dict:
    return {k: [str(before[k]), str(after[k])] for k in after if before.get(k) != after.get(k)}


def watchlist_create(*, actor, **fields) -> Watchlist:
    shared_with = fields.pop("shared_with", None)
    wl = Watchlist(**fields)
    if actor is not None and actor.role != "admin":
        if not actor.agency_id or wl.owner_agency_id != actor.agency_id:
            raise PermissionDenied("a supervisor creates lists of their own agency")
    if wl.code and Watchlist.objects.filter(code=wl.code).exists():
        # One answer whether the list holding the code is visible to the caller or not: "already
        # exists" would confirm a restricted list of another agency.
        raise ValidationError({"code": [_("This code is not available: choose another one.")]})
    wl.full_clean()
    with transaction.atomic():
        wl.save()
        if shared_with is not None:
            wl.shared_with.set(shared_with)
        audit_log(actor=actor, action="watchlist.create", obj=wl, changes=model_changes({}, _snapshot(wl, WATCHLIST_FIELDS)))
    return wl


def watchlist_update(*, actor, watchlist: Watchlist, **fields) -> Watchlist:
    _check_change(actor, watchlist)
    shared_with = fields.pop("shared_with", None)
    before = _snapshot(watchlist, WATCHLIST_FIELDS)
    for k, v in fields.items():
        if k not in WATCHLIST_FIELDS or k == "code":
            raise ValidationError({k: "this field cannot be changed here"})
        setattr(watchlist, k, v)
    watchlist.full_clean()
    with transaction.atomic():
        watchlist.save()
        if shared_with is not None:
            watchlist.shared_with.set(shared_with)
        audit_log(actor=actor, action="watchlist.update", obj=watchlist, changes=_diff(before, _snapshot(watchlist, WATCHLIST_FIELDS)))
    return watchlist


# ---------------------------------------------------------------------------
# person entries

PERSON_FIELDS = ("gender", "birth_year", "birth_month", "birth_day", "place_of_birth", "nationalities",
                 "document_numbers", "remarks", "external_id", "is_active", "photo")

# The Celery task of biometrics that enrols watchlist photos into the face galleries (named, not
# imported: watchlists does not depend on biometrics). It syncs every list; cheap when nothing changed.
FACE_SYNC_TASK = "biometrics.face_sync_watchlist_photos"

# Our own background work is dispatched by name too: watchlists.tasks imports the services (a task
# loads ids and calls one service), so a service importing the tasks module would close a cycle.
RESCREEN_ENTRY_TASK = "watchlists.rescreen_entry"
RESCREEN_ENTRIES_TASK = "watchlists.rescreen_entries"


def _person_values(*, date_of_birth=None, gender=None, nationalities=None, document_numbers=None,
                   place_of_birth=None, remarks=None, external_id=None) -> dict:
    values: dict = {}
    if date_of_birth is not None:
        if date_of_birth == "":
            values.update(birth_year=None, birth_month=None, birth_day=None)
        else:
            try:
                dob = parse_dob(date_of_birth)
            except ValueError as exc:
                raise ValidationError({"date_of_birth": [str(exc)]}) from exc
            values.update(birth_year=dob.year, birth_month=dob.month, birth_day=dob.day)
    if gender is not None:
        g = clean_gender(gender) if gender else ""
        values["gender"] = g or ("X" if str(gender).upper() == "X" else "")
    if nationalities is not None:
        values["nationalities"] = [clean_country(c, "nationalities") for c in nationalities if c]
    if document_numbers is not None:
        values["document_numbers"] = [str(d).strip() for d in document_numbers if str(d).strip()]
    if place_of_birth is not None:
        values["place_of_birth"] = place_of_birth
    if remarks is not None:
        values["remarks"] = remarks
    if external_id is not None:
        values["external_id"] = external_id
    return values


def _clean_entry_names(names) -> list[str]:
    if isinstance(names, str):
        names = [names]
    if not names:
        raise ValidationError({"names": ["a person entry needs at least one name"]})
    return [clean_name(n) for n in names]


def _write_names(entry: PersonEntry, names: list[str]) -> None:
    entry.names.all().delete()
    PersonEntryName.objects.bulk_create([
        PersonEntryName(
            entry=entry, full_name=n, normalized=normalize_text(n)[:300],
            script=NameScript.ARABIC if has_arabic(n) else NameScript.LATIN, is_primary=(i == 0),
        )
        for i, n in enumerate(names)
    ])


def _photo_bytes(photo) -> bytes:
    if isinstance(photo, bytes | bytearray):
        return bytes(photo)
    if hasattr(photo, "seek"):
        photo.seek(0)
    return photo.read()


def _set_photo(entry: PersonEntry, photo) -> None:
    """Validate the photo and store it under a random name (file names carry no personal data)."""
    data = _photo_bytes(photo)
    ext = clean_photo(data)
    entry.photo.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)


def _queue_face_sync() -> None:
    enqueue_named_on_commit(FACE_SYNC_TASK)


def _queue_rescreen(entry: PersonEntry) -> None:
    enqueue_named_on_commit(RESCREEN_ENTRY_TASK, entry.pk)


def person_entry_create(*, actor, watchlist: Watchlist, names, photo=None, audit: bool = True, rescreen: bool = True,
                        **fields) -> PersonEntry:
    """``photo``: bytes or a file (JPEG, PNG or WebP); enrolled into the list's face gallery by
    biometrics once the entry is committed."""
    _check_change(actor, watchlist)
    clean = _clean_entry_names(names)
    entry = PersonEntry(watchlist=watchlist, created_by=actor if actor is not None and actor.is_authenticated else None,
                        **_person_values(**fields))
    entry.full_clean()
    if photo is not None:
        _set_photo(entry, photo)
    with transaction.atomic():
        entry.save()
        if photo is not None:
            _queue_face_sync()
        _write_names(entry, clean)
        if audit:
            audit_log(actor=actor, action="person_entry.create", obj=entry,
                      changes=model_changes({}, {**_snapshot(entry, PERSON_FIELDS), "names": clean}))
        if rescreen:
            _queue_rescreen(entry)
    return entry


def person_entry_update(*, actor, entry: PersonEntry, names=None, photo=None, audit: bool = True, rescreen: bool = True,
                        **fields) -> PersonEntry:
    """``photo`` (bytes or a file) replaces the entry's photo; None keeps it."""
    _check_change(actor, entry.watchlist)
    before = {**_snapshot(entry, PERSON_FIELDS), "names": list(entry.names.order_by("-is_primary", "pk").values_list("full_name", flat=True))}
    clean = _clean_entry_names(names) if names is not None else None
    is_active = fields.pop("is_active", None)
    for k, v in _person_values(**fields).items():
        setattr(entry, k, v)
    if is_active is not None:
        entry.is_active = bool(is_active)
    entry.full_clean()
    if photo is not None:
        _set_photo(entry, photo)
    with transaction.atomic():
        entry.save()
        if clean is not None:
            _write_names(entry, clean)
        after = {**_snapshot(entry, PERSON_FIELDS), "names": clean if clean is not None else before["names"]}
        changes = _diff(before, after)
        if audit and changes:
            audit_log(actor=actor, action="person_entry.update", obj=entry, changes=changes)
        if rescreen and set(changes) - {"photo"} and entry.is_active:
            _queue_rescreen(entry)
        if photo is not None:
            _queue_face_sync()
    return entry


def person_entry_differs(entry: PersonEntry, *, names, **fields) -> bool:
    """Would :func:`person_entry_update` with these values change ``entry``?"""
    clean = _clean_entry_names(names)
    current = list(entry.names.order_by("-is_primary", "pk").values_list("full_name", flat=True))
    if current != clean or not entry.is_active:
        return True
    return any(getattr(entry, k) != v for k, v in _person_values(**fields).items())


def person_entry_deactivate(*, actor, entry: PersonEntry, reason: str = "") -> PersonEntry:
    _check_change(actor, entry.watchlist)
    with transaction.atomic():
        entry.is_active = False
        entry.save(update_fields=["is_active", "updated_at"])
        audit_log(actor=actor, action="person_entry.deactivate", obj=entry, changes={"is_active": [True, False]},
                  metadata={"reason": reason})
    return entry


# ---------------------------------------------------------------------------
# documents and vehicles

def document_entry_create(*, actor, watchlist: Watchlist, number: str, issuing_state: str, status: str,
                          document_type: str = "", reported_on=None, remarks: str = "", external_id: str = "",
                          audit: bool = True) -> DocumentEntry:
    _check_change(actor, watchlist)
    entry = DocumentEntry(
        watchlist=watchlist, number=(number or "").strip(), number_normalized=normalize_document_number(number),
        issuing_state=(issuing_state or "").strip().upper(), status=status, document_type=(document_type or "").upper()[:2],
        reported_on=reported_on, remarks=remarks, external_id=external_id,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if not entry.number_normalized:
        raise ValidationError({"number": ["give the document number"]})
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        if audit:
            audit_log(actor=actor, action="document_entry.create", obj=entry, changes={
                "number": [None, entry.number], "issuing_state": [None, entry.issuing_state], "status": [None, entry.status]})
    return entry


def _exact_entry_update(*, actor, entry, fields: dict, names: tuple, upper: tuple, normalize, action: str,
                        audit: bool):
    """Update a document or vehicle entry: known fields only, codes upper-cased, the matching key
    (``normalize``) recomputed, validated, saved and audited with the changed values."""
    _check_change(actor, entry.watchlist)
    before = {f: getattr(entry, f) for f in names}
    for k, v in fields.items():
        if k not in names:
            raise ValidationError({k: "unknown field"})
        setattr(entry, k, v.strip().upper() if k in upper and isinstance(v, str) else v)
    normalize(entry)
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        changes = _diff(before, {f: getattr(entry, f) for f in names})
        if audit and changes:
            audit_log(actor=actor, action=action, obj=entry, changes=changes)
    return entry


def document_entry_update(*, actor, entry: DocumentEntry, audit: bool = True, **fields) -> DocumentEntry:
    def normalize(e):
        e.number_normalized = normalize_document_number(e.number)

    return _exact_entry_update(
        actor=actor, entry=entry, fields=fields, audit=audit, action="document_entry.update", normalize=normalize,
        names=("number", "issuing_state", "status", "document_type", "reported_on", "remarks", "is_active",
               "external_id"),
        upper=("issuing_state", "document_type"),
    )


def vehicle_entry_create(*, actor, watchlist: Watchlist, plate: str, country: str = "", make: str = "",
                         model: str = "", colour: str = "", remarks: str = "", external_id: str = "",
                         audit: bool = True) -> VehicleEntry:
    _check_change(actor, watchlist)
    entry = VehicleEntry(
        watchlist=watchlist, plate=(plate or "").strip(), plate_normalized=normalize_plate(plate),
        country=(country or "").strip().upper(), make=make, model=model, colour=colour, remarks=remarks,
        external_id=external_id, created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if not entry.plate_normalized:
        raise ValidationError({"plate": ["give the plate"]})
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        if audit:
            audit_log(actor=actor, action="vehicle_entry.create", obj=entry,
                      changes={"plate": [None, entry.plate], "country": [None, entry.country]})
    return entry


def vehicle_entry_update(*, actor, entry: VehicleEntry, audit: bool = True, **fields) -> VehicleEntry:
    def normalize(e):
        e.plate_normalized = normalize_plate(e.plate)

    return _exact_entry_update(
        actor=actor, entry=entry, fields=fields, audit=audit, action="vehicle_entry.update", normalize=normalize,
        names=("plate", "country", "make", "model", "colour", "remarks", "is_active", "external_id"),
        upper=("country",),
    )


def entry_deactivate(*, actor, entry, reason: str = ""):
    """Deactivate a document or vehicle entry (persons: person_entry_deactivate)."""
    if isinstance(entry, PersonEntry):
        return person_entry_deactivate(actor=actor, entry=entry, reason=reason)
    _check_change(actor, entry.watchlist)
    label = "document_entry" if isinstance(entry, DocumentEntry) else "vehicle_entry"
    with transaction.atomic():
        entry.is_active = False
        entry.save(update_fields=["is_active", "updated_at"])
        audit_log(actor=actor, action=f"{label}.deactivate", obj=entry, changes={"is_active": [True, False]},
                  metadata={"reason": reason})
    return entry
