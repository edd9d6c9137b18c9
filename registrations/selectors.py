"""Reads of the registrations app, always through the restricted querysets; a registration read by a
user leaves an audit event."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from audit.services import audit_read
from registrations.models import Apprehension, Group, Registration


def registrations_visible(*, user):
    return (Registration.objects.restrict(user, "view")
            .select_related("apprehension__post", "apprehension__sector", "group", "person", "registry_check"))


def apprehensions_visible(*, user):
    return Apprehension.objects.restrict(user, "view").select_related("post", "sector")


def groups_visible(*, user):
    return Group.objects.restrict(user, "view").select_related("apprehension__post", "apprehension__sector")


def registration_read(*, user, pk: int, purpose: str) -> Registration:
    """One registration the user may see (404 otherwise), its read audited."""
    registration = get_object_or_404(registrations_visible(user=user), pk=pk)
    audit_read(actor=user, obj=registration, purpose=purpose)
    return registration


def _candidate_model():
    try:
        from travelers.models import IdentityCandidate
    except ImportError:  # deduplication not installed yet: the ABIS answers directly
        return None
    return IdentityCandidate


def candidates_for(*, user, registration: Registration, limit: int = 10) -> dict:
    """The persons deduplication found for the registration's person: travelers' identity
    candidates once dedupe has run (``source`` "dedupe"), else the ABIS identification of the
    enrolled person against the traveler galleries (``source`` "abis"). Candidates are read through
    their restricted queryset (supervisors adjudicate; ``hidden`` counts those the user may not
    see) and names are shown only for persons the user may see."""
    from travelers.models import Person

    person_id = registration.person_id
    rows: list[dict] = []
    source = "dedupe"
    model = _candidate_model()
    if person_id is None:
        return {"source": source, "rows": rows, "hidden": 0}
    hidden = 0
    if model is not None:
        mine = model.objects.filter(Q(person_id=person_id) | Q(other_id=person_id))
        # Adjudication is for supervisors: the others learn how many candidates wait, not who.
        qs = mine.restrict(user, "view").order_by("-fused", "pk")[:limit]
        hidden = mine.count() - mine.restrict(user, "view").count()
        for c in qs:
            rows.append({
                "candidate_id": c.pk, "person_id": c.other_id if c.person_id == person_id else c.person_id,
                "score": c.fused, "status": c.status, "status_label": c.get_status_display(),
                "modalities": sorted((c.scores or {}).keys()),
            })
    else:
        source = "abis"
        from biometrics.abis import Gallery, IdentifyRequest, abis

        with transaction.atomic():  # the ABIS audits the identification
            response = abis().identify(IdentifyRequest(reference_id=f"person:{person_id}",
                                                       gallery=Gallery(kinds=frozenset({"person"})),
                                                       max_candidates=limit), actor=user)
        for candidate in response.candidates if response.ok else ():
            kind, _sep, key = candidate.reference_id.partition(":")
            if kind != "person" or not key.isdigit():
                continue
            matched = [m for m, s in candidate.scores.items() if s.matched]
            best = max((s.score / s.threshold for s in candidate.scores.values() if s.threshold), default=0.0)
            rows.append({"candidate_id": None, "person_id": int(key), "score": round(best, 3), "status": "",
                         "status_label": _("matched: %(modalities)s") % {"modalities": ", ".join(matched) or "-"},
                         "modalities": sorted(candidate.scores)})
    visible = {p.pk: p for p in Person.objects.restrict(user, "view").filter(pk__in=[r["person_id"] for r in rows])}
    for row in rows:
        row["person"] = visible.get(row["person_id"])
    return {"source": source, "rows": rows, "hidden": hidden}


def person_panel(user, person_id: int) -> dict | None:
    """The person page's panel (travelers.hooks.register_person_panel): the person's registrations
    and cases the user may see."""
    registrations = list(registrations_visible(user=user).filter(person_id=person_id).order_by("-created_at")[:50])
    if not registrations:
        return None
    return {"template": "registrations/_person_panel.html", "title": _("Registrations and cases"),
            "registrations": registrations}
