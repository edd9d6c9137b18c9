"""Rollup services: fold one recorded movement into the hourly rollups (incremental, inside the
movement's transaction) and rebuild them from scratch (same numbers).

Incremental: ``movement_fold(movement)`` is registered as a travelers movement listener
(analytics.apps). It adds 1 to one MovementRollup row and, when the movement's inspection has
its seconds to decision, 1 to one InspectionRollup row, each by one upsert
(``INSERT … ON CONFLICT … DO UPDATE SET count = count + 1``, PostgreSQL and SQLite alike), so
concurrent movements never lose a count.

From scratch: ``rollups_rebuild(since=, until=)`` deletes the rows of the hours in range and
inserts the grouped counts with one ``INSERT … SELECT`` per table, computed by the database.
On PostgreSQL it first takes an EXCLUSIVE lock on both tables: movements being recorded finish
their fold before the rebuild reads, and those that start later wait for it, so nothing is
counted twice or lost.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, IntegerField, Value, When
from django.db.models.functions import Coalesce, TruncHour
from django.utils import timezone

from analytics.histogram import EDGES, bucket_of
from analytics.models import InspectionRollup, MovementRollup


def hour_of(moment: datetime) -> datetime:
    """The hour (UTC, truncated) a moment is counted in."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _upsert(model, values: dict) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name).column for name in values]
    params = []
    for name, value in values.items():
        field = model._meta.get_field(name)
        params.append(field.get_db_prep_value(value, connection))
    quoted = [connection.ops.quote_name(c) for c in columns]
    keys = ", ".join(quoted[:-1])  # every column but the count, last: the unique constraint
    count = connection.ops.quote_name("count")
    sql = (f"INSERT INTO {table} ({', '.join(quoted)}) VALUES ({', '.join(['%s'] * len(quoted))}) "
           f"ON CONFLICT ({keys}) DO UPDATE SET {count} = {table}.{count} + EXCLUDED.{count}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _reason_code(movement) -> str:
    """The refusal reason of a refused movement: secondary inspection's, else the booth's."""
    if movement.decision != "refused":
        return ""
    inspection = movement.inspection
    if inspection.decision == "refer":
        from travelers.models import SecondaryInspection

        code = (SecondaryInspection.objects.filter(inspection_id=inspection.pk)
                .values_list("reason_code__code", flat=True).first())
        if code:
            return code
    return inspection.reason_code.code if inspection.reason_code_id else ""


def movement_fold(movement) -> None:
    """Count one newly recorded movement in the rollups (call inside its transaction)."""
    _upsert(MovementRollup, {
        "hour": hour_of(movement.occurred_at), "post": movement.post_id, "direction": movement.direction,
        "transport_mode": movement.transport_mode or "", "nationality": movement.document.nationality or "",
        "decision": movement.decision, "reason_code": _reason_code(movement), "count": 1,
    })
    inspection = movement.inspection
    if inspection.seconds_to_decision is not None and inspection.decided_at is not None:
        _upsert(InspectionRollup, {
            "hour": hour_of(inspection.decided_at), "post": inspection.post_id, "booth_id": inspection.booth_id or 0,
            "officer_id": inspection.officer_id, "direction": inspection.direction,
            "bucket": bucket_of(inspection.seconds_to_decision), "count": 1,
        })


# --- from scratch ------------------------------------------------------------------------------


def _bucket_expression(field: str):
    whens = [When(**{f"{field}__lt": EDGES[i + 1]}, then=Value(i)) for i in range(len(EDGES) - 1)]
    return Case(*whens, default=Value(len(EDGES) - 1), output_field=IntegerField())


def _movement_groups(since, until):
    from travelers.models import Movement

    qs = Movement.objects.all()
    if since is not None:
        qs = qs.filter(occurred_at__gte=since)
    if until is not None:
        qs = qs.filter(occurred_at__lt=until)
    refused_reason = Coalesce(
        Case(When(inspection__decision="refer", then=F("inspection__secondary__reason_code__code")),
             output_field=CharField()),
        F("inspection__reason_code__code"), Value(""), output_field=CharField(),
    )
    return (qs.annotate(
        r_hour=TruncHour("occurred_at", tzinfo=UTC), r_post=F("post_id"), r_direction=F("direction"),
        r_mode=F("transport_mode"), r_nationality=F("document__nationality"), r_decision=F("decision"),
        r_reason=Case(When(decision="refused", then=refused_reason), default=Value(""), output_field=CharField()),
    ).values("r_hour", "r_post", "r_direction", "r_mode", "r_nationality", "r_decision", "r_reason")
        .annotate(r_count=Count("id")).order_by())


def _inspection_groups(since, until):
    from travelers.models import Inspection

    qs = Inspection.objects.filter(movement__isnull=False, seconds_to_decision__isnull=False,
                                   decided_at__isnull=False)
    if since is not None:
        qs = qs.filter(decided_at__gte=since)
    if until is not None:
        qs = qs.filter(decided_at__lt=until)
    return (qs.annotate(
        r_hour=TruncHour("decided_at", tzinfo=UTC), r_post=F("post_id"),
        r_booth=Coalesce(F("booth_id"), Value(0)), r_officer=F("officer_id"), r_direction=F("direction"),
        r_bucket=_bucket_expression("seconds_to_decision"),
    ).values("r_hour", "r_post", "r_booth", "r_officer", "r_direction", "r_bucket")
        .annotate(r_count=Count("id")).order_by())


def _insert_select(model, columns: list[str], queryset) -> int:
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)
        return cursor.rowcount


def _range(since: datetime | None, until: datetime | None) -> tuple[datetime | None, datetime | None]:
    """Whole hours: since rounded down, until rounded up."""
    if since is not None:
        since = hour_of(since)
    if until is not None:
        rounded = hour_of(until)
        until = rounded if rounded == until.astimezone(UTC) else rounded + timedelta(hours=1)
    if since is not None and until is not None and since >= until:
        raise ValueError("since must be before until")
    return since, until


def _hours(qs, since, until):
    if since is not None:
        qs = qs.filter(hour__gte=since)
    if until is not None:
        qs = qs.filter(hour__lt=until)
    return qs


def rollups_rebuild(*, since: datetime | None = None, until: datetime | None = None) -> dict:
    """Recount the rollups of the whole hours from `since` to `until` (all when None) from the
    movements and inspections themselves; returns what was done."""
    since, until = _range(since, until)
    started = time.monotonic()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {MovementRollup._meta.db_table}, {InspectionRollup._meta.db_table} "
                               "IN EXCLUSIVE MODE")
        deleted_m, _ = _hours(MovementRollup.objects.all(), since, until).delete()
        deleted_i, _ = _hours(InspectionRollup.objects.all(), since, until).delete()
        movement_rows = _insert_select(
            MovementRollup, ["hour", "post", "direction", "transport_mode", "nationality", "decision",
                             "reason_code", "count"], _movement_groups(since, until))
        inspection_rows = _insert_select(
            InspectionRollup, ["hour", "post", "booth_id", "officer_id", "direction", "bucket", "count"],
            _inspection_groups(since, until))
    return {
        "since": since, "until": until, "deleted": {"movement": deleted_m, "inspection": deleted_i},
        "rows": {"movement": movement_rows, "inspection": inspection_rows},
        "seconds": round(time.monotonic() - started, 3), "at": timezone.now(),
    }

