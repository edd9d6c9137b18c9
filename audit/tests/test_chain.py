import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from audit.chain import GENESIS_HASH
from audit.models import AppendOnlyError, AuditEvent
from audit.services import AuditOutsideTransaction, audit_log, audit_log_many
from audit.verify import verify_chain
from core.models import BorderPost


def _write(n: int, actor=None) -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit_log(actor=actor, action="test.event", object_type="test", object_id=i,
                                    changes={"value": [i, i + 1]}, metadata={"n": i, "text": "عربي"}))
    return events


def _tamper(sql: str, params=()) -> None:
    """Change rows the way an attacker with database access would: around the trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser session that skips triggers, as a database administrator could.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = origin")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_append_only")
            cursor.execute(sql, params)


@pytest.mark.django_db
def test_events_form_a_chain(officer_a):
    events = _write(5, actor=officer_a)
    assert events[0].prev_hash == GENESIS_HASH
    for previous, current in zip(events, events[1:], strict=False):
        assert current.prev_hash == previous.hash
        assert current.seq == previous.seq + 1
    report = verify_chain()
    assert report.ok and report.checked == 5 and report.head_hash == events[-1].hash
    assert events[0].actor_agency_id == officer_a.agency_id
    assert events[0].actor_label == "officer.a"


@pytest.mark.django_db
def test_modified_row_is_detected():
    events = _write(6)
    _tamper("UPDATE audit_auditevent SET metadata = %s WHERE seq = %s", ['{"n": 999}', events[3].seq])
    report = verify_chain()
    assert not report.ok
    assert report.broken_seq == events[3].seq
    assert "was modified" in report.problem
    with pytest.raises(CommandError, match=f"event #{events[3].seq} .* was modified"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_modified_row_with_recomputed_hash_breaks_the_next_link():
    events = _write(4)
    _tamper("UPDATE audit_auditevent SET action = 'forged', hash = %s WHERE seq = %s", ["f" * 64, events[1].seq])
    report = verify_chain()
    assert not report.ok and report.broken_seq == events[1].seq


@pytest.mark.django_db
def test_deleted_row_is_detected():
    events = _write(5)
    _tamper("DELETE FROM audit_auditevent WHERE seq = %s", [events[2].seq])
    report = verify_chain()
    assert not report.ok
    assert report.broken_seq == events[2].seq
    assert "missing (deleted)" in report.problem


@pytest.mark.django_db
def test_removed_tail_is_detected_against_an_anchored_head():
    events = _write(4)
    head = events[-1].hash
    _tamper("DELETE FROM audit_auditevent WHERE seq = %s", [events[-1].seq])
    assert verify_chain().ok  # a truncated chain is internally consistent...
    report = verify_chain(expected_head=head)  # ...but not against the head kept elsewhere
    assert not report.ok and "expected head" in report.problem
    call_command("audit_verify")
    with pytest.raises(CommandError):
        call_command("audit_verify", head=head)


@pytest.mark.django_db
def test_application_cannot_update_or_delete_events():
    event = _write(1)[0]
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_database_trigger_refuses_update():
    event = _write(1)[0]
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.action == "test.event"


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_trigger_refuses_delete_on_postgres():
    event = _write(1)[0]
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused():
    with pytest.raises(AuditOutsideTransaction):
        audit_log(actor=None, action="test.event")


@pytest.mark.django_db(transaction=True)
def test_change_and_event_commit_together_or_not_at_all():
    """A service that fails after writing its change and its event leaves neither behind."""

    def failing_service():
        with transaction.atomic():
            post = BorderPost.objects.create(code="HALF", name="Half-done", kind="land")
            audit_log(actor=None, action="borderpost.create", obj=post)
            raise RuntimeError("failure half-way through the request")

    with pytest.raises(RuntimeError):
        failing_service()
    assert not BorderPost.objects.filter(code="HALF").exists()
    assert not AuditEvent.objects.filter(action="borderpost.create").exists()
    # The next event still links to the genesis: nothing of the failed request was kept.
    with transaction.atomic():
        event = audit_log(actor=None, action="test.after")
    assert event.seq == 1 and event.prev_hash == GENESIS_HASH


@pytest.mark.django_db
def test_a_forked_chain_is_impossible_in_the_schema():
    event = _write(1)[0]
    duplicate = AuditEvent(seq=event.seq + 1, action="fork", prev_hash=event.prev_hash, hash="e" * 64)
    duplicate._chained = True
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save(force_insert=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain():
    """Eight threads, each with its own PostgreSQL connection, append 25 events each."""
    from django.db import connections

    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def writer(worker: int) -> None:
        try:
            start.wait()
            for i in range(25):
                with transaction.atomic():
                    audit_log(actor=None, action="test.concurrent", object_type="thread",
                              object_id=f"{worker}-{i}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    report = verify_chain()
    assert report.ok, report.problem
    assert report.checked == 200
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 200


@pytest.mark.django_db
def test_events_written_together_chain_like_events_written_one_by_one(officer_a):
    with transaction.atomic():
        audit_log(actor=officer_a, action="test.before", object_type="x", object_id=1)
        events = audit_log_many(actor=officer_a, records=[
            {"action": "test.many", "object_type": "x", "object_id": i, "metadata": {"i": i}} for i in range(5)
        ])
        audit_log(actor=officer_a, action="test.after", object_type="x", object_id=9)
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + 7))
    stored = list(AuditEvent.objects.filter(action="test.many").order_by("seq"))
    assert [e.seq for e in stored] == [e.seq for e in events]
    assert [e.metadata["i"] for e in stored] == list(range(5))
    assert all(e.actor_user_id == officer_a.pk for e in stored)
    report = verify_chain()
    assert report.ok, report


@pytest.mark.django_db(transaction=True)
def test_events_written_together_are_refused_outside_a_transaction(officer_a):
    with pytest.raises(AuditOutsideTransaction):
        audit_log_many(actor=officer_a, records=[{"action": "test.x"}])
    with transaction.atomic(), pytest.raises(TypeError):
        audit_log_many(actor=officer_a, records=[{"action": "test.x", "objekt": 1}])
    assert not AuditEvent.objects.filter(action="test.x").exists()
