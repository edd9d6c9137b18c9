"""Serial MRZ readers (RS-232 or USB serial, e.g. the common OCR-B swipe and page readers in "MRZ
text" mode), through pyserial. The port is reopened when it disappears (cable pulled, reader
restarted); the heartbeat reports `error` with `serial_unavailable` meanwhile."""

from __future__ import annotations

import logging
import threading

from ..mrz import MRZAssembler
from . import Bus, Emit, Health
from .keyboard import document_payload

log = logging.getLogger(__name__)


class LineBuffer:
    """Bytes in, complete lines out (a read may end in the middle of a line)."""

    def __init__(self, limit: int = 4096):
        self.limit = limit
        self._pending = ""

    def feed(self, data: bytes) -> list[str]:
        text = self._pending + data.decode("ascii", "replace")
        parts = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self._pending = parts.pop()[-self.limit:]
        return parts

    def flush(self) -> list[str]:
        """The line left without a terminator (a reader that ends the last line with nothing)."""
        rest, self._pending = self._pending, ""
        return [rest] if rest else []


class SerialSource:
    def __init__(self, spec: dict, emit: Emit, health: Health, bus: Bus):
        self.spec = spec
        self.device = spec["device"]
        self.emit = emit
        self.health = health
        self.bus = bus
        self.assembler = MRZAssembler(timeout=float(spec.get("line_timeout_seconds", 3)))
        self.lines = LineBuffer()

    def handle_bytes(self, data: bytes) -> list[str]:
        """Feed what the port gave (b"" after a read timeout: the pending line is complete)."""
        lines = self.lines.feed(data) if data else self.lines.flush()
        queued = []
        for line in lines:
            zone = self.assembler.feed(line)
            if zone:
                queued.append(self.emit(self.device, "document", document_payload(zone, self.spec)))
                self.bus.publish(self.device, "document")
        return queued

    def run(self, stop: threading.Event) -> None:
        import serial  # pyserial: only needed where a serial reader is configured

        delay = 1.0
        while not stop.is_set():
            try:
                with serial.Serial(self.spec["port"], baudrate=int(self.spec.get("baudrate", 9600)),
                                   bytesize=int(self.spec.get("bytesize", 8)),
                                   parity=str(self.spec.get("parity", "N")),
                                   stopbits=float(self.spec.get("stopbits", 1)),
                                   timeout=float(self.spec.get("read_timeout_seconds", 0.3))) as port:
                    log.info("serial reader %s open on %s", self.device, self.spec["port"])
                    self.health.set(self.device, "ok")
                    delay = 1.0
                    while not stop.is_set():
                        for event_id in self.handle_bytes(port.read(256)):
                            log.info("document read on %s queued as %s", self.device, event_id)
            except (serial.SerialException, OSError) as error:
                self.health.set(self.device, "error", ["serial_unavailable"])
                log.warning("serial reader %s on %s unavailable (%s); retrying in %.0fs", self.device,
                            self.spec["port"], type(error).__name__, delay)
                stop.wait(delay)
                delay = min(delay * 2, 30.0)
