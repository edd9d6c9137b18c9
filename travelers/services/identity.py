"""Identities of a person, registration of a person without a document, and merge / unmerge
of two person records (issue 15, identity management).

Merge moves *everything* that names the source person to the target, and records in
``PersonMerge.moved`` the ids of every row it moved, per kind. Unmerge moves exactly those rows
back. Rows created on the target after the merge (a new inspection, a new identity, a new
fingerprint) stay with the target: they were recorded against the survivor, and nothing says they
belong to the source. A listed row that no longer belongs to the target (a supervisor split its
document off since) stays where it is; the audit event of the unmerge lists it under "left".
Merges are undone last-in-first-out: a target merged in turn into a third person must be
separated from it first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Role
from audit.services import audit_log
from biometrics.services.persons import biometrics_move_person, biometrics_restore_person
from travelers.hooks import merge_participants
from travelers.matching import biographic_key
from travelers.models import (
    BirthPrecision,
    IdentitySource,
    Inspection,
    Movement,
    Overstay,
    Person,
    PersonIdentity,
    PersonMerge,
    RegistryCheck,
    TravelDocument,
    Visa,
)
from watchlists.services import hits_merge_person, hits_unmerge_person

# kind in PersonMerge.moved -> model with a `person` FK
PERSON_ROWS = {
    "documents": TravelDocument,
    "inspections": Inspection,
    "movements": Movement,
    "visas": Visa,
    "overstays": Overstay,
    "registry_checks": RegistryCheck,
    "identities": PersonIdentity,
}
MERGERS = (Role.SUPERVISOR, Role.ADMIN)
MAX_AGE = 130


@dataclass(frozen=True)
class DeclaredIdentity:
    primary_identifier: str
    secondary_identifier: str = ""
    name_original: str = ""
    birth_year: int | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    birth_precision: str = ""
    estimated_age: int | None = None
    sex: str = "X"
    nationality: str = "XXX"
    place_of_origin: str = ""
    languages: tuple[str, ...] = ()


def _precision(identity: DeclaredIdentity) -> str:
    if identity.birth_precision:
        return identity.birth_precision
    if identity.birth_year and identity.birth_month and identity.birth_day:
        return BirthPrecision.EXACT
    if identity.birth_year and identity.birth_month:
        return BirthPrecision.MONTH
    if identity.birth_year:
        return BirthPrecision.YEAR
    return BirthPrecision.ESTIMATED if identity.estimated_age is not None else ""


def _identity_row(*, actor, person, identity: DeclaredIdentity, source: str, source_ref: str, post, place: str,
                  now) -> PersonIdentity:
    if source not in IdentitySource.values:
        raise ValidationError({"source": _("Unknown identity source: %(source)s.") % {"source": source}})
    if not (identity.primary_identifier or "").strip():
        raise ValidationError({"primary_identifier": _("Give at least one name.")})
    year = identity.birth_year
    if identity.estimated_age is not None and not 0 <= identity.estimated_age <= MAX_AGE:
        raise ValidationError({"estimated_age": _("An age must be between 0 and %(max)d.") % {"max": MAX_AGE}})
    if year is not None and not (now.year - MAX_AGE <= year <= now.year):
        raise ValidationError({"birth_year": _("The year of birth is impossible.")})
    if year is None and identity.estimated_age is not None:
        year = now.year - identity.estimated_age
    row = PersonIdentity(
        person=person, source=source, source_ref=source_ref[:60],
        primary_identifier=identity.primary_identifier.strip()[:100],
        secondary_identifier=(identity.secondary_identifier or "").strip()[:100],
        name_original=(identity.name_original or "").strip()[:200],
        birth_year=year, birth_month=identity.birth_month, birth_day=identity.birth_day,
        birth_precision=_precision(identity), estimated_age=identity.estimated_age,
        sex=identity.sex or "X", nationality=(identity.nationality or "XXX").upper(),
        place_of_origin=identity.place_of_origin[:200], languages=list(identity.languages),
        post=post, place=place[:200], recorded_by=actor if getattr(actor, "pk", None) else None, recorded_at=now,
    )
    if row.birth_month is not None and not 1 <= row.birth_month <= 12:
        raise ValidationError({"birth_month": _("A month is between 1 and 12.")})
    if row.birth_day is not None:
        try:
            born = date(row.birth_year or 0, row.birth_month or 0, row.birth_day)
        except (ValueError, TypeError):
            raise ValidationError({"birth_day": _("This date of birth does not exist.")}) from None
        if born > now.date():
            raise ValidationError({"birth_day": _("The date of birth is in the future.")})
    row.full_clean(exclude=["person", "recorded_by", "post"])
    return row


def person_register(*, actor, identity: DeclaredIdentity, source: str, source_ref: str = "", post=None,
                    place: str = "", now=None) -> Person:
    """A new person known only by what they declare (or a registration): the person and its
    first identity, audited, in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        person = Person(
            primary_identifier=identity.primary_identifier.strip()[:100],
            secondary_identifier=(identity.secondary_identifier or "").strip()[:100],
            sex=identity.sex or "X", nationality=(identity.nationality or "XXX").upper(),
        )
        row = _identity_row(actor=actor, person=person, identity=identity, source=source, source_ref=source_ref,
                            post=post, place=place, now=now)
        person.birth_year, person.birth_month, person.birth_day = row.birth_year, row.birth_month, row.birth_day
        person.match_key = biographic_key(primary=person.primary_identifier, secondary=person.secondary_identifier,
                                          birth=person.birth, nationality=person.nationality)
        person.full_clean()
        person.save()
        row.person = person
        row.save()
        audit_log(actor=actor, action="person.create", obj=person,
                  metadata={"rule": "registered", "source": source, "source_ref": source_ref,
                            "post_id": getattr(post, "pk", None)})
        audit_log(actor=actor, action="personidentity.create", obj=row,
                  metadata={"person_id": person.pk, "source": source, "source_ref": source_ref})
    return person


def identity_add(*, actor, person, identity: DeclaredIdentity, source, source_ref="", post=None,
                 place="") -> PersonIdentity:
    """One more name the person is known under; audited."""
    now = timezone.now()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.merged_into_id:
            person = person_survivor(person)
        row = _identity_row(actor=actor, person=person, identity=identity, source=source, source_ref=source_ref,
                            post=post, place=place, now=now)
        row.save()
        audit_log(actor=actor, action="personidentity.create", obj=row,
                  metadata={"person_id": person.pk, "source": source, "source_ref": source_ref})
    return row


def identity_for_document(*, actor, document: TravelDocument, post=None, now=None) -> PersonIdentity:
    """The identity a newly read travel document gives its person (document_resolve). The caller
    audits the document in the same transaction."""
    birth = document.birth
    precision = (BirthPrecision.EXACT if birth.day else BirthPrecision.MONTH if birth.month
                 else BirthPrecision.YEAR if birth.year else "")
    return PersonIdentity.objects.create(
        person_id=document.person_id, source=IdentitySource.DOCUMENT, source_ref=f"document:{document.pk}",
        primary_identifier=document.primary_identifier, secondary_identifier=document.secondary_identifier,
        name_original=document.name_as_read, birth_year=birth.year, birth_month=birth.month, birth_day=birth.day,
        birth_precision=precision, sex=document.sex, nationality=document.nationality, post=post,
        recorded_by=actor if getattr(actor, "pk", None) else None, recorded_at=now or timezone.now(),
    )


def person_survivor(person: Person) -> Person:
    """The person a merged-away record now lives on as (itself when not merged)."""
    seen = {person.pk}
    while person.merged_into_id is not None:
        person = Person.objects.get(pk=person.merged_into_id)
        if person.pk in seen:  # never expected; a guard against a cycle
            break
        seen.add(person.pk)
    return person


def _check_merger(actor, *persons: Person) -> None:
    if getattr(actor, "role", None) not in MERGERS:
        raise PermissionDenied("only supervisors and administrators merge persons")
    visible = set(Person.objects.restrict(actor, "merge").filter(pk__in=[p.pk for p in persons])
                  .values_list("pk", flat=True))
    if len(visible) != len({p.pk for p in persons}):
        raise PermissionDenied("this person is outside your remit")


def person_merge(*, actor, source: Person, target: Person, reason: str, candidate_id: int | None = None) -> PersonMerge:
    """``source`` and ``target`` are one human being: everything of the source moves to the target,
    and the source stays as a tombstone (``merged_into``). Supervisors and administrators;
    audited in the same transaction; undone by :func:`person_unmerge`."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the merge.")})
    if source.pk == target.pk:
        raise ValidationError({"target": _("A person cannot be merged into itself.")})
    _check_merger(actor, source, target)
    with transaction.atomic():
        # Locked in id order: two merges of the same pair at once cannot deadlock.
        locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
                  .order_by("pk")}
        source, target = locked[source.pk], locked[target.pk]
        if target.merged_into_id is not None:
            raise ValidationError({"target": _("Person #%(id)d was merged into person #%(into)d: merge into that one.")
                                   % {"id": target.pk, "into": target.merged_into_id}})
        if source.merged_into_id is not None:
            raise ValidationError({"source": _("Person #%(id)d is already merged into person #%(into)d.")
                                   % {"id": source.pk, "into": source.merged_into_id}})
        moved: dict = {}
        for kind, model in PERSON_ROWS.items():
            ids = sorted(model.objects.filter(person_id=source.pk).values_list("pk", flat=True))
            model.objects.filter(pk__in=ids).update(person_id=target.pk)
            moved[kind] = ids
        moved["hits"] = hits_merge_person(source_id=source.pk, target_id=target.pk)
        moved["biometrics"] = biometrics_move_person(source_id=source.pk, target_id=target.pk)
        for participant in merge_participants():
            moved[participant.name] = sorted(participant.move(source.pk, target.pk))
        person_fields = {}
        if source.national_id_number and not target.national_id_number:
            person_fields["national_id_number"] = source.national_id_number
            target.national_id_number = source.national_id_number
            target.save(update_fields=["national_id_number", "updated_at"])
        moved["person_fields"] = person_fields
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        merge = PersonMerge.objects.create(source=source, target=target, actor=actor, reason=reason,
                                           candidate_id=candidate_id, moved=moved)
        audit_log(actor=actor, action="person.merge", obj=source,
                  changes={"merged_into": [None, target.pk]},
                  metadata={"merge_id": merge.pk, "target_id": target.pk, "candidate_id": candidate_id,
                            "reason": reason, "moved": _counts(moved)})
        audit_log(actor=actor, action="person.merge_in", obj=target,
                  metadata={"merge_id": merge.pk, "source_id": source.pk})
    return merge


def _counts(moved: dict) -> dict:
    out = {}
    for kind, value in moved.items():
        if isinstance(value, dict):
            out[kind] = {k: len(v) if isinstance(v, list) else v for k, v in value.items()}
        else:
            out[kind] = len(value) if isinstance(value, list) else value
    return out


def person_unmerge(*, actor, merge: PersonMerge, reason: str) -> Person:
    """Undo ``merge``: the rows it moved go back to the source, which is a person again. Rows
    created on the target since the merge stay with the target (see the module's docstring).
    Returns the restored source person."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for undoing the merge.")})
    if getattr(actor, "role", None) not in MERGERS:
        raise PermissionDenied("only supervisors and administrators undo merges")
    with transaction.atomic():
        merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.reverted_at is not None:
            raise ValidationError({"merge": _("This merge was already undone.")})
        _check_merger(actor, merge.target)
        locked = {p.pk: p for p in Person.objects.select_for_update().filter(
            pk__in=[merge.source_id, merge.target_id]).order_by("pk")}
        source, target = locked[merge.source_id], locked[merge.target_id]
        if target.merged_into_id is not None:
            raise ValidationError({"merge": _("Person #%(id)d was merged into person #%(into)d since: undo that "
                                              "merge first.") % {"id": target.pk, "into": target.merged_into_id}})
        moved = merge.moved or {}
        left: dict[str, list[int]] = {}
        for kind, model in PERSON_ROWS.items():
            ids = moved.get(kind, [])
            back = set(model.objects.filter(pk__in=ids, person_id=target.pk).values_list("pk", flat=True))
            model.objects.filter(pk__in=back).update(person_id=source.pk)
            if len(back) != len(ids):
                left[kind] = sorted(set(ids) - back)
        hits_unmerge_person(moved=moved.get("hits", {}), source_id=source.pk, target_id=target.pk)
        biometrics_restore_person(moved=moved.get("biometrics", {}), source_id=source.pk, target_id=target.pk)
        for participant in merge_participants():
            if moved.get(participant.name):
                participant.restore(list(moved[participant.name]), source.pk)
        fields = moved.get("person_fields", {})
        if fields.get("national_id_number") and target.national_id_number == fields["national_id_number"]:
            keeps = TravelDocument.objects.filter(person=target, national_id_number=target.national_id_number)
            if not keeps.exists():
                target.national_id_number = ""
                target.save(update_fields=["national_id_number", "updated_at"])
        source.merged_into = None
        source.save(update_fields=["merged_into", "updated_at"])
        merge.reverted_at, merge.reverted_by, merge.revert_reason = timezone.now(), actor, reason
        merge.save(update_fields=["reverted_at", "reverted_by", "revert_reason"])
        audit_log(actor=actor, action="person.unmerge", obj=source,
                  changes={"merged_into": [target.pk, None]},
                  metadata={"merge_id": merge.pk, "target_id": target.pk, "reason": reason,
                            "restored": _counts(moved), "left": left})
    return source


def declared_dict(identity: DeclaredIdentity) -> dict:
    data = asdict(identity)
    data["languages"] = list(identity.languages)
    return data
