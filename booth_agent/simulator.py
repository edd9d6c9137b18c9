"""The simulator: plays realistic device streams through the agent's own queue and sender, against a
real server, for demos and tests.

    python -m booth_agent simulate --server http://127.0.0.1:8000 --credentials var/demo-devices.json

Scenarios (`--scenario`, default `all`):
- `booth`: at each booth with a document reader, travelers arrive one after another: a document read
  (the demo travelers' zones, then first-time arrivals), the face from the booth's camera a few
  seconds later, then two fingers from its scanner (shared face and fingerprint sets).
- `border`: a group of three people walks across the border line in front of each thermal camera over
  a minute, reported every five seconds with one stable `track_id`; the post's patrol handsets drive
  towards the crossing point, reporting their positions every 15 seconds.
- `dark`: a border camera stops sending heartbeats half a minute in (the server should show it offline
  after three missed heartbeats).
- `heartbeats`: heartbeats only.
- `all`: all of the above.
Every device in the credentials file sends heartbeats throughout (except the one going dark).

Where a thermal camera's entry in the credentials file has `latitude`/`longitude` and its sector's
line is known (`sector_geometry` in the entry, or `--sectors FILE`: a GeoJSON FeatureCollection whose
features carry `properties.code`), the track is sent as coordinates crossing that line at right
angles; otherwise as bearing and distance from the camera (crossing the camera's view about 120 m out).
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .config import read_credentials_file
from .demo_data import TRAVELERS, Traveler
from .queue import Queue
from .sender import Sender
from .sources import b64

log = logging.getLogger(__name__)

SCENARIOS = ("all", "booth", "border", "dark", "heartbeats")
EARTH_RADIUS_M = 6_371_008.8
BORDER_KINDS = ("thermal_camera", "surveillance_camera")


@dataclass
class SimDevice:
    code: str
    kind: str
    credential: str
    booth: str | None = None
    post: str | None = None
    sector: str | None = None
    heartbeat_seconds: float = 30.0
    latitude: float | None = None
    longitude: float | None = None
    sector_geometry: dict | None = None

    @property
    def booth_key(self) -> tuple[str | None, str | None] | None:
        return (self.post, self.booth) if self.booth else None


@dataclass
class Step:
    """One event of a scenario, `at` seconds after the start (scenario time, divided by `speed`)."""

    at: float
    device: str
    kind: str
    payload: dict | Callable[[], dict]
    note: str = ""


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    dark: dict[str, float] = field(default_factory=dict)  # device code -> seconds after which it goes dark

    def duration(self) -> float:
        return max([s.at for s in self.steps] + list(self.dark.values()) + [0.0])


def load_devices(path: str | Path) -> list[SimDevice]:
    devices = []
    for entry in read_credentials_file(Path(path)):
        def number(key, entry=entry):
            value = entry.get(key)
            return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

        devices.append(SimDevice(
            code=entry["code"], kind=str(entry.get("kind") or ""), credential=entry["credential"],
            booth=entry.get("booth") or None, post=entry.get("post") or None, sector=entry.get("sector") or None,
            heartbeat_seconds=number("heartbeat_seconds") or 30.0, latitude=number("latitude"),
            longitude=number("longitude"),
            sector_geometry=entry.get("sector_geometry") if isinstance(entry.get("sector_geometry"), dict) else None))
    return devices


def load_sectors(path: str | Path) -> dict[str, dict]:
    """Sector code -> GeoJSON geometry, from a GeoJSON FeatureCollection (`properties.code`) or from
    the `sectors` of seed_demo's credentials file ({code, line: [[lon, lat], ...]})."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        return {}
    sectors = {}
    for feature in data.get("features", []) or []:
        if isinstance(feature, dict) and isinstance(feature.get("geometry"), dict):
            sectors[str((feature.get("properties") or {}).get("code"))] = feature["geometry"]
    for sector in data.get("sectors", []) or []:
        if isinstance(sector, dict) and sector.get("code"):
            if isinstance(sector.get("geometry"), dict):
                sectors[str(sector["code"])] = sector["geometry"]
            elif isinstance(sector.get("line"), list):
                sectors[str(sector["code"])] = {"type": "LineString", "coordinates": sector["line"]}
    return sectors


# -- media from the shared data sets ------------------------------------------------------------------

def shared_dir() -> Path:
    return Path(os.environ.get("BMIS_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")


def face_image(name: str, root: Path | None = None) -> bytes:
    return ((root or shared_dir()) / "faces" / "deepface" / name).read_bytes()


def finger_png(name: str, root: Path | None = None) -> bytes:
    """A FVC 2002 impression (TIFF) as PNG, which the capture API takes."""
    from PIL import Image  # Pillow: only the simulator needs it

    with Image.open((root or shared_dir()) / "fingerprints" / "fvc2002" / "DB1_B" / name) as image:
        out = io.BytesIO()
        image.convert("L").save(out, format="PNG")
        return out.getvalue()


def face_capture(traveler: Traveler, root: Path | None = None) -> dict:
    return {"modality": "face", "image": b64(face_image(traveler.face, root))}


def finger_capture(traveler: Traveler, root: Path | None = None) -> dict:
    return {"modality": "fingerprint",
            "fingers": [{"position": pos, "image": b64(finger_png(name, root))} for pos, name in traveler.fingers]}


# -- geometry (a local flat projection: tracks are a few hundred metres long) -------------------------

def offset(lat: float, lon: float, east_m: float, north_m: float) -> tuple[float, float]:
    dlat = math.degrees(north_m / EARTH_RADIUS_M)
    dlon = math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(lat))))
    return lat + dlat, lon + dlon


def local(lat0: float, lon0: float, lat: float, lon: float) -> tuple[float, float]:
    """(east, north) metres of (lat, lon) from (lat0, lon0)."""
    north = math.radians(lat - lat0) * EARTH_RADIUS_M
    east = math.radians(lon - lon0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    return east, north


def line_of(geometry: dict) -> list[tuple[float, float]]:
    """The [lon, lat] points of a LineString, or of a Polygon's outer ring."""
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "LineString":
        return [(float(p[0]), float(p[1])) for p in coords]
    if kind == "Polygon" and coords:
        return [(float(p[0]), float(p[1])) for p in coords[0]]
    if kind == "MultiLineString" and coords:
        return [(float(p[0]), float(p[1])) for p in coords[0]]
    raise ValueError(f"unsupported geometry {kind!r}")


def crossing_track(camera_lat: float, camera_lon: float, geometry: dict, *, along_m: float = 60.0,
                   half_width_m: float = 40.0, points: int = 13) -> list[tuple[float, float]]:
    """(lat, lon) points of a walk across the sector's line at right angles, near the camera: from
    `half_width_m` on one side to as far on the other, `along_m` along the line from the point nearest
    the camera."""
    line = [local(camera_lat, camera_lon, lat, lon) for lon, lat in line_of(geometry)]
    best = None
    for (ax, ay), (bx, by) in zip(line, line[1:], strict=False):
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        if length2 == 0:
            continue
        t = max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
        px, py = ax + t * dx, ay + t * dy
        distance = math.hypot(px, py)
        if best is None or distance < best[0]:
            length = math.sqrt(length2)
            best = (distance, px, py, dx / length, dy / length)
    if best is None:
        raise ValueError("the sector's line has no length")
    _, px, py, ux, uy = best
    cx, cy = px + ux * along_m, py + uy * along_m  # where the group crosses
    nx, ny = -uy, ux  # across the line
    track = []
    for i in range(points):
        s = -half_width_m + 2 * half_width_m * i / (points - 1)
        track.append(offset(camera_lat, camera_lon, cx + nx * s, cy + ny * s))
    return track


def view_track(*, facing_deg: float = 0.0, range_m: float = 120.0, half_width_m: float = 40.0,
               points: int = 13) -> list[tuple[float, float]]:
    """(bearing_deg, distance_m) points of a walk across the camera's view, `range_m` out."""
    track = []
    for i in range(points):
        x = -half_width_m + 2 * half_width_m * i / (points - 1)
        bearing = (facing_deg + math.degrees(math.atan2(x, range_m))) % 360
        track.append((round(bearing, 2), round(math.hypot(x, range_m), 1)))
    return track


# -- scenarios ----------------------------------------------------------------------------------------

def booth_plan(devices: list[SimDevice], *, travelers: tuple[Traveler, ...] = TRAVELERS, start: float = 2.0,
               gap: float = 20.0, root: Path | None = None, direction: str | None = "entry") -> Plan:
    """Travelers at each booth with a document reader: document, then face, then two fingers."""
    plan = Plan()
    booths: dict[tuple, dict[str, SimDevice]] = {}
    for device in devices:
        if device.booth_key:
            booths.setdefault(device.booth_key, {}).setdefault(device.kind, device)
    for b, kinds in enumerate(sorted(booths.items(), key=lambda item: str(item[0]))):
        _, by_kind = kinds
        reader = by_kind.get("document_reader")
        if reader is None:
            continue
        t = start + b * 3.0
        for traveler in travelers:
            payload = {"mrz": traveler.mrz}
            if direction:
                payload["direction"] = direction
            plan.steps.append(Step(t, reader.code, "document", payload, traveler.label))
            if "face_camera" in by_kind:
                plan.steps.append(Step(t + 3, by_kind["face_camera"].code, "capture",
                                       lambda tr=traveler: face_capture(tr, root), f"face of {traveler.label}"))
            if "fingerprint_scanner" in by_kind:
                plan.steps.append(Step(t + 6, by_kind["fingerprint_scanner"].code, "capture",
                                       lambda tr=traveler: finger_capture(tr, root), f"fingers of {traveler.label}"))
            t += gap
    return plan


def track_plan(devices: list[SimDevice], *, sectors: dict[str, dict] | None = None, start: float = 5.0,
               seconds: float = 60.0, points: int = 13, count: int = 3, track_prefix: str = "sim") -> Plan:
    """A group crossing the border line in front of each border camera, one track per camera."""
    plan = Plan()
    for device in devices:
        if device.kind != "thermal_camera":
            continue
        geometry = device.sector_geometry or (sectors or {}).get(device.sector or "")
        track_id = f"{track_prefix}-{device.code}-{int(time.time())}"[:64]
        if geometry and device.latitude is not None and device.longitude is not None:
            fixes = [{"latitude": round(lat, 6), "longitude": round(lon, 6)}
                     for lat, lon in crossing_track(device.latitude, device.longitude, geometry, points=points)]
        else:
            fixes = [{"bearing_deg": bearing, "distance_m": distance}
                     for bearing, distance in view_track(points=points)]
        for i, fix in enumerate(fixes):
            confidence = round(0.78 + 0.15 * math.sin(math.pi * i / max(1, points - 1)), 2)
            plan.steps.append(Step(start + seconds * i / max(1, points - 1), device.code, "detection",
                                   {"class": "person", "count": count, "confidence": confidence,
                                    "track_id": track_id, **fix}, f"track {track_id} fix {i + 1}/{points}"))
    return plan


def patrol_plan(devices: list[SimDevice], *, sectors: dict[str, dict] | None = None, start: float = 5.0,
                seconds: float = 120.0, every: float = 15.0, from_m: float = 1500.0) -> Plan:
    """Each patrol handset drives from `from_m` inside the border towards where the group crosses in
    front of a thermal camera of its post, reporting its position every `every` seconds, on scene at
    the end. Handsets of posts without such a camera stay silent (but for heartbeats)."""
    plan = Plan()
    cameras = {}
    for device in devices:
        geometry = device.sector_geometry or (sectors or {}).get(device.sector or "")
        if device.kind == "thermal_camera" and geometry and device.latitude is not None \
                and device.longitude is not None and device.post not in cameras:
            cameras[device.post] = crossing_track(device.latitude, device.longitude, geometry)
    for n, device in enumerate(d for d in devices if d.kind == "patrol_handset"):
        track = cameras.get(device.post)
        if not track:
            continue
        (lat0, lon0), (lat1, lon1) = track[-2], track[-1]  # the way the group walks: into the country
        east, north = local(lat0, lon0, lat1, lon1)
        length = math.hypot(east, north) or 1.0
        ue, un = east / length, north / length
        side = 200.0 * (n % 3 - 1)  # handsets of one post come from different places
        origin = offset(lat1, lon1, ue * from_m - un * side, un * from_m + ue * side)
        steps = max(1, int(seconds // every))
        for i in range(steps + 1):
            f = i / steps
            lat, lon = origin[0] + (lat1 - origin[0]) * f, origin[1] + (lon1 - origin[1]) * f
            status = "patrolling" if f < 0.3 else ("en_route" if f < 1 else "on_scene")
            payload = {"latitude": round(lat, 6), "longitude": round(lon, 6), "accuracy_m": 8.0, "status": status}
            if status == "on_scene":
                payload["message"] = "on scene at the crossing point"
            plan.steps.append(Step(start + i * every, device.code, "position", payload,
                                   f"patrol {status} {i + 1}/{steps + 1}"))
    return plan


def dark_plan(devices: list[SimDevice], *, after: float = 30.0, code: str | None = None) -> Plan:
    """One border camera (the first, or `code`) goes dark `after` seconds in."""
    candidates = [d for d in devices if (d.code == code if code else d.kind in BORDER_KINDS)]
    return Plan(dark={candidates[0].code: after} if candidates else {})


def build_plan(scenario: str, devices: list[SimDevice], *, sectors: dict | None = None, root: Path | None = None,
               dark_device: str | None = None) -> Plan:
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}: one of {', '.join(SCENARIOS)}")
    plan = Plan()
    if scenario in ("all", "booth"):
        plan.steps += booth_plan(devices, root=root).steps
    if scenario in ("all", "border"):
        plan.steps += track_plan(devices, sectors=sectors).steps
        plan.steps += patrol_plan(devices, sectors=sectors).steps
    if scenario in ("all", "dark"):
        plan.dark.update(dark_plan(devices, code=dark_device).dark)
    plan.steps.sort(key=lambda s: s.at)
    return plan


# -- playing ------------------------------------------------------------------------------------------

class Simulator:
    """Plays a plan through a queue and a sender (the agent's own), with heartbeats for every device."""

    def __init__(self, queue: Queue, sender: Sender, devices: list[SimDevice], plan: Plan, *, speed: float = 1.0,
                 heartbeats: bool = True, out: Callable[[str], None] = print):
        self.queue = queue
        self.sender = sender
        self.devices = {d.code: d for d in devices}
        self.plan = plan
        self.speed = max(speed, 1e-6)
        self.heartbeats = heartbeats
        self.out = out
        self.queued: list[str] = []

    def _heartbeat_tick(self, elapsed: float, due: dict[str, float], gone_dark: set[str]) -> int:
        sent = 0
        for code, device in self.devices.items():
            limit = self.plan.dark.get(code)
            if limit is not None and elapsed >= limit:
                if code not in gone_dark:
                    gone_dark.add(code)
                    self.out(f"{elapsed:6.1f}s  {code}: goes dark (no more heartbeats)")
                continue
            if elapsed >= due.get(code, 0.0):
                due[code] = elapsed + device.heartbeat_seconds
                self.queued.append(self.queue.put(code, "heartbeat", {"status": "ok"}))
                sent += 1
        return sent

    def play(self, stop: threading.Event | None = None, *, linger: float = 0.0, send: bool = True) -> int:
        """Queue the plan's events on time (and send them as it goes, unless `send` is False); returns
        the number of events queued. `linger`: seconds to go on with heartbeats after the last step."""
        stop = stop or threading.Event()
        sender_stop, wake = threading.Event(), threading.Event()
        sender = threading.Thread(target=self.sender.run, args=(sender_stop, wake), daemon=True) if send else None
        if sender:
            sender.start()
        started = time.monotonic()
        due: dict[str, float] = {}
        gone_dark: set[str] = set()
        steps = list(self.plan.steps)
        end = self.plan.duration() / self.speed + linger
        try:
            while not stop.is_set():
                elapsed = time.monotonic() - started
                scenario_time = elapsed * self.speed
                while steps and steps[0].at <= scenario_time:
                    step = steps.pop(0)
                    payload = step.payload() if callable(step.payload) else step.payload
                    self.queued.append(self.queue.put(step.device, step.kind, payload))
                    self.out(f"{elapsed:6.1f}s  {step.device}: {step.kind} ({step.note})")
                    wake.set()
                if self.heartbeats and self._heartbeat_tick(scenario_time, due, gone_dark):
                    wake.set()
                if not steps and elapsed >= end:
                    break
                stop.wait(0.05 if steps else 0.25)
        finally:
            if sender:
                sender_stop.set()
                wake.set()
                sender.join(15)
        return len(self.queued)
