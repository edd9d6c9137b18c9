"""Dispatching background work without ever blocking a request on a broken broker."""

from __future__ import annotations

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    """Send `task` now; True if it was accepted (or ran, in eager mode), False if the broker
    could not be reached. The caller records the work as pending and shows it so."""
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except (OperationalError, OSError) as exc:
        logger.warning("broker unavailable, task %s not queued: %s", task.name, type(exc).__name__)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send `task` once the current transaction commits (so the worker sees the data)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
