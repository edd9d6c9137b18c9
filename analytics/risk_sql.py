"""A validated condition tree (analytics.risk) as one PostgreSQL boolean expression over an
inspection row, for the 90-day backtest: the database evaluates the rule on millions of
inspections in one grouped query instead of shipping them to Python.

Same meaning as analytics.risk.matches, fact by fact (tests compare the two on the same data):
every comparison is COALESCE(..., FALSE), so an unknown fact is false and NOT of it true; the
history facts are correlated counts as they stood at the read (`occurred_at < read_at`), on the
indexed person columns. Aliases: i inspection, d document, p person, bp post.
"""

from __future__ import annotations

from core.models import BorderPost, PostKind
from travelers.models import Movement, MovementDecision, Overstay
from watchlists.models import Hit, HitStatus

LOCAL_DATE = "((i.read_at AT TIME ZONE %s)::date)"

_AGE = (
    "(CASE WHEN COALESCE(p.birth_year, 0) = 0 THEN NULL ELSE GREATEST(0, EXTRACT(YEAR FROM {d})::int - p.birth_year"
    " - CASE WHEN COALESCE(p.birth_month, 0) <> 0 AND (p.birth_month > EXTRACT(MONTH FROM {d})"
    " OR (p.birth_month = EXTRACT(MONTH FROM {d}) AND COALESCE(NULLIF(p.birth_day, 0), 1) > EXTRACT(DAY FROM {d})))"
    " THEN 1 ELSE 0 END) END)"
)


def _expr(field: str, days: int | None, tz: str) -> tuple[str, list, set[str]]:
    """(SQL, params, joins needed) of one fact."""
    movement, overstay, hit, post = (Movement._meta.db_table, Overstay._meta.db_table, Hit._meta.db_table,
                                     BorderPost._meta.db_table)
    if field == "document.kind":
        return "d.kind", [], {"d"}
    if field == "document.code":
        return "UPPER(NULLIF(REPLACE(d.document_code, '<', ''), ''))", [], {"d"}
    if field == "document.issuing_state":
        return "UPPER(NULLIF(d.issuing_state, ''))", [], {"d"}
    if field == "document.days_to_expiry":
        return f"(d.date_of_expiry - {LOCAL_DATE})", [tz], {"d"}
    if field in ("traveler.age", "traveler.age_band"):
        age = _AGE.format(d=LOCAL_DATE)
        params = [tz] * age.count("%s")
        if field == "traveler.age":
            return age, params, {"p"}
        band = (f"(CASE WHEN {age} IS NULL THEN NULL WHEN {age} <= 17 THEN '0-17' WHEN {age} <= 25 THEN '18-25'"
                f" WHEN {age} <= 40 THEN '26-40' WHEN {age} <= 60 THEN '41-60' ELSE '61+' END)")
        return band, params * 5, {"p"}
    if field == "traveler.nationality":
        return "UPPER(NULLIF(p.nationality, ''))", [], {"p"}
    if field == "traveler.previous_refusals":
        return (f"(SELECT COUNT(*) FROM {movement} m WHERE m.person_id = i.person_id AND m.decision = %s"
                " AND m.occurred_at < i.read_at)", [MovementDecision.REFUSED.value], set())
    if field == "traveler.overstays":
        return (f"(SELECT COUNT(*) FROM {overstay} o WHERE o.person_id = i.person_id AND o.detected_at < i.read_at)",
                [], set())
    if field == "traveler.hits":
        return (f"(SELECT COUNT(*) FROM {hit} h WHERE h.person_id = i.person_id AND h.status <> %s"
                " AND (h.created_at < i.read_at OR h.inspection_id = i.id))", [HitStatus.DISMISSED.value], set())
    if field == "journey.direction":
        return "i.direction", [], set()
    if field == "journey.mode":
        return "NULLIF(i.transport_mode, '')", [], set()
    if field == "journey.post":
        return "UPPER(bp.code)", [], {"bp"}
    if field == "journey.carrier":
        return "UPPER(NULLIF(i.carrier, ''))", [], set()
    if field == "journey.land_crossings":
        return (f"(SELECT COUNT(*) FROM {movement} m JOIN {post} q ON q.id = m.post_id WHERE m.person_id = i.person_id"
                " AND m.decision = %s AND q.kind = %s AND m.occurred_at >= i.read_at - make_interval(days => %s)"
                " AND m.occurred_at <= i.read_at)",
                [MovementDecision.ADMITTED.value, PostKind.LAND.value, days], set())
    raise ValueError(f"no SQL for {field}")


_OPS = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def compile_tree(tree: dict, tz: str) -> tuple[str, list, set[str]]:
    """(boolean SQL never NULL, params, joins) of a validated tree."""
    if "all" in tree or "any" in tree:
        key = "all" if "all" in tree else "any"
        parts = [compile_tree(item, tz) for item in tree[key]]
        joiner = " AND " if key == "all" else " OR "
        return ("(" + joiner.join(p[0] for p in parts) + ")", [x for p in parts for x in p[1]],
                set().union(*(p[2] for p in parts)))
    if "not" in tree:
        sql, params, joins = compile_tree(tree["not"], tz)
        return f"(NOT {sql})", params, joins
    expr, params, joins = _expr(tree["field"], tree.get("days"), tz)
    op, value = tree["op"], tree["value"]
    if op in _OPS:
        return f"COALESCE({expr} {_OPS[op]} %s, FALSE)", [*params, value], joins
    if op == "in":
        return f"COALESCE({expr} = ANY(%s), FALSE)", [*params, list(value)], joins
    if op == "not_in":
        return f"COALESCE({expr} <> ALL(%s), FALSE)", [*params, list(value)], joins
    if op == "between":
        return f"COALESCE({expr} BETWEEN %s AND %s, FALSE)", [*params, value[0], value[1]], joins
    if op == "startswith":
        return f"COALESCE(starts_with({expr}, %s), FALSE)", [*params, value], joins
    raise ValueError(f"no SQL for operator {op}")
