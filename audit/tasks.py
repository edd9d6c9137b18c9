"""Scheduled integrity work on the audit chain (Celery beat): the head is anchored outside the
database at intervals, and the nightly check verifies the chain against the last anchor."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from audit.anchors import AnchorError, anchor_head, anchor_last
from audit.services import audit_log
from audit.verify import ChainReport, verify_chain

logger = logging.getLogger(__name__)


@shared_task(name="audit.verify_chain", acks_late=True)
def verify_chain_task() -> dict:
    try:
        anchor = anchor_last()
    except AnchorError as exc:
        report = ChainReport(False, 0, 0, "", f"the anchor file cannot be trusted: {exc}")
    else:
        report = verify_chain(anchor=anchor)
    result = {"ok": report.ok, "checked": report.checked, "head_seq": report.head_seq,
              "head_hash": report.head_hash, "problem": report.problem, "anchor_seq": report.anchor_seq}
    if not report.ok:
        logger.error("audit chain BROKEN at event #%s: %s", report.broken_seq, report.problem)
    with transaction.atomic():
        audit_log(actor=None, action="audit.verify", metadata=result)
    if report.ok:
        anchor_head()  # a verified head becomes the next anchor
    return result


@shared_task(name="audit.anchor_head", acks_late=True)
def anchor_head_task() -> dict:
    anchor = anchor_head()
    return {"seq": anchor.seq, "hash": anchor.hash, "at": anchor.at}
