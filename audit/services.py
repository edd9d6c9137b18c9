"""Writing audit events. Call audit_log inside the transaction of the change it records."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model

from audit import context
from audit.chain import GENESIS_HASH, event_hash
from audit.keys import chain_key
from audit.models import AuditEvent

# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises chain appends.
_CHAIN_LOCK_KEY = 0x424D49535F415544  # "BMIS_AUD"


class AuditOutsideTransaction(RuntimeError):
    """audit_log was called outside transaction.atomic: the event could outlive a failed change."""


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _lock_chain(connection) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite: transactions are BEGIN IMMEDIATE (settings), so writers are already serialised.


def describe(obj: Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def audit_log(
    *,
    actor,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    changes: dict | None = None,
    metadata: dict | None = None,
    device: str = "",
    actor_label: str = "",
) -> AuditEvent:
    """Append one event to the chain. `actor` is a User (human or partner client) or None for
    the system itself. Must run inside `transaction.atomic()` together with the change."""
    return audit_log_many(
        actor=actor, device=device, actor_label=actor_label,
        records=[{"action": action, "obj": obj, "object_type": object_type, "object_id": object_id,
                  "changes": changes, "metadata": metadata}],
    )[0]


def audit_log_many(*, actor, records: list[dict], device: str = "", actor_label: str = "") -> list[AuditEvent]:
    """Append several events of one actor to the chain in one insert, in the order given.

    Each record is a dict with `action` and optionally `obj` (or `object_type`/`object_id`),
    `changes`, `metadata`. The events are chained exactly as if written one by one with
    :func:`audit_log` (same seq and hash rules), under one chain lock and one read of the chain's
    head: a screening that raises ten hits writes ten events at the cost of about one.
    Must run inside `transaction.atomic()` together with the changes."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction("audit_log must be called inside transaction.atomic()")
    if not records:
        return []
    ctx = context.current()
    device = device or ctx.device
    user = actor if getattr(actor, "pk", None) is not None else None
    label = actor_label or (user.get_username() if user is not None else ("device" if device else "system"))
    key = chain_key()
    _lock_chain(connection)
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS_HASH)
    events = []
    for record in records:
        unknown = set(record) - {"action", "obj", "object_type", "object_id", "changes", "metadata"}
        if unknown:
            raise TypeError(f"unknown audit record keys: {sorted(unknown)}")
        obj = record.get("obj")
        if obj is not None:
            object_type, object_id = describe(obj)
        else:
            object_type, object_id = record.get("object_type", ""), record.get("object_id", "")
        seq += 1
        event = AuditEvent(
            seq=seq,
            actor_user=user,
            actor_label=label[:150],
            actor_agency_id=getattr(user, "agency_id", None),
            actor_device=device[:100],
            action=record["action"],
            object_type=object_type,
            object_id=str(object_id),
            changes=_jsonable(record.get("changes") or {}),
            metadata=_jsonable(record.get("metadata") or {}),
            request_id=ctx.request_id,
            client_ip=ctx.client_ip,
            prev_hash=prev_hash,
        )
        event.hash = event_hash(hash_fields(event), key)
        event._chained = True
        prev_hash = event.hash
        events.append(event)
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        # bulk_create bypasses AuditEvent.save's guard, which only exists to force callers through
        # this module; the database triggers (append-only) still apply.
        AuditEvent.objects.bulk_create(events)
    return events


def audit_read(*, actor, obj: Model, purpose: str = "") -> AuditEvent:
    """Record that `actor` read `obj` (every read of a person's record leaves one)."""
    with transaction.atomic():
        return audit_log(
            actor=actor,
            action=f"{obj._meta.model_name}.view",
            obj=obj,
            metadata={"purpose": purpose} if purpose else None,
        )


def model_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value differs."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def hash_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "created_at": event.created_at,
        "actor_user_id": event.actor_user_id,
        "actor_label": event.actor_label,
        "actor_agency_id": event.actor_agency_id,
        "actor_device": event.actor_device,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "changes": event.changes,
        "metadata": event.metadata,
        "request_id": event.request_id,
        "client_ip": event.client_ip,
        "prev_hash": event.prev_hash,
    }

