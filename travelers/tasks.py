"""Background jobs of the travelers app (Celery)."""

from __future__ import annotations

from celery import shared_task

from travelers.services import overstay_scan
from travelers.services.booth_routing import booth_reads_expire
from travelers.services.civil_registry import registry_answers_purge, registry_check_retry, registry_checks_due


@shared_task(name="travelers.overstay_scan", acks_late=True)
def overstay_scan_task() -> dict:
    """Daily (Celery beat, see settings): list persons whose permitted stay ended without an exit."""
    found = overstay_scan()
    return {"new_overstays": len(found)}


@shared_task(name="travelers.civil_registry_retry", acks_late=True)
def civil_registry_retry_task(check_id: int) -> dict:
    """Ask the civil registry again for one check it did not answer."""
    check = registry_check_retry(check_id=check_id)
    return {"check": check.pk, "status": check.status, "attempts": check.attempts}


@shared_task(name="travelers.civil_registry_retry_pending", acks_late=True)
def civil_registry_retry_pending_task() -> dict:
    """Every BMIS_CIVIL_REGISTRY_RETRY_MINUTES (Celery beat): queue a retry of each due check."""
    due = registry_checks_due()
    for check_id in due:
        civil_registry_retry_task.delay(check_id)
    return {"queued": len(due)}


@shared_task(name="travelers.civil_registry_purge_expired", acks_late=True)
def civil_registry_purge_task() -> dict:
    """Daily: delete the civil registry's cached answers past their expiry."""
    return {"deleted": registry_answers_purge()}


@shared_task(name="travelers.booth_reads_expire", acks_late=True)
def booth_reads_expire_task() -> dict:
    """Every 30 s (Celery beat): document reads no officer opened in time expire (audited, logged)."""
    return {"expired": booth_reads_expire()}


@shared_task(name="travelers.dedupe_person", acks_late=True)
def dedupe_person_task(person_id: int, source: str = "registration") -> dict:
    """Look for the persons this one may already be (names, face, fingerprints; see
    travelers.services.dedupe); registrations dispatch it on commit, and so does a traveler's face
    or finger enrolment at a checkpoint. Idempotent: running it twice records no pair twice."""
    from travelers.models import CandidateSource, Person
    from travelers.services.dedupe import person_dedupe

    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return {"person": person_id, "candidates": 0, "skipped": "no such person"}
    if source not in CandidateSource.values:
        source = CandidateSource.REGISTRATION
    found = person_dedupe(person=person, source=source)
    return {"person": person_id, "candidates": len(found),
            "auto_merged": sum(1 for c in found if c.status == "auto_merged")}
