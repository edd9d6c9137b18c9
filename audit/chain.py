"""The hash chain of audit events (pure: no Django).

Each event's hash covers its own fields and the previous event's hash, so changing or removing any
event breaks every link after it. `event_hash` must see exactly the values stored in the database.

The chain is keyed: each hash is an HMAC-SHA256 under the audit key (``BMIS_AUDIT_KEY``, kept
outside the database), so whoever holds only the database cannot recompute the hashes after
editing an event. Without a key, ``event_hash`` gives the plain SHA-256 of the first version of the
chain (events written before the key existed; ``BMIS_AUDIT_LEGACY_SEQ``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64

HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_user_id",
    "actor_label",
    "actor_agency_id",
    "actor_device",
    "action",
    "object_type",
    "object_id",
    "changes",
    "metadata",
    "request_id",
    "client_ip",
    "prev_hash",
)


def canonical_time(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(fields: dict[str, Any], key: bytes | None = None) -> str:
    """HMAC-SHA256 of the event's fields under ``key``; plain SHA-256 without one (legacy)."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["created_at"] = canonical_time(payload["created_at"])
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if key is None:
        return hashlib.sha256(encoded).hexdigest()
    return hmac.new(key, encoded, hashlib.sha256).hexdigest()


def anchor_mac(key: bytes, *, seq: int, head_hash: str, at: str) -> str:
    """The MAC of a head anchor (kept outside the database): forging one needs the audit key."""
    message = f"bmis-audit-anchor|{seq}|{head_hash}|{at}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
