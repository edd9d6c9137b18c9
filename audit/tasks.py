"""Scheduled integrity check of the audit chain (Celery beat, nightly by default)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from audit.services import audit_log
from audit.verify import verify_chain

logger = logging.getLogger(__name__)


@shared_task(name="audit.verify_chain", acks_late=True)
def verify_chain_task() -> dict:
    report = verify_chain()
    result = {"ok": report.ok, "checked": report.checked, "head_seq": report.head_seq,
              "head_hash": report.head_hash, "problem": report.problem}
    if not report.ok:
        logger.error("audit chain BROKEN at event #%s: %s", report.broken_seq, report.problem)
    with transaction.atomic():
        audit_log(actor=None, action="audit.verify", metadata=result)
    return result
