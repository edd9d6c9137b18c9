"""The traveler's side of watchlist hit cards, given to watchlists through its hook
(``watchlists.hooks.register_hit_context_provider``, registered in ``TravelersConfig.ready``).

One call per page of hits: the persons and inspections are read in a few queries through the
restricted querysets (a hit whose traveler the user may not see gets None), and the persons shown
are one audited read."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse

from travelers.models import Inspection, Person, TravelDocument
from travelers.selectors import audit_person_list

PURPOSE = "hit adjudication"


def _person(person: Person) -> dict:
    documents = [
        {"kind": d.get_kind_display(), "number": d.number, "issuing_state": d.issuing_state,
         "date_of_expiry": d.date_of_expiry.isoformat() if d.date_of_expiry else "",
         "name_as_read": d.name_as_read}
        for d in person.documents.all()
    ]
    return {
        "id": person.pk,
        "url": reverse("travelers:person-detail", args=[person.pk]),
        "names_as_read": f"{person.primary_identifier}, {person.secondary_identifier}".strip(", "),
        "name_readable": person.name_readable,
        "needs_reading": person.name_needs_reading,
        "date_of_birth": person.birth.isoformat() or "",
        "nationality": person.nationality,
        "sex": person.sex,
        "documents": documents,
    }


def _inspection(inspection: Inspection) -> dict:
    return {
        "id": inspection.pk,
        "url": reverse("travelers:inspection-detail", args=[inspection.pk]),
        "status": inspection.status,
        "status_label": str(inspection.get_status_display()),
        "decision": inspection.decision,
        "decision_label": str(inspection.get_decision_display()) if inspection.decision else "",
        "post": inspection.post.code,
        "read_at": inspection.read_at,
    }


def _faces(user, inspection_ids) -> dict[int, str]:
    """The latest face captured at each inspection that the user may see (biometrics serves and
    audits the image itself)."""
    try:
        from biometrics.models import FaceImage
    except ImportError:  # pragma: no cover  (biometrics not installed)
        return {}
    best: dict[int, tuple[bool, int]] = {}
    rows = (FaceImage.objects.restrict(user, "view").filter(inspection_id__in=inspection_ids)
            .order_by("-created_at", "-pk").values_list("inspection_id", "pk", "source"))
    for inspection_id, pk, source in rows:
        live = source not in ("document_page", "chip", "watchlist")  # the face seen at the booth first
        if inspection_id not in best or (live and not best[inspection_id][0]):
            best[inspection_id] = (live, pk)
    return {i: reverse("biometrics:face-image", args=[pk]) + "?purpose=hit" for i, (_live, pk) in best.items()}


def hit_context_for(*, user, hits) -> dict[int, dict]:
    person_ids = {h.person_id for h in hits if h.person_id} | {h.matched_person_id for h in hits if h.matched_person_id}
    inspection_ids = {h.inspection_id for h in hits if h.inspection_id}
    documents = TravelDocument.objects.order_by("-last_seen_at", "-created_at")
    persons = {
        p.pk: p for p in Person.objects.restrict(user, "view").filter(pk__in=person_ids)
        .prefetch_related(Prefetch("documents", queryset=documents))
    } if person_ids else {}
    inspections = {
        i.pk: i for i in Inspection.objects.restrict(user, "view").filter(pk__in=inspection_ids).select_related("post")
    } if inspection_ids else {}
    faces = _faces(user, inspections) if inspections else {}
    audit_person_list(user=user, person_ids=list(persons), purpose=PURPOSE)
    shown = {pk: _person(p) for pk, p in persons.items()}
    context: dict[int, dict] = {}
    for hit in hits:
        inspection = inspections.get(hit.inspection_id)
        context[hit.pk] = {
            "person": shown.get(hit.person_id),
            "matched_person": shown.get(hit.matched_person_id),
            "inspection": _inspection(inspection) if inspection is not None else None,
            "face_url": faces.get(hit.inspection_id),
        }
    return context
