"""Risk rules at scale: (1) evaluating the rules in an inspection — the provider travelers calls
when an inspection is screened (analytics.rules.risk_provide: the versions in force, the facts
with their history queries, the pure evaluator, the RiskFiring rows), timed around the call with
its real queries, with 50 enabled rules; (2) a rule's 90-day backtest (analytics.rules.
risk_rule_backtest) over the generated movements.

Run (after bench/analytics_data.py built the database; never rebuilds it):
    nice -n 10 .venv/bin/python bench/analytics_risk.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_analytics nice -n 10 .venv/bin/python bench/analytics_risk.py --n 300

The database is left as it was: the risk tables are created for the run when they do not exist
(without foreign-key constraints, so no lock is taken on the movements' tables) and dropped at the
end; every provider call runs in a transaction that is rolled back. `travelers_inspection.risk`
is not needed (the inspection is loaded without it). References measured in the same run: one
primary-key SELECT of an inspection (a query's round trip) for the provider, and a count of the
window's inspections (a plain scan of the same rows) for the backtest.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_analytics")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bmis.settings")

NATIONALITIES = ["SYR", "IRN", "TUR", "JOR", "EGY", "LBN", "YEM", "PAK", "IND", "AFG", "SAU", "KWT"]


def rules_50() -> list[dict]:
    """Fifty rules over every kind of fact, about a third reading the traveler's history."""
    rng = random.Random(16)
    out = []
    for i in range(50):
        kind = i % 10
        if kind == 0:
            c = {"field": "traveler.nationality", "op": "in", "value": rng.sample(NATIONALITIES, 3)}
        elif kind == 1:
            c = {"field": "document.days_to_expiry", "op": "lt", "value": rng.choice([30, 60, 90, 180])}
        elif kind == 2:
            c = {"all": [{"field": "traveler.age_band", "op": "eq", "value": rng.choice(["18-25", "26-40"])},
                         {"field": "journey.mode", "op": "eq", "value": rng.choice(["air", "vehicle", "pedestrian"])}]}
        elif kind == 3:
            c = {"field": "traveler.previous_refusals", "op": "gte", "value": rng.choice([1, 2])}
        elif kind == 4:
            c = {"field": "journey.land_crossings", "op": "gte", "value": rng.choice([3, 5, 8]),
                 "days": rng.choice([7, 30, 90])}
        elif kind == 5:
            c = {"any": [{"field": "traveler.overstays", "op": "gte", "value": 1},
                         {"field": "traveler.hits", "op": "gte", "value": 1}]}
        elif kind == 6:
            c = {"all": [{"field": "journey.direction", "op": "eq", "value": rng.choice(["entry", "exit"])},
                         {"field": "document.issuing_state", "op": "not_in", "value": rng.sample(NATIONALITIES, 4)},
                         {"not": {"field": "traveler.age", "op": "between", "value": [30, 60]}}]}
        elif kind == 7:
            c = {"field": "journey.carrier", "op": "startswith", "value": rng.choice(["IA", "RJ", "TK", "QR"])}
        elif kind == 8:
            c = {"any": [{"field": "document.kind", "op": "eq", "value": "identity_card"},
                         {"field": "document.code", "op": "in", "value": ["PD", "PS"]}]}
        else:
            c = {"all": [{"field": "traveler.nationality", "op": "eq", "value": rng.choice(NATIONALITIES)},
                         {"field": "journey.land_crossings", "op": "gte", "value": 2, "days": 30}]}
        out.append({"name": f"bench rule {i:02d}", "conditions": c, "weight": rng.randint(5, 40),
                    "action": "refer" if i % 17 == 0 else ""})
    return out


BACKTESTS = {
    "nationality (static)": {"field": "traveler.nationality", "op": "in", "value": ["SYR", "IRN", "YEM"]},
    "age band and expiry (two joins)": {"all": [{"field": "traveler.age_band", "op": "in", "value": ["18-25", "26-40"]},
                                                {"field": "document.days_to_expiry", "op": "lt", "value": 1800}]},
    "refused before or 3+ land crossings in 30 days (history)": {
        "any": [{"field": "traveler.previous_refusals", "op": "gte", "value": 1},
                {"field": "journey.land_crossings", "op": "gte", "value": 3, "days": 30}]},
}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="inspections scored (provider calls timed)")
    parser.add_argument("--skip-backtest", action="store_true")
    parser.add_argument("--only", default="", help="run only the backtests whose name contains this")
    parser.add_argument("--python-too", action="store_true",
                        help="also time the backtest with the rows brought to the pure evaluator (the SQLite path)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Max, Min
    from django.test.utils import CaptureQueriesContext

    from analytics.models import RiskFiring, RiskRule, RiskRuleVersion
    from analytics.risk import validate
    from analytics.rules import risk_provide, risk_rule_backtest
    from travelers.models import Inspection

    vendor = connection.vendor
    sizes = {}
    with connection.cursor() as cur:
        for table in ("travelers_movement", "travelers_person", "travelers_inspection"):
            if vendor == "postgresql":  # the planner's estimate (ANALYZEd): a count(*) of 10M rows is not the question
                cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            else:
                cur.execute(f"SELECT count(*) FROM {table}")
            sizes[table] = cur.fetchone()[0]
    movements, persons, inspections = (sizes["travelers_movement"], sizes["travelers_person"],
                                       sizes["travelers_inspection"])
    bounds = Inspection.objects.aggregate(lo=Min("pk"), hi=Max("pk"), last=Max("read_at"))
    print(f"database: {connection.settings_dict['NAME']} ({vendor}); movements {movements:,}, persons {persons:,}, "
          f"inspections {inspections:,}; machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    if not inspections:
        print("no inspections: build the database with bench/analytics_data.py first")
        return

    existing = set(connection.introspection.table_names())
    models = [RiskRule, RiskRuleVersion, RiskFiring]
    created = [m for m in models if m._meta.db_table not in existing]
    if created:
        with connection.schema_editor() as editor:
            for model in created:
                editor.create_model(model)
            # No foreign-key constraint to the movements' tables: no lock taken on them.
            editor.deferred_sql = [sql for sql in editor.deferred_sql if "FOREIGN KEY" not in str(sql)]
    try:
        _run(args, bounds, connection, transaction, CaptureQueriesContext, RiskRule, RiskRuleVersion,
             Inspection, validate, risk_provide, risk_rule_backtest)
    finally:
        if created:
            with connection.schema_editor() as editor:
                for model in reversed(created):
                    editor.delete_model(model)
        else:
            RiskFiring.objects.filter(rule__name__startswith="bench rule").delete()
            RiskRule.objects.filter(name__startswith="bench rule").update(current_version=None)
            RiskRuleVersion.objects.filter(rule__name__startswith="bench rule").delete()
            RiskRule.objects.filter(name__startswith="bench rule").delete()


def _run(args, bounds, connection, transaction, CaptureQueriesContext, RiskRule, RiskRuleVersion, Inspection,
         validate, risk_provide, risk_rule_backtest) -> None:
    now = bounds["last"] + timedelta(seconds=1)
    valid_from = now - timedelta(days=3650)
    with transaction.atomic():
        for spec in rules_50():
            rule = RiskRule.objects.create(name=spec["name"], enabled=True)
            version = RiskRuleVersion.objects.create(
                rule=rule, number=1, conditions=validate(spec["conditions"]), weight=spec["weight"],
                action=spec["action"], reason=spec["name"], reason_ar=spec["name"], valid_from=valid_from)
            rule.current_version = version
            rule.save(update_fields=["current_version"])

    # (1) the provider in an inspection --------------------------------------------------------
    rng = random.Random(7)
    lo, hi = bounds["lo"], bounds["hi"]
    provider_s, reference_s, queries, scores = [], [], [], []
    while len(provider_s) < args.n:
        pk = rng.randint(lo, hi)
        inspection = (Inspection.objects.select_related("person", "document", "post").defer("risk")
                      .filter(pk__gte=pk).order_by("pk").first())
        if inspection is None:
            continue
        t0 = time.perf_counter()
        Inspection.objects.filter(pk=inspection.pk).values_list("pk", "read_at").first()
        reference_s.append(time.perf_counter() - t0)
        with transaction.atomic():
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                result = risk_provide(inspection, now=now)
                provider_s.append(time.perf_counter() - t0)
            queries.append(len(ctx.captured_queries))
            scores.append(result["score"])
            transaction.set_rollback(True)
    p95, ref95 = _pct(provider_s, 0.95) * 1e3, _pct(reference_s, 0.95) * 1e3
    print(f"\n(1) rules in an inspection: 50 enabled rules, {args.n} inspections, provider timed with its queries")
    print(f"{'':28}{'mean ms':>10}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'risk_provide':28}{statistics.fmean(provider_s) * 1e3:>10.2f}{_pct(provider_s, .5) * 1e3:>10.2f}{p95:>10.2f}")
    print(f"{'reference: 1 PK SELECT':28}{statistics.fmean(reference_s) * 1e3:>10.2f}"
          f"{_pct(reference_s, .5) * 1e3:>10.2f}{ref95:>10.2f}")
    print(f"queries per call: {min(queries)}-{max(queries)}; p95 = {p95 / ref95:.1f}× one query; "
          f"scored > 0: {sum(1 for s in scores if s)}/{len(scores)}; goal p95 ≤ 10 ms: "
          f"{'met' if p95 <= 10 else 'NOT met'}")

    # (2) a rule's 90-day backtest ------------------------------------------------------------
    if args.skip_backtest:
        return
    since = now - timedelta(days=90)
    t0 = time.perf_counter()
    window = Inspection.objects.filter(read_at__gte=since, read_at__lt=now).count()
    count_s = time.perf_counter() - t0
    print(f"\n(2) 90-day backtest (window {since:%Y-%m-%d} – {now:%Y-%m-%d}: {window:,} inspections)")
    print(f"{'rule':58}{'seconds':>9}{'flagged':>10}{'referred':>10}{'found':>8}")
    print(f"{'reference: count of the window':58}{count_s:>9.2f}")
    for name, conditions in BACKTESTS.items():
        if args.only and args.only not in name:
            continue
        t0 = time.perf_counter()
        result = risk_rule_backtest(conditions=conditions, now=now)
        seconds = time.perf_counter() - t0
        print(f"{name:58}{seconds:>9.2f}{result['flagged']:>10,}{result['referred']:>10,}{result['found']:>8,}"
              f"   {'≤ 30 s' if seconds <= 30 else '> 30 s'}")
        if args.python_too:
            t0 = time.perf_counter()
            again = risk_rule_backtest(conditions=conditions, now=now, python=True)
            seconds = time.perf_counter() - t0
            same = "same figures" if again == result else "DIFFERENT figures"
            print(f"{'  … rows to the Python evaluator':58}{seconds:>9.2f}{again['flagged']:>10,}"
                  f"{again['referred']:>10,}{again['found']:>8,}   {same}")


if __name__ == "__main__":
    main()
