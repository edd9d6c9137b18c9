"""Per-request context (request id, client IP) carried to audit events and log lines."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    client_ip: str | None = None
    # The device on whose behalf the request acts (its code): audit events carry it as actor_device.
    device: str = ""


_EMPTY = RequestContext()
_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("bmis_request_context", default=None)


def current() -> RequestContext:
    return _current.get() or _EMPTY


def bind(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


@contextmanager
def acting_device(code: str) -> Iterator[RequestContext]:
    """Audit events written inside this block carry `code` as their actor_device (what a device
    did: a document read that opened an inspection, a detection that opened an incident)."""
    token = bind(replace(current(), device=code))
    try:
        yield current()
    finally:
        reset(token)
