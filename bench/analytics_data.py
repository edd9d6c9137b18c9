"""Synthetic border data for the analytics benchmarks, written straight into PostgreSQL with COPY.

    nice -n 10 .venv/bin/python bench/analytics_data.py --reset                  # 10,000,000 movements, 2,000,000 persons
    nice -n 10 .venv/bin/python bench/analytics_data.py --reset --movements 200000 --persons 40000 \\
        --database postgres://postgres@127.0.0.1:5432/bench_analytics_small       # a small one

What it writes (database ``bench_analytics`` by default, migrated first):
* 22 posts (4 airports, 14 land crossings, 2 seaports, 2 green-border sectors) with 3-24 booths
  each, 4 officers per booth, a national supervisor ``bench.supervisor`` (and ``bench.officer``);
* persons with one passport each, nationalities skewed (Iraq about half, then Iran, Turkey,
  Syria...), and frequent travelers (a traveler is drawn with a skew towards the first persons of
  their nationality);
* movements over ``--days`` days up to now, each with its decided inspection (and, for about 3 %,
  a secondary inspection): posts weighted by size, the neighbour's nationals more common at land
  crossings, daily profiles (land crossings by day, airports flatter), more on Thursdays and
  Fridays, a yearly swell, two holiday peaks and one closed day; seconds per traveler log-normal
  by mode with a per-officer factor; about 2 % refused (reason codes), a few handed over;
* a live state: open inspections read in the last 25 minutes, travelers waiting in secondary,
  pending hits.

Secondary indexes of the big tables are dropped during the load and built again after it (foreign
keys are not checked during COPY: the ids are generated consistent). ``--budget-minutes`` stops the
movements early (each batch is a uniform sample of the whole period, so a stopped load is smaller,
not skewed) and the script says how many it wrote. Then it rebuilds the rollups
(``analytics.rollups.rollups_rebuild``) and prints the sizes and times.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_analytics"
LOCAL_OFFSET_HOURS = 3  # Asia/Baghdad

# code, name, kind, neighbour, weight (share of the flow), booths
POSTS = [
    ("BGW", "Baghdad International Airport", "airport", "", 18, 24),
    ("EBL", "Erbil International Airport", "airport", "", 8, 12),
    ("NJF", "Najaf International Airport", "airport", "", 7, 10),
    ("BSR", "Basra International Airport", "airport", "", 5, 8),
    ("ZRB", "Zurbatiyah", "land", "IRN", 10, 10),
    ("SHL", "Shalamcheh", "land", "IRN", 9, 10),
    ("IKH", "Ibrahim Khalil", "land", "TUR", 12, 12),
    ("MND", "Mandali", "land", "IRN", 4, 6),
    ("MNT", "Munthiriya", "land", "IRN", 5, 6),
    ("HJO", "Haji Omaran", "land", "IRN", 3, 4),
    ("BSH", "Bashmakh", "land", "IRN", 3, 4),
    ("SHB", "Sheeb", "land", "IRN", 2, 4),
    ("TRB", "Trebil", "land", "JOR", 4, 6),
    ("SFW", "Safwan", "land", "KWT", 3, 6),
    ("ARR", "Arar", "land", "SAU", 3, 4),
    ("JMM", "Jumaima", "land", "SAU", 1, 3),
    ("QIM", "Al-Qaim", "land", "SYR", 2, 4),
    ("RBA", "Rabia", "land", "SYR", 1, 3),
    ("UMQ", "Umm Qasr", "seaport", "", 2, 4),
    ("KZB", "Khor al-Zubair", "seaport", "", 1, 3),
]
GREEN = [("GBW", "Western desert sector", "green_border", "SYR"), ("GBE", "Eastern marsh sector", "green_border", "IRN")]

NATIONALITIES = {"IRQ": 50, "IRN": 18, "TUR": 6, "SYR": 4, "JOR": 3, "KWT": 2, "SAU": 2, "LBN": 2, "EGY": 2,
                 "IND": 1.5, "PAK": 1.5, "GBR": 1, "USA": 1, "DEU": 1, "CHN": 1, "AZE": 1, "BHR": 1, "ARE": 1,
                 "QAT": 0.5, "FRA": 0.5}
REFUSAL_CODES = [("RA", "No valid travel document"), ("RB", "No valid visa"), ("RC", "Entry ban (watchlist)"),
                 ("RD", "Purpose or means of stay not justified"), ("RE", "Forged or altered document")]
LAND_PROFILE = [1, 0.5, 0.4, 0.4, 0.8, 2, 5, 8, 9, 9, 9, 8.5, 8, 8, 8.5, 8.5, 8, 7, 6, 4.5, 3.5, 2.5, 1.8, 1.2]
AIR_PROFILE = [3, 3.5, 4, 3, 2.5, 3, 4, 5, 5.5, 5.5, 5, 5, 5, 5, 5, 5, 5.5, 6, 6, 5.5, 5, 4.5, 4, 3.5]
MODE_SECONDS = {"air": 35, "vehicle": 55, "pedestrian": 40, "sea": 60, "rail": 50}


def ensure_database(url: str, reset: bool) -> None:
    import psycopg

    dbname = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if exists and reset:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (dbname,))
            conn.execute(f'DROP DATABASE "{dbname}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{dbname}"')


def setup(url: str, reset: bool) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bmis.settings")
    ensure_database(url, reset)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- COPY --------------------------------------------------------------------------------------


def _default_text(field) -> str | None:
    """What a column not generated here holds: NULL, the field's default, or empty text."""
    import json

    if field.null:
        return None
    if field.has_default():
        value = field.get_default()
        if field.get_internal_type() == "JSONField":
            return json.dumps(value)
        if isinstance(value, bool):
            return "t" if value else "f"
        return str(value)
    if field.get_internal_type() in ("CharField", "TextField", "FileField", "ImageField"):
        return ""
    if field.get_internal_type() == "BooleanField":
        return "f"
    raise ValueError(f"{field.model.__name__}.{field.name} needs a generated value")


def copy_rows(cursor, model, values: dict, n: int) -> None:
    """COPY n rows into model's table: `values` maps column → array of n strings (None → NULL) or
    one constant; every other column gets its default."""
    from itertools import repeat

    columns, iterables = [], []
    for field in model._meta.concrete_fields:
        column = field.column
        columns.append(column)
        value = values[column] if column in values else _default_text(field)
        if value is None:
            iterables.append(repeat("\\N", n))
        elif isinstance(value, str):
            iterables.append(repeat(value, n))
        else:
            iterables.append(value)
    unknown = set(values) - set(columns)
    if unknown:
        raise ValueError(f"unknown columns {unknown}")
    data = "\n".join("\t".join(row) for row in zip(*iterables, strict=False)) + "\n"
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
        step = 8 << 20
        for i in range(0, len(data), step):
            copy.write(data[i:i + step])


def timestamps(epoch: np.ndarray) -> list[str]:
    text = np.datetime_as_string(epoch.astype("datetime64[s]"), unit="s")
    return [t + "+00" for t in text.tolist()]


def ints(arr: np.ndarray) -> list[str]:
    return arr.astype(np.int64).astype(str).tolist()


def floats(arr: np.ndarray) -> list[str]:
    return np.char.mod("%.3f", arr).tolist()


# --- reference data ------------------------------------------------------------------------------


def reference_data(rng: np.random.Generator):
    from django.contrib.auth.hashers import make_password

    from accounts.models import Agency, User
    from accounts.permissions import Role
    from core.models import Booth, BorderPost
    from travelers.models import ReasonCode

    agency, _ = Agency.objects.get_or_create(code="BPD", defaults={"name": "Border Ports Directorate", "kind": "border"})
    posts = []
    for code, name, kind, neighbour, _weight, nbooths in POSTS:
        post, _ = BorderPost.objects.get_or_create(code=code, defaults={"name": name, "kind": kind,
                                                                         "neighbour_country": neighbour})
        for b in range(1, nbooths + 1):
            Booth.objects.get_or_create(post=post, code=f"B{b:02d}", defaults={"name": f"Booth {b}"})
        posts.append(post)
    for code, name, kind, neighbour in GREEN:
        BorderPost.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "neighbour_country": neighbour})
    for code, label in REFUSAL_CODES:
        ReasonCode.objects.get_or_create(code=code, defaults={"label": label, "use": "refuse"})
    password = make_password("bench-password-not-secret")
    officers: dict[int, list[int]] = {}
    for post in posts:
        nbooths = post.booths.count()
        wanted = [f"bench.{post.code.lower()}.{i:03d}" for i in range(nbooths * 4)]
        existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        User.objects.bulk_create([User(username=u, role=Role.OFFICER, agency=agency, password=password)
                                  for u in wanted if u not in existing])
        users = list(User.objects.filter(username__in=wanted).order_by("username"))
        User.posts.through.objects.bulk_create([User.posts.through(user_id=u.pk, borderpost_id=post.pk)
                                                for u in users], ignore_conflicts=True)
        officers[post.pk] = [u.pk for u in users]
    supervisor, created = User.objects.get_or_create(username="bench.supervisor", defaults={
        "role": Role.SUPERVISOR, "agency": agency, "is_national": True, "password": password})
    officer, _ = User.objects.get_or_create(username="bench.officer", defaults={
        "role": Role.OFFICER, "agency": agency, "password": password})
    officer.posts.add(posts[4])
    booths = {p.pk: list(p.booths.order_by("code").values_list("pk", flat=True)) for p in posts}
    reasons = {
        "refuse": list(ReasonCode.objects.filter(code__in=[c for c, _ in REFUSAL_CODES]).values_list("pk", flat=True)),
        "refer": list(ReasonCode.objects.filter(use="refer").values_list("pk", flat=True)),
    }
    return posts, booths, officers, reasons, supervisor


# --- indexes -------------------------------------------------------------------------------------

BIG = ["travelers_person", "travelers_traveldocument", "travelers_inspection", "travelers_movement",
       "travelers_secondaryinspection"]


def drop_indexes(cursor) -> list[str]:
    cursor.execute("""
        SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))""", (BIG,))
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    return [definition for _name, definition in found]


def create_indexes(cursor, definitions: list[str]) -> None:
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for definition in definitions:
        cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))


# --- generation ----------------------------------------------------------------------------------


def load_persons(cursor, rng, n: int, now: datetime, batch: int) -> tuple[dict[str, tuple[int, int]], int]:
    """n persons with a passport each, sorted by nationality: {nationality: (first id, count)}."""
    from travelers.models import Person, TravelDocument

    codes = list(NATIONALITIES)
    weights = np.array([NATIONALITIES[c] for c in codes], dtype=float)
    counts = np.floor(weights / weights.sum() * n).astype(int)
    counts[0] += n - counts.sum()
    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM travelers_person")
    start = cursor.fetchone()[0] + 1
    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM travelers_traveldocument")
    doc_start = cursor.fetchone()[0] + 1
    if doc_start != start:
        raise SystemExit("persons and documents are out of step: use --reset")
    ranges, nat = {}, []
    first = start
    for code, count in zip(codes, counts, strict=True):
        ranges[code] = (first, int(count))
        nat += [code] * int(count)
        first += int(count)
    stamp = now.isoformat()
    for i in range(0, n, batch):
        m = min(batch, n - i)
        ids = np.arange(start + i, start + i + m)
        id_text = ints(ids)
        nats = nat[i:i + m]
        years = ints(rng.integers(1940, 2010, m))
        sexes = rng.choice(["M", "F"], m).tolist()
        surnames = [f"TRAVELER{x}" for x in id_text]
        copy_rows(cursor, Person, {
            "id": id_text, "birth_year": years, "primary_identifier": surnames, "secondary_identifier": "BENCH",
            "sex": sexes, "nationality": nats, "match_key": surnames, "created_at": stamp, "updated_at": stamp,
        }, m)
        copy_rows(cursor, TravelDocument, {
            "id": id_text, "birth_year": years, "person_id": id_text, "kind": "passport", "document_code": "P",
            "number": [f"B{x}" for x in id_text], "issuing_state": nats, "nationality": nats,
            "primary_identifier": surnames, "secondary_identifier": "BENCH", "sex": sexes,
            "date_of_expiry": "2031-06-30", "match_rule": "new", "created_at": stamp,
        }, m)
    return ranges, n


def day_weights(days: int, end: datetime) -> tuple[np.ndarray, np.ndarray]:
    """Start (local midnight, as UTC epoch) and weight of each day."""
    last = (end + timedelta(hours=LOCAL_OFFSET_HOURS)).date()
    dates = [last - timedelta(days=d) for d in range(days - 1, -1, -1)]
    starts = np.array([datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() - LOCAL_OFFSET_HOURS * 3600
                       for d in dates])
    dow = np.array([[1.0, 1.0, 1.0, 1.15, 1.3, 1.1, 0.95][d.weekday()] for d in dates])
    doy = np.array([d.timetuple().tm_yday for d in dates])
    season = 1 + 0.15 * np.sin(2 * np.pi * (doy - 100) / 365) + 0.1 * np.arange(days) / days
    holidays = np.ones(days)
    for centre, boost in ((days - 60, 1.7), (days - 130, 1.5), (days - 250, 1.6)):
        if 0 <= centre < days:
            holidays[max(0, centre - 2):centre + 3] = boost
    if days > 200:
        holidays[days - 200] = 0.05  # a closed day
    return starts, dow * season * holidays


def load_movements(cursor, rng, *, n: int, persons: dict, days: int, now: datetime, posts, booths, officers, reasons,
                   batch: int, deadline: float) -> int:
    from travelers.models import Inspection, Movement, SecondaryInspection

    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM travelers_movement")
    start = cursor.fetchone()[0] + 1
    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM travelers_inspection")
    if cursor.fetchone()[0] + 1 != start:
        raise SystemExit("inspections and movements are out of step: use --reset")
    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM travelers_secondaryinspection")
    secondary_next = cursor.fetchone()[0] + 1

    post_ids = np.array([p.pk for p in posts])
    post_w = np.array([w for *_x, w, _b in POSTS], dtype=float)
    post_w /= post_w.sum()
    kinds = [k for _c, _n, k, *_r in POSTS]
    neighbours = [nb for _c, _n, _k, nb, *_r in POSTS]
    codes = list(NATIONALITIES)
    base_w = np.array([NATIONALITIES[c] for c in codes], dtype=float)
    nat_w = []
    for neighbour in neighbours:
        w = base_w.copy()
        if neighbour in codes:
            w[codes.index(neighbour)] *= 4
        nat_w.append(w / w.sum())
    day_start, day_w = day_weights(days, now)
    day_w = day_w / day_w.sum()
    profiles = {"land": np.array(LAND_PROFILE), "airport": np.array(AIR_PROFILE), "seaport": np.array(LAND_PROFILE)}
    profiles = {k: v / v.sum() for k, v in profiles.items()}
    officer_factor = {o: float(np.exp(rng.normal(0, 0.2))) for ids in officers.values() for o in ids}
    nat_first = np.array([persons[c][0] for c in codes])
    nat_count = np.array([persons[c][1] for c in codes])
    written = 0
    now_epoch = now.timestamp()
    while written < n:
        if time.monotonic() > deadline:
            print(f"  budget reached: {written:,} movements written of {n:,}", flush=True)
            break
        m = min(batch, n - written)
        ids = np.arange(start + written, start + written + m)
        p_index = rng.choice(len(posts), m, p=post_w)
        day = rng.choice(days, m, p=day_w)
        hour = np.empty(m, dtype=np.int64)
        nat = np.empty(m, dtype=np.int64)
        booth = np.empty(m, dtype=np.int64)
        officer = np.empty(m, dtype=np.int64)
        mode = np.empty(m, dtype=object)
        for k in range(len(posts)):
            mask = p_index == k
            c = int(mask.sum())
            if not c:
                continue
            hour[mask] = rng.choice(24, c, p=profiles[kinds[k]])
            nat[mask] = rng.choice(len(codes), c, p=nat_w[k])
            pb = np.array(booths[post_ids[k]])
            bi = rng.integers(0, len(pb), c)
            booth[mask] = pb[bi]
            po = np.array(officers[post_ids[k]])
            officer[mask] = po[np.minimum(bi * 4 + rng.integers(0, 4, c), len(po) - 1)]
            if kinds[k] == "airport":
                mode[mask] = "air"
            elif kinds[k] == "seaport":
                mode[mask] = "sea"
            else:
                mode[mask] = rng.choice(["vehicle", "pedestrian", "rail"], c, p=[0.7, 0.27, 0.03])
        occurred = day_start[day] + hour * 3600 + rng.uniform(0, 3600, m)
        future = occurred > now_epoch - 1
        occurred[future] -= 7 * 86400
        # the traveler: of the drawn nationality, skewed towards frequent travelers
        person = nat_first[nat] + np.floor(nat_count[nat] * rng.random(m) ** 2.5).astype(np.int64)
        direction = np.where(rng.random(m) < 0.5, "entry", "exit")
        base = np.array([MODE_SECONDS[x] for x in mode])
        factor = np.array([officer_factor[o] for o in officer.tolist()])
        seconds = np.round(base * factor * np.exp(rng.normal(0, 0.5, m)), 3)
        referred = rng.random(m) < 0.03
        u = rng.random(m)
        decision = np.where(referred,
                            np.select([u < 0.70, u < 0.95, u < 0.98], ["admitted", "refused", "handed_over"], "withdrawn"),
                            np.where(u < 0.984, "admitted", "refused"))
        decided = np.where(referred, occurred - rng.uniform(600, 5400, m), occurred)
        read = decided - seconds
        inspection_decision = np.where(referred, "refer", np.where(decision == "admitted", "admit", "refuse"))
        refuse_codes = np.array(reasons["refuse"])
        refer_codes = np.array(reasons["refer"])
        booth_reason = np.where(referred, refer_codes[rng.integers(0, len(refer_codes), m)],
                                np.where(decision == "refused", refuse_codes[rng.integers(0, len(refuse_codes), m)], 0))
        id_text, person_text = ints(ids), ints(person)
        post_text, booth_text, officer_text = ints(post_ids[p_index]), ints(booth), ints(officer)
        modes, directions = mode.tolist(), direction.tolist()
        occurred_text = timestamps(occurred)
        copy_rows(cursor, Inspection, {
            "id": id_text, "post_id": post_text, "booth_id": booth_text, "officer_id": officer_text,
            "direction": directions, "status": "closed", "person_id": person_text, "document_id": person_text,
            "source": "mrz", "transport_mode": modes, "decision": inspection_decision.tolist(),
            "reason_code_id": [str(r) if r else "\\N" for r in booth_reason.tolist()],
            "read_at": timestamps(read), "decided_at": timestamps(decided), "seconds_to_decision": floats(seconds),
        }, m)
        copy_rows(cursor, Movement, {
            "id": id_text, "person_id": person_text, "document_id": person_text, "inspection_id": id_text,
            "direction": directions, "post_id": post_text, "booth_id": booth_text, "officer_id": officer_text,
            "occurred_at": occurred_text, "transport_mode": modes, "decision": decision.tolist(),
        }, m)
        r = np.flatnonzero(referred)
        if len(r):
            outcome = {"admitted": "admit", "refused": "refuse", "handed_over": "handover", "withdrawn": "withdrawn"}
            copy_rows(cursor, SecondaryInspection, {
                "id": ints(np.arange(secondary_next, secondary_next + len(r))), "inspection_id": ints(ids[r]),
                "status": "done", "referred_at": timestamps(decided[r]), "taken_by_id": ints(officer[r]),
                "taken_at": timestamps(decided[r] + 60), "outcome": [outcome[d] for d in decision[r].tolist()],
                "reason_code_id": [str(refuse_codes[i % len(refuse_codes)]) if d == "refused" else "\\N"
                                   for i, d in enumerate(decision[r].tolist())],
                "closed_at": timestamps(occurred[r]),
            }, len(r))
            secondary_next += len(r)
        written += m
        print(f"  {written:,} movements", flush=True)
    return written


def live_state(rng, *, now: datetime, posts, booths, officers, persons_total: int, first_person: int) -> dict:
    """What is happening now: open inspections, travelers waiting in secondary, pending hits."""
    from django.db import connection

    from travelers.models import Inspection, SecondaryInspection
    from watchlists.models import Hit

    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('travelers_inspection', 'id'), "
                       "(SELECT COALESCE(MAX(id), 1) FROM travelers_inspection))")
    opened, waiting = [], []
    for i in range(40):
        post = posts[i % len(posts)]
        person = first_person + int(rng.integers(0, persons_total))
        booth = booths[post.pk][i % len(booths[post.pk])]
        read = now - timedelta(seconds=int(rng.integers(5, 25 * 60)))
        opened.append(Inspection(post=post, booth_id=booth, officer_id=officers[post.pk][0], direction="entry",
                                 person_id=person, document_id=person, source="mrz", read_at=read,
                                 transport_mode="air" if post.kind == "airport" else "vehicle"))
    Inspection.objects.bulk_create(opened)
    for i in range(12):
        post = posts[(i * 3) % len(posts)]
        person = first_person + int(rng.integers(0, persons_total))
        decided = now - timedelta(minutes=int(rng.integers(2, 70)))
        inspection = Inspection.objects.create(
            post=post, booth_id=booths[post.pk][0], officer_id=officers[post.pk][1], direction="entry",
            person_id=person, document_id=person, source="mrz", read_at=decided - timedelta(seconds=90),
            decided_at=decided, seconds_to_decision=90.0, decision="refer", status="referred")
        waiting.append(SecondaryInspection(inspection=inspection, referred_at=decided,
                                           required_action=["arrest", "refuse", "refer"][i % 3]))
    SecondaryInspection.objects.bulk_create(waiting)
    hits = [Hit(source="name", status="pending", score=0.9, threshold=0.8,
                action=["arrest", "refuse", "refer", "notify", "monitor"][i % 5], post=posts[i % len(posts)],
                person_id=first_person + int(rng.integers(0, persons_total)), matched_name="BENCH MATCH")
            for i in range(300)]
    Hit.objects.bulk_create(hits)
    return {"open": len(opened), "waiting": len(waiting), "hits": len(hits)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_ANALYTICS_DATABASE", DEFAULT_DB))
    parser.add_argument("--movements", type=int, default=10_000_000)
    parser.add_argument("--persons", type=int, default=2_000_000)
    parser.add_argument("--days", type=int, default=400)
    parser.add_argument("--batch", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--budget-minutes", type=float, default=0, help="stop loading movements after this")
    parser.add_argument("--reset", action="store_true", help="drop and create the database first")
    args = parser.parse_args()
    t0 = time.monotonic()
    setup(args.database, args.reset)
    from django.db import connection, transaction

    from analytics.rollups import rollups_rebuild

    rng = np.random.default_rng(args.seed)
    now = datetime.now(UTC)
    deadline = t0 + args.budget_minutes * 60 if args.budget_minutes else float("inf")
    print(f"database {args.database.rsplit('/', 1)[1]}; target {args.movements:,} movements, {args.persons:,} persons, "
          f"{args.days} days up to {now:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores", flush=True)
    posts, booths, officers, reasons, _supervisor = reference_data(rng)
    timings = {}
    with transaction.atomic():
        cursor = connection.connection.cursor()
        cursor.execute("SET session_replication_role = replica")  # no FK triggers during COPY
        definitions = drop_indexes(cursor)
        t = time.monotonic()
        persons, n_persons = load_persons(cursor, rng, args.persons, now, args.batch)
        timings["persons and documents (COPY)"] = time.monotonic() - t
        print(f"  {n_persons:,} persons and documents", flush=True)
        t = time.monotonic()
        written = load_movements(cursor, rng, n=args.movements, persons=persons, days=args.days, now=now, posts=posts,
                                 booths=booths, officers=officers, reasons=reasons, batch=args.batch,
                                 deadline=deadline)
        timings["movements, inspections, secondary (COPY)"] = time.monotonic() - t
        cursor.execute("SET session_replication_role = origin")
        t = time.monotonic()
        create_indexes(cursor, definitions)
        timings["secondary indexes"] = time.monotonic() - t
        for table in BIG:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
    first_person = min(first for first, _count in persons.values())
    state = live_state(rng, now=now, posts=posts, booths=booths, officers=officers, persons_total=n_persons,
                       first_person=first_person)
    t = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["ANALYZE"] = time.monotonic() - t
    result = rollups_rebuild()
    timings["rollups_rebuild (from scratch)"] = result["seconds"]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE analytics_movementrollup")
        cursor.execute("ANALYZE analytics_movementdayrollup")
        cursor.execute("ANALYZE analytics_inspectionrollup")
        sizes = {}
        for table in ["travelers_movement", "travelers_inspection", "travelers_person", "analytics_movementrollup",
                      "analytics_movementdayrollup", "analytics_inspectionrollup"]:
            cursor.execute(f"SELECT COUNT(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            sizes[table] = cursor.fetchone()
    print(f"\nwritten: {written:,} movements (target {args.movements:,}), {n_persons:,} persons; live state {state}")
    print("\n| step | seconds |\n|---|---|")
    for step, seconds in timings.items():
        print(f"| {step} | {seconds:.1f} |")
    print(f"| total | {time.monotonic() - t0:.1f} |")
    print("\n| table | rows | size |\n|---|---|---|")
    for table, (rows, size) in sizes.items():
        print(f"| {table} | {rows:,} | {size} |")


if __name__ == "__main__":
    main()
