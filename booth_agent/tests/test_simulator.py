import base64
import io
import json
import math

import numpy as np
import pytest

from booth_agent import simulator
from booth_agent.demo_data import TRAVELERS
from booth_agent.queue import Queue
from booth_agent.sender import Backoff, Sender
from booth_agent.sources.webcam import best_frame_jpeg

from .fake_server import FakeServer

DEVICES = [
    {"code": "BGW-A1-DOC", "kind": "document_reader", "post": "BGW", "booth": "A1", "sector": None,
     "credential": "bmisdev_1_a"},
    {"code": "BGW-A1-CAM", "kind": "face_camera", "post": "BGW", "booth": "A1", "sector": None,
     "credential": "bmisdev_2_b"},
    {"code": "BGW-A1-FP", "kind": "fingerprint_scanner", "post": "BGW", "booth": "A1", "sector": None,
     "credential": "bmisdev_3_c"},
    {"code": "BGW-A2-DOC", "kind": "document_reader", "post": "BGW", "booth": "A2", "sector": None,
     "credential": "bmisdev_4_d"},
    {"code": "IRN-S1-THERM", "kind": "thermal_camera", "post": "MDR", "booth": None, "sector": "IRN-S1",
     "credential": "bmisdev_5_e", "latitude": 33.40, "longitude": 45.60},
    {"code": "SYR-S1-THERM", "kind": "thermal_camera", "post": "QAM", "booth": None, "sector": "SYR-S1",
     "credential": "bmisdev_6_f"},
    {"code": "MDR-HS1", "kind": "patrol_handset", "post": "MDR", "booth": None, "sector": None,
     "credential": "bmisdev_7_g"},
    {"code": "QAM-HS1", "kind": "patrol_handset", "post": "QAM", "booth": None, "sector": None,
     "credential": "bmisdev_8_h"},
]
LINE = {"type": "LineString", "coordinates": [[45.59, 33.39], [45.61, 33.41]]}  # [lon, lat], south-west to north-east


@pytest.fixture
def credentials(tmp_path):
    path = tmp_path / "demo-devices.json"
    path.write_text(json.dumps(DEVICES))
    return path


def test_devices_from_the_credentials_file(credentials):
    devices = simulator.load_devices(credentials)
    assert [d.code for d in devices] == [d["code"] for d in DEVICES]
    assert devices[4].latitude == 33.40 and devices[5].latitude is None and devices[0].booth_key == ("BGW", "A1")


def test_booth_plan_reads_then_face_then_fingers_at_each_booth_with_a_reader(credentials):
    plan = simulator.booth_plan(simulator.load_devices(credentials))
    a1 = [(s.device, s.kind) for s in plan.steps if s.device.startswith("BGW-A1")]
    assert a1[:3] == [("BGW-A1-DOC", "document"), ("BGW-A1-CAM", "capture"), ("BGW-A1-FP", "capture")]
    documents = [s.payload["mrz"] for s in plan.steps if s.kind == "document"]
    assert documents == [t.mrz for t in TRAVELERS] * 2  # two booths with a reader
    assert {s.device for s in plan.steps if s.device.startswith("BGW-A2")} == {"BGW-A2-DOC"}  # no camera there


def signed_distance(lat, lon):
    """Metres from LINE, positive on its north-west side."""
    (x1, y1), (x2, y2) = [simulator.local(33.40, 45.60, la, lo) for lo, la in LINE["coordinates"]]
    x, y = simulator.local(33.40, 45.60, lat, lon)
    return ((x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)) / math.hypot(x2 - x1, y2 - y1)


def test_a_track_crosses_the_sector_line_at_walking_pace():
    track = simulator.crossing_track(33.40, 45.60, LINE)
    sides = [signed_distance(lat, lon) for lat, lon in track]
    assert sides[0] == pytest.approx(-40, abs=1) and sides[-1] == pytest.approx(40, abs=1)
    assert all(b > a for a, b in zip(sides, sides[1:], strict=False))  # steadily across
    step = math.hypot(*simulator.local(*track[0], *track[1]))
    assert 5 <= step <= 8  # 80 m in a minute, a fix every 5 s: walking


def test_track_plan_one_track_per_thermal_camera(credentials):
    devices = simulator.load_devices(credentials)
    plan = simulator.track_plan(devices, sectors={"IRN-S1": LINE})
    by_camera = {}
    for step in plan.steps:
        by_camera.setdefault(step.device, []).append(step)
    assert set(by_camera) == {"IRN-S1-THERM", "SYR-S1-THERM"}
    irn, syr = by_camera["IRN-S1-THERM"], by_camera["SYR-S1-THERM"]
    assert len(irn) == 13 and irn[-1].at - irn[0].at == pytest.approx(60)
    assert len({s.payload["track_id"] for s in irn}) == 1 and len(irn[0].payload["track_id"]) <= 64
    assert {"latitude", "longitude"} <= set(irn[0].payload) and irn[0].payload["class"] == "person"
    assert {"bearing_deg", "distance_m"} <= set(syr[0].payload)  # no position known: from the camera
    assert all(0 <= s.payload["confidence"] <= 1 and s.payload["count"] == 3 for s in irn + syr)


def test_patrols_drive_to_the_crossing_point(credentials):
    devices = simulator.load_devices(credentials)
    plan = simulator.patrol_plan(devices, sectors={"IRN-S1": LINE})
    assert {s.device for s in plan.steps} == {"MDR-HS1"}  # QAM's camera has no known position
    fixes = [s.payload for s in plan.steps]
    crossing = simulator.crossing_track(33.40, 45.60, LINE)[-1]
    distances = [math.hypot(*simulator.local(*crossing, f["latitude"], f["longitude"])) for f in fixes]
    assert distances[0] == pytest.approx(1500, rel=0.05) and distances[-1] < 1
    assert all(b < a for a, b in zip(distances, distances[1:], strict=False))
    assert fixes[0]["status"] == "patrolling" and fixes[-1]["status"] == "on_scene"
    assert signed_distance(fixes[0]["latitude"], fixes[0]["longitude"]) > 1000  # on the side the group walks to


def test_dark_plan_and_all(credentials):
    devices = simulator.load_devices(credentials)
    assert simulator.dark_plan(devices).dark == {"IRN-S1-THERM": 30.0}
    assert simulator.dark_plan(devices, code="SYR-S1-THERM", after=5).dark == {"SYR-S1-THERM": 5}
    with pytest.raises(ValueError):
        simulator.build_plan("party", devices)


@pytest.mark.shared_data("faces", "fingerprints")
def test_media_from_the_shared_sets(shared_dir):
    from PIL import Image

    traveler = TRAVELERS[0]
    face = simulator.face_capture(traveler, shared_dir)
    assert face["modality"] == "face" and base64.b64decode(face["image"])[:2] == b"\xff\xd8"
    fingers = simulator.finger_capture(traveler, shared_dir)
    assert [f["position"] for f in fingers["fingers"]] == [2, 7]
    image = Image.open(io.BytesIO(base64.b64decode(fingers["fingers"][0]["image"])))
    assert image.format == "PNG" and image.mode == "L" and min(image.size) > 200


def test_the_simulator_plays_through_the_queue_and_the_sender(credentials, tmp_path):
    devices = [d for d in simulator.load_devices(credentials)
               if d.kind in ("document_reader", "thermal_camera", "patrol_handset")]
    plan = simulator.build_plan("all", devices, sectors={"IRN-S1": LINE})
    with FakeServer() as server, Queue(tmp_path / "q.sqlite3") as queue:
        sender = Sender(queue, server.url, {d.code: d.credential for d in devices}, backoff=Backoff(0.1, 1))
        lines = []
        sent = simulator.Simulator(queue, sender, devices, plan, speed=400, out=lines.append).play()
        assert sender.drain(timeout=10)
        kinds = [r[0].rsplit("/", 1)[1] for r in server.requests]
        assert len(server.stored) == sent == len(server.requests)
        assert kinds.count("documents") == 2 * len(TRAVELERS) and kinds.count("detections") == 26
        assert kinds.count("positions") == 9
        assert kinds.count("heartbeat") >= len(devices)
        assert any("IRN-S1-THERM: goes dark" in line for line in lines)
        beats_after_dark = [r for r in server.requests if r[0].endswith("heartbeat") and r[1] == "bmisdev_5_e"]
        assert len(beats_after_dark) <= 2  # 30 s of scenario at 30 s a heartbeat, then nothing


def test_webcam_sends_the_sharpest_frame():
    import cv2

    rng = np.random.default_rng(1)
    sharp = (rng.random((120, 160, 3)) * 255).astype(np.uint8)
    blurred = cv2.GaussianBlur(sharp, (15, 15), 5)
    jpeg = best_frame_jpeg([blurred, None, sharp, blurred])
    decoded = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert jpeg[:2] == b"\xff\xd8" and decoded.shape == sharp.shape
    assert cv2.Laplacian(decoded, cv2.CV_64F).var() > 5 * cv2.Laplacian(blurred, cv2.CV_64F).var()
    assert best_frame_jpeg([]) is None
