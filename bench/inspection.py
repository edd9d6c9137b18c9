"""Inspection round trip through Django's test client: read an MRZ at the checkpoint (parse,
validate, find or create the person, open the inspection, stay verdict, screening step, render the
panel), then decide (movement, audit). Server time in-process, no network.

Run:  .venv/bin/python bench/inspection.py [--n 200]
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/bmis_bench .venv/bin/python bench/inspection.py

It builds a throw-away database (a SQLite file in a temporary directory, or test_<name> on
PostgreSQL), so it never touches the working database. The reference measured in the same run is
GET /healthz through the same client (the cost of a request that does nothing of ours).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200, help="travelers per measured operation")
    parser.add_argument("--list-entries", type=int, default=5000,
                        help="synthetic person entries in the watchlist every inspection is screened against "
                             "(plus a tenth as many stolen documents)")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bmis-bench-")
    os.environ.setdefault("BMIS_VAR_DIR", tmp.name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bmis.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.n, settings, args.list_entries)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()


def _ms(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    return (statistics.fmean(values) * 1e3, statistics.median(values) * 1e3,
            ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1e3)


def run(n: int, settings, list_entries: int = 5000) -> None:
    from django.db import connection
    from django.test import Client

    from accounts.permissions import Role
    from accounts.services import user_create
    from core.models import Booth, BorderPost, PostKind
    from travelers.models import Inspection, Movement
    from travelers.mrz import DocumentFields, PartialDate, generate
    from travelers.services import stay_rule_set

    post = BorderPost.objects.create(code="BENCH", name="Bench post", kind=PostKind.AIRPORT)
    booth = Booth.objects.create(post=post, code="B1", name="Booth 1")
    officer = user_create(actor=None, username="bench.officer", password="bench-password-2026",
                          role=Role.OFFICER, posts=[post])
    supervisor = user_create(actor=None, username="bench.sup", password="bench-password-2026",
                             role=Role.SUPERVISOR, is_national=True)
    stay_rule_set(actor=supervisor, nationality="JOR", regime="visa_exempt", max_stay_days=30, period_days=180)

    # The lists every inspection is screened against (names, documents): synthetic entries.
    sys.path.insert(0, str(ROOT / "bench"))
    from synthetic import generate as generate_people

    from accounts.models import Agency
    from watchlists.services import document_entry_create, person_entry_create, watchlist_create

    agency = Agency.objects.create(code="BENCHAG", name="Bench agency", kind="border")
    admin = user_create(actor=None, username="bench.admin", password="bench-password-2026", role=Role.ADMIN,
                        agency=agency, is_national=True)
    wanted = watchlist_create(actor=admin, code="WANTED", name="Wanted persons", owner_agency=agency, action="arrest")
    stolen = watchlist_create(actor=admin, code="SLTD", name="Stolen and lost documents", owner_agency=agency,
                              kind="documents", action="refer")
    loaded = time.perf_counter()
    for k, person in enumerate(generate_people(list_entries, seed=7)):
        person_entry_create(actor=admin, watchlist=wanted, names=person["names"],
                            date_of_birth=person["date_of_birth"], nationalities=person["nationalities"],
                            gender=person["gender"], rescreen=False)
        if k % 10 == 0:
            document_entry_create(actor=admin, watchlist=stolen, number=f"S{k:08d}", issuing_state="JOR",
                                  status="stolen")
    list_load_s = time.perf_counter() - loaded

    def mrz(i: int) -> str:
        return generate(DocumentFields("P", "JOR", "TRAVELER", f"NUMBER {chr(65 + i % 26)}", f"B{i:07d}", "JOR",
                                       PartialDate(1970 + i % 30, 1 + i % 12, 1 + i % 28), "MF"[i % 2],
                                       date.today() + timedelta(days=3650)), "TD3")

    client = Client()
    response = client.post("/accounts/login/", {"username": officer.username, "password": "bench-password-2026",
                                                "booth": booth.pk})
    assert response.status_code == 302, response.content[:300]
    htmx = {"HTTP_HX_REQUEST": "true"}
    clock = time.perf_counter

    def timed(fn) -> float:
        start = clock()
        fn()
        return clock() - start

    # Warm-up (template compilation, first queries).
    for i in range(5):
        client.get("/healthz")
        client.post("/travelers/checkpoint/read", {"mrz": mrz(10_000 + i), "direction": "entry"}, **htmx)

    reference = [timed(lambda: client.get("/healthz")) for _ in range(n)]

    parse_api: list[float] = []
    for i in range(n):
        parse_api.append(timed(lambda i=i: client.post("/api/v1/documents/parse", {"mrz": mrz(i)},
                                                       content_type="application/json")))

    read_new, decide, read_again = [], [], []
    for i in range(n):
        def do_read(i=i):
            response = client.post("/travelers/checkpoint/read", {"mrz": mrz(i), "direction": "entry"}, **htmx)
            assert b"data-inspection" in response.content, response.content[:500]
        read_new.append(timed(do_read))
        inspection = Inspection.objects.order_by("-pk").first()

        def do_decide(pk=inspection.pk):
            response = client.post(f"/travelers/inspections/{pk}/decide", {"decision": "admit"}, **htmx)
            assert b"data-decided" in response.content, response.content[:500]
        decide.append(timed(do_decide))
    for i in range(n):  # the same travelers leaving: known person, history, stay computation
        def do_exit(i=i):
            response = client.post("/travelers/checkpoint/read", {"mrz": mrz(i), "direction": "exit"}, **htmx)
            assert b"data-inspection" in response.content
        read_again.append(timed(do_exit))

    # The service alone (no HTTP, no template): parse + validate + person/document + inspection +
    # stay verdict + screening step + audit events.
    from core.models import Direction
    from travelers.services import inspection_start

    service = []
    for i in range(n):
        service.append(timed(lambda i=i: inspection_start(actor=officer, post=post, booth=booth,
                                                          direction=Direction.ENTRY, mrz=mrz(30_000 + i))))

    api_start, api_decide = [], []
    for i in range(n):
        holder: dict = {}

        def start_api(i=i, holder=holder):
            response = client.post("/api/v1/inspections", {"post": "BENCH", "booth": "B1", "direction": "entry",
                                                           "mrz": mrz(20_000 + i)}, content_type="application/json")
            assert response.status_code == 201, response.content[:300]
            holder["id"] = response.json()["id"]
        api_start.append(timed(start_api))
        api_decide.append(timed(lambda holder=holder: client.post(f"/api/v1/inspections/{holder['id']}/decision",
                                                    {"decision": "admit"}, content_type="application/json")))
    assert Movement.objects.count() == 2 * n

    db = connection.vendor
    print("Inspection round trip through the Django test client (server time, in-process)")
    print(f"  travelers per row: {n}; database: {db}; python {platform.python_version()}; "
          f"{os.cpu_count()} cores (shared machine: figures are indicative)")
    print(f"  Celery eager: {settings.CELERY_TASK_ALWAYS_EAGER}; the audit chain is written on every state "
          f"change; screened against {list_entries:,} synthetic person entries and {list_entries // 10:,} stolen "
          f"documents (loaded through the services in {list_load_s:.0f} s, not timed)")
    print()
    header = f"{'operation':<52}{'mean ms':>9}{'median ms':>11}{'p95 ms':>9}{'x ref':>8}"
    print(header)
    print("-" * len(header))
    ref_mean = statistics.fmean(reference)
    rows = [
        ("reference: GET /healthz", reference),
        ("POST /api/v1/documents/parse (parse + validate)", parse_api),
        ("service inspection_start, new traveler (no HTTP)", service),
        ("checkpoint read, new traveler (page, htmx)", read_new),
        ("checkpoint decide: admit (page, htmx)", decide),
        ("checkpoint read, known traveler leaving (page)", read_again),
        ("POST /api/v1/inspections (new traveler)", api_start),
        ("POST /api/v1/inspections/{id}/decision", api_decide),
    ]
    for name, values in rows:
        mean, median, p95 = _ms(values)
        print(f"{name:<52}{mean:>9.1f}{median:>11.1f}{p95:>9.1f}{statistics.fmean(values) / ref_mean:>8.1f}")
    print()
    total = [a + b for a, b in zip(read_new, decide, strict=True)]
    mean, median, p95 = _ms(total)
    print(f"read + decide, one traveler: mean {mean:.1f} ms, median {median:.1f} ms, p95 {p95:.1f} ms "
          f"(budget for parse + inspection creation: 50 ms)")


if __name__ == "__main__":
    main()
