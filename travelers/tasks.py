"""Background jobs of the travelers app (Celery)."""

from __future__ import annotations

from celery import shared_task

from travelers.services import overstay_scan
from travelers.services.booth_routing import booth_reads_expire


@shared_task(name="travelers.overstay_scan", acks_late=True)
def overstay_scan_task() -> dict:
    """Daily (Celery beat, see settings): list persons whose permitted stay ended without an exit."""
    found = overstay_scan()
    return {"new_overstays": len(found)}


@shared_task(name="travelers.booth_reads_expire", acks_late=True)
def booth_reads_expire_task() -> dict:
    """Every 30 s (Celery beat): document reads no officer opened in time expire (audited, logged)."""
    return {"expired": booth_reads_expire()}
