"""Screening a traveler against every list the caller may see.

    screen_person(*, names, date_of_birth=None, nationality=None, gender=None,
                  document_numbers=(), actor=None, inspection_id=None,
                  person_id=None, post=None, store_hits=True) -> ScreeningOutcome
    screen_document(*, number, issuing_state=None, document_type=None, actor=None,
                    inspection_id=None, person_id=None, post=None, store_hits=True) -> ScreeningOutcome
    screen_vehicle(*, plate, country=None, actor=None, inspection_id=None,
                   person_id=None, post=None, store_hits=True) -> ScreeningOutcome

Each validates its input (a Django ValidationError naming the field), screens
every active, valid, visible list and stores every hit through ``hit_raise_many``
(pending, audited, one per inspection and entry). A list that is being
imported, is marked broken, or whose index fails is skipped and named in
``unavailable_lists``: screening never fails because of one list.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.db.models import Q

from watchlists.models import (
    Availability,
    DocumentEntry,
    HitAction,
    ListKind,
    VehicleEntry,
    Watchlist,
    stricter_action,
)
from watchlists.names.score import Person, normalize_document_number
from watchlists.search import registry
from watchlists.selectors import lists_in_force
from watchlists.services.hits import hit_raise_many
from watchlists.validation import (
    clean_country,
    clean_date_of_birth,
    clean_document_number,
    clean_gender,
    clean_names,
    clean_plate,
)

logger = logging.getLogger(__name__)

_PLATE_DROP = re.compile(r"[\s\-./]+")
_ARABIC_DIGITS = {ord(chr(0x0660 + i)): str(i) for i in range(10)} | {ord(chr(0x06F0 + i)): str(i) for i in range(10)}


def normalize_plate(plate: str) -> str:
    """Upper case, spaces and separators removed, Arabic-Indic digits as ASCII,
    ``O``->``0`` and ``I``->``1``."""
    s = _PLATE_DROP.sub("", str(plate or "").translate(_ARABIC_DIGITS)).upper()
    return s.replace("O", "0").replace("I", "1")


@dataclass
class ScreeningOutcome:
    hits: list[dict] = field(default_factory=list)
    unavailable_lists: list[dict] = field(default_factory=list)
    screened_lists: list[str] = field(default_factory=list)


def _lists(actor, kinds, all_lists: bool = False):
    """The active, valid lists to screen: those `actor` may see, or every list when `all_lists`
    (a border inspection screens against every list; officers then see the hits of the lists
    they may see, and owning agencies are notified of the others through the hit workflow)."""
    return list(lists_in_force(kinds=kinds, user=None if all_lists else actor))


def _unavailable(wl: Watchlist, reason: str) -> dict:
    return {"list": wl.code, "reason": reason}


def _list_action(wl: Watchlist) -> str:
    return wl.action


def _document_action(wl: Watchlist) -> str:
    """A lost, stolen, revoked or invalid document is never admitted on the spot: its hit is at
    least a referral, whatever the list's own action."""
    return stricter_action(wl.action, HitAction.REFER)


def _store(outcome, found, *, actor, source, inspection_id, person_id, post, query, store_hits,
           action_of=_list_action):
    """found: [(watchlist, entry, score, threshold, matched_name, explanation)]; every hit of a
    screening is stored and audited in one transaction (hit_raise_many)."""
    found.sort(key=lambda f: -f[2])
    hit_ids = [None] * len(found)
    if store_hits and found:
        raised = hit_raise_many(
            actor=actor, source=source, inspection_id=inspection_id, person_id=person_id, post=post, query=query,
            found=[{**({"person_entry_id": entry, "watchlist": wl} if isinstance(entry, int) else {"entry": entry}),
                    "score": min(1.0, max(0.0, score)), "threshold": threshold, "action": action_of(wl),
                    "matched_name": matched_name, "explanation": explanation}
                   for wl, entry, score, threshold, matched_name, explanation in found],
        )
        hit_ids = [hit.pk for hit, _created in raised]
    for hit_id, (wl, entry, score, _threshold, matched_name, explanation) in zip(hit_ids, found, strict=True):
        outcome.hits.append({
            "hit_id": hit_id, "entry_id": entry if isinstance(entry, int) else entry.pk, "list": wl.code,
            "score": round(score, 3),
            "matched_name": matched_name, "action": action_of(wl), "explanation": explanation,
        })


def screen_person(
    *, names, date_of_birth=None, nationality=None, gender=None, document_numbers=(), actor=None,
    inspection_id=None, person_id=None, post=None, store_hits: bool = True, limit: int = 20, all_lists: bool = False,
) -> ScreeningOutcome:
    names = clean_names(names)
    dob = clean_date_of_birth(date_of_birth)
    nat = clean_country(nationality)
    g = clean_gender(gender)
    docs = tuple(clean_document_number(d, "document_numbers") for d in (document_numbers or ()))
    query = Person(names, dob, (nat,) if nat else (), g, docs)
    query_record = {"names": names, "date_of_birth": dob, "nationality": nat, "gender": g}
    outcome = ScreeningOutcome()
    lists = _lists(actor, [ListKind.PERSONS, ListKind.MIXED], all_lists)
    reg = registry()
    try:
        reg.refresh()
    except Exception:  # the registry keeps its last state; lists without an index are reported
        logger.exception("name index refresh failed")
    found_raw = []
    for wl in lists:
        if wl.availability != Availability.AVAILABLE:
            outcome.unavailable_lists.append(_unavailable(wl, wl.get_availability_display()))
            continue
        li = reg.get(wl.pk)
        if li is None:
            outcome.unavailable_lists.append(_unavailable(wl, reg.failure(wl.pk) or "index not loaded"))
            continue
        try:
            results = li.index.search(query, threshold=wl.default_threshold, limit=limit)
        except Exception as exc:
            logger.exception("screening against watchlist %s failed", wl.code)
            outcome.unavailable_lists.append(_unavailable(wl, type(exc).__name__))
            continue
        outcome.screened_lists.append(wl.code)
        for res in results:
            found_raw.append((wl, res))
    # The index scored entries it had just read from the database (lookup_persons: active ones
    # only), so hits are stored by entry id without reading the entries again.
    found = [(wl, int(res.explanation["entry_id"]), res.score, wl.default_threshold, res.matched_name, res.explanation)
             for wl, res in found_raw]
    _store(outcome, found, actor=actor, source="name", inspection_id=inspection_id, person_id=person_id,
           post=post, query=query_record, store_hits=store_hits)
    return outcome


def screen_document(
    *, number, issuing_state=None, document_type=None, actor=None, inspection_id=None, person_id=None,
    post=None, store_hits: bool = True, all_lists: bool = False,
) -> ScreeningOutcome:
    number = clean_document_number(number)
    state = clean_country(issuing_state, "issuing_state")
    doc_type = (document_type or "").strip().upper()[:2]
    normalized = normalize_document_number(number)
    outcome = ScreeningOutcome()
    found = []
    for wl in _lists(actor, [ListKind.DOCUMENTS, ListKind.MIXED], all_lists):
        if wl.availability != Availability.AVAILABLE:
            outcome.unavailable_lists.append(_unavailable(wl, wl.get_availability_display()))
            continue
        outcome.screened_lists.append(wl.code)
        qs = DocumentEntry.objects.filter(watchlist=wl, is_active=True, number_normalized=normalized)
        if state:
            qs = qs.filter(issuing_state=state)
        for entry in qs:
            type_note = ""
            if doc_type and entry.document_type and entry.document_type.upper()[:1] != doc_type[:1]:
                type_note = "document type differs"
            explanation = {
                "kind": "document", "number": entry.number, "normalized_number": normalized,
                "issuing_state": entry.issuing_state, "status": entry.status,
                "reported_on": entry.reported_on.isoformat() if entry.reported_on else None,
                "query": {"number": number, "issuing_state": state, "type": doc_type or None},
                "notes": [n for n in ["exact match after normalisation (fillers, case, O/0, I/1)", type_note] if n],
            }
            found.append((wl, entry, 1.0, 1.0, f"{entry.issuing_state} {entry.number}", explanation))
    _store(outcome, found, actor=actor, source="document", inspection_id=inspection_id, person_id=person_id,
           post=post, query={"number": number, "issuing_state": state, "type": doc_type}, store_hits=store_hits,
           action_of=_document_action)
    return outcome


def screen_vehicle(
    *, plate, country=None, actor=None, inspection_id=None, person_id=None, post=None, store_hits: bool = True,
    all_lists: bool = False,
) -> ScreeningOutcome:
    plate = clean_plate(plate)
    country = clean_country(country, "country")
    normalized = normalize_plate(plate)
    outcome = ScreeningOutcome()
    found = []
    for wl in _lists(actor, [ListKind.VEHICLES, ListKind.MIXED], all_lists):
        if wl.availability != Availability.AVAILABLE:
            outcome.unavailable_lists.append(_unavailable(wl, wl.get_availability_display()))
            continue
        outcome.screened_lists.append(wl.code)
        qs = VehicleEntry.objects.filter(watchlist=wl, is_active=True, plate_normalized=normalized)
        if country:
            qs = qs.filter(Q(country=country) | Q(country=""))
        for entry in qs:
            explanation = {
                "kind": "vehicle", "plate": entry.plate, "normalized_plate": normalized, "country": entry.country,
                "make": entry.make, "query": {"plate": plate, "country": country},
                "notes": ["exact match after normalisation (spaces, case, O/0, I/1)"],
            }
            found.append((wl, entry, 1.0, 1.0, f"{entry.country} {entry.plate}".strip(), explanation))
    _store(outcome, found, actor=actor, source="vehicle", inspection_id=inspection_id, person_id=person_id,
           post=post, query={"plate": plate, "country": country}, store_hits=store_hits)
    return outcome
