"""Heartbeats: every configured device reports its state every `heartbeat_seconds` (what its source
last saw: ok, degraded or error with codes). The server marks a device offline after three missed."""

from __future__ import annotations

import threading
import time


class Heartbeats:
    def __init__(self, devices: dict, emit, health, clock=time.monotonic):
        self.devices = devices  # code -> object with heartbeat_seconds (and optional firmware)
        self.emit = emit
        self.health = health
        self.clock = clock
        self.silenced: set[str] = set()  # devices that stopped (the simulator's camera going dark)
        self._due: dict[str, float] = {}

    def payload(self, code: str) -> dict:
        status, codes = self.health.get(code)
        payload: dict = {"status": status}
        if codes:
            payload["error_codes"] = list(codes)
        firmware = getattr(self.devices[code], "firmware", None)
        if firmware:
            payload["firmware"] = firmware
        return payload

    def tick(self, now: float | None = None) -> list[str]:
        """Queue the heartbeats that are due; returns their event ids."""
        now = self.clock() if now is None else now
        sent = []
        for code, device in self.devices.items():
            if code in self.silenced or now < self._due.get(code, 0.0):
                continue
            self._due[code] = now + float(device.heartbeat_seconds)
            sent.append(self.emit(code, "heartbeat", self.payload(code)))
        return sent

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.tick()
            stop.wait(0.5)
