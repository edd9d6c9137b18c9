"""The WSGI application bench/device_ingest.py serves through gunicorn: bmis.wsgi's, unchanged,
plus a stand-in background handler for detections when no installed app registers one yet.

In production an app above devices (incidents) registers its detection handler with
background=True, so the API stores the event and queues a Celery task for it on commit. The
stand-in keeps that request path (transaction, task published to the broker) when the bench runs
on a checkout without that app; it is never called during the bench (no Celery worker runs)."""

from bmis.wsgi import application
from devices.hooks import handler_for, register_event_handler

STAND_IN = handler_for("detection") is None


def _stand_in(event) -> dict:  # pragma: no cover - runs only in a Celery worker
    return {}


if STAND_IN:
    register_event_handler("detection", _stand_in, background=True)

__all__ = ["application"]
