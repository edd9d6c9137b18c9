"""The sender: takes queued events in order and delivers them to the server, exactly once in effect.

- 201 (first time) or 200 (an `event_id` the server already has): acknowledged, deleted.
- 202 (stored, but acting on it failed on the server; it asks for a resend): sent again with backoff,
  without holding the device's later events (the server has this one); after `processing_retries`
  tries it goes to the dead letters (stored on the server, never acted on: someone should look).
- Network errors (refused, reset, timeout): nothing is lost; the whole sender backs off
  (exponential with jitter, capped) and starts again from the oldest event.
- 408, 429, 5xx: the event is retried with backoff (or after the server's Retry-After).
- 401 (unknown or revoked credential) and a device without a credential here: the event stays
  queued; logged, retried after `auth_retry_seconds` (rotate the credential in the configuration).
- 404/405 (no such endpoint: wrong server URL or an older server): kept and retried like 5xx.
- Any other 4xx (400 bad field, 403 not this device's booth or sector, 409 refused by the server,
  413 too large): refused for good; moved to the dead-letter table with the server's error body.

Order is kept per device (heartbeats apart: they go after the other events, so that after an
outage a fresh document does not wait behind hours of heartbeats): while a device's oldest event
waits for a retry, its later events wait too; other devices' events go on. Delivery and acknowledgement are separate steps (`deliver`,
`settle`): a crash between them leaves the event queued and it is sent again, which the server
answers from its first result, so nothing is duplicated.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .client import ENDPOINTS, NetworkError, Response, post_json
from .queue import Queue, QueuedEvent, iso_time

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({404, 405, 408, 425, 429})

ACKED, RETRY, RESEND, HELD, DEAD, NETWORK = "acked", "retry", "resend", "held", "dead", "network"


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter on the upper half: attempt 1 waits about `initial`."""

    initial: float = 1.0
    maximum: float = 60.0
    factor: float = 2.0

    def delay(self, attempt: int) -> float:
        base = min(self.maximum, self.initial * self.factor ** max(0, attempt - 1))
        return base / 2 + random.random() * base / 2


@dataclass(frozen=True)
class Delivery:
    outcome: str
    status: int | None = None
    body: str = ""
    retry_after: float | None = None
    error: str = ""


@dataclass
class BatchResult:
    acked: int = 0
    retried: int = 0
    held: int = 0
    dead: int = 0
    network_down: bool = False


def error_code(body: str) -> str:
    """The `error.code` of the API's error body, for logs (never the message: it may echo input)."""
    try:
        return str(json.loads(body)["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return "-"


class Sender:
    def __init__(self, queue: Queue, server: str, credentials: Mapping[str, str] | Callable[[str], str | None], *,
                 batch_size: int = 50, timeout: float = 10.0, backoff: Backoff | None = None,
                 auth_retry_seconds: float = 60.0, processing_retries: int = 10,
                 clock: Callable[[], float] = time.time):
        self.queue = queue
        self.server = server
        self._credentials = credentials
        self.batch_size = batch_size
        self.timeout = timeout
        self.backoff = backoff or Backoff()
        self.auth_retry_seconds = auth_retry_seconds
        self.processing_retries = processing_retries
        self.clock = clock
        self.network_failures = 0
        self.paused_until = 0.0
        self._auth_logged: dict[str, float] = {}

    @property
    def server(self) -> str:
        return self._server

    @server.setter
    def server(self, value: str) -> None:
        self._server = value.rstrip("/")

    def credential(self, device: str) -> str | None:
        if callable(self._credentials):
            return self._credentials(device)
        return self._credentials.get(device)

    # -- one event -------------------------------------------------------------------------------

    @staticmethod
    def with_sent_at(body: str) -> bytes:
        """The event as queued, with the moment it leaves by this PC's clock (`sent_at`): the server
        measures the clock's skew from it, so an event that waited in the queue during an outage
        keeps its own time instead of being taken for a wrong clock."""
        fields = json.loads(body)
        fields["sent_at"] = iso_time()
        return json.dumps(fields, separators=(",", ":")).encode()

    def deliver(self, event: QueuedEvent) -> Delivery:
        """POST one event and classify the answer; the queue is not touched."""
        token = self.credential(event.device)
        if not token:
            return Delivery(HELD, error="no credential configured for this device")
        try:
            answer: Response = post_json(self.server + ENDPOINTS[event.kind], token, self.with_sent_at(event.body),
                                         timeout=self.timeout)
        except NetworkError as error:
            return Delivery(NETWORK, error=str(error))
        status = answer.status
        if status == 202:
            return Delivery(RESEND, status, answer.body, retry_after=answer.retry_after(),
                            error=f"202 {error_code(answer.body)}")
        if 200 <= status < 300:
            return Delivery(ACKED, status, answer.body)
        if status == 401:
            return Delivery(HELD, status, answer.body, error=f"401 {error_code(answer.body)}")
        if status >= 500 or status in RETRY_STATUSES or status < 200 or 300 <= status < 400:
            return Delivery(RETRY, status, answer.body, retry_after=answer.retry_after(),
                            error=f"{status} {error_code(answer.body)}")
        return Delivery(DEAD, status, answer.body, error=f"{status} {error_code(answer.body)}")

    def settle(self, event: QueuedEvent, delivery: Delivery) -> None:
        """Record a delivery's outcome in the queue (acknowledge, reschedule or dead-letter)."""
        now = self.clock()
        if delivery.outcome == ACKED:
            self.queue.ack(event.event_id)
        elif delivery.outcome == DEAD:
            log.warning("server refused %s event %s of device %s for good (%s): moved to dead letters",
                        event.kind, event.event_id, event.device, delivery.error)
            self.queue.dead_letter(event.event_id, delivery.status or 0, delivery.body)
        elif delivery.outcome == HELD:
            last = self._auth_logged.get(event.device, 0.0)
            if now - last >= self.auth_retry_seconds:
                log.error("device %s: credential refused or missing (%s); its events stay queued, retry in %ss",
                          event.device, delivery.error, self.auth_retry_seconds)
                self._auth_logged[event.device] = now
            self.queue.retry_later(event.event_id, now + self.auth_retry_seconds, delivery.error)
        elif delivery.outcome == RESEND and event.attempts + 1 >= self.processing_retries:
            log.warning("%s event %s of device %s: stored by the server but not acted on after %d tries: "
                        "moved to dead letters", event.kind, event.event_id, event.device, event.attempts + 1)
            self.queue.dead_letter(event.event_id, 202, delivery.body)
        elif delivery.outcome in (RETRY, RESEND):
            wait = delivery.retry_after
            if wait is None:
                wait = self.backoff.delay(event.attempts + 1)
            log.info("%s event %s of device %s: %s, retry in %.1fs", event.kind, event.event_id, event.device,
                     delivery.error, wait)
            self.queue.retry_later(event.event_id, now + min(wait, self.backoff.maximum * 10), delivery.error,
                                   holds=delivery.outcome == RETRY)
        elif delivery.outcome == NETWORK:
            self.queue.retry_later(event.event_id, 0, delivery.error)

    # -- batches ---------------------------------------------------------------------------------

    def send_batch(self) -> BatchResult:
        """Send up to `batch_size` of the oldest events in order; stop at a network failure."""
        result = BatchResult()
        now = self.clock()
        if now < self.paused_until:
            result.network_down = True
            return result
        waiting: set[str] = set()  # devices whose event failed in this batch: their later events wait
        for event in self.queue.ready(now, self.batch_size):
            if event.device in waiting:
                continue
            delivery = self.deliver(event)
            if delivery.outcome == NETWORK:
                self.network_failures += 1
                wait = self.backoff.delay(self.network_failures)
                self.paused_until = self.clock() + wait
                log.warning("server unreachable (%s): %d event(s) queued, retry in %.1fs",
                            delivery.error, len(self.queue), wait)
                result.network_down = True
                return result
            self.network_failures = 0
            self.settle(event, delivery)
            if delivery.outcome == ACKED:
                result.acked += 1
            elif delivery.outcome == DEAD:
                result.dead += 1
            elif delivery.outcome == RESEND:
                result.retried += 1  # stored on the server: the device's later events need not wait
            else:
                waiting.add(event.device)
                if delivery.outcome == HELD:
                    result.held += 1
                else:
                    result.retried += 1
        return result

    def next_wake(self) -> float:
        """When there may be something to send (seconds from now, 0: at once)."""
        now = self.clock()
        if now < self.paused_until:
            return self.paused_until - now
        soonest = self.queue.next_attempt()
        return float("inf") if soonest is None else max(0.0, soonest - now)

    def drain(self, timeout: float = 30.0, stop: threading.Event | None = None) -> bool:
        """Send until the queue is empty (True) or `timeout` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        while len(self.queue):
            if stop is not None and stop.is_set():
                return False
            self.send_batch()
            if not len(self.queue):
                break
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            wait = min(self.next_wake(), left, 1.0)
            if wait > 0:
                time.sleep(wait) if stop is None else stop.wait(wait)
        return True

    def run(self, stop: threading.Event, wake: threading.Event | None = None, idle: float = 1.0) -> None:
        """Send for as long as the agent runs; `wake` is set by producers when they queue an event."""
        log.info("sender started: %s", self.server)
        while not stop.is_set():
            try:
                result = self.send_batch()
            except Exception:  # noqa: BLE001 (a broken queue file or a bug must not kill the agent silently)
                log.exception("sender: unexpected failure; retrying")
                stop.wait(5)
                continue
            if result.acked or result.dead:
                continue
            wait = min(self.next_wake(), idle if wake is not None else 1.0)
            if wake is not None:
                wake.wait(max(wait, 0.05))
                wake.clear()
            else:
                stop.wait(max(wait, 0.05))
