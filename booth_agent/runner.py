"""The running agent: the queue, the sender thread, the heartbeats and one thread per source."""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime

from .config import AgentConfig
from .queue import Queue
from .sender import Backoff, Sender
from .sources import Bus, Health
from .sources.heartbeat import Heartbeats

log = logging.getLogger(__name__)


def make_source(spec: dict, emit, health: Health, bus: Bus):
    kind = spec["type"]
    if kind == "keyboard":
        from .sources.keyboard import KeyboardSource
        return KeyboardSource(spec, emit, health, bus)
    if kind == "serial":
        from .sources.serial_reader import SerialSource
        return SerialSource(spec, emit, health, bus)
    if kind == "webcam":
        from .sources.webcam import WebcamSource
        return WebcamSource(spec, emit, health, bus)
    if kind == "folder":
        from .sources.folder import FolderSource
        return FolderSource(spec, emit, health, bus)
    if kind == "onvif":
        from .sources.onvif_events import OnvifSource
        return OnvifSource(spec, emit, health, bus)
    raise ValueError(f"unknown source type {kind!r}")


def make_sender(queue: Queue, config: AgentConfig) -> Sender:
    s = config.sender
    return Sender(queue, config.server, config.credentials(), batch_size=s.batch_size, timeout=s.timeout_seconds,
                  backoff=Backoff(initial=s.backoff_initial_seconds, maximum=s.backoff_max_seconds),
                  auth_retry_seconds=s.auth_retry_seconds, processing_retries=s.processing_retries)


class Agent:
    def __init__(self, config: AgentConfig, *, heartbeats: bool = True):
        self.config = config
        self.queue = Queue(config.queue, max_events=config.max_events, max_bytes=config.max_bytes)
        self.sender = make_sender(self.queue, config)
        self.health = Health()
        self.bus = Bus()
        self.stop_event = threading.Event()
        self.wake = threading.Event()
        self.heartbeats = Heartbeats(config.devices, self.emit, self.health) if heartbeats else None
        self.sources = [make_source(spec, self.emit, self.health, self.bus) for spec in config.sources]
        self.threads: list[threading.Thread] = []

    def emit(self, device: str, kind: str, payload: dict, *, at: datetime | None = None,
             event_id: str | None = None) -> str:
        event_id = self.queue.put(device, kind, payload, at=at, event_id=event_id)
        self.wake.set()
        return event_id

    def start(self) -> None:
        workers = [("sender", lambda: self.sender.run(self.stop_event, self.wake))]
        if self.heartbeats is not None:
            workers.append(("heartbeats", lambda: self.heartbeats.run(self.stop_event)))
        for i, source in enumerate(self.sources):
            workers.append((f"source-{i}-{type(source).__name__}", lambda s=source: s.run(self.stop_event)))
        for name, target in workers:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self.threads.append(thread)
        log.info("agent started: %d device(s), %d source(s), %d event(s) queued", len(self.config.devices),
                 len(self.sources), len(self.queue))

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the threads and close the queue. The sender and heartbeats finish what they are doing
        (an event sent but not acknowledged stays queued and is resent next time: the server knows
        it); a source blocked reading its device (a keyboard wedge's input) is left behind."""
        self.stop_event.set()
        self.wake.set()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            left = max(0.0, deadline - time.monotonic())
            thread.join(left if thread.name in ("sender", "heartbeats") else min(0.5, left))
        self.queue.close()

    def run_forever(self) -> None:
        def on_signal(signum, frame):
            log.info("signal %s: stopping", signum)
            self.stop_event.set()
            self.wake.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.start()
        while not self.stop_event.wait(1.0):
            pass
        self.stop()
