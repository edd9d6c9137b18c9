"""Screening of an inspection against the watchlists.

The officer's screening panel lists the hits raised for the inspection (watchlists.selectors.
hits_for_inspection: document, name, face and fingerprint hits, most serious first). Name and
document screening itself is the watchlists app's service (`watchlists.services.screen_person`,
`screen_document`); until that service is on main, the inspection records the screening step as
unavailable and the panel says so.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from travelers.models import Inspection

UNAVAILABLE = {
    "status": "unavailable",
    "detail": "name and document screening is not installed on this system yet",
}


def screen_inspection(*, actor, inspection: Inspection) -> dict:
    summary = dict(UNAVAILABLE)
    with transaction.atomic():
        steps = [*inspection.steps, {"step": "screening", "at": timezone.now().isoformat(),
                                     "status": summary["status"]}]
        Inspection.objects.filter(pk=inspection.pk).update(screening=summary, steps=steps)
    inspection.screening, inspection.steps = summary, steps
    return summary
