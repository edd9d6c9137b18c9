"""The screening benchmark on PostgreSQL, through the code path the API uses.

Run with ``bench/screening.py --backend postgres`` (see bench/README.md). The
entries are stored in the database (loaded once with COPY and reused on the
next run if the same size and seed are already there), the per-process index
is built from the database by ``watchlists.search.registry()``, and queries go
through ``POST /api/v1/screening/persons`` in-process (token authentication,
serializers, ``screen_person``, hits stored) and, for comparison, through
``screen_person`` without storing hits.
"""

from __future__ import annotations

import gc
import io
import json
import os
import random
import time

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bmis_bench"


def _ensure_database(url: str) -> None:
    import psycopg

    dbname = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
            conn.execute(f'CREATE DATABASE "{dbname}"')


def _setup():
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bmis.settings")
    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ") for v in row))
        buf.write("\n")
    buf.seek(0)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        while chunk := buf.read(1 << 20):
            copy.write(chunk)


def load_entries(wl, people, batch: int = 50_000) -> float:
    """Store ``people`` (Person objects) as entries of ``wl`` with COPY; returns seconds."""
    from django.db import connection, transaction
    from django.utils import timezone

    from watchlists.models import PersonEntry
    from watchlists.names.normalize import has_arabic, normalize_text

    stamp = timezone.now().isoformat()
    t0 = time.perf_counter()
    with transaction.atomic():
        raw = connection.connection
        cur = raw.cursor()
        start = (PersonEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        name_id = (cur.execute("SELECT COALESCE(MAX(id), 0) FROM watchlists_personentryname").fetchone()[0]) + 1
        for i in range(0, len(people), batch):
            chunk = people[i : i + batch]
            entries, names = [], []
            for k, p in enumerate(chunk):
                pk = start + i + k
                dob = p.dob()
                entries.append((pk, wl.pk, str(p.entry_id), "t", "", stamp, stamp, p.gender or "", dob.year if dob else None,
                                dob.month if dob else None, dob.day if dob else None, "",
                                json.dumps(list(p.nationalities)), json.dumps(list(p.documents)), ""))
                for j, n in enumerate(p.names):
                    names.append((name_id, pk, n, normalize_text(n)[:300], "arabic" if has_arabic(n) else "latin",
                                  "t" if j == 0 else "f", "f"))
                    name_id += 1
            _copy_rows(cur, "watchlists_personentry",
                       ["id", "watchlist_id", "external_id", "is_active", "remarks", "created_at", "updated_at", "gender",
                        "birth_year", "birth_month",
                        "birth_day", "place_of_birth", "nationalities", "document_numbers", "photo"], entries)
            _copy_rows(cur, "watchlists_personentryname",
                       ["id", "entry_id", "full_name", "normalized", "script", "is_primary", "is_weak_alias"], names)
        cur.execute("SELECT setval(pg_get_serial_sequence('watchlists_personentry', 'id'), (SELECT MAX(id) FROM watchlists_personentry))")
        cur.execute("SELECT setval(pg_get_serial_sequence('watchlists_personentryname', 'id'), (SELECT MAX(id) FROM watchlists_personentryname))")
    with connection.cursor() as c:
        c.execute("ANALYZE watchlists_personentry")
        c.execute("ANALYZE watchlists_personentryname")
    return time.perf_counter() - t0


def run_postgres(args):
    from screening_common import ascii_name, load_pairs, nomenklatura_scores, pair_people, pct, rates, rss_mb
    from synthetic import VERSION, generate, spelling_variant

    _setup()
    from django.conf import settings
    from rest_framework.test import APIClient

    from accounts.models import Agency
    from accounts.services import api_client_create, api_token_issue
    from watchlists.models import PersonEntry, PersonEntryName, Watchlist
    from watchlists.names.score import Person
    from watchlists.search import registry
    from watchlists.services import person_entry_create, screen_person

    settings.ALLOWED_HOSTS = ["*"]
    print("== conditions")
    print(f"entries={args.entries:,} queries={args.queries} brute_force_queries={args.brute_queries} seed={args.seed}")
    print(f"machine: {os.cpu_count()} cores; database: {settings.DATABASES['default']['ENGINE']} "
          f"{settings.DATABASES['default'].get('NAME')}")
    print("path: POST /api/v1/screening/persons in-process (token auth, serializers, screen_person, hits stored);"
          " index: watchlists.search.registry() built from the database")
    print("note: figures from a shared, loaded machine unless stated otherwise")

    pairs = load_pairs()
    planted = pair_people(pairs)
    people = [
        Person(p["names"], p["date_of_birth"], tuple(p["nationalities"]), p["gender"], entry_id=f"syn-{p['id']}")
        for p in generate(args.entries, seed=args.seed)
    ]
    agency, _ = Agency.objects.get_or_create(code="BENCH", defaults={"name": "Benchmark agency", "kind": "border"})
    marker = f"synthetic v{VERSION} seed={args.seed} n={args.entries} pairs={len(planted)}"
    wl = Watchlist.objects.filter(code="BENCH").first()
    load_s = None
    if wl is None or wl.description != marker or PersonEntry.objects.filter(watchlist=wl).exclude(external_id="").count() != args.entries + len(planted):
        if wl is not None:
            # a million rows: plain SQL (the ORM's delete collects every object first); the
            # benchmark database holds nothing else that points at these entries
            from django.db import connection, transaction

            with transaction.atomic(), connection.cursor() as c:
                c.execute("DELETE FROM watchlists_hit WHERE watchlist_id = %s", [wl.pk])
                c.execute("DELETE FROM watchlists_personentryname WHERE entry_id IN "
                          "(SELECT id FROM watchlists_personentry WHERE watchlist_id = %s)", [wl.pk])
                c.execute("DELETE FROM watchlists_personentry WHERE watchlist_id = %s", [wl.pk])
                c.execute("DELETE FROM watchlists_watchlist WHERE id = %s", [wl.pk])
        wl = Watchlist.objects.create(code="BENCH", name="Benchmark list", owner_agency=agency, action="refer",
                                      description=marker)
        load_s = load_entries(wl, people + [e for _, _, e in planted])
    ext_to_pk = dict(PersonEntry.objects.filter(watchlist=wl).values_list("external_id", "pk"))
    Watchlist.objects.exclude(pk=wl.pk).update(is_active=False)  # screen the benchmark list only

    rng = random.Random(args.seed + 1)
    queries = []
    for _ in range(args.queries):
        p = people[rng.randrange(args.entries)]
        queries.append((p, {"names": [spelling_variant(rng, p.names[0])], "date_of_birth": p.date_of_birth,
                            "nationality": p.nationalities[0] if p.nationalities else None, "gender": p.gender}))
    warm = random.Random(args.seed + 7)
    warmup = []
    for _ in range(args.warmup):
        p = people[warm.randrange(args.entries)]
        warmup.append(([spelling_variant(warm, p.names[0])], p.date_of_birth))
    reg = registry()
    reg.clear()
    rss0 = rss_mb()
    t0 = time.perf_counter()
    reg.refresh(force=True)
    build_s = time.perf_counter() - t0
    rss1 = rss_mb()
    li = reg.get(wl.pk)
    stats = li.index.stats()
    arrays = li.index.memory_bytes()
    # The generated million Person objects are the harness's, not the server's: dropped once the
    # index is built (so the RSS growth above is the build's own), so that the collector does not
    # walk them during the timed requests (see the garbage-collection line of the report).
    del people
    gc.collect()

    client_obj = api_client_create(actor=None, agency=agency, name=f"bench-{int(time.time())}", scopes=["screening:write"])
    _tok, raw = api_token_issue(actor=None, client=client_obj, days=1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    cold_lat = []
    for _p, q in queries[: min(50, len(queries))]:
        t = time.perf_counter()
        screen_person(names=q["names"], date_of_birth=q["date_of_birth"], nationality=q["nationality"],
                      gender=q["gender"], store_hits=False)
        cold_lat.append((time.perf_counter() - t) * 1000)
    for names, dob in warmup:
        screen_person(names=names, date_of_birth=dob, store_hits=False)
    api_lat, svc_lat, found, n_hits = [], [], 0, []
    collections, gc_start = [], {}

    def on_gc(phase, info):
        if phase == "start":
            gc_start["t"] = time.perf_counter()
        elif "t" in gc_start:
            collections.append((info["generation"], (time.perf_counter() - gc_start.pop("t")) * 1000))

    gc.callbacks.append(on_gc)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    for p, q in queries:
        if profiler is not None:
            profiler.enable()
        t = time.perf_counter()
        r = api.post("/api/v1/screening/persons", q, format="json")
        api_lat.append((time.perf_counter() - t) * 1000)
        if profiler is not None:
            profiler.disable()
        assert r.status_code == 200, r.content[:300]
        found += any(h["entry_id"] == ext_to_pk[p.entry_id] for h in r.json()["hits"])
        n_hits.append(len(r.json()["hits"]))
    gc.callbacks.remove(on_gc)
    if profiler is not None:
        import pstats

        print("\n== profile of the API queries (cumulative, top 35)")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        print("\n== profile of the API queries (own time, top 25)")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    for _p, q in queries[: min(100, len(queries))]:
        t = time.perf_counter()
        screen_person(names=q["names"], date_of_birth=q["date_of_birth"], nationality=q["nationality"],
                      gender=q["gender"], store_hits=False)
        svc_lat.append((time.perf_counter() - t) * 1000)

    # new entries become searchable
    new_s = []
    for i in range(5):
        name = f"Zubair Qahtan Al-Mashhadani {['Fadhil', 'Kamil', 'Sattar', 'Ghanim', 'Dhafir'][i]}"
        t = time.perf_counter()
        entry = person_entry_create(actor=None, watchlist=wl, names=[name], date_of_birth="1971-03-09", rescreen=False)
        while True:
            out = screen_person(names=[name], date_of_birth="1971", store_hits=False)
            if any(h["entry_id"] == entry.pk for h in out.hits):
                break
            if time.perf_counter() - t > 30:
                break
            time.sleep(0.05)
        new_s.append(time.perf_counter() - t)

    # brute force reference over the same names, read from the database
    from rapidfuzz import fuzz, process

    t0 = time.perf_counter()
    rows = list(PersonEntryName.objects.filter(entry__watchlist=wl, entry__is_active=True).values_list("entry_id", "full_name"))
    choice_ids = [r[0] for r in rows]
    choice_names = [ascii_name(r[1]) for r in rows]
    prep_s = time.perf_counter() - t0
    bf_lat, overlap, total_bf = [], 0, 0
    for _p, q in queries[: args.brute_queries]:
        qa = ascii_name(q["names"][0])
        t = time.perf_counter()
        res = process.extract(qa, choice_names, scorer=fuzz.token_sort_ratio, score_cutoff=90, limit=None)
        bf_lat.append((time.perf_counter() - t) * 1000)
        bf = {choice_ids[i] for _, _, i in res}
        fast = {h["entry_id"] for h in screen_person(names=q["names"], store_hits=False, limit=10_000).hits}
        total_bf += len(bf)
        overlap += len(bf & fast)

    acc_rows = []
    if pairs:
        via_api = []
        for i, (_r, q, _e) in enumerate(planted):
            body = {"names": q.names, "date_of_birth": q.date_of_birth, "nationality": q.nationalities[0], "gender": q.gender}
            hits = api.post("/api/v1/screening/persons", body, format="json").json()["hits"]
            via_api.append(any(h["entry_id"] == ext_to_pk[f"pair-{i}"] for h in hits))
        acc_rows.append((f"ours, API on PostgreSQL among {args.entries + len(planted):,} entries", *rates(pairs, via_api)))
        nk, nk_s = nomenklatura_scores(pairs)
        if nk is not None:
            acc_rows.append(("nomenklatura logic-v2 >= 0.70, pairwise", *rates(pairs, [s >= 0.70 for s in nk])))

    print("\n== database and index")
    if load_s is not None:
        print(f"| load {args.entries + len(planted):,} entries into PostgreSQL (COPY) | {load_s:.1f} s |")
    else:
        print("| entries already in the database (same size and seed) | reused |")
    print(f"| build the index from PostgreSQL (registry refresh) | {build_s:.1f} s |")
    print(f"| rows / vocabulary / keys / postings | {stats['rows']:,} / {stats['vocabulary']:,} / {stats['keys']:,} / {stats['postings']:,} |")
    print(f"| RSS growth while building | {rss1 - rss0:,.0f} MB |")
    print(f"| numpy arrays of the index | {sum(arrays.values()) / 1e6:,.1f} MB |")
    print("\n== latency per screening query (ms)")
    print("| path | queries | p50 | p95 | max |")
    print("|---|---|---|---|---|")
    print(f"| screen_person, cold process (first 50 queries), hits not stored | {len(cold_lat)} | {pct(cold_lat, 50):.1f} | {pct(cold_lat, 95):.1f} | {max(cold_lat):.1f} |")
    print(f"| POST /api/v1/screening/persons after {args.warmup} warm-up queries (hits stored) | {len(api_lat)} | {pct(api_lat, 50):.1f} | {pct(api_lat, 95):.1f} | {max(api_lat):.1f} |")
    print(f"| screen_person, hits not stored | {len(svc_lat)} | {pct(svc_lat, 50):.1f} | {pct(svc_lat, 95):.1f} | {max(svc_lat):.1f} |")
    print(f"| brute force rapidfuzz token_sort_ratio over {len(choice_names):,} names | {len(bf_lat)} | {pct(bf_lat, 50):.1f} | {pct(bf_lat, 95):.1f} | {max(bf_lat):.1f} |")
    print(f"hits stored per API query: mean {sum(n_hits) / len(n_hits):.1f}, max {max(n_hits)}")
    full = [ms for gen, ms in collections if gen == 2]
    print(f"garbage collections during the API queries: {len(collections)}, longest {max((ms for _, ms in collections), default=0):.1f} ms;"
          f" full (generation 2): {len(full)}")
    print(f"name searches that pruned postings (MaxScore): {li.index.stats()['pruned_searches']:,}")
    print(f"\nspeed ratio brute force / API (p50): {pct(bf_lat, 50) / pct(api_lat, 50):.1f}x "
          f"(brute-force names read and transliterated beforehand in {prep_s:.1f} s, not counted)")
    print(f"new entry created through the service until found by screening: "
          f"{', '.join(f'{s:.2f}' for s in new_s)} s (max {max(new_s):.2f} s; refresh every "
          f"{settings.WATCHLISTS_INDEX_REFRESH_SECONDS} s)")
    print("\n== recall")
    print(f"| respelled entry found through the API | {found}/{len(queries)} = {found / len(queries):.3f} |")
    print(f"| rapidfuzz>=90 hits also returned by screening | {overlap}/{total_bf} = {overlap / max(total_bf, 1):.3f} |")
    if acc_rows:
        print(f"\n== accuracy on pairs.csv ({len(pairs)} rows)")
        print("| matcher | recall (match rows) | false hits (nomatch rows) | precision |")
        print("|---|---|---|---|")
        for name, rec, fh, prec in acc_rows:
            print(f"| {name} | {rec:.3f} | {fh:.3f} | {prec:.3f} |")
