"""The chain is keyed and anchored: whoever holds only the database cannot rewrite it unseen.

Attacks as a database administrator would make them, around the append-only trigger: edit an
event and re-hash every later one with the project's own hash function (but without the audit
key), or delete the newest events. Both are reported by the verifier, the nightly task and
`manage.py audit_verify`."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from audit.chain import event_hash
from audit.models import AuditEvent
from audit.services import audit_log, hash_fields
from audit.tasks import verify_chain_task
from audit.tests.test_chain import _tamper, _write
from audit.verify import verify_chain


def _rehash_from(seq: int, key=None) -> None:
    """Recompute every hash from `seq` on, as an attacker would (no key: the plain function)."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        event.prev_hash = prev
        new = event_hash(hash_fields(event), key) if key is not None else event_hash(hash_fields(event))
        # Through a temporary value first: prev_hash and hash are unique columns.
        _tamper("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s",
                [prev, new, event.seq])
        prev = new


@pytest.mark.django_db
def test_a_chain_rewritten_without_the_key_is_reported():
    events = _write(8)
    _tamper("UPDATE audit_auditevent SET metadata = %s, hash = %s WHERE seq = %s",
            ['{"n": 999}', "e" * 64, events[4].seq])
    _rehash_from(events[4].seq)
    report = verify_chain()
    assert not report.ok and report.broken_seq == events[4].seq
    assert "keyed hash" in report.problem
    with pytest.raises(CommandError, match=f"event #{events[4].seq} "):
        call_command("audit_verify")


@pytest.mark.django_db
def test_a_chain_rewritten_with_a_guessed_key_is_reported():
    events = _write(5)
    _tamper("UPDATE audit_auditevent SET action = 'forged', hash = %s WHERE seq = %s", ["d" * 64, events[1].seq])
    _rehash_from(events[1].seq, key=b"not-the-audit-key-not-the-audit-key")
    report = verify_chain()
    assert not report.ok and report.broken_seq == events[1].seq


@pytest.mark.django_db
def test_a_truncated_tail_is_reported_against_the_last_anchor(settings):
    _write(6)
    call_command("audit_anchor")  # the head, anchored outside the database
    anchored = json.loads(settings.BMIS_AUDIT_ANCHOR_FILE.read_text().splitlines()[-1])
    newest = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[:3]
    for seq in list(newest):
        _tamper("DELETE FROM audit_auditevent WHERE seq = %s", [seq])
    with pytest.raises(CommandError, match=f"event #{anchored['seq']} was anchored"):
        call_command("audit_verify")
    result = verify_chain_task.delay().get()
    assert result["ok"] is False and "newest events were removed" in result["problem"]


@pytest.mark.django_db
def test_the_nightly_check_verifies_against_the_last_anchor_and_anchors_the_verified_head(settings):
    _write(3)
    first = verify_chain_task.delay().get()
    assert first["ok"] is True and first["anchor_seq"] is None
    lines = settings.BMIS_AUDIT_ANCHOR_FILE.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["seq"] == first["head_seq"] + 1  # after audit.verify
    with transaction.atomic():
        audit_log(actor=None, action="test.later")
    second = verify_chain_task.delay().get()
    assert second["ok"] is True and second["anchor_seq"] == json.loads(lines[0])["seq"]
    assert AuditEvent.objects.filter(action="audit.anchor").count() == 2


@pytest.mark.django_db
def test_a_rewritten_event_at_the_anchor_or_a_forged_anchor_is_reported(settings, capsys):
    _write(4)
    call_command("audit_anchor")
    checkpoint = capsys.readouterr().out.strip()
    anchored = json.loads(checkpoint)
    # An anchor line added by someone without the key is refused.
    forged = dict(anchored, seq=anchored["seq"] + 50)
    with settings.BMIS_AUDIT_ANCHOR_FILE.open("a") as f:
        f.write(json.dumps(forged) + "\n")
    with pytest.raises(CommandError, match="does not carry a valid MAC"):
        call_command("audit_verify")
    # An exported checkpoint is verified on its own, and a different key's checkpoint is refused.
    call_command("audit_verify", checkpoint=checkpoint)
    settings.BMIS_AUDIT_KEY = "another-audit-key-another-audit-key-0123"
    with pytest.raises(CommandError, match="REJECTED"):
        call_command("audit_verify", checkpoint=checkpoint)
    # After a rotation the earlier key still verifies the events and anchors it wrote.
    settings.BMIS_AUDIT_PREVIOUS_KEYS = ["bmis-development-only-audit-key-never-use-in-production-0123456789"]
    call_command("audit_verify", checkpoint=checkpoint)


@pytest.mark.django_db
def test_legacy_unkeyed_events_verify_only_up_to_the_declared_seq(settings):
    events = _write(4)
    _rehash_from(1)  # the chain's first version: plain SHA-256
    assert not verify_chain().ok
    settings.BMIS_AUDIT_LEGACY_SEQ = events[-1].seq
    assert verify_chain().ok
    with transaction.atomic():
        audit_log(actor=None, action="test.keyed")  # new events are keyed and link to the legacy ones
    assert verify_chain().ok
    settings.BMIS_AUDIT_LEGACY_SEQ = events[-1].seq - 1
    assert verify_chain().broken_seq == events[-1].seq
