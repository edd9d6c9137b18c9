import json
import logging

import pytest

from booth_agent.queue import Queue
from booth_agent.sender import Backoff, Sender

from .fake_server import FakeServer, closed_port_url

TOKENS = {"R1": "bmisdev_1_secret", "C1": "bmisdev_2_secret"}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def queue(tmp_path):
    q = Queue(tmp_path / "q.sqlite3")
    yield q
    q.close()


@pytest.fixture
def server():
    with FakeServer() as s:
        yield s


def sender_for(queue, url, clock=None, **kwargs):
    return Sender(queue, url, TOKENS, backoff=Backoff(initial=1, maximum=8), clock=clock or Clock(), **kwargs)


def test_delivers_in_order_and_acknowledges(queue, server):
    ids = [queue.put("R1", "document", {"mrz": f"M{i}"}) for i in range(5)]
    ids.append(queue.put("C1", "heartbeat", {"status": "ok"}))
    result = sender_for(queue, server.url).send_batch()
    assert result.acked == 6 and len(queue) == 0
    assert [r[2] for r in server.requests] == ids
    assert server.requests[0][0] == "/api/v1/devices/documents" and server.requests[0][1] == TOKENS["R1"]
    assert server.requests[-1][0] == "/api/v1/devices/heartbeat" and server.requests[-1][1] == TOKENS["C1"]


def test_batches_are_bounded(queue, server):
    for i in range(7):
        queue.put("R1", "document", {"mrz": f"M{i}"})
    assert sender_for(queue, server.url, batch_size=3).send_batch().acked == 3
    assert len(queue) == 4


def test_server_unreachable_keeps_everything_then_delivers_exactly_once(queue, server):
    ids = [queue.put("R1", "document", {"mrz": f"M{i}"}) for i in range(3)]
    clock = Clock()
    sender = sender_for(queue, closed_port_url(), clock)
    result = sender.send_batch()
    assert result.network_down and len(queue) == 3
    assert 0.5 <= sender.paused_until - clock.now <= 1.0  # first backoff: about `initial`
    assert sender.send_batch().network_down  # paused: does not hammer the network
    clock.now += 2
    sender.send_batch()
    assert sender.network_failures == 2 and 1.0 <= sender.paused_until - clock.now <= 2.0
    sender.server = server.url
    clock.now += 10
    assert sender.send_batch().acked == 3
    assert sorted(server.stored) == sorted(ids) and len(server.requests) == 3


def test_5xx_and_429_are_retried_with_backoff(queue, server):
    event_id = queue.put("R1", "document", {"mrz": "M"})
    clock = Clock()
    sender = sender_for(queue, server.url, clock)
    server.script = [(503, {"error": {"code": "unavailable"}}, {}), (429, {}, {"Retry-After": "7"})]
    assert sender.send_batch().retried == 1
    [event] = queue.head()
    assert event.attempts == 1 and 0.5 <= event.next_attempt_at - clock.now <= 1.0
    clock.now = event.next_attempt_at
    assert sender.send_batch().retried == 1
    [event] = queue.head()
    assert event.attempts == 2 and event.next_attempt_at == pytest.approx(clock.now + 7)  # Retry-After
    assert sender.send_batch().acked == 0  # not yet
    clock.now += 7
    assert sender.send_batch().acked == 1
    assert list(server.stored) == [event_id]


def test_408_and_404_are_retried_not_refused(queue, server):
    queue.put("R1", "document", {"mrz": "M"})
    server.script = [(408, {}, {}), (404, {}, {})]
    clock = Clock()
    sender = sender_for(queue, server.url, clock)
    for _ in range(2):
        assert sender.send_batch().retried == 1
        clock.now += 100
    assert sender.send_batch().acked == 1 and queue.dead_letters() == []


def test_a_retrying_device_holds_its_later_events_not_other_devices(queue, server):
    first = queue.put("R1", "document", {"mrz": "M1"})
    later = queue.put("R1", "document", {"mrz": "M2"})
    other = queue.put("C1", "heartbeat", {"status": "ok"})
    server.script = [(500, {}, {})]
    clock = Clock()
    sender = sender_for(queue, server.url, clock)
    result = sender.send_batch()
    assert (result.retried, result.acked) == (1, 1)
    assert [r[2] for r in server.requests] == [first, other]
    clock.now += 100
    assert sender.send_batch().acked == 2
    assert [r[2] for r in server.requests] == [first, other, first, later]


def test_401_keeps_the_events_and_logs_once(queue, server, caplog):
    server.valid_tokens = set()
    ids = [queue.put("R1", "document", {"mrz": f"M{i}"}) for i in range(3)]
    clock = Clock()
    sender = sender_for(queue, server.url, clock, auth_retry_seconds=60)
    with caplog.at_level(logging.ERROR, logger="booth_agent.sender"):
        result = sender.send_batch()
        clock.now += 60
        sender.send_batch()
        clock.now += 1
        sender.send_batch()
    assert result.held == 1 and len(queue) == 3 and queue.dead_letters() == []
    assert len(server.requests) == 2  # one try per wait, the later events wait behind the first
    assert caplog.text.count("credential refused") == 2  # once per wait, not per event
    assert "secret" not in caplog.text
    server.valid_tokens = {TOKENS["R1"]}  # the credential is fixed (rotated in the configuration)
    clock.now += 60
    assert sender.send_batch().acked == 3
    assert sorted(server.stored) == sorted(ids)


def test_a_device_without_credential_is_held(queue, server):
    queue.put("UNKNOWN", "heartbeat", {"status": "ok"})
    assert sender_for(queue, server.url).send_batch().held == 1
    assert server.requests == [] and len(queue) == 1


@pytest.mark.parametrize("status", [400, 403, 409, 413])
def test_other_4xx_go_to_dead_letters_with_the_error_body(queue, server, status):
    bad = queue.put("R1", "document", {"mrz": "NOT A ZONE"})
    good = queue.put("R1", "document", {"mrz": "M"})
    error = {"error": {"code": "invalid", "message": "Bad zone", "fields": {"mrz": ["..."]}}}
    server.script = [(status, error, {})]
    result = sender_for(queue, server.url).send_batch()
    assert (result.dead, result.acked) == (1, 1) and len(queue) == 0
    [dead] = queue.dead_letters()
    assert dead.event_id == bad and dead.status == status and json.loads(dead.error) == error
    assert list(server.stored) == [good]


def test_a_crash_between_send_and_acknowledgement_duplicates_nothing(tmp_path, server):
    path = tmp_path / "q.sqlite3"
    queue = Queue(path)
    ids = [queue.put("C1", "detection", {"class": "person", "count": 1, "confidence": 0.9}) for _ in range(4)]
    sender = sender_for(queue, server.url)
    for event in queue.head():
        sender.deliver(event)  # the server has them; the agent dies before settling
    queue.close()
    restarted = Queue(path)
    assert len(restarted) == 4
    assert sender_for(restarted, server.url).drain(timeout=5)
    assert len(server.requests) == 8 and sorted(server.stored) == sorted(ids)  # resent, stored once
    restarted.close()


def test_backoff_grows_to_its_cap():
    backoff = Backoff(initial=1, maximum=10)
    delays = [backoff.delay(n) for n in range(1, 8)]
    assert 0.5 <= delays[0] <= 1 and 1 <= delays[1] <= 2 and 2 <= delays[2] <= 4
    assert all(5 <= d <= 10 for d in delays[4:])


def test_202_is_resent_without_holding_later_events_then_dead_lettered(queue, server):
    failed = queue.put("R1", "document", {"mrz": "M1"})
    later = queue.put("R1", "document", {"mrz": "M2"})
    answer = {"event_id": failed, "status": "failed", "error": {"code": "processing_failed"}}
    server.script = [(202, answer, {})]
    clock = Clock()
    sender = sender_for(queue, server.url, clock, processing_retries=3)
    result = sender.send_batch()
    assert (result.retried, result.acked) == (1, 1) and [e.event_id for e in queue.head()] == [failed]
    clock.now += 100
    assert sender.send_batch().acked == 1 and len(queue) == 0  # the resend was processed: 200
    assert [r[2] for r in server.requests] == [failed, later, failed]
    stuck = queue.put("R1", "document", {"mrz": "M3"})
    server.script = [(202, answer, {})] * 3
    for _ in range(3):
        clock.now += 100
        sender.send_batch()
    [dead] = queue.dead_letters()
    assert dead.event_id == stuck and dead.status == 202 and len(queue) == 0


def test_a_device_with_thousands_of_refused_events_does_not_starve_another(queue, server):
    server.valid_tokens = {TOKENS["C1"]}  # R1's credential was revoked
    for i in range(500):
        queue.put("R1", "document", {"mrz": f"M{i}"})
    late = queue.put("C1", "detection", {"class": "person", "count": 1, "confidence": 0.9})
    clock = Clock()
    sender = sender_for(queue, server.url, clock, batch_size=20)
    assert sender.send_batch().held == 1
    assert sender.send_batch().acked == 1 and list(server.stored) == [late]
    assert len(queue) == 500 and sender.send_batch().acked == 0  # R1's events wait behind its first
    assert len(server.requests) == 2


def test_after_an_outage_the_fresh_document_goes_before_the_backlog_of_heartbeats(queue, server):
    for _ in range(100):
        queue.put("R1", "heartbeat", {"status": "ok"})
    first = queue.put("R1", "document", {"mrz": "M1"})
    second = queue.put("R1", "document", {"mrz": "M2"})
    sender = sender_for(queue, server.url, batch_size=10)
    assert sender.send_batch().acked == 10
    assert [r[2] for r in server.requests[:2]] == [first, second]  # in their order, before the heartbeats
    assert sender.drain(timeout=10) and len(server.stored) == 102
