"""Risk rules: create, change (a new version; the old ones stay), enable and disable (each audited
in the same transaction), the provider that scores an inspection when it is screened, the
backtest of a draft over the last 90 days and the measured effect of each rule.

The facts of an inspection are gathered by `inspection_facts` (live, a few queries) and by
`_backtest_facts` (in bulk, for every inspection of a period, as they stood at each read); both
build the same flat dict through `_facts` and the pure evaluator (analytics.risk) decides.
"""

from __future__ import annotations

import bisect
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.models import RiskFiring, RiskRule, RiskRuleVersion
from analytics.risk import ConditionError, RuleVersionSpec, crossing_windows, evaluate, fields_used, matches, validate
from analytics.risk_sql import compile_tree, history_ctes
from audit.services import audit_log
from core.models import BorderPost, PostKind
from travelers.models import (
    Inspection,
    InspectionStatus,
    Movement,
    MovementDecision,
    Overstay,
    Person,
    SecondaryInspection,
    SecondaryOutcome,
    TravelDocument,
)
from watchlists.models import Hit, HitStatus

logger = logging.getLogger(__name__)

BACKTEST_DAYS = 90
VERSION_FIELDS = ("conditions", "weight", "action", "reason", "reason_ar", "valid_from", "valid_until")
HISTORY_FIELDS = {"traveler.previous_refusals", "traveler.overstays", "traveler.hits", "journey.land_crossings"}


class RuleWarning(ValidationError):
    """The rule would flag every traveler, or none, over the last 90 days: saved only when the
    supervisor confirms (`confirm=True`). `backtest` holds the figures."""

    def __init__(self, code: str, message: str, backtest: dict):
        self.warning_code = code
        self.backtest = backtest
        super().__init__({"confirm": [message]}, code=code)


# ---------------------------------------------------------------------------------------- facts

def _age(year, month, day, today: date) -> int | None:
    if not year:
        return None
    age = today.year - year
    if month and (month, day or 1) > (today.month, today.day):
        age -= 1
    return max(age, 0)


def _facts(*, kind, code, issuing_state, expiry, birth, nationality, direction, mode, post, carrier,
           today: date) -> dict:
    return {
        "document.kind": kind, "document.code": (code or "").replace("<", "") or None,
        "document.issuing_state": issuing_state,
        "document.days_to_expiry": (expiry - today).days if expiry else None,
        "traveler.age": _age(*birth, today), "traveler.nationality": nationality,
        "journey.direction": direction, "journey.mode": mode or None, "journey.post": post,
        "journey.carrier": carrier or None,
    }


def _history_parts(person_id: int, *, fields: set[str], windows: set[int], now: datetime) -> list:
    """(key, scalar subquery, params) of each history fact the rules read; key an int for a
    window of land crossings."""
    movement, overstay = Movement._meta.db_table, Overstay._meta.db_table
    hit, post = Hit._meta.db_table, BorderPost._meta.db_table
    parts: list[tuple] = []
    if "traveler.previous_refusals" in fields:
        parts.append(("traveler.previous_refusals",
                      f"SELECT COUNT(*) FROM {movement} WHERE person_id = %s AND decision = %s",
                      [person_id, MovementDecision.REFUSED.value]))
    if "traveler.overstays" in fields:
        parts.append(("traveler.overstays", f"SELECT COUNT(*) FROM {overstay} WHERE person_id = %s", [person_id]))
    if "traveler.hits" in fields:
        parts.append(("traveler.hits", f"SELECT COUNT(*) FROM {hit} WHERE person_id = %s AND status <> %s",
                      [person_id, HitStatus.DISMISSED.value]))
    for days in sorted(windows):
        parts.append((days, f"SELECT COUNT(*) FROM {movement} m JOIN {post} p ON p.id = m.post_id "
                            "WHERE m.person_id = %s AND m.decision = %s AND p.kind = %s AND m.occurred_at >= %s "
                            "AND m.occurred_at <= %s",
                      [person_id, MovementDecision.ADMITTED.value, PostKind.LAND.value, now - timedelta(days=days),
                       now]))
    return parts


def _apply_history(facts: dict, parts: list, values) -> None:
    crossings = {}
    for part, value in zip(parts, values, strict=True):
        key = part[0]
        if isinstance(key, int):
            crossings[key] = value
        else:
            facts[key] = value
    if any(isinstance(part[0], int) for part in parts):
        facts["journey.land_crossings"] = crossings


def _base_facts(inspection: Inspection, now: datetime) -> dict:
    person, document = inspection.person, inspection.document
    return _facts(
        kind=document.kind, code=document.document_code, issuing_state=document.issuing_state,
        expiry=document.date_of_expiry, birth=(person.birth_year, person.birth_month, person.birth_day),
        nationality=person.nationality, direction=inspection.direction, mode=inspection.transport_mode,
        post=inspection.post.code, carrier=inspection.carrier, today=timezone.localdate(now),
    )


def inspection_facts(inspection: Inspection, *, fields: set[str], windows: set[int], now: datetime) -> dict:
    """The facts of a screened inspection. The history the rules read (refusals, overstays, hits,
    crossings at land posts in each window of N days) comes in one round trip: one SELECT of
    scalar subqueries, each on an indexed person column."""
    facts = _base_facts(inspection, now)
    parts = _history_parts(inspection.person_id, fields=fields, windows=windows, now=now)
    if parts:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(f"({part[1]})" for part in parts), [p for part in parts for p in part[2]])
            _apply_history(facts, parts, cursor.fetchone())
    return facts


# ------------------------------------------------------------------------------------- provider

def _spec(version: RiskRuleVersion) -> RuleVersionSpec:
    return RuleVersionSpec(rule_id=version.rule_id, version=version.number, conditions=version.conditions,
                           weight=version.weight, text=version.reason, text_ar=version.reason_ar,
                           action=version.action)


_cache: dict = {"stamp": None, "versions": ()}


def _stamp_sql() -> str:
    """The rules' stamp (latest change, count, enabled, latest version) as four scalar subqueries."""
    table = RiskRule._meta.db_table
    return ", ".join(f"(SELECT {agg} FROM {table})" for agg in (
        "MAX(updated_at)", "COUNT(*)", "SUM(CASE WHEN enabled THEN 1 ELSE 0 END)", "MAX(current_version_id)"))


def _load_versions(stamp: tuple) -> tuple:
    """The current version of every enabled rule, compiled once per change of the rules. Each
    entry: (spec, version pk, valid_from, valid_until, fields used, crossing windows)."""
    if stamp != _cache["stamp"]:
        versions = (RiskRuleVersion.objects.filter(rule__enabled=True, rule__current_version=F("pk"))
                    .order_by("rule_id"))
        _cache["versions"] = tuple(
            (_spec(v), v.pk, v.valid_from, v.valid_until, frozenset(fields_used(v.conditions)),
             frozenset(crossing_windows(v.conditions)))
            for v in versions
        )
        _cache["stamp"] = stamp
    return _cache["versions"]


def _in_force(entries, now: datetime) -> list:
    return [e for e in entries if e[2] <= now and (e[3] is None or e[3] > now)]


def _needs(entries) -> tuple[set[str], set[int]]:
    fields: set[str] = set()
    windows: set[int] = set()
    for entry in entries:
        fields |= entry[4]
        windows |= entry[5]
    return fields, windows


def versions_in_force(now: datetime) -> list:
    """The compiled versions valid at `now` (a stamp query, the versions re-read only when it moved)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + _stamp_sql())
        stamp = tuple(cursor.fetchone())
    return _in_force(_load_versions(stamp), now)


def risk_provide(inspection: Inspection, *, now: datetime | None = None) -> dict:
    """The provider registered with travelers: score an inspection with the versions in force at
    its read and record which fired (RiskFiring, in the caller's transaction).

    One round trip reads the rules' stamp and the traveler's history for the rules as cached; a
    second only when the rules changed since (the versions, and the history if they read more);
    one INSERT of the firings when any fired."""
    now = now or inspection.read_at or timezone.now()
    facts = _base_facts(inspection, now)
    cached = _in_force(_cache["versions"], now)
    fields, windows = _needs(cached)
    parts = _history_parts(inspection.person_id, fields=fields, windows=windows, now=now)
    with connection.cursor() as cursor:  # raw: this runs in every inspection
        cursor.execute("SELECT " + ", ".join([_stamp_sql(), *(f"({part[1]})" for part in parts)]),
                       [p for part in parts for p in part[2]])
        row = cursor.fetchone()
    stamp, history = tuple(row[:4]), row[4:]
    _apply_history(facts, parts, history)
    if stamp != _cache["stamp"]:
        versions = _in_force(_load_versions(stamp), now)
        more_fields, more_windows = _needs(versions)
        if not (more_fields <= fields and more_windows <= windows):
            facts = inspection_facts(inspection, fields=more_fields, windows=more_windows, now=now)
    else:
        versions = cached
    if not versions:
        return {"score": 0, "reasons": [], "action": ""}
    result = evaluate(facts, [entry[0] for entry in versions])
    if result["reasons"]:
        version_pk = {(entry[0].rule_id, entry[0].version): entry[1] for entry in versions}
        rows = [(inspection.pk, r["rule_id"], version_pk[(r["rule_id"], r["version"])], now) for r in result["reasons"]]
        table = RiskFiring._meta.db_table
        with connection.cursor() as cursor:  # raw: one INSERT; scored again (never in the workflow): the first stays
            cursor.execute(
                f"INSERT INTO {table} (inspection_id, rule_id, version_id, fired_at) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(rows)) + " ON CONFLICT DO NOTHING",
                [connection.ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v
                 for row in rows for v in row])
    return result


# ---------------------------------------------------------------------------------- validation

# analytics.risk.MESSAGES, translatable (the pure module has no catalogue).
CONDITION_MESSAGES = {
    "not_object": gettext_lazy("a condition is an object: {field, op, value} or {all|any: [...]} or {not: ...}"),
    "too_deep": gettext_lazy("conditions nest at most %(max)s deep"),
    "alone": gettext_lazy("%(key)s stands alone: unexpected key %(extra)s"),
    "list_required": gettext_lazy("%(key)s takes a non-empty list of conditions"),
    "too_many": gettext_lazy("at most %(max)s comparisons in one rule"),
    "unknown_key": gettext_lazy("unknown key %(key)s (allowed: field, op, value, days)"),
    "unknown_field": gettext_lazy("unknown field %(field)s"),
    "unknown_operator": gettext_lazy("unknown operator %(op)s"),
    "operator_field": gettext_lazy("operator %(op)s does not apply to %(field)s"),
    "value_required": gettext_lazy("a value is required"),
    "list_value": gettext_lazy("%(op)s takes a non-empty list"),
    "between": gettext_lazy("between takes [low, high]"),
    "between_order": gettext_lazy("between takes [low, high] with low ≤ high"),
    "int_value": gettext_lazy("%(field)s compares with whole numbers"),
    "text_value": gettext_lazy("%(field)s compares with text"),
    "choice": gettext_lazy("%(value)s is not one of %(choices)s"),
    "days_required": gettext_lazy("%(field)s needs days: a whole number from 1 to %(max)s"),
    "days_not_here": gettext_lazy("days applies only to journey.land_crossings, not %(field)s"),
}


def condition_message(exc: ConditionError) -> str:
    """`path: message` in the user's language."""
    template = str(CONDITION_MESSAGES.get(exc.code, exc.message))
    return f"{exc.path}: {template % exc.params if exc.params else template}"


def _clean(*, name: str | None, conditions, weight, action, reason, reason_ar, valid_from, valid_until) -> dict:
    errors: dict[str, list[str]] = {}
    out: dict = {}
    if name is not None:
        name = (name or "").strip()
        if not name:
            errors["name"] = [_("give the rule a name")]
        out["name"] = name
    try:
        out["conditions"] = validate(conditions)
    except ConditionError as exc:
        errors["conditions"] = [condition_message(exc)]
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 100:
        errors["weight"] = [_("the weight is a whole number from 1 to 100")]
    out["weight"] = weight
    if action not in ("", "refer"):
        errors["action"] = [_("the action is none or refer")]
    out["action"] = action
    for key, value in (("reason", reason), ("reason_ar", reason_ar)):
        value = (value or "").strip()
        if not value:
            errors[key] = [_("the reason shown to the officer is required in English and in Arabic")]
        elif len(value) > 300:
            errors[key] = [_("at most 300 characters")]
        out[key] = value
    if valid_until is not None and valid_from is not None and valid_until <= valid_from:
        errors["valid_until"] = [_("the end of validity must come after its start")]
    out["valid_from"], out["valid_until"] = valid_from, valid_until
    if errors:
        raise ValidationError(errors)
    return out


def _warn(conditions: dict, *, now: datetime) -> dict:
    """The backtest of `conditions`; RuleWarning when it flags all or none of a non-empty period."""
    result = risk_rule_backtest(conditions=conditions, now=now)
    if result["inspections"] and result["flagged"] == 0:
        raise RuleWarning("matches_none", _(
            "Over the last %(days)s days this rule would have flagged none of %(n)s travelers. Save anyway?"
        ) % {"days": BACKTEST_DAYS, "n": result["inspections"]}, result)
    if result["inspections"] and result["flagged"] == result["inspections"]:
        raise RuleWarning("matches_all", _(
            "Over the last %(days)s days this rule would have flagged every one of %(n)s travelers. Save anyway?"
        ) % {"days": BACKTEST_DAYS, "n": result["inspections"]}, result)
    return result


def _version_dict(v: RiskRuleVersion) -> dict:
    return {"number": v.number, "conditions": v.conditions, "weight": v.weight, "action": v.action,
            "reason": v.reason, "reason_ar": v.reason_ar, "valid_from": v.valid_from.isoformat(),
            "valid_until": v.valid_until.isoformat() if v.valid_until else None}


# ------------------------------------------------------------------------------------ services

def risk_rule_create(
    *, actor, name: str, conditions, weight: int, reason: str, reason_ar: str, action: str = "",
    valid_from: datetime | None = None, valid_until: datetime | None = None, enabled: bool = False,
    note: str = "", confirm: bool = False, now: datetime | None = None,
) -> RiskRule:
    """A new rule with its version 1 (disabled unless `enabled`). Bad input: ValidationError by
    field; a rule that would flag all or none of the last 90 days: RuleWarning unless `confirm`."""
    now = now or timezone.now()
    data = _clean(name=name, conditions=conditions, weight=weight, action=action, reason=reason,
                  reason_ar=reason_ar, valid_from=valid_from or now, valid_until=valid_until)
    if RiskRule.objects.filter(name__iexact=data["name"]).exists():
        raise ValidationError({"name": [_("a rule with this name exists")]})
    backtest = None if confirm else _warn(data["conditions"], now=now)
    with transaction.atomic():
        rule = RiskRule(name=data.pop("name"), enabled=enabled, created_by=actor)
        rule.full_clean(exclude=["current_version", "created_by"])
        rule.save()
        version = RiskRuleVersion(rule=rule, number=1, created_by=actor, note=(note or "").strip()[:300], **data)
        version.full_clean(exclude=["rule", "created_by"])
        version.save()
        rule.current_version = version
        rule.save(update_fields=["current_version"])
        audit_log(actor=actor, action="riskrule.create", obj=rule, metadata={
            "name": rule.name, "enabled": enabled, "version": _version_dict(version), "confirmed_warning": confirm,
            "backtest": _backtest_summary(backtest)})
    return rule


def _backtest_summary(result: dict | None) -> dict | None:
    if result is None:
        return None
    return {k: result[k] for k in ("inspections", "flagged", "referred")}


def risk_rule_change(
    *, actor, rule: RiskRule, conditions, weight: int, reason: str, reason_ar: str, action: str = "",
    valid_from: datetime | None = None, valid_until: datetime | None = None, note: str = "",
    confirm: bool = False, now: datetime | None = None,
) -> RiskRuleVersion:
    """A new version of `rule` when anything differs from the current one (the old version stays
    and inspections keep naming it); returns the current version. Audited with the differences."""
    now = now or timezone.now()
    data = _clean(name=None, conditions=conditions, weight=weight, action=action, reason=reason,
                  reason_ar=reason_ar, valid_from=valid_from or now, valid_until=valid_until)
    with transaction.atomic():
        locked = RiskRule.objects.select_for_update().get(pk=rule.pk)
        current = locked.current_version
        before = {f: getattr(current, f) for f in VERSION_FIELDS}
        after = dict(data)
        if valid_from is None:
            after["valid_from"] = current.valid_from if current.valid_from <= now else now
        changes = {f: [_jsonable(before[f]), _jsonable(after[f])] for f in VERSION_FIELDS if before[f] != after[f]}
        if not changes:
            return current
        if not confirm and "conditions" in changes:
            _warn(after["conditions"], now=now)
        version = RiskRuleVersion(rule=locked, number=current.number + 1, created_by=actor,
                                  note=(note or "").strip()[:300], **after)
        version.full_clean(exclude=["rule", "created_by"])
        version.save()
        locked.current_version = version
        locked.save(update_fields=["current_version", "updated_at"])
        audit_log(actor=actor, action="riskrule.version", obj=locked, changes=changes,
                  metadata={"version": version.number, "previous": current.number, "note": version.note,
                            "confirmed_warning": confirm})
    rule.current_version = version
    return version


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime) else value


def risk_rule_enable(*, actor, rule: RiskRule, enabled: bool) -> RiskRule:
    """Switch a rule on or off (audited); switching to the same state changes nothing."""
    with transaction.atomic():
        locked = RiskRule.objects.select_for_update().get(pk=rule.pk)
        if locked.enabled == enabled:
            return locked
        locked.enabled = enabled
        locked.save(update_fields=["enabled", "updated_at"])
        audit_log(actor=actor, action="riskrule.enable" if enabled else "riskrule.disable", obj=locked,
                  changes={"enabled": [not enabled, enabled]},
                  metadata={"version": locked.current_version.number if locked.current_version else None})
    rule.enabled = enabled
    return locked


# ------------------------------------------------------------------------------------ backtest

def _by_person(rows: Iterable[tuple[int, datetime]]) -> dict[int, list[datetime]]:
    out: dict[int, list[datetime]] = defaultdict(list)
    for person_id, at in rows:
        out[person_id].append(at)
    for times in out.values():
        times.sort()
    return out


def _outcome_counts() -> dict:
    return {"admit": 0, "refuse": 0, "handover": 0, "withdrawn": 0, "pending": 0}


def _backtest_facts(*, since: datetime, until: datetime, fields: set[str], windows: set[int]):
    """(facts, secondary outcome or None) of every inspection read in [since, until) (abandoned
    reads excluded: they were read again), history as it stood at each read."""
    refusals = overstays = crossings = None
    hits_by_person = hits_by_inspection = None
    if "traveler.previous_refusals" in fields:
        refusals = _by_person(Movement.objects.filter(decision=MovementDecision.REFUSED, occurred_at__lt=until)
                              .values_list("person_id", "occurred_at").iterator(chunk_size=20000))
    if "traveler.overstays" in fields:
        overstays = _by_person(Overstay.objects.filter(detected_at__lt=until)
                               .values_list("person_id", "detected_at").iterator(chunk_size=20000))
    if "traveler.hits" in fields:
        hits_by_person, hits_by_inspection = defaultdict(list), defaultdict(int)
        for person_id, at, inspection_id in (Hit.objects.filter(created_at__lt=until, person_id__isnull=False)
                                             .exclude(status=HitStatus.DISMISSED)
                                             .values_list("person_id", "created_at", "inspection_id")
                                             .iterator(chunk_size=20000)):
            hits_by_person[person_id].append(at)
            if inspection_id:
                hits_by_inspection[inspection_id] += 1
        for times in hits_by_person.values():
            times.sort()
    if "journey.land_crossings" in fields:
        crossings = _by_person(Movement.objects.filter(
            decision=MovementDecision.ADMITTED, post__kind=PostKind.LAND,
            occurred_at__gte=since - timedelta(days=max(windows)), occurred_at__lt=until,
        ).values_list("person_id", "occurred_at").iterator(chunk_size=20000))

    columns = ["pk", "person_id", "read_at", "secondary__pk", "secondary__outcome"]
    for field in sorted(fields):
        columns += [c for c in _COLUMNS.get(field, ()) if c not in columns]
    rows = (Inspection.objects.filter(read_at__gte=since, read_at__lt=until)
            .exclude(status=InspectionStatus.ABANDONED).values_list(*columns).order_by())
    index = {c: i for i, c in enumerate(columns)}

    def col(row, name):
        i = index.get(name)
        return None if i is None else row[i]

    for row in rows.iterator(chunk_size=20000):
        pk, person_id, read_at, secondary_pk, outcome = row[:5]
        facts = _facts(kind=col(row, "document__kind"), code=col(row, "document__document_code"),
                       issuing_state=col(row, "document__issuing_state"),
                       expiry=col(row, "document__date_of_expiry"),
                       birth=(col(row, "person__birth_year"), col(row, "person__birth_month"),
                              col(row, "person__birth_day")),
                       nationality=col(row, "person__nationality"), direction=col(row, "direction"),
                       mode=col(row, "transport_mode"), post=col(row, "post__code"), carrier=col(row, "carrier"),
                       today=timezone.localdate(read_at))
        if refusals is not None:
            facts["traveler.previous_refusals"] = bisect.bisect_left(refusals.get(person_id, ()), read_at)
        if overstays is not None:
            facts["traveler.overstays"] = bisect.bisect_left(overstays.get(person_id, ()), read_at)
        if hits_by_person is not None:
            facts["traveler.hits"] = (bisect.bisect_left(hits_by_person.get(person_id, ()), read_at)
                                      + hits_by_inspection.get(pk, 0))
        if crossings is not None:
            times = crossings.get(person_id, ())
            hi = bisect.bisect_right(times, read_at)
            facts["journey.land_crossings"] = {
                days: hi - bisect.bisect_left(times, read_at - timedelta(days=days)) for days in windows}
        yield facts, (None if secondary_pk is None else (outcome or "pending"))


# The columns of an inspection row each field needs (the backtest reads only those: a rule on
# nationality joins no document).
_BIRTH = ("person__birth_year", "person__birth_month", "person__birth_day")
_COLUMNS = {
    "document.kind": ("document__kind",), "document.code": ("document__document_code",),
    "document.issuing_state": ("document__issuing_state",), "document.days_to_expiry": ("document__date_of_expiry",),
    "traveler.age": _BIRTH, "traveler.age_band": _BIRTH, "traveler.nationality": ("person__nationality",),
    "journey.direction": ("direction",), "journey.mode": ("transport_mode",), "journey.post": ("post__code",),
    "journey.carrier": ("carrier",),
}


def _backtest_postgres(tree: dict, *, since: datetime, until: datetime) -> dict:
    """The backtest as one grouped query (analytics.risk_sql compiles the tree)."""
    cond, params, joins = compile_tree(tree, timezone.get_current_timezone_name())
    tables = {"i": Inspection, "d": TravelDocument, "p": Person, "bp": BorderPost, "s": SecondaryInspection}
    t = {k: m._meta.db_table for k, m in tables.items()}
    join_sql = "".join(sql for key, sql in (
        ("d", f" JOIN {t['d']} d ON d.id = i.document_id"), ("p", f" JOIN {t['p']} p ON p.id = i.person_id"),
        ("bp", f" JOIN {t['bp']} bp ON bp.id = i.post_id")) if key in joins)
    window = "i.read_at >= %s AND i.read_at < %s AND i.status <> %s"
    window_params = [since, until, InspectionStatus.ABANDONED.value]
    ctes, cte_params = history_ctes(joins, since)
    with_sql = ""
    if ctes:
        with_sql = (f"WITH w AS MATERIALIZED (SELECT i.id, i.person_id, i.read_at FROM {t['i']} i WHERE {window}), "
                    + ", ".join(ctes) + " ")
        cte_params = [*window_params, *cte_params]
        join_sql += "".join(f" LEFT JOIN {name} ON {name}.id = i.id" for name in sorted(joins) if name.startswith("h_"))
    sql = (f"{with_sql}SELECT x.flagged, s.id IS NOT NULL, COALESCE(s.outcome, ''), COUNT(*) FROM ("
           f"SELECT i.id, {cond} AS flagged FROM {t['i']} i{join_sql} WHERE {window}) x"
           f" LEFT JOIN {t['s']} s ON s.inspection_id = x.id GROUP BY 1, 2, 3")
    params = [*cte_params, *params, *window_params]
    total = flagged = referred = 0
    outcomes = _outcome_counts()
    work_mem = getattr(settings, "BMIS_RISK_BACKTEST_WORK_MEM", "256MB")
    with transaction.atomic(), connection.cursor() as cursor:
        # The window's sorts and groupings fit in memory instead of spilling in batches, and no
        # JIT compilation (seconds of it, for one query); both end with this transaction.
        cursor.execute("SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true)", [work_mem])
        cursor.execute(sql, params)
        for is_flagged, has_secondary, outcome, n in cursor.fetchall():
            total += n
            if is_flagged:
                flagged += n
                if has_secondary:
                    referred += n
                    key = outcome or "pending"
                    outcomes[key] = outcomes.get(key, 0) + n
    return _figures(total=total, flagged=flagged, referred=referred, outcomes=outcomes, since=since, until=until)


def risk_rule_backtest(*, conditions, now: datetime | None = None, days: int = BACKTEST_DAYS,
                       python: bool = False) -> dict:
    """Run a draft over the inspections of the last `days` days: how many it flags, the share, how
    many of those were referred to secondary inspection and what secondary found (outcomes;
    "found" = refused or handed over). Raises ValidationError({"conditions": ...}) on a bad tree.
    On PostgreSQL the database evaluates the rule (one grouped query); elsewhere, or with
    `python=True`, the rows come to the pure evaluator (the same answer: tested)."""
    try:
        tree = validate(conditions)
    except ConditionError as exc:
        raise ValidationError({"conditions": [condition_message(exc)]}) from exc
    now = now or timezone.now()
    since = now - timedelta(days=days)
    if connection.vendor == "postgresql" and not python:
        return _backtest_postgres(tree, since=since, until=now)
    fields, windows = fields_used(tree), crossing_windows(tree)
    total = flagged = referred = 0
    outcomes = _outcome_counts()
    for facts, outcome in _backtest_facts(since=since, until=now, fields=fields, windows=windows):
        total += 1
        if matches(tree, facts):
            flagged += 1
            if outcome is not None:
                referred += 1
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return _figures(total=total, flagged=flagged, referred=referred, outcomes=outcomes, since=since, until=now)


def _figures(*, total, flagged, referred, outcomes, since, until) -> dict:
    found = outcomes.get(SecondaryOutcome.REFUSE, 0) + outcomes.get(SecondaryOutcome.HANDOVER, 0)
    def pct(share):
        return None if share is None else round(share * 100, 1)

    share = (flagged / total) if total else None
    return {
        "share_pct": pct(share), "found_pct": pct((found / referred) if referred else None),
        "since": since, "until": until, "inspections": total, "flagged": flagged,
        "share": (flagged / total) if total else None, "referred": referred,
        "referred_share": (referred / flagged) if flagged else None, "outcomes": outcomes, "found": found,
        "found_share": (found / referred) if referred else None,
    }


def risk_rule_effect(*, rules: list[RiskRule], now: datetime | None = None, days: int = BACKTEST_DAYS) -> dict[int, dict]:
    """Per rule, the same figures as the backtest measured from the inspections it really fired on
    in the last `days` days (RiskFiring): two grouped queries for the whole list."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    total = (Inspection.objects.filter(read_at__gte=since, read_at__lt=now)
             .exclude(status=InspectionStatus.ABANDONED).count())
    out = {r.pk: {"total": total, "flagged": 0, "referred": 0, "outcomes": _outcome_counts()} for r in rules}
    rows = (RiskFiring.objects.filter(rule_id__in=list(out), fired_at__gte=since, fired_at__lt=now)
            .exclude(inspection__status=InspectionStatus.ABANDONED)
            .values("rule_id", "inspection__secondary__outcome")
            .annotate(n=Count("pk"), referred=Count("inspection__secondary__pk")).order_by())
    for row in rows:
        entry = out[row["rule_id"]]
        entry["flagged"] += row["n"]
        if row["referred"]:
            entry["referred"] += row["referred"]
            key = row["inspection__secondary__outcome"] or "pending"
            entry["outcomes"][key] = entry["outcomes"].get(key, 0) + row["referred"]
    return {pk: _figures(total=e["total"], flagged=e["flagged"], referred=e["referred"], outcomes=e["outcomes"],
                         since=since, until=now) for pk, e in out.items()}
