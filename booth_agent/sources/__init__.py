"""Where events come from: each source reads one kind of local device and queues events through an
`Emit` callable (device code, event kind, payload) -> event_id. Sources report their device's state
to `Health`, which the heartbeats read."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Protocol


class Emit(Protocol):
    def __call__(self, device: str, kind: str, payload: dict, *, at: datetime | None = None,
                 event_id: str | None = None) -> str: ...


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class Health:
    """Each device's last known state, as its heartbeat reports it: ok, degraded or error, with codes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._state: dict[str, tuple[str, tuple[str, ...]]] = {}

    def set(self, device: str, status: str, error_codes: tuple[str, ...] | list[str] = ()) -> None:
        with self._lock:
            self._state[device] = (status, tuple(error_codes))

    def reported(self, device: str) -> bool:
        with self._lock:
            return device in self._state

    def get(self, device: str) -> tuple[str, tuple[str, ...]]:
        with self._lock:
            return self._state.get(device, ("ok", ()))


class Bus:
    """In-process notices between sources: e.g. a webcam that captures the face when the booth's
    document reader reads a passport."""

    def __init__(self):
        self._lock = threading.Lock()
        self._listeners: list[Callable[[str, str], None]] = []

    def subscribe(self, listener: Callable[[str, str], None]) -> None:
        with self._lock:
            self._listeners.append(listener)

    def publish(self, device: str, kind: str) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(device, kind)
