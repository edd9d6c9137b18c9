"""Screening of an inspection against the watchlists: the document, the traveler's names and
(for a road vehicle) the plate, through the watchlists app's screening services.

Every list is screened (`all_lists=True`): the hits are stored for the inspection and each user
sees those of the lists they may see (watchlists.selectors.hits_for_inspection). A list being
imported or broken is skipped and named in the summary; bad data for one check (an empty name,
say) is recorded as that check's error. Screening never stops the officer from deciding.
"""

from __future__ import annotations

import logging
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import field_errors
from travelers.models import Inspection, TransportMode
from watchlists.services import screen_document, screen_person, screen_vehicle

logger = logging.getLogger(__name__)


def _names(person, document) -> list[str]:
    """The traveler's names as read and in readable form (ICAO transliteration resolved)."""
    candidates = [
        f"{document.secondary_identifier} {document.primary_identifier}",
        f"{person.secondary_identifier} {person.primary_identifier}",
        person.name_readable.replace(",", " "),
    ]
    seen, names = set(), []
    for name in candidates:
        cleaned = " ".join(name.split())
        if cleaned and cleaned.upper() not in seen:
            seen.add(cleaned.upper())
            names.append(cleaned)
    return names


def screen_inspection(*, actor, inspection: Inspection) -> dict:
    person, document = inspection.person, inspection.document
    common = {"actor": actor, "all_lists": True, "inspection_id": inspection.pk, "person_id": person.pk,
              "post": inspection.post}
    checks = [
        ("document", screen_document, {"number": document.number, "issuing_state": document.issuing_state,
                                       "document_type": document.document_code}),
        ("name", screen_person, {"names": _names(person, document),
                                 "date_of_birth": person.birth.isoformat() or None,
                                 "nationality": person.nationality, "gender": person.sex,
                                 "document_numbers": [document.number]}),
    ]
    if inspection.transport_mode == TransportMode.VEHICLE and inspection.carrier:
        checks.append(("vehicle", screen_vehicle, {"plate": inspection.carrier}))

    started = time.perf_counter()
    summary: dict = {"status": "done", "checks": {}, "unavailable_lists": [], "hits": 0}
    for kind, service, arguments in checks:
        try:
            outcome = service(**common, **arguments)
        except ValidationError as exc:
            summary["checks"][kind] = {"status": "invalid", "fields": field_errors(exc)}
            summary["status"] = "partial"
            continue
        summary["checks"][kind] = {"status": "done", "hits": len(outcome.hits), "lists": outcome.screened_lists}
        summary["hits"] += len(outcome.hits)
        for unavailable in outcome.unavailable_lists:
            if unavailable not in summary["unavailable_lists"]:
                summary["unavailable_lists"].append(unavailable)
    if summary["unavailable_lists"]:
        summary["status"] = "partial"
    summary["ms"] = round((time.perf_counter() - started) * 1000, 1)
    with transaction.atomic():
        steps = [*inspection.steps, {"step": "screening", "at": timezone.now().isoformat(),
                                     "status": summary["status"], "hits": summary["hits"]}]
        Inspection.objects.filter(pk=inspection.pk).update(screening=summary, steps=steps)
    inspection.screening, inspection.steps = summary, steps
    return summary
