"""Trend charts and statistics exports on the analytics benchmark database (issue 16: a trend chart
over a year p95 <= 1 s; a month's export for one post <= 10 s).

Run (after bench/analytics_data.py has built ``bench_analytics``; this script only reads it, apart
from the session of its signed-in supervisor):

    nice -n 10 .venv/bin/python bench/analytics_trends.py
    nice -n 10 .venv/bin/python bench/analytics_trends.py --runs 20 --post BGW --database postgres://...

What it measures, in one process against PostgreSQL:
1. the trends page (``/analytics/trends/``) over the last 365 days by day and by week, for the
   national supervisor ``bench.supervisor`` through Django's test client (middleware, rollup
   queries, the SVG chart, the breakdowns, the hits and overstays tables, the template): --runs
   requests each, p50/p95/max, the chart cache cleared before each request (every chart drawn),
   and once more with the chart cached (a second viewer of the same figures); the chart alone
   (rollup query + SVG rendering, not cached) likewise;
2. reference, measured once in the same run: the same year's movements counted per day straight
   from ``travelers_movement`` (the scan the rollups exist to avoid), so the ratio survives a noisy
   machine;
3. the statistics of the last full month for one post (--post): the indicator set (rollups,
   overstays, the month's movements at that post for the document types) and its CSV, XLSX and PDF
   exports, each timed end to end (--runs // 4 runs, at least 3).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_analytics"


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bmis.settings")
    os.environ.setdefault("BMIS_VAR_DIR", "/tmp/bench-analytics-trends")
    import django

    django.setup()


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def _row(name: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return (f"{name:<44} {len(ms):>4} {statistics.median(ms):>9.1f} {_pct(ms, 95):>9.1f} {max(ms):>9.1f}")


def _time(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--post", default="BGW", help="the post of the month's export")
    args = parser.parse_args()
    _setup(args.database)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone, translation

    from analytics import exports, selectors
    from analytics.charts import ACCENT, PREVIOUS, Chart, Series, render_svg
    from analytics.models import MovementDayRollup, MovementRollup
    from analytics.statistics import statistics_report
    from core.models import BorderPost
    from travelers.models import Movement, Person

    setup_test_environment()  # the test client's response.context; no database is created
    user = get_user_model().objects.get(username="bench.supervisor")
    post = BorderPost.objects.get(code=args.post)
    movements = Movement.objects.count()
    persons = Person.objects.count()
    rollup_rows = MovementRollup.objects.count()
    day_rows = MovementDayRollup.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        pg = cursor.fetchone()[0].split(",")[0]
    latest = Movement.objects.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
    until = timezone.localtime(latest).date() if latest else timezone.localdate()
    since = until - timedelta(days=364)
    month_end = until.replace(day=1) - timedelta(days=1)
    month_start = month_end.replace(day=1)

    print("bench/analytics_trends.py")
    print(f"  machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {pg}")
    print(f"  data: {movements:,} movements, {persons:,} persons, {rollup_rows:,} hourly and {day_rows:,} daily rollup rows, "
          f"{BorderPost.objects.count()} posts")
    print(f"  year: {since} to {until}; month: {month_start} to {month_end} at {post.code}")
    print()

    client = Client()
    client.force_login(user)
    translation.activate("en")

    from django.core.cache import cache

    def page(group: str, cold: bool = True):
        def go():
            if cold:
                cache.clear()  # the chart is drawn again (a first viewer of these figures)
            r = client.get("/analytics/trends/", {"since": since.isoformat(), "until": until.isoformat(),
                                                  "group": group})
            assert r.status_code == 200, r.status_code
        return go

    def chart_only():
        cache.clear()
        series = selectors.trend(user=user, since=since, until=until, group="day", post_ids_=None, filters={})
        render_svg(Chart(title="Travelers processed by day", labels=[s.isoformat() for s in series["starts"]],
                         series=[Series("This period", series["values"], colour=ACCENT),
                                 Series("Same period last year", series["previous"], colour=PREVIOUS,
                                        dashed=True)]), chart_id="trend", width=12, height=3.8)

    # Warm up (imports, matplotlib's font cache, PostgreSQL's buffers) once each.
    page("day")()
    chart_only()

    print(f"{'measure':<44} {'runs':>4} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    results = {}
    for name, fn in (("trends page, a year by day", page("day")), ("trends page, a year by week", page("week")),
                     ("trends page, a year by day, chart cached", page("day", cold=False)),
                     ("trend chart alone (rollups + SVG), a year", chart_only)):
        results[name] = _time(fn, args.runs)
        print(_row(name, results[name]))

    def reference():
        from django.db.models import Count
        from django.db.models.functions import TruncDay

        start, end = selectors._period_bounds(since, until)
        list(Movement.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
             .annotate(d=TruncDay("occurred_at")).values("d").annotate(n=Count("id")).order_by())

    ref = _time(reference, 1)
    print(_row("reference: a year per day from the movements", ref))
    print()

    export_runs = max(3, args.runs // 4)
    report_holder = {}

    def report():
        report_holder["r"] = statistics_report(user=user, since=month_start, until=month_end, post_ids=[post.pk])

    timings = {"statistics of the month (indicator set)": _time(report, export_runs)}
    for fmt, fn in (("csv", lambda: exports.to_csv(statistics_report(user=user, since=month_start, until=month_end,
                                                                     post_ids=[post.pk]))),
                    ("xlsx", lambda: exports.to_xlsx(statistics_report(user=user, since=month_start,
                                                                       until=month_end, post_ids=[post.pk]))),
                    ("pdf", lambda: exports.to_pdf(statistics_report(user=user, since=month_start, until=month_end,
                                                                     post_ids=[post.pk])))):
        timings[f"month's export for one post, {fmt.upper()} (end to end)"] = _time(fn, export_runs)
    with translation.override("ar"):
        timings["month's export for one post, PDF in Arabic"] = _time(
            lambda: exports.to_pdf(statistics_report(user=user, since=month_start, until=month_end,
                                                     post_ids=[post.pk]), rtl=True), export_runs)
    for name, times in timings.items():
        print(_row(name, times))
    print()
    year_p95 = _pct(results["trends page, a year by day"], 95)
    print(f"trends page (a year by day) p95 {year_p95 * 1000:.0f} ms (target <= 1000 ms); "
          f"the direct count took {ref[0] * 1000:.0f} ms, {ref[0] / max(year_p95, 1e-9):.1f}x the page's p95")
    worst = max(max(t) for n, t in timings.items() if n.startswith("month's export"))
    print(f"month's export for one post: slowest {worst * 1000:.0f} ms (target <= 10000 ms)")
    r = report_holder["r"]
    print(f"  the month's report: {len(r.tables)} tables, {r.size} cells, "
          f"{sum(1 for t in r.tables for row in t.cells for v in row if v is None)} cells withheld")


if __name__ == "__main__":
    main()
