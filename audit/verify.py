"""Walk the audit chain and report the first broken link."""

from __future__ import annotations

from dataclasses import dataclass

from audit.chain import GENESIS_HASH, event_hash
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


def verify_chain(*, expected_head: str | None = None, chunk_size: int = 2000) -> ChainReport:
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
            return ChainReport(False, checked, expected_seq - 1, prev_hash, problem, expected_seq)
        if event.prev_hash != prev_hash:
            return ChainReport(
                False, checked, event.seq - 1, prev_hash,
                f"event #{event.seq} does not link to event #{event.seq - 1} "
                "(its previous-hash differs: an earlier event was changed or removed)",
                event.seq,
            )
        if event_hash(hash_fields(event)) != event.hash:
            return ChainReport(
                False, checked, event.seq - 1, prev_hash,
                f"event #{event.seq} ({event.action}) does not match its hash: it was modified",
                event.seq,
            )
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    if expected_head and expected_head != prev_hash:
        return ChainReport(
            False, checked, expected_seq - 1, prev_hash,
            "the chain is internally consistent but its head differs from the expected head "
            "(events after the anchored head were removed or the chain was rewritten)",
            expected_seq - 1,
        )
    return ChainReport(True, checked, expected_seq - 1, prev_hash)
