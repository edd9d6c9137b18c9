"""Fingerprint tasks (queue biometrics): run a 1:1 or 1:N search; purge expired fingerprints."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from biometrics.services.fingerprint import (
    FINGERPRINT_PURGE_TASK,
    FINGERPRINT_SEARCH_TASK,
    fingerprint_search_fail,
    fingerprint_search_run,
)
from biometrics.services.fingerprint import fingerprint_purge_expired as purge_service


@shared_task(
    name=FINGERPRINT_SEARCH_TASK,
    bind=True,
    acks_late=True,
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=3,
)
def fingerprint_search(self, search_id: int) -> str:
    """Run the search; after the last retry the search is marked failed instead of staying pending."""
    try:
        return fingerprint_search_run(search_id=search_id).status
    except (DatabaseError, OSError) as exc:
        if self.request.retries >= self.max_retries:
            fingerprint_search_fail(search_id=search_id, reason=f"{type(exc).__name__} after {self.max_retries} retries")
        raise


@shared_task(name=FINGERPRINT_PURGE_TASK, acks_late=True)
def fingerprint_purge_expired() -> int:
    return purge_service()
