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


def registered_task(name: str):
    """The Celery task registered under ``name``, or None when no installed app defines it.

    For work of an app this one may not import (watchlists asks biometrics to enrol a photo):
    the task's name is the contract."""
    from celery import current_app

    if name not in current_app.tasks:
        current_app.loader.import_default_modules()  # autodiscovery: every app's tasks module
    return current_app.tasks.get(name)


def enqueue_named_on_commit(name: str, *args, **kwargs) -> None:
    """Send the task registered as ``name`` once the current transaction commits (eagerly run in
    the embedded default); nothing when no app registers it."""

    def send():
        task = registered_task(name)
        if task is None:
            logger.warning("task %s is not registered; not queued", name)
            return
        enqueue(task, *args, **kwargs)

    transaction.on_commit(send)
