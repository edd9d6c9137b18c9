"""Detection ingest through the device API on PostgreSQL, served by gunicorn (issue 14: at least
500 events/s sustained for a minute, p95 <= 50 ms per request, none lost).

Run:  .venv/bin/python bench/device_ingest.py                      # 500 events/s for 60 s
      .venv/bin/python bench/device_ingest.py --rate 300 --duration 20 --workers 3

What it does, in one command:
1. creates a throw-away PostgreSQL database (--db, dropped first), migrates it, and registers
   --cameras thermal cameras in four sectors of two posts through the registration service
   (real hashed credentials);
2. starts the production web server: gunicorn with gunicorn.conf.py, production-like settings
   (DEBUG off with secrets from files, behind the TLS proxy, DATABASE_URL to PostgreSQL,
   CELERY_BROKER_URL and CACHE_URL to Redis: detections' background handler is queued to the
   broker on commit (one task per event, one per batch), not run in the request; no Celery worker
   runs, so the queue only fills);
3. reference: GET /healthz (database and cache checks) through the same server and client, open
   loop at the same rate for --ref-duration seconds;
4. drives POST /api/v1/devices/detections open loop at --rate for --duration seconds from an
   asyncio + aiohttp generator in this process (it shares the machine's cores with the server and
   PostgreSQL: its own CPU time is printed). Every body is real: a unique event_id, a position
   inside the camera's sector (a point, or bearing and distance from the camera), a track id, and
   for --snapshot-share of them a small PNG snapshot. Latency is measured from the moment each
   request was due (open loop: a late start counts), so a server that falls behind shows it;
5. counts DeviceEvent and Detection rows (and the tasks queued on the broker) against the events
   acknowledged (201), then resends --resend of them: each must answer 200 with its first
   received_at, and the counts must not move.

With --batch N the same events go N per request to POST /api/v1/devices/detections/batch (when
that endpoint exists), at --rate events/s.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = "postgres://postgres@127.0.0.1:5432"
DETECTIONS = "/api/v1/devices/detections"
SECTORS = [  # code, post, [lon, lat] line along the border (drawn, not surveyed)
    ("BSEC1", "BPOST1", [[45.90, 33.60], [46.10, 33.40]]),
    ("BSEC2", "BPOST1", [[46.10, 33.40], [46.30, 33.20]]),
    ("BSEC3", "BPOST2", [[41.00, 34.40], [41.20, 34.20]]),
    ("BSEC4", "BPOST2", [[41.20, 34.20], [41.40, 34.00]]),
]
BUFFER_M = 3000


# --- set-up: database, cameras, server ---------------------------------------------------------

def server_env(args, tmp: Path) -> dict:
    secret = tmp / "secret_key"
    audit = tmp / "audit_key"
    for path in (secret, audit):
        if not path.exists():
            path.write_text(base64.urlsafe_b64encode(os.urandom(48)).decode())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BMIS_", "DATABASE_URL", "CELERY_", "CACHE_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "bmis.settings",
        "DATABASE_URL": f"{PG}/{args.db}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "CACHE_URL": f"redis://127.0.0.1:6379/{args.cache_db}",
        "BMIS_DEBUG": "false",
        "BMIS_SECRET_KEY_FILE": str(secret),
        "BMIS_AUDIT_KEY_FILE": str(audit),
        "BMIS_BEHIND_TLS_PROXY": "true",
        "BMIS_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BMIS_CSRF_TRUSTED_ORIGINS": "https://127.0.0.1",
        "BMIS_VAR_DIR": str(tmp / "var"),
        "BMIS_BIND": f"127.0.0.1:{args.port}",
        "BMIS_WEB_WORKERS": str(args.workers),
        "BMIS_LOG_LEVEL": "WARNING",
    })
    if os.environ.get("BMIS_SHARED_DIR"):
        env["BMIS_SHARED_DIR"] = os.environ["BMIS_SHARED_DIR"]
    return env


def create_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_cameras(n: int) -> list[dict]:
    """Two posts, four sectors, n thermal cameras registered through the service (real credentials)."""
    from django.db import transaction

    from audit.services import audit_log
    from core import geo
    from core.models import BorderPost, PostKind, Sector
    from devices.tests.factories import make_device

    posts = {code: BorderPost.objects.create(code=code, name=f"Bench post {code}", kind=PostKind.LAND,
                                             country="IRQ", neighbour_country="IRN")
             for code in sorted({p for _, p, _ in SECTORS})}
    sectors = []
    for code, post, line in SECTORS:
        sector = Sector(code=code, post=posts[post], name=f"Bench sector {code}",
                        geometry={"type": "LineString", "coordinates": line}, buffer_m=BUFFER_M)
        sector.full_clean()
        with transaction.atomic():
            sector.save()
            audit_log(actor=None, action="sector.create", obj=sector, metadata={"via": "bench"})
        sectors.append(sector)
    cameras = []
    for i in range(n):
        sector = sectors[i % len(sectors)]
        (lon0, lat0), (lon1, lat1) = sector.geometry["coordinates"]
        t = (i // len(sectors) + 0.5) / math.ceil(n / len(sectors))
        lat, lon = lat0 + t * (lat1 - lat0), lon0 + t * (lon1 - lon0)
        device, raw = make_device("thermal_camera", post=sector.post, sector=sector, code=f"BTHERM{i + 1:03d}",
                                  latitude=round(lat, 6), longitude=round(lon, 6), vendor="Bench", model="T1")
        assert geo.contains(sector.geometry, lat, lon, sector.buffer_m)
        cameras.append({"code": device.code, "credential": raw, "lat": lat, "lon": lon,
                        "geometry": sector.geometry, "buffer_m": sector.buffer_m})
    return cameras


def start_server(args, env: dict, log: Path) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py"]
    if args.threads > 1:
        cmd += ["--threads", str(args.threads)]
    cmd += ["bench.device_ingest_app:application"]
    out = log.open("wb")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_ready(port: int, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not answer /healthz in time: see its log")


# --- bodies -------------------------------------------------------------------------------------

def snapshot_b64() -> str:
    """A small thermal-looking PNG (80 x 60 grey gradient with a warm blob), about 1-2 kB."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (80, 60))
    image.putdata([(x * 2 + y) % 256 for y in range(60) for x in range(80)])
    ImageDraw.Draw(image).ellipse((30, 20, 44, 46), fill=250)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def _bearing(lat1, lon1, lat2, lon2) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360) % 360


def make_body(rng: random.Random, camera: dict, due: datetime, snapshot: str | None, polar: bool) -> dict:
    from core import geo

    (lon0, lat0), (lon1, lat1) = camera["geometry"]["coordinates"]
    while True:  # a point near the line, within 80 % of the buffer, no further than 5 km from the camera
        t = rng.random()
        lat, lon = geo.destination(lat0 + t * (lat1 - lat0), lon0 + t * (lon1 - lon0), rng.uniform(0, 360),
                                   rng.uniform(0, 0.8 * camera["buffer_m"]))
        if geo.distance_m(camera["lat"], camera["lon"], lat, lon) <= 5000 and \
                geo.contains(camera["geometry"], lat, lon, camera["buffer_m"]):
            break
    body = {"event_id": str(uuid.uuid4()), "time": due.isoformat(timespec="milliseconds"),
            "class": rng.choice(["person", "person", "person", "vehicle", "animal", "unknown"]),
            "count": rng.randint(1, 6), "confidence": round(rng.uniform(0.4, 0.99), 2),
            "track_id": f"{camera['code']}-T{rng.randint(1, 400)}"}
    if polar:
        bearing = round(_bearing(camera["lat"], camera["lon"], lat, lon), 2)
        distance = round(geo.distance_m(camera["lat"], camera["lon"], lat, lon), 1)
        if geo.contains(camera["geometry"], *geo.destination(camera["lat"], camera["lon"], bearing, distance),
                        camera["buffer_m"]):
            body.update(bearing_deg=bearing, distance_m=distance)
            polar = False
        else:
            polar = True
    if "bearing_deg" not in body:
        body.update(latitude=round(lat, 6), longitude=round(lon, 6))
    if snapshot:
        body["snapshot"] = snapshot
    return body


# --- load generation ----------------------------------------------------------------------------

class Result:
    __slots__ = ("due", "sent", "done", "status", "body")

    def __init__(self, due: float):
        self.due, self.sent, self.done, self.status, self.body = due, 0.0, 0.0, 0, b""


async def open_loop(base: str, requests: list[tuple[str, str, bytes | None, dict]], rate: float,
                    concurrency: int, keep_bodies: bool = False) -> tuple[list[Result], float, float]:
    """Send requests[i] at start + i / rate whatever came back before (open loop). Returns the
    results, the start (perf_counter) and the client's CPU seconds spent."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    results: list[Result] = []
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as session:
        async def one(res: Result, method: str, path: str, data: bytes | None, headers: dict) -> None:
            res.sent = time.perf_counter()
            try:
                async with session.request(method, path, data=data, headers=headers) as resp:
                    body = await resp.read()
                    res.status = resp.status
                    if keep_bodies or resp.status >= 300:
                        res.body = body
            except (TimeoutError, aiohttp.ClientError) as exc:
                res.status = -1
                res.body = type(exc).__name__.encode()
            res.done = time.perf_counter()

        cpu0 = time.process_time()
        start = time.perf_counter() + 0.2
        tasks = []
        for i, (method, path, data, headers) in enumerate(requests):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            res = Result(due)
            results.append(res)
            tasks.append(asyncio.create_task(one(res, method, path, data, headers)))
        await asyncio.gather(*tasks)
        cpu = time.process_time() - cpu0
    return results, start, cpu


def summarize(results: list[Result], start: float, per_request_events: int = 1) -> dict:
    lat = sorted((r.done - r.due) * 1e3 for r in results)
    service = sorted((r.done - r.sent) * 1e3 for r in results)
    ok = [r for r in results if 200 <= r.status < 300]
    end = max(r.done for r in results)
    wall = end - start

    def pct(values, p):
        return values[min(len(values) - 1, max(0, math.ceil(len(values) * p) - 1))]

    statuses: dict[int, int] = {}
    for r in results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    return {"n": len(results), "ok": len(ok), "wall": wall, "rate": len(ok) * per_request_events / wall,
            "p50": pct(lat, 0.50), "p95": pct(lat, 0.95), "p99": pct(lat, 0.99), "max": lat[-1],
            "mean": statistics.fmean(lat), "svc_p50": pct(service, 0.5), "svc_p95": pct(service, 0.95),
            "late_p95": pct(sorted((r.sent - r.due) * 1e3 for r in results), 0.95), "statuses": statuses}


# --- CPU accounting from /proc ------------------------------------------------------------------

def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def _children(ppid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == ppid:
                    out.append(int(entry.name))
            except (OSError, IndexError):
                pass
    return out


def _postgres_pids() -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    out.append(int(entry.name))
            except OSError:
                pass
    return out


def _machine_busy() -> tuple[int, int]:
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


class CpuMeter:
    """CPU seconds of the gunicorn workers, of PostgreSQL and of the whole machine over a phase."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.hz = os.sysconf("SC_CLK_TCK")

    def snapshot(self) -> dict:
        workers = _children(self.server_pid)
        pg = _postgres_pids()
        busy, total = _machine_busy()
        return {"server": sum(_ticks(p) for p in [self.server_pid, *workers]),
                "pg": {p: _ticks(p) for p in pg}, "busy": busy, "total": total}

    def delta(self, a: dict, b: dict) -> dict:
        pg = sum(b["pg"][p] - a["pg"].get(p, 0) for p in b["pg"])
        return {"server": (b["server"] - a["server"]) / self.hz, "pg": pg / self.hz,
                "machine_busy": (b["busy"] - a["busy"]) / max(1, b["total"] - a["total"])}


def server_ms(log: Path, path: str, since_line: int) -> tuple[list[float], int]:
    """Per-request durations gunicorn logged (%(M)s: milliseconds in the worker) for `path`."""
    lines = log.read_text(errors="replace").splitlines()
    pattern = re.compile(rf'"(?:GET|POST) {re.escape(path)} HTTP/1\.1" \d+ \d+ (\d+)ms')
    values = [float(m.group(1)) for line in lines[since_line:] if (m := pattern.search(line))]
    return values, len(lines)


def summarize_py_spy(raw: Path, out: Path, top: int = 40) -> None:
    """py-spy's collapsed stacks -> the share of samples in which each function is on the stack
    (inclusive) and at the top (exclusive), for the functions of the project and its libraries."""
    inclusive: dict[str, int] = {}
    exclusive: dict[str, int] = {}
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0].replace(str(ROOT) + "/", "")
                  .replace(".venv/lib/python3.11/site-packages/", "") + ")" if " (" in f else f
                  for f in stack.split(";")[1:]]
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + n
        if frames:
            exclusive[frames[-1]] = exclusive.get(frames[-1], 0) + n
    lines = [f"{total} samples of the gunicorn workers (busy and idle)", "", "inclusive %  function (file)"]
    lines += [f"{100 * n / total:10.1f}  {name}" for name, n in sorted(inclusive.items(), key=lambda x: -x[1])[:top]]
    lines += ["", "exclusive %  function (file)"]
    lines += [f"{100 * n / total:10.1f}  {name}" for name, n in sorted(exclusive.items(), key=lambda x: -x[1])[:top]]
    out.write_text("\n".join(lines) + "\n")


# --- the run ------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=500, help="events per second offered (open loop)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of detection ingest measured")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of ingest before the measured run")
    parser.add_argument("--ref-duration", type=float, default=10, help="seconds of GET /healthz (reference)")
    parser.add_argument("--cameras", type=int, default=20)
    parser.add_argument("--snapshot-share", type=float, default=0.1, help="share of detections with a snapshot")
    parser.add_argument("--polar-share", type=float, default=0.2,
                        help="share of detections positioned by bearing and distance from the camera")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BMIS_WEB_WORKERS", "4")),
                        help="gunicorn workers (gunicorn.conf.py's default: BMIS_WEB_WORKERS or 4)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (>1: gthread)")
    parser.add_argument("--concurrency", type=int, default=64, help="client connections at most in flight")
    parser.add_argument("--batch", type=int, default=0, help="events per request to .../detections/batch (0: one per request)")
    parser.add_argument("--resend", type=int, default=500, help="acknowledged events sent again afterwards")
    parser.add_argument("--db", default="bmis_bench_ingest")
    parser.add_argument("--redis-db", type=int, default=9, help="Celery broker's Redis db (flushed)")
    parser.add_argument("--cache-db", type=int, default=10, help="cache's Redis db (flushed)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="keep the database and the server log")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--py-spy", metavar="FILE", help="profile the gunicorn workers during the measured run with "
                        "py-spy (sampling; its own CPU competes too): a text summary of the hottest functions in FILE")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bmis-bench-ingest-"))
    env = server_env(args, tmp)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("BMIS_", "DATABASE_URL", "CELERY_", "CACHE_URL",
                                                                      "DJANGO_"))})
    import redis

    for db in (args.redis_db, args.cache_db):
        redis.Redis(host="127.0.0.1", port=6379, db=db).flushdb()
    t = time.perf_counter()
    create_database(args.db)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    cameras = setup_cameras(args.cameras)
    setup_s = time.perf_counter() - t
    connection.close()

    log = tmp / "gunicorn.log"
    server = start_server(args, env, log)
    try:
        wait_ready(args.port)
        run(args, server, log, cameras, setup_s)
    finally:
        stop_server(server)
        if args.keep:
            print(f"kept: database {args.db}, server log {log}")
        else:
            connection.close()
            drop_database(args.db)
            shutil.rmtree(tmp, ignore_errors=True)


def run(args, server: subprocess.Popen, log: Path, cameras: list[dict], setup_s: float) -> None:
    from django.db import connection

    from devices.models import Detection, DeviceEvent

    rng = random.Random(args.seed)
    snap = snapshot_b64()
    base = f"http://127.0.0.1:{args.port}"
    proxy = {"X-Forwarded-Proto": "https"}  # as the TLS proxy in front of gunicorn sets it
    batch = max(0, args.batch)
    per_request = batch or 1
    request_rate = args.rate / per_request

    def bodies(seconds: float, t0: datetime) -> list[tuple[dict, dict]]:
        n = int(args.rate * seconds)
        out = []
        for i in range(n):
            camera = cameras[rng.randrange(len(cameras))]
            due = t0 + timedelta(seconds=i / args.rate)
            out.append((camera, make_body(rng, camera, due, snap if rng.random() < args.snapshot_share else None,
                                          rng.random() < args.polar_share)))
        return out

    def requests_for(events: list[tuple[dict, dict]]) -> list[tuple[str, str, bytes, dict]]:
        if not batch:
            return [("POST", DETECTIONS, json.dumps(body).encode(),
                     {**proxy, "Content-Type": "application/json", "Authorization": f"Bearer {cam['credential']}"})
                    for cam, body in events]
        by_camera: dict[str, list] = {}
        out = []
        for cam, body in events:
            group = by_camera.setdefault(cam["code"], [])
            group.append(body)
            if len(group) == batch:
                out.append(("POST", DETECTIONS + "/batch", json.dumps({"events": group}).encode(),
                            {**proxy, "Content-Type": "application/json",
                             "Authorization": f"Bearer {cam['credential']}"}))
                by_camera[cam["code"]] = []
        for code, group in by_camera.items():
            if group:
                cam = next(c for c in cameras if c["code"] == code)
                out.append(("POST", DETECTIONS + "/batch", json.dumps({"events": group}).encode(),
                            {**proxy, "Content-Type": "application/json",
                             "Authorization": f"Bearer {cam['credential']}"}))
        return out

    meter = CpuMeter(server.pid)
    load = os.getloadavg()

    # Warm-up (counted in the database totals, not in the latency figures).
    warm = bodies(args.warmup, datetime.now(UTC))
    asyncio.run(open_loop(base, requests_for(warm), request_rate, args.concurrency))

    # Reference: GET /healthz through the same server and client, same request rate.
    _, mark = server_ms(log, "/healthz", 0)
    ref_n = int(request_rate * args.ref_duration)
    a = meter.snapshot()
    ref, ref_start, ref_cpu = asyncio.run(open_loop(base, [("GET", "/healthz", None, proxy)] * ref_n,
                                                    request_rate, args.concurrency))
    ref_cpu_use = meter.delta(a, meter.snapshot())
    ref_sum = summarize(ref, ref_start)
    ref_server, mark = server_ms(log, "/healthz", mark)

    # Measured ingest.
    events = bodies(args.duration, datetime.now(UTC) + timedelta(seconds=2))
    reqs = requests_for(events)
    spy = None
    if args.py_spy:
        spy = subprocess.Popen([str(ROOT / ".venv/bin/py-spy"), "record", "--pid", str(server.pid), "--subprocesses",
                                "--rate", "50", "--format", "raw", "--output", args.py_spy + ".raw",
                                "--duration", str(int(args.duration))], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    a = meter.snapshot()
    res, start, cli_cpu = asyncio.run(open_loop(base, reqs, request_rate, args.concurrency, keep_bodies=bool(batch)))
    use = meter.delta(a, meter.snapshot())
    summ = summarize(res, start, per_request)
    path = DETECTIONS + ("/batch" if batch else "")
    ingest_server, mark = server_ms(log, path, mark)
    if spy is not None:
        spy.wait(timeout=120)
        summarize_py_spy(Path(args.py_spy + ".raw"), Path(args.py_spy))

    # Acknowledged events: 201 (single) or the per-event status_code in the batch answers.
    acked_ids: set[str] = set()
    per_event: dict = {}
    if batch:
        for r in res:
            if r.status == 200:
                for item in json.loads(r.body)["results"]:
                    per_event[item["status_code"]] = per_event.get(item["status_code"], 0) + 1
                    if item["status_code"] == 201:
                        acked_ids.add(item["event_id"])
    else:
        acked_ids = {events[i][1]["event_id"] for i, r in enumerate(res) if r.status == 201}
    acked = len(acked_ids)
    summ["rate"] = acked / summ["wall"]  # events stored and acknowledged per second
    errors = {s: c for s, c in summ["statuses"].items() if not 200 <= s < 300}
    samples = [r.body[:300] for r in res if r.status >= 300 or r.status < 0][:3]

    # Counts in the database, once the server has finished what it was sent (a request the
    # client gave up on may still be stored: stored, not lost).
    def counts() -> tuple[int, int]:
        connection.close()
        return DeviceEvent.objects.filter(kind="detection").count(), Detection.objects.count()

    previous, stable_since = counts(), time.monotonic()
    while time.monotonic() - stable_since < 3:
        time.sleep(0.5)
        now = counts()
        if now != previous:
            previous, stable_since = now, time.monotonic()
    db_events, db_detections = previous
    db_distinct = DeviceEvent.objects.filter(kind="detection").values("device_id", "event_id").distinct().count()
    measured_ids = [body["event_id"] for _, body in events]
    stored_ids = set(DeviceEvent.objects.filter(event_id__in=measured_ids).values_list("event_id", flat=True))
    lost = len(acked_ids - stored_ids)
    import redis

    queued = redis.Redis(host="127.0.0.1", port=6379, db=args.redis_db).llen("devices")

    # Resend a sample of the acknowledged events, one per request: 200 with the first
    # received_at, nothing new stored.
    index = {body["event_id"]: i for i, (_, body) in enumerate(events)}
    sample = rng.sample(sorted(acked_ids), min(args.resend, len(acked_ids)))
    first = dict(DeviceEvent.objects.filter(event_id__in=sample).values_list("event_id", "received_at"))
    again = [("POST", DETECTIONS, json.dumps(events[index[e]][1]).encode(),
              {**proxy, "Content-Type": "application/json",
               "Authorization": f"Bearer {events[index[e]][0]['credential']}"}) for e in sample]
    rres, _, _ = asyncio.run(open_loop(base, again, 100, args.concurrency, keep_bodies=True))
    same = sum(1 for e, r in zip(sample, rres, strict=True)
               if r.status == 200 and datetime.fromisoformat(json.loads(r.body)["received_at"]) == first.get(e))
    after_events, after_detections = counts()

    # --- report ---------------------------------------------------------------------------------
    import gunicorn
    from django.conf import settings

    cpu = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpu)
    with connection.cursor() as cur:
        cur.execute("show server_version")
        pg_version = cur.fetchone()[0]
        cur.execute("show synchronous_commit")
        sync = cur.fetchone()[0]
    worker_class = "gthread" if args.threads > 1 else "sync"
    print("Detection ingest: POST /api/v1/devices/detections through gunicorn on PostgreSQL")
    print(f"  machine: {os.cpu_count()} cores ({model.group(1) if model else platform.processor()}), "
          f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; Python {platform.python_version()}")
    print(f"  back-end: PostgreSQL {pg_version} (synchronous_commit={sync}), database {args.db}; "
          f"broker Redis db {args.redis_db}, cache Redis db {args.cache_db}; DEBUG {settings.DEBUG}")
    print(f"  server: gunicorn {gunicorn.__version__} -c gunicorn.conf.py, {args.workers} workers x {args.threads} "
          f"thread(s) ({worker_class}), access log on")
    print(f"  client: asyncio + aiohttp in this process, open loop at {args.rate:g} events/s"
          f"{f' ({request_rate:g} requests/s of {batch})' if batch else ''}, at most {args.concurrency} connections; "
          "on the same 2 cores as the server and PostgreSQL")
    print(f"  events: {args.cameras} thermal cameras in {len(SECTORS)} sectors; {args.snapshot_share:.0%} with a "
          f"{len(base64.b64decode(snap))} B PNG snapshot, {args.polar_share:.0%} by bearing and distance; "
          f"warm-up {args.warmup:g} s, measured {args.duration:g} s; set-up (database, migrate, cameras) {setup_s:.0f} s")
    print()
    print("| phase | requests | ok | events/s achieved | p50 ms | p95 ms | p99 ms | max ms | server p50 / p95 ms "
          "| CPU s: gunicorn / PostgreSQL / client | machine busy |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")

    def spct(values, p):
        if not values:
            return float("nan")
        values = sorted(values)
        return values[min(len(values) - 1, max(0, math.ceil(len(values) * p) - 1))]

    print(f"| reference: GET /healthz | {ref_sum['n']} | {ref_sum['ok']} | {ref_sum['rate']:.0f} (requests) | "
          f"{ref_sum['p50']:.1f} | {ref_sum['p95']:.1f} | {ref_sum['p99']:.1f} | {ref_sum['max']:.0f} | "
          f"{spct(ref_server, .5):.0f} / {spct(ref_server, .95):.0f} | {ref_cpu_use['server']:.1f} / "
          f"{ref_cpu_use['pg']:.1f} / {ref_cpu:.1f} | {ref_cpu_use['machine_busy']:.0%} |")
    print(f"| POST {path} | {summ['n']} | {summ['ok']} | **{summ['rate']:.0f}** | {summ['p50']:.1f} | "
          f"**{summ['p95']:.1f}** | {summ['p99']:.1f} | {summ['max']:.0f} | "
          f"{spct(ingest_server, .5):.0f} / {spct(ingest_server, .95):.0f} | {use['server']:.1f} / {use['pg']:.1f} / "
          f"{cli_cpu:.1f} | {use['machine_busy']:.0%} |")
    print()
    print(f"Latency from when each request was due (open loop); p95 of the client's own lateness in sending: "
          f"{summ['late_p95']:.1f} ms. CPU per event stored in the measured run ({len(stored_ids)}): gunicorn "
          f"{use['server'] / max(1, len(stored_ids)) * 1e3:.2f} ms, PostgreSQL "
          f"{use['pg'] / max(1, len(stored_ids)) * 1e3:.2f} ms, client {cli_cpu / max(1, len(stored_ids)) * 1e3:.2f} ms; "
          f"at that cost 2 cores doing nothing else take at most "
          f"{2 / max(1e-9, (use['server'] + use['pg'] + cli_cpu) / max(1, len(stored_ids))):.0f} events/s.")
    print(f"HTTP statuses: {dict(sorted(summ['statuses'].items()))}" + (f"; per event: {per_event}" if batch else ""))
    if errors:
        print(f"  first error bodies: {samples}")
    total_sent = len(warm) + len(events)
    print(f"Events sent {total_sent} (warm-up {len(warm)} + measured {len(events)}); measured events acknowledged "
          f"(201): {acked}, stored: {len(stored_ids)}; in the database: {db_events} DeviceEvent (detection), "
          f"{db_distinct} distinct (device, event_id), {db_detections} Detection; messages on the broker's devices "
          f"queue: {queued} ({'one per event' if not batch else 'one per batch'}).")
    print(f"  none lost: {'yes' if lost == 0 else f'NO, {lost} acknowledged but not stored'}; "
          f"{'no duplicates' if db_events == db_distinct == db_detections else 'DUPLICATES or events without detection'}"
          f" (events = distinct = detections).")
    print(f"Resent {len(sample)} acknowledged event_ids: {sum(1 for r in rres if r.status == 200)} answered 200, "
          f"{same} with the first received_at; DeviceEvent {db_events} -> {after_events}, Detection {db_detections} "
          f"-> {after_detections} ({'nothing new stored' if (after_events, after_detections) == (db_events, db_detections) else 'NEW ROWS'}).")
    goal = summ["rate"] >= 500 and summ["p95"] <= 50 and lost == 0 and not errors
    print(f"Goal (>= 500 events/s for {args.duration:g} s, p95 <= 50 ms, none lost): {'MET' if goal else 'not met'}"
          f"{'' if args.duration >= 60 else ' (shorter run than the goal)'}.")


if __name__ == "__main__":
    main()
