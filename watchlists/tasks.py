"""Background work of the watchlists app: imports and re-screening.

Tasks take ids and call one service; the services dispatch them by name (the constants below), so
this module imports the services and never the reverse."""

from __future__ import annotations

from celery import shared_task

from watchlists.services.entries import RESCREEN_ENTRIES_TASK, RESCREEN_ENTRY_TASK
from watchlists.services.imports import IMPORT_FILE_TASK, import_run
from watchlists.services.rescreen import rescreen_recent_travelers


@shared_task(name=IMPORT_FILE_TASK, bind=True, acks_late=True)
def import_file(self, job_id: int) -> str:
    return import_run(job_id=job_id).status


@shared_task(name=RESCREEN_ENTRY_TASK, bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def rescreen_entry(self, entry_id: int) -> int:
    return rescreen_recent_travelers(entry_ids=[entry_id])


@shared_task(name=RESCREEN_ENTRIES_TASK, bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def rescreen_entries(self, entry_ids: list[int]) -> int:
    return rescreen_recent_travelers(entry_ids=entry_ids)
