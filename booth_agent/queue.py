"""The on-disk queue of events waiting for the server: one SQLite file in WAL mode.

An event gets its `event_id` (a ULID) and its device time when it is queued, in the same committed
transaction, so a resend after a crash, a lost answer or a server restart is recognised by the
server (same `event_id`: 200 with the first result, no second record). Events are acknowledged
(deleted) only after the server's 2xx; refused ones move to `dead_letters` with the server's error
body. The queue is bounded: past `max_events` or `max_bytes`, the oldest heartbeats go first;
documents, captures, detections and positions are dropped only when no heartbeat is left, each one
logged and recorded in `dropped` (without its body).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .ids import ulid

log = logging.getLogger(__name__)

KINDS = ("heartbeat", "document", "capture", "detection", "position")

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    device TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    size INTEGER NOT NULL,
    enqueued_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    holds INTEGER NOT NULL DEFAULT 1,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS events_kind ON events (kind, seq);
CREATE INDEX IF NOT EXISTS events_device ON events (device, seq);
CREATE TABLE IF NOT EXISTS dead_letters (
    event_id TEXT PRIMARY KEY,
    device TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    enqueued_at REAL NOT NULL,
    failed_at REAL NOT NULL,
    status INTEGER NOT NULL,
    error TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dropped (
    event_id TEXT PRIMARY KEY,
    device TEXT NOT NULL,
    kind TEXT NOT NULL,
    enqueued_at REAL NOT NULL,
    dropped_at REAL NOT NULL,
    reason TEXT NOT NULL
);
"""


class EventTooLarge(ValueError):
    """One event larger than the whole queue may hold."""


@dataclass(frozen=True)
class QueuedEvent:
    seq: int
    event_id: str
    device: str
    kind: str
    body: str
    enqueued_at: float
    attempts: int
    next_attempt_at: float

    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass(frozen=True)
class DeadLetter:
    event_id: str
    device: str
    kind: str
    body: str
    failed_at: float
    status: int
    error: str


def iso_time(moment: datetime | None = None) -> str:
    """ISO 8601 with the offset, as the API wants the device's clock."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.isoformat(timespec="milliseconds")


class Queue:
    """A durable FIFO of device events. Safe to share between threads (one connection, one lock)."""

    def __init__(self, path: str | Path, *, max_events: int = 100_000, max_bytes: int = 512 * 1024 * 1024):
        if max_events < 1 or max_bytes < 1:
            raise ValueError("max_events and max_bytes must be positive")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_events = max_events
        self.max_bytes = max_bytes
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed enqueue or acknowledgement survives a power cut, not only a crash.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(events)")}
        if "holds" not in columns:  # a queue file of the first version
            self._db.execute("ALTER TABLE events ADD COLUMN holds INTEGER NOT NULL DEFAULT 1")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Queue:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writes ----------------------------------------------------------------------------------

    def put(self, device: str, kind: str, payload: dict, *, at: datetime | None = None,
            event_id: str | None = None) -> str:
        """Queue one event for `device` and return its `event_id`. `payload` holds the endpoint's fields
        other than `event_id` and `time` (which are set here, the time being the device's clock now
        unless `at` is given). An `event_id` already queued is not queued twice (a source that derives
        its ids from what it read may queue the same read again after a crash)."""
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        event_id = event_id or ulid()
        body = json.dumps({"event_id": event_id, "time": iso_time(at), **payload}, separators=(",", ":"))
        size = len(body.encode())
        if size > self.max_bytes:
            raise EventTooLarge(f"{kind} event of {size} bytes exceeds the queue's max_bytes {self.max_bytes}")
        with self._lock, self._transaction():
            inserted = self._db.execute(
                "INSERT OR IGNORE INTO events (event_id, device, kind, body, size, enqueued_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", (event_id, device, kind, body, size, time.time()),
            ).rowcount
            if inserted:
                self._enforce_bounds(keep=event_id)
        return event_id

    def _enforce_bounds(self, keep: str) -> None:
        count, size = self._db.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM events").fetchone()
        dropped_heartbeats = 0
        while count > self.max_events or size > self.max_bytes:
            row = self._db.execute(
                "SELECT seq, event_id, device, kind, size, enqueued_at FROM events "
                "WHERE kind = 'heartbeat' AND event_id != ? ORDER BY seq LIMIT 1", (keep,)).fetchone()
            if row is None:
                row = self._db.execute(
                    "SELECT seq, event_id, device, kind, size, enqueued_at FROM events "
                    "WHERE event_id != ? ORDER BY seq LIMIT 1", (keep,)).fetchone()
            if row is None:
                break
            seq, event_id, device, kind, row_size, enqueued_at = row
            self._db.execute("DELETE FROM events WHERE seq = ?", (seq,))
            if kind == "heartbeat":
                dropped_heartbeats += 1
            else:
                # Never silently: logged (ids only, no personal data) and recorded.
                log.warning("queue full: dropped %s event %s of device %s queued at %s",
                            kind, event_id, device, iso_time(datetime.fromtimestamp(enqueued_at, UTC)))
                self._db.execute(
                    "INSERT OR REPLACE INTO dropped (event_id, device, kind, enqueued_at, dropped_at, reason) "
                    "VALUES (?, ?, ?, ?, ?, 'queue_full')", (event_id, device, kind, enqueued_at, time.time()))
            count -= 1
            size -= row_size
        if dropped_heartbeats:
            log.info("queue full: dropped the %d oldest heartbeat(s)", dropped_heartbeats)

    def ack(self, event_id: str) -> None:
        """The server accepted the event (2xx): it leaves the queue."""
        with self._lock, self._transaction():
            self._db.execute("DELETE FROM events WHERE event_id = ?", (event_id,))

    def retry_later(self, event_id: str, at: float, error: str, *, holds: bool = True) -> None:
        """A failure worth retrying: count the attempt and keep the event until `at`. While it waits,
        the device's later events wait too (`holds`), unless the server already has this one."""
        with self._lock, self._transaction():
            self._db.execute(
                "UPDATE events SET attempts = attempts + 1, next_attempt_at = ?, holds = ?, last_error = ? "
                "WHERE event_id = ?", (at, int(holds), error[:2000], event_id))

    def dead_letter(self, event_id: str, status: int, error: str) -> None:
        """The server refused the event for good: keep it, with the error body, out of the queue."""
        with self._lock, self._transaction():
            row = self._db.execute("SELECT device, kind, body, enqueued_at FROM events WHERE event_id = ?",
                                   (event_id,)).fetchone()
            if row is None:
                return
            self._db.execute(
                "INSERT OR REPLACE INTO dead_letters (event_id, device, kind, body, enqueued_at, failed_at, status, "
                "error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (event_id, *row, time.time(), status, error))
            self._db.execute("DELETE FROM events WHERE event_id = ?", (event_id,))

    # -- reads -----------------------------------------------------------------------------------

    def head(self, limit: int = 100) -> list[QueuedEvent]:
        """The oldest queued events, in the order they were queued."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, event_id, device, kind, body, enqueued_at, attempts, next_attempt_at FROM events "
                "ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [QueuedEvent(*row) for row in rows]

    def ready(self, now: float, limit: int = 100) -> list[QueuedEvent]:
        """The oldest events that may be sent at `now`, in order: not waiting for a retry, and behind
        no waiting event of their device that holds the device's later events. A device whose
        credential is refused (thousands of events waiting behind its first) never starves another.
        Heartbeats come after the other events (each kind in its own order): after an outage, the
        document just read goes before the backlog of heartbeats (any event tells the server the
        device is alive)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, event_id, device, kind, body, enqueued_at, attempts, next_attempt_at FROM events e "
                "WHERE e.next_attempt_at <= :now AND NOT EXISTS (SELECT 1 FROM events h WHERE h.device = e.device "
                "AND h.seq < e.seq AND h.holds = 1 AND h.next_attempt_at > :now) "
                "ORDER BY e.kind = 'heartbeat', e.seq LIMIT :limit",
                {"now": now, "limit": limit}).fetchall()
        return [QueuedEvent(*row) for row in rows]

    def next_attempt(self) -> float | None:
        """When the soonest waiting event may be tried (None: the queue is empty)."""
        with self._lock:
            return self._db.execute("SELECT MIN(next_attempt_at) FROM events").fetchone()[0]

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM events").fetchone()[0]

    def stats(self) -> dict:
        with self._lock:
            queued, size = self._db.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM events").fetchone()
            by_kind = dict(self._db.execute("SELECT kind, COUNT(*) FROM events GROUP BY kind").fetchall())
            dead = self._db.execute("SELECT COUNT(*) FROM dead_letters").fetchone()[0]
            dropped = self._db.execute("SELECT COUNT(*) FROM dropped").fetchone()[0]
        return {"queued": queued, "bytes": size, "by_kind": by_kind, "dead_letters": dead, "dropped": dropped}

    def dead_letters(self) -> list[DeadLetter]:
        with self._lock:
            rows = self._db.execute(
                "SELECT event_id, device, kind, body, failed_at, status, error FROM dead_letters "
                "ORDER BY failed_at").fetchall()
        return [DeadLetter(*row) for row in rows]

    def dropped(self) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT event_id, device, kind, enqueued_at, dropped_at, reason FROM dropped ORDER BY dropped_at"
            ).fetchall()
        keys = ("event_id", "device", "kind", "enqueued_at", "dropped_at", "reason")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    # -- helpers ---------------------------------------------------------------------------------

    def _transaction(self):
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
