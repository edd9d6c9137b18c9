"""Background work of the watchlists app: imports and re-screening."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="watchlists.import_file", bind=True, acks_late=True)
def import_file(self, job_id: int) -> str:
    from watchlists.services.imports import import_run

    return import_run(job_id=job_id).status


@shared_task(name="watchlists.rescreen_entry", bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def rescreen_entry(self, entry_id: int) -> int:
    from watchlists.services.rescreen import rescreen_recent_travelers

    return rescreen_recent_travelers(entry_ids=[entry_id])


@shared_task(name="watchlists.rescreen_entries", bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def rescreen_entries(self, entry_ids: list[int]) -> int:
    from watchlists.services.rescreen import rescreen_recent_travelers

    return rescreen_recent_travelers(entry_ids=entry_ids)
