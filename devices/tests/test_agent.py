"""The booth agent and its simulator against the real device API (a live server, the real database):
events queued while the server is unreachable are delivered exactly once after, even when a batch
is resent after a crash between sending and acknowledging; a simulated document read is accepted; a
thermal track crossing its sector is stored as one track; a camera going dark stops being seen."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from booth_agent import simulator
from booth_agent.demo_data import DEMO_TRAVELERS, TRAVELERS
from booth_agent.queue import Queue
from booth_agent.sender import Backoff, Sender
from booth_agent.tests.fake_server import closed_port_url
from core.tests.factories import BoothFactory, BorderPostFactory, SectorFactory
from devices.models import Detection, Device, DeviceEvent, EventKind, EventStatus, PatrolPosition
from devices.tests.factories import make_device

pytestmark = pytest.mark.django_db(transaction=True)

LINE = [[45.90, 33.60], [46.10, 33.40]]  # SectorFactory's line, [lon, lat]


@pytest.fixture
def fleet(tmp_path):
    """A booth with a reader, a face camera and a fingerprint scanner, a second booth's reader, a
    thermal camera on a border sector and a patrol handset, registered through the real service; their credentials written
    to a file in seed_demo's format, as the simulator reads it."""
    post = BorderPostFactory(code="PA", name="Post A")
    a1, a2 = BoothFactory(post=post, code="A1"), BoothFactory(post=post, code="A2")
    border = BorderPostFactory(code="PB", name="Post B", neighbour_country="IRN")
    sector = SectorFactory(post=border, code="SEC1", geometry={"type": "LineString", "coordinates": LINE})
    listing = []
    for code, kind, booth, sect in [("A1-READER", "document_reader", a1, None), ("A1-CAM", "face_camera", a1, None),
                                    ("A1-FP", "fingerprint_scanner", a1, None),
                                    ("A2-READER", "document_reader", a2, None),
                                    ("SEC1-TC", "thermal_camera", None, sector), ("PB-HS1", "patrol_handset", None, None)]:
        extra = {"latitude": 33.50, "longitude": 46.00} if kind == "thermal_camera" else {}
        device, raw = make_device(kind, post=booth.post if booth else border, booth=booth, sector=sect, code=code,
                                  **extra)
        listing.append({"code": code, "kind": kind, "post": device.post.code, "booth": booth.code if booth else None,
                        "sector": sect.code if sect else None, "latitude": device.latitude,
                        "longitude": device.longitude, "credential": raw})
    path = tmp_path / "demo-devices.json"
    path.write_text(json.dumps({"devices": listing, "sectors": [{"code": "SEC1", "post": "PB", "name": "Sector 1",
                                                                "line": LINE}]}))
    return path


def sender_for(queue, devices, url):
    return Sender(queue, url, {d.code: d.credential for d in devices}, backoff=Backoff(initial=0.05, maximum=0.2))


def test_the_simulated_demo_zones_are_those_seed_demo_creates():
    from travelers.demo import TRAVELERS as SEEDED
    from travelers.mrz import generate

    assert [generate(fields, "TD3") for fields, _entry, _exit in SEEDED] == [t.mrz for t in DEMO_TRAVELERS]


@pytest.mark.shared_data("faces/deepface", "fingerprints/fvc2002")
def test_queued_while_the_server_is_down_then_delivered_exactly_once(live_server, fleet, tmp_path, shared_dir):
    devices = simulator.load_devices(fleet)
    plan = simulator.build_plan("all", devices, sectors=simulator.load_sectors(fleet), root=shared_dir)
    queue = Queue(tmp_path / "agent.sqlite3")
    sender = sender_for(queue, devices, closed_port_url())  # the server is down
    sim = simulator.Simulator(queue, sender, devices, plan, speed=500, out=lambda line: None)
    sent = sim.play()
    assert sent == len(queue) > 40 and DeviceEvent.objects.count() == 0  # all kept, none lost

    sender.server = live_server.url  # the server is back
    sender.paused_until = 0
    assert sender.drain(timeout=120)
    # No officer is signed in at the booth: the reads are held for the booth and never opened, so
    # the server stores each capture and refuses it (409 no_open_inspection); the agent keeps
    # those refusals as dead letters. Nothing else is refused, nothing is dropped.
    dead = queue.dead_letters()
    assert {d.kind for d in dead} <= {"capture"} and len(dead) == 2 * len(TRAVELERS)
    assert all(d.status == 409 and "no_open_inspection" in d.error for d in dead)
    assert queue.dropped() == []
    stored = list(DeviceEvent.objects.values_list("event_id", flat=True))
    assert len(stored) == sent == len(set(stored)) and set(stored) == set(sim.queued)  # each event exactly once
    # They waited in the queue, sent late with sent_at: late, not a wrong clock; their own times kept.
    assert all(flags == [] for flags in DeviceEvent.objects.values_list("flags", flat=True))

    documents = DeviceEvent.objects.filter(kind=EventKind.DOCUMENT, device__code="A1-READER").order_by("received_at")
    assert [e.payload["mrz"] for e in documents] == [t.mrz for t in TRAVELERS]
    assert all(e.status != EventStatus.FAILED for e in documents)
    captures = DeviceEvent.objects.filter(kind=EventKind.CAPTURE)
    assert {e.payload["modality"] for e in captures} == {"face", "fingerprint"}
    assert captures.count() == 2 * len(TRAVELERS)
    fingers = captures.filter(payload__modality="fingerprint").first()
    assert sorted(f.role for f in fingers.files.all()) == ["finger_2", "finger_7"]
    queue.close()


def test_a_batch_resent_after_a_crash_between_send_and_ack_is_stored_once(live_server, fleet, tmp_path):
    devices = [d for d in simulator.load_devices(fleet) if d.kind in ("document_reader", "thermal_camera")]
    path = tmp_path / "agent.sqlite3"
    queue = Queue(path)
    plan = simulator.build_plan("border", devices, sectors=simulator.load_sectors(fleet))
    plan.steps += simulator.booth_plan(devices, travelers=DEMO_TRAVELERS).steps
    sent = simulator.Simulator(queue, sender_for(queue, devices, live_server.url), devices, plan, speed=1000,
                               heartbeats=False, out=lambda line: None).play(send=False)
    sender = sender_for(queue, devices, live_server.url)
    batch = queue.head(10)
    answers = [sender.deliver(event) for event in batch]  # the server stores them...
    assert {a.status for a in answers} == {201}
    queue.close()  # ...and the agent dies before acknowledging any

    restarted = Queue(path)
    assert len(restarted) == sent
    assert sender_for(restarted, devices, live_server.url).drain(timeout=60)
    assert DeviceEvent.objects.count() == sent == DeviceEvent.objects.values("event_id").distinct().count()
    assert restarted.dead_letters() == []
    restarted.close()


def test_a_simulated_document_read_is_accepted(live_server, fleet, tmp_path):
    devices = [d for d in simulator.load_devices(fleet) if d.code == "A1-READER"]
    queue = Queue(tmp_path / "agent.sqlite3")
    event_id = queue.put("A1-READER", "document", {"mrz": DEMO_TRAVELERS[0].mrz, "direction": "entry"})
    delivery = sender_for(queue, devices, live_server.url).deliver(queue.head()[0])
    assert delivery.status == 201, delivery.body
    answer = json.loads(delivery.body)
    assert answer["event_id"] == event_id and answer["status"] in (EventStatus.ACCEPTED, EventStatus.PROCESSED)
    assert answer["flags"] == []  # the agent's clock is the server's here
    event = DeviceEvent.objects.get(event_id=event_id)
    assert event.payload["mrz"] == DEMO_TRAVELERS[0].mrz and event.device.booth.code == "A1"
    queue.close()


def test_a_thermal_track_crosses_its_sector_as_one_track_and_the_patrol_drives_there(live_server, fleet, tmp_path):
    devices = [d for d in simulator.load_devices(fleet) if d.kind in ("thermal_camera", "patrol_handset")]
    queue = Queue(tmp_path / "agent.sqlite3")
    plan = simulator.build_plan("border", devices, sectors=simulator.load_sectors(fleet))
    sender = sender_for(queue, devices, live_server.url)
    simulator.Simulator(queue, sender, devices, plan, speed=1000, heartbeats=False, out=lambda line: None).play()
    assert sender.drain(timeout=60) and queue.dead_letters() == []
    detections = list(Detection.objects.order_by("observed_at"))
    assert len(detections) == 13 and len({d.track_id for d in detections}) == 1
    assert {d.sector.code for d in detections} == {"SEC1"} and all(d.object_class == "person" for d in detections)
    positions = list(PatrolPosition.objects.filter(device__code="PB-HS1").order_by("at"))
    assert len(positions) == 9 and positions[0].status == "patrolling" and positions[-1].status == "on_scene"
    last = detections[-1]
    assert abs(positions[-1].latitude - last.latitude) < 1e-4 and abs(positions[-1].longitude - last.longitude) < 1e-4
    queue.close()


def test_a_camera_going_dark_is_shown_offline(live_server, fleet, tmp_path):
    from devices.selectors import device_state
    from devices.services.health import devices_check_offline

    devices = [d for d in simulator.load_devices(fleet) if d.code in ("A1-READER", "SEC1-TC")]
    queue = Queue(tmp_path / "agent.sqlite3")
    plan = simulator.build_plan("dark", devices)
    assert plan.dark == {"SEC1-TC": 30.0}
    plan.dark["SEC1-TC"] = 60.0
    sender = sender_for(queue, devices, live_server.url)
    # Heartbeats every 30 s of scenario time, 60 times faster; the camera goes dark after 60 s, then
    # 2 s (120 s of scenario) of the reader's heartbeats alone.
    simulator.Simulator(queue, sender, devices, plan, speed=60, out=lambda line: None).play(linger=2)
    assert sender.drain(timeout=30)
    camera, reader = Device.objects.get(code="SEC1-TC"), Device.objects.get(code="A1-READER")
    beats = {code: DeviceEvent.objects.filter(device__code=code, kind=EventKind.HEARTBEAT).count()
             for code in ("SEC1-TC", "A1-READER")}
    assert 1 <= beats["SEC1-TC"] <= 3 and beats["A1-READER"] >= beats["SEC1-TC"] + 2
    assert (reader.last_seen_at - camera.last_seen_at).total_seconds() >= 0.5
    # The server's own check, when three of the camera's heartbeats have been missed:
    now = camera.last_seen_at + camera.offline_after() + timedelta(milliseconds=100)
    assert [d.code for d in devices_check_offline(now=now)] == ["SEC1-TC"]
    camera.refresh_from_db()
    assert device_state(camera, now) == "offline" and device_state(reader, now) == "ready"
    assert camera.alerts.filter(kind="offline", closed_at__isnull=True).count() == 1
    queue.close()


@pytest.mark.shared_data("faces/deepface", "fingerprints/fvc2002")
def test_the_agent_program_bridges_a_keyboard_reader_and_a_vendor_folder(live_server, fleet, tmp_path, shared_dir):
    """`python -m booth_agent run` as a booth PC runs it: a keyboard-wedge reader types a zone on its
    standard input, a vendor SDK drops a face and two fingers in a folder; heartbeats for every device."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    drop = tmp_path / "drop"
    drop.mkdir()
    config = tmp_path / "agent.toml"
    config.write_text(f'''
server = "{live_server.url}"
queue = "agent.sqlite3"
credentials_file = "{fleet.name}"

[[sources]]
type = "keyboard"
device = "A1-READER"
direction = "entry"

[[sources]]
type = "folder"
path = "drop"
face_device = "A1-CAM"
fingerprint_device = "A1-FP"
settle_seconds = 0.2
poll_seconds = 0.1
''')
    root = Path(__file__).resolve().parents[2]
    log = (tmp_path / "agent.log").open("w")
    agent = subprocess.Popen([sys.executable, "-m", "booth_agent", "run", "--config", str(config)], cwd=root,
                             stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        traveler = DEMO_TRAVELERS[1]
        agent.stdin.write("\r\n".join(traveler.mrz.split("\n")) + "\r\n")
        agent.stdin.flush()
        (drop / "face.part").write_bytes(simulator.face_image(traveler.face, shared_dir))
        (drop / "face.part").rename(drop / "traveler.jpg")
        for position, name in traveler.fingers:
            (drop / f"finger_{position}.png").write_bytes(simulator.finger_png(name, shared_dir))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if DeviceEvent.objects.filter(kind__in=[EventKind.DOCUMENT, EventKind.CAPTURE]).count() >= 3 \
                    and DeviceEvent.objects.filter(kind=EventKind.HEARTBEAT).values("device").distinct().count() == 6:
                break
            time.sleep(0.2)
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(timeout=20) == 0
    finally:
        if agent.poll() is None:
            agent.kill()
        log.close()
    document = DeviceEvent.objects.get(kind=EventKind.DOCUMENT)
    assert document.device.code == "A1-READER" and document.payload["mrz"] == traveler.mrz
    assert document.payload["direction"] == "entry"
    face = DeviceEvent.objects.get(kind=EventKind.CAPTURE, device__code="A1-CAM")
    assert face.payload["modality"] == "face" and face.files.get().role == "face"
    fingers = DeviceEvent.objects.get(kind=EventKind.CAPTURE, device__code="A1-FP")
    assert fingers.payload["fingers"] == [2, 7]
    assert sorted(p.name for p in (drop / "done").iterdir()) == ["finger_2.png", "finger_7.png", "traveler.jpg"]
    assert DeviceEvent.objects.filter(kind=EventKind.HEARTBEAT).values("device").distinct().count() == 6
