"""How the apps above devices act on what devices send, without devices importing them.

An app registers a handler per event kind at start-up (in its ``AppConfig.ready``)::

    from devices.hooks import register_event_handler
    register_event_handler("document", open_inspection_from_reader)
    register_event_handler("detection", attach_to_incident, background=True)

A handler is called with the stored :class:`devices.models.DeviceEvent` (committed before any
handler runs) and returns a JSON-able dict, kept as the event's result and returned to the
device. It raises :class:`EventRejected` to refuse (kept as the event's error and answered with
its status). A background handler runs in a Celery task on the ``devices`` queue (in-process in
the embedded default); the device is answered "accepted" at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Handler = Callable[..., dict]


class EventRejected(Exception):
    """A handler's refusal: `code` and `message` for the device, `fields` naming the fields."""

    def __init__(self, code: str, message: str, *, fields: dict | None = None, status: int = 409):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.status = status

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "fields": self.fields, "status": self.status}


@dataclass(frozen=True)
class Registered:
    handler: Handler
    background: bool


_handlers: dict[str, Registered] = {}


def register_event_handler(kind: str, handler: Handler, *, background: bool = False) -> None:
    """One handler per kind: registering another for the same kind replaces it (tests may)."""
    _handlers[kind] = Registered(handler, background)


def handler_for(kind: str) -> Registered | None:
    return _handlers.get(kind)
