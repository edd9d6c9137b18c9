"""The live operations page and the rollups' cost per recorded movement, on the database built by
bench/analytics_data.py.

    nice -n 10 .venv/bin/python bench/analytics_live.py                    # database bench_analytics
    nice -n 10 .venv/bin/python bench/analytics_live.py --n 100 --decisions 100 --scan-reference

1. The live page through Django's test client (the whole request: session, middleware,
   permissions, every query, templates, the SVG chart from its cache after the first render):
   ``GET /analytics/live/`` (national supervisor: every post), its htmx panel, and one post,
   ``--n`` requests each after ``--warmup``; reference: ``GET /healthz`` in the same run. With
   ``--scan-reference``, once: what the flow table would cost counted from the movements
   themselves (the last 365 days by direction and mode), the scan the rollups avoid.
2. The rollup's cost per recorded movement: the real ``inspection_decide`` (admit; it writes the
   movement) timed with the analytics movement listener registered and without it, alternately,
   ``--decisions`` times each; each inspection is opened by ``inspection_start`` and everything is
   rolled back afterwards, so the database is left as it was. Also ``movement_fold`` alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_analytics"


class Rollback(Exception):
    pass


def ms(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.fmean(values) * 1e3, statistics.median(values) * 1e3, p95 * 1e3


def time_get(client, path: str, n: int, warmup: int, **headers) -> list[float]:
    for _ in range(warmup):
        response = client.get(path, **headers)
        assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        response = client.get(path, **headers)
        times.append(time.perf_counter() - t)
        assert response.status_code == 200, (path, response.status_code)
    return times


def conditions() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        found = {}
        for table in ("travelers_movement", "travelers_person", "travelers_inspection", "analytics_movementrollup",
                      "analytics_movementdayrollup", "analytics_inspectionrollup"):
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", (table,))
            found[table] = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM travelers_movement")  # exact, once
        found["travelers_movement"] = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        found["postgresql"] = cursor.fetchone()[0]
    return found


def live_page(args) -> list[tuple[str, list[float]]]:
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    supervisor = User.objects.get(username="bench.supervisor")
    client = Client()
    client.force_login(supervisor)
    rows = [("reference: GET /healthz", time_get(client, "/healthz", args.n, args.warmup))]
    rows.append(("GET /analytics/live/ (national: every post)", time_get(client, "/analytics/live/", args.n, args.warmup)))
    rows.append(("GET /analytics/live/panel/ (htmx refresh, national)",
                 time_get(client, "/analytics/live/panel/", args.n, args.warmup, HTTP_HX_REQUEST="true")))
    rows.append(("GET /analytics/live/?post=BGW (one post)",
                 time_get(client, "/analytics/live/?post=BGW", args.n, args.warmup)))
    client.cookies["django_language"] = "ar"
    rows.append(("GET /analytics/live/ in Arabic (national)",
                 time_get(client, "/analytics/live/", args.n, args.warmup, HTTP_ACCEPT_LANGUAGE="ar")))
    return rows


def scan_reference() -> float:
    from datetime import timedelta

    from django.db.models import Count
    from django.db.models.functions import TruncHour
    from django.utils import timezone

    from travelers.models import Movement

    t = time.perf_counter()
    list(Movement.objects.filter(occurred_at__gte=timezone.now() - timedelta(days=365))
         .annotate(h=TruncHour("occurred_at")).values("direction", "transport_mode")
         .annotate(n=Count("id")).order_by())
    return time.perf_counter() - t


def rollup_cost(args) -> dict:
    from datetime import date

    from django.db import transaction

    from accounts.models import User
    from analytics.rollups import movement_fold
    from core.models import BorderPost
    from travelers import hooks
    from travelers.models import Movement
    from travelers.mrz import DocumentFields, PartialDate, generate
    from travelers.services import inspection_decide, inspection_start

    officer = User.objects.get(username="bench.officer")
    post = BorderPost.objects.get(code="ZRB")
    booth = post.booths.order_by("code").first()
    registered = hooks.movement_listeners()
    assert movement_fold in registered, "the analytics listener is not registered"
    without = [fn for fn in registered if fn is not movement_fold]
    times = {"with": [], "without": [], "fold": []}

    def letters(i: int) -> str:
        text = ""
        for _ in range(5):
            i, r = divmod(i, 26)
            text += chr(65 + r)
        return text

    def one(i: int, listen: bool) -> None:
        fields = DocumentFields(document_code="P", issuing_state="JOR", primary_identifier=f"ROLLUP{letters(i)}",
                                secondary_identifier="SAMI", document_number=f"R{i:08d}", nationality="JOR",
                                date_of_birth=PartialDate(1980, 1 + i % 12, 1 + i % 28), sex="M",
                                date_of_expiry=date(2031, 1, 1), optional_data="")
        try:
            with transaction.atomic():
                inspection = inspection_start(actor=officer, post=post, booth=booth, direction="entry",
                                              mrz=generate(fields, "TD3"), transport_mode="vehicle")
                hooks._movement_listeners[:] = registered if listen else without
                t = time.perf_counter()
                inspection_decide(actor=officer, inspection=inspection, decision="admit", notes="bench")
                times["with" if listen else "without"].append(time.perf_counter() - t)
                if listen:
                    movement = Movement.objects.select_related("document", "inspection").get(inspection=inspection)
                    t = time.perf_counter()
                    movement_fold(movement)
                    times["fold"].append(time.perf_counter() - t)
                raise Rollback
        except Rollback:
            pass
        finally:
            hooks._movement_listeners[:] = registered

    for i in range(args.warmup):
        one(90000 + i, i % 2 == 0)
    for i in range(args.decisions):
        # alternate the order so that drift on a shared machine falls on both alike
        first = i % 2 == 0
        one(2 * i, first)
        one(2 * i + 1, not first)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_ANALYTICS_DATABASE", DEFAULT_DB))
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--decisions", type=int, default=100)
    parser.add_argument("--scan-reference", action="store_true")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bmis.settings")
    import django

    django.setup()
    from django.conf import settings

    found = conditions()
    load = os.getloadavg()
    print(f"database {args.database.rsplit('/', 1)[1]} (PostgreSQL {found['postgresql']}): "
          f"{found['travelers_movement']:,} movements, ~{found['travelers_person']:,} persons, "
          f"~{found['travelers_inspection']:,} inspections; rollups ~{found['analytics_movementrollup']:,} movement "
          f"rows, ~{found['analytics_movementdayrollup']:,} daily rows, ~{found['analytics_inspectionrollup']:,} inspection rows")
    print(f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; cache "
          f"{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[1]}; Django test client (in-process, no network); "
          f"n = {args.n} after {args.warmup} warm-up")

    rows = live_page(args)
    reference = statistics.median(rows[0][1])
    print("\n| request | mean ms | median ms | p95 ms | × ref (median) |\n|---|---|---|---|---|")
    for label, values in rows:
        mean, median, p95 = ms(values)
        print(f"| {label} | {mean:.1f} | {median:.1f} | {p95:.1f} | {median / 1e3 / reference:.1f} |")
    if args.scan_reference:
        seconds = scan_reference()
        print(f"| reference: the flow counted from the movements (365 days, one query, once) | {seconds * 1e3:.0f} | | | "
              f"{seconds / reference:.0f} |")

    times = rollup_cost(args)
    with_m, without_m = ms(times["with"]), ms(times["without"])
    fold = ms(times["fold"])
    print(f"\nRecording a movement: inspection_decide (admit), {args.decisions} each, alternating, rolled back\n")
    print("| measure | mean ms | median ms | p95 ms |\n|---|---|---|---|")
    print(f"| decide without the rollup listener | {without_m[0]:.2f} | {without_m[1]:.2f} | {without_m[2]:.2f} |")
    print(f"| decide with the rollup listener | {with_m[0]:.2f} | {with_m[1]:.2f} | {with_m[2]:.2f} |")
    print(f"| movement_fold alone (3 upserts) | {fold[0]:.2f} | {fold[1]:.2f} | {fold[2]:.2f} |")
    print(f"\nratio with/without (median): {with_m[1] / without_m[1]:.3f}; "
          f"rollup cost per movement ≈ {with_m[1] - without_m[1]:.2f} ms (median difference), "
          f"{fold[1]:.2f} ms (fold alone, median)")


if __name__ == "__main__":
    main()
