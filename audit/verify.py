"""Walk the audit chain and report the first broken link.

Each event's hash must be the HMAC of its fields under the audit key (or an earlier key after a
rotation); events up to ``BMIS_AUDIT_LEGACY_SEQ`` may carry the unkeyed SHA-256 of the chain's
first version. A chain edited and re-hashed without the key therefore fails at the first edited
event. Given an anchor (the head recorded outside the database, audit.anchors), a chain that ends
before it (its tail deleted) or differs at its seq (rewritten) is reported too.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.conf import settings

from audit.chain import GENESIS_HASH, event_hash
from audit.keys import verification_keys
from audit.models import AuditEvent
from audit.services import hash_fields


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    problem: str = ""
    broken_seq: int | None = None
    anchor_seq: int | None = None


def _hash_matches(event: AuditEvent, keys: list[bytes], legacy_seq: int) -> bool:
    fields = hash_fields(event)
    for key in keys:
        if hmac.compare_digest(event_hash(fields, key), event.hash):
            return True
    return event.seq <= legacy_seq and hmac.compare_digest(event_hash(fields), event.hash)


def verify_chain(*, expected_head: str | None = None, anchor=None, chunk_size: int = 2000) -> ChainReport:
    """``expected_head``: a head hash kept elsewhere; ``anchor``: an ``audit.anchors.Anchor``."""
    keys = verification_keys()
    legacy_seq = settings.BMIS_AUDIT_LEGACY_SEQ
    anchor_seq = anchor.seq if anchor is not None else None
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    events = AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size)
    for event in events:
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                missing = (
                    f"#{expected_seq}" if event.seq == expected_seq + 1
                    else f"#{expected_seq} to #{event.seq - 1}"
                )
                problem = f"event {missing} is missing (deleted): the chain jumps to #{event.seq}"
            else:
                problem = f"event #{event.seq} appears out of order after #{expected_seq - 1}"
            return ChainReport(False, checked, expected_seq - 1, prev_hash, problem, expected_seq, anchor_seq)
        if event.prev_hash != prev_hash:
            return ChainReport(
                False, checked, event.seq - 1, prev_hash,
                f"event #{event.seq} does not link to event #{event.seq - 1} "
                "(its previous-hash differs: an earlier event was changed or removed)",
                event.seq, anchor_seq,
            )
        if not _hash_matches(event, keys, legacy_seq):
            return ChainReport(
                False, checked, event.seq - 1, prev_hash,
                f"event #{event.seq} ({event.action}) does not match its keyed hash: it was modified "
                "(or the chain was re-hashed without the audit key)",
                event.seq, anchor_seq,
            )
        if anchor is not None and event.seq == anchor.seq and not hmac.compare_digest(event.hash, anchor.hash):
            return ChainReport(
                False, checked, event.seq - 1, prev_hash,
                f"event #{event.seq} differs from the head anchored outside the database at {anchor.at}: "
                "the chain was rewritten",
                event.seq, anchor_seq,
            )
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head_seq = expected_seq - 1
    if anchor is not None and head_seq < anchor.seq:
        return ChainReport(
            False, checked, head_seq, prev_hash,
            f"the chain ends at event #{head_seq} but event #{anchor.seq} was anchored at {anchor.at}: "
            "the newest events were removed",
            head_seq + 1, anchor_seq,
        )
    if expected_head and expected_head != prev_hash:
        return ChainReport(
            False, checked, head_seq, prev_hash,
            "the chain is internally consistent but its head differs from the expected head "
            "(events after the anchored head were removed or the chain was rewritten)",
            head_seq, anchor_seq,
        )
    return ChainReport(True, checked, head_seq, prev_hash, anchor_seq=anchor_seq)
