"""The hash chain of audit events (pure: no Django).

Each event's hash covers its own fields and the previous event's hash, so changing or removing any
event breaks every link after it. `event_hash` must see exactly the values stored in the database.
"""

from __future__ import annotations

import hashlib
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


def event_hash(fields: dict[str, Any]) -> str:
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["created_at"] = canonical_time(payload["created_at"])
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
