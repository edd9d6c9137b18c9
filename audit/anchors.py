"""Head anchors: the chain's head (seq and hash) recorded outside the database at intervals.

An anchor is one JSON line appended to ``BMIS_AUDIT_ANCHOR_FILE`` (opened in append mode, flushed
and fsynced), MACed with the audit key, so neither a database administrator (who cannot reach the
file) nor someone who can edit the file but lacks the key can forge one. The same signed line is a
checkpoint a supervisor can export (``manage.py audit_anchor`` prints it) and keep elsewhere; the
verifier accepts one given on the command line (``audit_verify --checkpoint``).

A chain that ends before an anchor's seq lost its tail; one whose event at that seq has another
hash was rewritten. Both are reported by ``audit.verify.verify_chain(anchor=...)``.
"""

from __future__ import annotations

import hmac
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.chain import GENESIS_HASH, anchor_mac
from audit.keys import chain_key, verification_keys


class AnchorError(Exception):
    """An anchor line that cannot be read or whose MAC does not verify."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str
    mac: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


def anchor_path() -> Path:
    return Path(settings.BMIS_AUDIT_ANCHOR_FILE)


def anchor_parse(line: str) -> Anchor:
    """An anchor from its JSON line; AnchorError if malformed or not MACed with a known key."""
    try:
        data = json.loads(line)
        anchor = Anchor(seq=int(data["seq"]), hash=str(data["hash"]), at=str(data["at"]), mac=str(data["mac"]))
    except (ValueError, KeyError, TypeError):
        raise AnchorError("an anchor is not a JSON object with seq, hash, at and mac") from None
    for key in verification_keys():
        if hmac.compare_digest(anchor_mac(key, seq=anchor.seq, head_hash=anchor.hash, at=anchor.at), anchor.mac):
            return anchor
    raise AnchorError(f"the anchor of event #{anchor.seq} does not carry a valid MAC (forged or another key)")


def anchors_read(path: Path | None = None) -> list[Anchor]:
    """Every anchor in the file, oldest first ([] when there is no file yet)."""
    path = path or anchor_path()
    if not path.exists():
        return []
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [anchor_parse(line) for line in lines]


def anchor_last(path: Path | None = None) -> Anchor | None:
    anchors = anchors_read(path)
    return anchors[-1] if anchors else None


def anchor_head(*, actor=None, path: Path | None = None) -> Anchor:
    """Append an anchor of the chain's current head to the file and return it (audited)."""
    from audit.models import AuditEvent
    from audit.services import audit_log

    path = path or anchor_path()
    with transaction.atomic():
        head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first() or (0, GENESIS_HASH)
        at = timezone.now().isoformat()
        anchor = Anchor(seq=head[0], hash=head[1], at=at,
                        mac=anchor_mac(chain_key(), seq=head[0], head_hash=head[1], at=at))
        path.parent.mkdir(parents=True, exist_ok=True)
        # Append-only: O_APPEND, never truncated or rewritten by the application.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, (anchor.to_json() + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        audit_log(actor=actor, action="audit.anchor", metadata={"seq": anchor.seq, "hash": anchor.hash})
    return anchor
