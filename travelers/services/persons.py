"""Finding or creating the person and document behind a read document, and splitting a wrong
link. The biographic rule itself is in travelers.matching."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.permissions import Role
from audit.services import audit_log
from travelers.matching import RULE_TEXT, biographic_key, sex_compatible
from travelers.models import (
    DocumentKind,
    IdentitySource,
    Inspection,
    MatchRule,
    Movement,
    Overstay,
    Person,
    PersonIdentity,
    TravelDocument,
    Visa,
)
from travelers.mrz import DocumentFields, national_id_number
from travelers.services.identity import identity_for_document, person_survivor
from watchlists.services import hits_move_to_person

KIND_BY_CODE = {"P": DocumentKind.PASSPORT, "V": DocumentKind.VISA, "I": DocumentKind.IDENTITY_CARD}


def document_kind(document_code: str) -> str:
    return KIND_BY_CODE.get((document_code or "")[:1], DocumentKind.TRAVEL_DOCUMENT)


def _lock(name: str) -> None:
    """Serialise work on one document or one identity across concurrent transactions.

    PostgreSQL: a transaction-scoped advisory lock keyed by the name. SQLite: transactions are
    BEGIN IMMEDIATE (see bmis/env.py), so writers are serialised already."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _person_data(fields: DocumentFields) -> dict:
    return {
        "primary_identifier": fields.primary_identifier[:100],
        "secondary_identifier": fields.secondary_identifier[:100],
        "sex": fields.sex or "X",
        "nationality": fields.nationality,
        "birth_year": fields.date_of_birth.year,
        "birth_month": fields.date_of_birth.month,
        "birth_day": fields.date_of_birth.day,
    }


def document_resolve(
    *, actor, fields: DocumentFields, mrz: str = "", mrz_format: str = "", now=None, post=None
) -> tuple[Person, TravelDocument, str]:
    """The person and document for ``fields``, created when new; returns (person, document, rule).
    A new document also records the identity it gives its person (``post``: where it was read).

    Must run inside the caller's transaction. Two officers reading the same document, or two
    documents of the same identity, at the same moment get one person: the work is serialised on
    the document number and on the biographic key, and the document number is unique."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document_resolve must run inside transaction.atomic()")
    now = now or timezone.now()
    kind = document_kind(fields.document_code)
    _lock(f"document:{fields.issuing_state}:{kind}:{fields.document_number}")
    key = biographic_key(
        primary=fields.primary_identifier, secondary=fields.secondary_identifier,
        birth=fields.date_of_birth, nationality=fields.nationality,
    )
    if key:
        _lock(f"identity:{key}")

    existing = (
        TravelDocument.objects.select_for_update()
        .select_related("person")
        .filter(issuing_state=fields.issuing_state, kind=kind, number=fields.document_number)
        .first()
    )
    if existing is not None:
        existing.last_seen_at = now
        existing.save(update_fields=["last_seen_at"])
        return existing.person, existing, MatchRule.DOCUMENT

    detail: dict = {"rule": RULE_TEXT, "key": key}
    person = None
    # A national identity card links by its holder's national ID number first: the number is the
    # state's own key of the person, stronger than the biographic rule.
    nid = national_id_number(fields.document_code, fields.issuing_state, fields.optional_data)
    if nid:
        _lock(f"national_id:{fields.issuing_state}:{nid}")
        holders = _survivors(Person.objects.filter(national_id_number=nid, nationality=fields.issuing_state))
        detail["national_id_candidates"] = [p.pk for p in holders]
        if len(holders) == 1:
            person = holders[0]
    if person is not None:
        rule = MatchRule.NATIONAL_ID
    elif key:
        candidates = [p for p in _survivors(Person.objects.filter(match_key=key)) if sex_compatible(p.sex, fields.sex)]
        detail["candidates"] = [p.pk for p in candidates]
        if len(candidates) == 1:
            person = candidates[0]
        rule = MatchRule.BIOGRAPHIC if person is not None else MatchRule.NEW
    else:
        detail["why_not"] = "incomplete date of birth or no nationality: the biographic rule does not apply"
        rule = MatchRule.NEW

    if person is None:
        person = Person(match_key=key, national_id_number=nid, **_person_data(fields))
        person.full_clean()
        person.save()
        audit_log(actor=actor, action="person.create", obj=person,
                  metadata={"rule": rule, "candidates": detail.get("candidates", []), "national_id": bool(nid)})
    elif nid and not person.national_id_number:
        person.national_id_number = nid
        person.save(update_fields=["national_id_number", "updated_at"])
        audit_log(actor=actor, action="person.update", obj=person, changes={"national_id_number": ["", nid]},
                  metadata={"source": "national_id_card"})

    document = TravelDocument(
        person=person,
        kind=kind,
        document_code=fields.document_code,
        number=fields.document_number,
        issuing_state=fields.issuing_state,
        nationality=fields.nationality,
        primary_identifier=fields.primary_identifier[:100],
        secondary_identifier=fields.secondary_identifier[:100],
        name_as_read=_name_as_read(mrz, fields),
        sex=fields.sex or "X",
        date_of_expiry=fields.date_of_expiry,
        optional_data=fields.optional_data[:30],
        national_id_number=nid,
        mrz=mrz,
        mrz_format=mrz_format,
        match_rule=rule,
        match_detail=detail,
        last_seen_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    document.set_birth(fields.date_of_birth)
    # The number's uniqueness is guarded by the lock above and the database constraint.
    document.full_clean(exclude=["person", "created_by"], validate_unique=False, validate_constraints=False)
    document.save()
    identity_for_document(actor=actor, document=document, post=post, now=now)
    audit_log(actor=actor, action="traveldocument.create", obj=document,
              metadata={"person_id": person.pk, "rule": rule, "kind": kind, "source": "mrz" if mrz else "manual",
                        "national_id": bool(nid)})
    return person, document, rule


def _survivors(persons) -> list[Person]:
    """The persons, a merged-away record replaced by the person it was merged into (its survivor
    holds its documents now), each once."""
    out: dict[int, Person] = {}
    for person in persons:
        survivor = person_survivor(person)
        out.setdefault(survivor.pk, survivor)
    return list(out.values())


def _name_as_read(mrz: str, fields: DocumentFields) -> str:
    if not mrz:
        return ""
    name = fields.primary_identifier.replace(" ", "<")
    if fields.secondary_identifier:
        name += "<<" + fields.secondary_identifier.replace(" ", "<")
    return name[:100]


def person_split(*, actor, person: Person, document_ids: list[int], reason: str) -> Person:
    """Reverse a wrong link: move the given documents (with their inspections, movements and
    visas) off ``person`` into a new person. Supervisors and administrators only; audited."""
    if getattr(actor, "role", None) not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied("only supervisors and administrators split persons")
    if not Person.objects.restrict(actor, "split").filter(pk=person.pk).exists():
        raise PermissionDenied("this person is outside your remit")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "give the reason for the split"})
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        documents = list(TravelDocument.objects.select_for_update().filter(person=person).order_by("pk"))
        chosen = [d for d in documents if d.pk in set(document_ids)]
        if not chosen or len(chosen) != len(set(document_ids)):
            raise ValidationError({"documents": "choose documents that belong to this person"})
        if len(chosen) == len(documents):
            raise ValidationError({"documents": "leave at least one document with the person"})
        first = chosen[0]
        new = Person(
            primary_identifier=first.primary_identifier,
            secondary_identifier=first.secondary_identifier,
            sex=first.sex,
            nationality=first.nationality,
            split_from=person,
        )
        new.set_birth(first.birth)
        # Both persons keep the same key: a later document with this biography then has two
        # candidates, so the rule creates a new person instead of guessing.
        new.match_key = biographic_key(primary=new.primary_identifier, secondary=new.secondary_identifier,
                                       birth=new.birth, nationality=new.nationality)
        # A national ID card's number goes with the card; the person left without a card of that
        # number loses it.
        new.national_id_number = next((d.national_id_number for d in chosen if d.national_id_number), "")
        new.full_clean()
        new.save()
        kept = [d for d in documents if d not in chosen]
        if person.national_id_number and not any(d.national_id_number == person.national_id_number for d in kept):
            person.national_id_number = ""
            person.save(update_fields=["national_id_number", "updated_at"])
        ids = [d.pk for d in chosen]
        inspection_ids = list(Inspection.objects.filter(document_id__in=ids).values_list("pk", flat=True))
        moved = {
            "inspections": Inspection.objects.filter(pk__in=inspection_ids).update(person=new),
            "hits": hits_move_to_person(inspection_ids=inspection_ids, person_id=new.pk),
            "movements": Movement.objects.filter(document_id__in=ids).update(person=new),
            "visas": Visa.objects.filter(document_id__in=ids).update(person=new),
            "overstays": Overstay.objects.filter(entry__document_id__in=ids).update(person=new),
            # The identities the documents gave go with them.
            "identities": PersonIdentity.objects.filter(
                person=person, source=IdentitySource.DOCUMENT, source_ref__in=[f"document:{pk}" for pk in ids],
            ).update(person=new),
        }
        for document in chosen:
            document.person = new
            document.match_rule = MatchRule.SPLIT
            document.match_detail = {"from_person": person.pk, "reason": reason,
                                     "previous": document.match_detail}
            document.save(update_fields=["person", "match_rule", "match_detail"])
        audit_log(
            actor=actor, action="person.split", obj=person,
            changes={"documents": [ids, []]},
            metadata={"new_person_id": new.pk, "documents": ids, "moved": moved, "reason": reason},
        )
        audit_log(actor=actor, action="person.create", obj=new,
                  metadata={"rule": MatchRule.SPLIT, "split_from": person.pk})
    return new


def fields_dict(fields: DocumentFields) -> dict:
    data = asdict(fields)
    data["date_of_birth"] = fields.date_of_birth.isoformat()
    data["date_of_expiry"] = fields.date_of_expiry.isoformat() if fields.date_of_expiry else None
    return data
