"""Rollup services: fold one recorded movement into the hourly rollups (incremental, inside the
movement's transaction) and rebuild them from scratch (same numbers).

Incremental: ``movement_fold(movement)`` is registered as a travelers movement listener
(analytics.apps). It adds 1 to one MovementRollup row, one MovementDayRollup row and, when the movement's inspection has
its seconds to decision, 1 to one InspectionRollup row, each by one upsert
(``INSERT … ON CONFLICT … DO UPDATE SET count = count + 1``, PostgreSQL and SQLite alike), so
concurrent movements never lose a count.

From scratch: ``rollups_rebuild(since=, until=)`` deletes the rows of the hours in range (and of
the days they touch, for the daily table: whole days are recounted) and inserts the grouped
counts with one ``INSERT … SELECT`` per table, computed by the database.
On PostgreSQL it first takes an EXCLUSIVE lock on both tables: movements being recorded finish
their fold before the rebuild reads, and those that start later wait for it, so nothing is
counted twice or lost.
"""

from __future__ import annotations

import time
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, IntegerField, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncHour
from django.utils import timezone

from analytics.histogram import EDGES, bucket_of
from analytics.models import InspectionRollup, MovementDayRollup, MovementRollup


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


def day_of(moment: datetime):
    """The agency's day (settings.TIME_ZONE) a moment is counted in."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def movement_fold(movement) -> None:
    """Count one newly recorded movement in the rollups (call inside its transaction)."""
    dimensions = {
        "post": movement.post_id, "direction": movement.direction, "transport_mode": movement.transport_mode or "",
        "nationality": movement.document.nationality or "", "decision": movement.decision,
        "reason_code": _reason_code(movement), "count": 1,
    }
    _upsert(MovementRollup, {"hour": hour_of(movement.occurred_at), **dimensions})
    _upsert(MovementDayRollup, {"day": day_of(movement.occurred_at), **dimensions})
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


def _movement_groups(since, until, *, daily: bool = False):
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
    when = (TruncDate("occurred_at", tzinfo=timezone.get_default_timezone()) if daily
            else TruncHour("occurred_at", tzinfo=UTC))
    return (qs.annotate(
        r_hour=when, r_post=F("post_id"), r_direction=F("direction"),
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


def _day_start(day, *, next_day: bool = False) -> datetime | None:
    if day is None:
        return None
    if next_day:
        day = day + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=timezone.get_default_timezone())


def _hours(qs, since, until):
    if since is not None:
        qs = qs.filter(hour__gte=since)
    if until is not None:
        qs = qs.filter(hour__lt=until)
    return qs


@contextmanager
def _indexes_set_aside(tables: list[str]):
    """PostgreSQL, inside the rebuild's transaction: drop the tables' indexes and unique
    constraints, and create them again at the end (building an index once after a bulk insert
    is several times faster than maintaining it row by row). DDL is transactional: on an error
    everything is rolled back, indexes included."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                          WHERE conrelid::regclass::text = ANY(%s) AND contype = 'u'""", [tables])
        constraints = cursor.fetchall()
        cursor.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)
                          AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))""",
                       [tables])
        indexes = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)


def _whole_hour_offsets() -> bool:
    """Whether every UTC hour lies in one local day (the zone's offsets are whole hours, now and
    half a year ago: Asia/Baghdad, UTC)."""
    zone = timezone.get_default_timezone()
    now = timezone.now()
    return all(int(moment.astimezone(zone).utcoffset().total_seconds()) % 3600 == 0
               for moment in (now, now - timedelta(days=182)))


def _days_from_hours():
    zone = timezone.get_default_timezone()
    return (MovementRollup.objects.annotate(
        r_day=TruncDate("hour", tzinfo=zone), r_post=F("post_id"), r_direction=F("direction"),
        r_mode=F("transport_mode"), r_nationality=F("nationality"), r_decision=F("decision"),
        r_reason=F("reason_code"),
    ).values("r_day", "r_post", "r_direction", "r_mode", "r_nationality", "r_decision", "r_reason")
        .annotate(r_count=Sum("count")).order_by())


def _days_delete(since, until) -> int:
    days = MovementDayRollup.objects.all()
    if since is not None:
        days = days.filter(day__gte=day_of(since))
    if until is not None:
        days = days.filter(day__lte=day_of(until - timedelta(microseconds=1)))
    return days.delete()[0]


def rollups_rebuild(*, since: datetime | None = None, until: datetime | None = None) -> dict:
    """Recount the rollups of the whole hours from `since` to `until` (all when None) from the
    movements and inspections themselves; returns what was done."""
    since, until = _range(since, until)
    started = time.monotonic()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '256MB'")  # group in memory, not by disk sorts
                tables = ", ".join(m._meta.db_table for m in (MovementRollup, MovementDayRollup, InspectionRollup))
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        everything = since is None and until is None and connection.vendor == "postgresql"
        if everything:
            deleted_m = deleted_i = deleted_d = None  # everything: TRUNCATE, not a row-by-row DELETE
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {tables}")
        else:
            deleted_m, _ = _hours(MovementRollup.objects.all(), since, until).delete()
            deleted_i, _ = _hours(InspectionRollup.objects.all(), since, until).delete()
            deleted_d = _days_delete(since, until)
        day_since = day_of(since) if since is not None else None
        day_until = day_of(until - timedelta(microseconds=1)) if until is not None else None
        aside = _indexes_set_aside([m._meta.db_table for m in (MovementRollup, MovementDayRollup, InspectionRollup)])
        with aside if everything else nullcontext():
            movement_rows, day_rows, inspection_rows = _insert_all(since, until, day_since, day_until)
    return {
        "since": since, "until": until, "deleted": {"movement": deleted_m, "inspection": deleted_i, "movement_day": deleted_d},
        "rows": {"movement": movement_rows, "inspection": inspection_rows, "movement_day": day_rows},
        "seconds": round(time.monotonic() - started, 3), "at": timezone.now(),
    }


def _insert_all(since, until, day_since, day_until) -> tuple[int, int, int]:
    """The three INSERT … SELECTs of a rebuild: (hourly movement rows, daily rows, inspection rows)."""
    movement_rows = _insert_select(
        MovementRollup, ["hour", "post", "direction", "transport_mode", "nationality", "decision", "reason_code",
                         "count"], _movement_groups(since, until))
    day_columns = ["day", "post", "direction", "transport_mode", "nationality", "decision", "reason_code", "count"]
    if since is None and until is None and _whole_hour_offsets():
        # everything: the days from the hours just counted (each hour lies in one local day)
        day_rows = _insert_select(MovementDayRollup, day_columns, _days_from_hours())
    else:
        # whole days: a range that cuts a day recounts all of it, from the movements
        day_rows = _insert_select(MovementDayRollup, day_columns, _movement_groups(
            _day_start(day_since), _day_start(day_until, next_day=True), daily=True))
    inspection_rows = _insert_select(
        InspectionRollup, ["hour", "post", "booth_id", "officer_id", "direction", "bucket", "count"],
        _inspection_groups(since, until))
    return movement_rows, day_rows, inspection_rows
