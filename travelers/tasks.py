"""Background jobs of the travelers app (Celery)."""

from __future__ import annotations

from celery import shared_task

from travelers.services import overstay_scan


@shared_task(name="travelers.overstay_scan", acks_late=True)
def overstay_scan_task() -> dict:
    """Daily (Celery beat, see settings): list persons whose permitted stay ended without an exit."""
    found = overstay_scan()
    return {"new_overstays": len(found)}
