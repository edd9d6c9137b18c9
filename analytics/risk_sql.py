"""A validated condition tree (analytics.risk) as one PostgreSQL boolean expression over an
inspection row, for the 90-day backtest: the database evaluates the rule on millions of
inspections in one grouped query instead of shipping them to Python.

Same meaning as analytics.risk.matches, fact by fact (tests compare the two on the same data):
every comparison is COALESCE(..., FALSE), so an unknown fact is false and NOT of it true. The
history facts are counts as they stood at each read (`occurred_at < read_at`), each computed once
for the whole window as a grouped join of the window's inspections with the person's rows (a hash
join the planner can choose, rather than one index probe per inspection): `history_ctes`.
Aliases: i inspection, d document, p person, bp post, h_* the history counts.
"""

from __future__ import annotations

from datetime import timedelta

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
    if field in ("traveler.previous_refusals", "traveler.overstays", "traveler.hits"):
        alias = {"traveler.previous_refusals": "h_refusals", "traveler.overstays": "h_overstays",
                 "traveler.hits": "h_hits"}[field]
        return f"COALESCE({alias}.n, 0)", [], {alias}
    if field == "journey.direction":
        return "i.direction", [], set()
    if field == "journey.mode":
        return "NULLIF(i.transport_mode, '')", [], set()
    if field == "journey.post":
        return "UPPER(bp.code)", [], {"bp"}
    if field == "journey.carrier":
        return "UPPER(NULLIF(i.carrier, ''))", [], set()
    if field == "journey.land_crossings":
        return f"COALESCE(h_cross_{int(days)}.n, 0)", [], {f"h_cross_{int(days)}"}
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


def history_ctes(joins: set[str], since) -> tuple[list[str], list]:
    """The WITH parts (SQL, params) of the history counts `joins` names; `w` (the window's
    inspections since `since`: id, person_id, read_at) is defined by the caller."""
    movement, overstay, hit, post = (Movement._meta.db_table, Overstay._meta.db_table, Hit._meta.db_table,
                                     BorderPost._meta.db_table)
    parts, params = [], []
    if "h_refusals" in joins:
        parts.append(f"h_refusals AS (SELECT w.id, COUNT(*) AS n FROM w JOIN {movement} m ON m.person_id = w.person_id"
                     " WHERE m.decision = %s AND m.occurred_at < w.read_at GROUP BY w.id)")
        params.append(MovementDecision.REFUSED.value)
    if "h_overstays" in joins:
        parts.append(f"h_overstays AS (SELECT w.id, COUNT(*) AS n FROM w JOIN {overstay} o ON o.person_id = w.person_id"
                     " WHERE o.detected_at < w.read_at GROUP BY w.id)")
    if "h_hits" in joins:
        parts.append(f"h_hits AS (SELECT w.id, COUNT(*) AS n FROM w JOIN {hit} h ON h.person_id = w.person_id"
                     " WHERE h.status <> %s AND (h.created_at < w.read_at OR h.inspection_id = w.id) GROUP BY w.id)")
        params.append(HitStatus.DISMISSED.value)
    for name in sorted(j for j in joins if j.startswith("h_cross_")):
        days = int(name.rsplit("_", 1)[1])
        parts.append(f"{name} AS (SELECT w.id, COUNT(*) AS n FROM w JOIN {movement} m ON m.person_id = w.person_id"
                     f" JOIN {post} q ON q.id = m.post_id WHERE m.decision = %s AND q.kind = %s"
                     " AND m.occurred_at >= w.read_at - make_interval(days => %s) AND m.occurred_at <= w.read_at"
                     " AND m.occurred_at >= %s GROUP BY w.id)")  # the last bound prunes the movements read
        params += [MovementDecision.ADMITTED.value, PostKind.LAND.value, days, since - timedelta(days=days)]
    return parts, params
