"""Keyboard-wedge MRZ readers: the reader types the zone as keystrokes, line by line, into the
agent's terminal (stdin) or a tty the agent reads (`tty = "/dev/tty2"`)."""

from __future__ import annotations

import logging
import sys
import threading
from typing import TextIO

from ..mrz import MRZAssembler
from . import Bus, Emit, Health

log = logging.getLogger(__name__)


def document_payload(zone: str, spec: dict) -> dict:
    payload = {"mrz": zone}
    if spec.get("direction") in ("entry", "exit"):
        payload["direction"] = spec["direction"]
    return payload


class KeyboardSource:
    def __init__(self, spec: dict, emit: Emit, health: Health, bus: Bus, stream: TextIO | None = None):
        self.spec = spec
        self.device = spec["device"]
        self.emit = emit
        self.health = health
        self.bus = bus
        self.stream = stream
        self.assembler = MRZAssembler(timeout=float(spec.get("line_timeout_seconds", 3)))

    def handle_line(self, line: str) -> str | None:
        zone = self.assembler.feed(line)
        if zone:
            event_id = self.emit(self.device, "document", document_payload(zone, self.spec))
            log.info("document read on %s queued as %s", self.device, event_id)
            self.bus.publish(self.device, "document")
            return event_id
        return None

    def run(self, stop: threading.Event) -> None:
        stream = self.stream
        if stream is None:
            stream = open(self.spec["tty"], encoding="ascii", errors="replace") if self.spec.get("tty") else sys.stdin  # noqa: SIM115
        self.health.set(self.device, "ok")
        for line in stream:
            if stop.is_set():
                break
            self.handle_line(line)
        log.info("keyboard source %s: input closed", self.device)
