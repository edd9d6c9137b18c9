import json
import logging
import sqlite3

import pytest

from booth_agent.queue import EventTooLarge, Queue


@pytest.fixture
def queue(tmp_path):
    q = Queue(tmp_path / "q.sqlite3")
    yield q
    q.close()


def test_events_keep_their_order_id_and_time(queue):
    ids = [queue.put("DEV", "heartbeat", {"status": "ok"}) for _ in range(3)]
    head = queue.head()
    assert [e.event_id for e in head] == ids
    body = head[0].payload()
    assert body["event_id"] == ids[0] and body["status"] == "ok"
    assert body["time"].endswith("+00:00")  # ISO 8601 with its offset
    assert len(set(ids)) == 3 and all(len(i) == 26 for i in ids)  # ULIDs


def test_the_file_is_in_wal_mode_and_survives_a_crash(tmp_path):
    path = tmp_path / "q.sqlite3"
    q = Queue(path)
    event_id = q.put("DEV", "document", {"mrz": "X"})
    # A crash: no close, no acknowledgement. A second process opens the same file.
    again = Queue(path)
    assert [e.event_id for e in again.head()] == [event_id]
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.ack(event_id)
    assert len(again) == 0 and len(q) == 0
    q.close()
    again.close()


def test_the_same_event_id_is_queued_once(queue):
    first = queue.put("DEV", "capture", {"modality": "face"}, event_id="f-1")
    second = queue.put("DEV", "capture", {"modality": "face"}, event_id="f-1")
    assert first == second == "f-1" and len(queue) == 1


def test_unknown_kind_refused(queue):
    with pytest.raises(ValueError):
        queue.put("DEV", "telepathy", {})


def test_full_queue_drops_oldest_heartbeats_first(tmp_path, caplog):
    q = Queue(tmp_path / "q.sqlite3", max_events=4)
    doc = q.put("R", "document", {"mrz": "A"})
    beats = [q.put("C", "heartbeat", {"status": "ok"}) for _ in range(3)]
    det = q.put("C", "detection", {"class": "person"})
    det2 = q.put("C", "detection", {"class": "person"})
    kept = [e.event_id for e in q.head()]
    assert kept == [doc, beats[2], det, det2]  # the two oldest heartbeats went, nothing else
    assert q.dropped() == []
    with caplog.at_level(logging.WARNING, logger="booth_agent.queue"):
        doc_b = q.put("R", "document", {"mrz": "B"})  # the last heartbeat goes
        assert [e.event_id for e in q.head()] == [doc, det, det2, doc_b] and q.dropped() == []
        doc_c = q.put("R", "document", {"mrz": "C"})  # no heartbeat left: the oldest event goes, logged
    assert [e.event_id for e in q.head()] == [det, det2, doc_b, doc_c]
    assert [d["event_id"] for d in q.dropped()] == [doc]
    assert doc in caplog.text and "dropped document" in caplog.text
    assert "mrz" not in caplog.text
    q.close()


def test_byte_bound(tmp_path):
    q = Queue(tmp_path / "q.sqlite3", max_bytes=1000)
    with pytest.raises(EventTooLarge):
        q.put("C", "capture", {"image": "x" * 2000})
    for _ in range(10):
        q.put("C", "heartbeat", {"status": "ok"})
    assert q.stats()["bytes"] <= 1000
    q.close()


def test_dead_letter_keeps_the_body_and_the_error(queue):
    event_id = queue.put("R", "document", {"mrz": "BAD"})
    error = json.dumps({"error": {"code": "invalid", "message": "mrz", "fields": {"mrz": ["bad"]}}})
    queue.dead_letter(event_id, 400, error)
    assert len(queue) == 0
    [dead] = queue.dead_letters()
    assert dead.event_id == event_id and dead.status == 400 and dead.error == error
    assert json.loads(dead.body)["mrz"] == "BAD"
    assert queue.stats()["dead_letters"] == 1


def test_retry_later_counts_attempts(queue):
    event_id = queue.put("R", "document", {"mrz": "A"})
    queue.retry_later(event_id, 123.0, "503 -")
    [event] = queue.head()
    assert event.attempts == 1 and event.next_attempt_at == 123.0
