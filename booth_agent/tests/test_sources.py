import base64
import io
import os
import threading
import time
from types import SimpleNamespace

import pytest

from booth_agent.queue import Queue
from booth_agent.sources import Bus, Health
from booth_agent.sources.folder import FolderSource, event_id_for, group_files
from booth_agent.sources.heartbeat import Heartbeats
from booth_agent.sources.keyboard import KeyboardSource
from booth_agent.sources.onvif_events import Debouncer, OnvifSource, detection_from_notification, notification_parts
from booth_agent.sources.webcam import WebcamSource

TD3 = "P<JORHADDAD<<SAMIR<<<<<<<<<<<<<<<<<<<<<<<<<<\nN1234567<7JOR8005171M3101012<<<<<<<<<<<<<<<4"


@pytest.fixture
def queue(tmp_path):
    q = Queue(tmp_path / "q.sqlite3")
    yield q
    q.close()


def emitter(queue):
    def emit(device, kind, payload, *, at=None, event_id=None):
        return queue.put(device, kind, payload, at=at, event_id=event_id)
    return emit


def test_keyboard_wedge_queues_documents_and_tells_the_bus(queue):
    bus, heard = Bus(), []
    bus.subscribe(lambda device, kind: heard.append((device, kind)))
    stdin = io.StringIO("\n".join(TD3.split("\n")) + "\n" + "noise\n")
    KeyboardSource({"device": "DOC", "direction": "entry"}, emitter(queue), Health(), bus,
                   stream=stdin).run(threading.Event())
    [event] = queue.head()
    assert event.kind == "document" and event.payload()["mrz"] == TD3 and event.payload()["direction"] == "entry"
    assert heard == [("DOC", "document")]


# -- folder -------------------------------------------------------------------------------------------

def age(path, seconds=10):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_files_are_grouped_into_events(tmp_path):
    names = ["doc1.mrz", "doc1_visible.jpg", "doc1_ir.jpg", "doc1_dg1.bin", "left_finger_2.png", "left_finger_7.wsq",
             "finger_1.png", "face.jpg", "notes.txt", "doc2_uv.jpg"]
    paths = [tmp_path / n for n in names]
    groups = group_files(paths)
    assert [(g.kind, sorted(p.name for p in g.files)) for g in groups] == [
        ("document", ["doc1.mrz", "doc1_dg1.bin", "doc1_ir.jpg", "doc1_visible.jpg"]),
        ("fingers", ["finger_1.png"]),
        ("fingers", ["left_finger_2.png", "left_finger_7.wsq"]),
        ("face", ["face.jpg"]),  # doc2_uv.jpg waits for its .mrz; notes.txt is nobody's
    ]


def test_folder_source_sends_stable_files_once(tmp_path, queue):
    folder = tmp_path / "drop"
    folder.mkdir()
    source = FolderSource({"path": str(folder), "document_device": "DOC", "face_device": "CAM",
                           "fingerprint_device": "FP", "settle_seconds": 1}, emitter(queue), Health(), Bus())
    (folder / "read.mrz").write_text(TD3 + "\n")
    (folder / "read_visible.jpg").write_bytes(b"\xff\xd8page")
    (folder / "finger_2.png").write_bytes(b"\x89PNGtwo")
    (folder / "finger_7.png").write_bytes(b"\x89PNGseven")
    for p in folder.iterdir():
        age(p)
    assert source.poll() == []  # seen once: not yet known to be stable
    assert len(source.poll()) == 2
    events = {e.kind: e.payload() for e in queue.head()}
    assert events["document"]["mrz"] == TD3 and events["document"]["images"]["visible"]
    assert [f["position"] for f in events["capture"]["fingers"]] == [2, 7]
    assert sorted(p.name for p in (folder / "done").iterdir()) == ["finger_2.png", "finger_7.png", "read.mrz",
                                                                     "read_visible.jpg"]
    assert source.poll() == [] and len(queue) == 2


def test_a_file_still_being_written_waits(tmp_path, queue):
    folder = tmp_path / "drop"
    folder.mkdir()
    source = FolderSource({"path": str(folder), "face_device": "CAM", "settle_seconds": 1}, emitter(queue), Health(),
                          Bus())
    face = folder / "face.jpg"
    face.write_bytes(b"\xff\xd8part")
    source.poll()
    face.write_bytes(b"\xff\xd8partial and more")  # grew: not stable
    assert source.poll() == []
    age(face)
    source.poll()
    assert len(source.poll()) == 1


def test_a_crash_before_the_files_move_queues_the_same_event(tmp_path, queue):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "face.jpg").write_bytes(b"\xff\xd8face")
    age(folder / "face.jpg")
    first = event_id_for([folder / "face.jpg"])
    assert first == event_id_for([folder / "face.jpg"]) and len(first) <= 64
    queue.put("CAM", "capture", {"modality": "face"}, event_id=first)  # queued; then the agent died
    source = FolderSource({"path": str(folder), "face_device": "CAM", "settle_seconds": 0}, emitter(queue), Health(),
                          Bus())
    source.poll()
    assert source.poll() == [first] and len(queue) == 1


# -- ONVIF --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("topic, data, expected", [
    ("tns1:RuleEngine/CellMotionDetector/Motion", {"IsMotion": "true"}, {"class": "unknown", "confidence": 0.5}),
    ("tns1:RuleEngine/CellMotionDetector/Motion", {"IsMotion": "false"}, None),
    ("tns1:VideoSource/MotionAlarm", {"State": "true"}, {"class": "unknown"}),
    ("tns1:RuleEngine/LineDetector/Crossed", {"ObjectId": "17"}, {"class": "unknown", "track_id": "17"}),
    ("tns1:RuleEngine/FieldDetector/ObjectsInside", {"IsInside": "true", "ObjectId": "4"}, {"track_id": "4"}),
    ("tns1:RuleEngine/MyRuleDetector/PeopleDetect", {"IsPeople": "true"}, {"class": "person", "confidence": 0.8}),
    ("tns1:RuleEngine/MyRuleDetector/VehicleDetect", {"IsVehicle": "1"}, {"class": "vehicle"}),
    ("tns1:RuleEngine/ObjectDetection/Object", {"ClassTypes": "Human", "Likelihood": "0.93"},
     {"class": "person", "confidence": 0.93}),
    ("tns1:RuleEngine/ObjectDetection/Object", {"ClassTypes": "Animal"}, {"class": "animal"}),
    ("tns1:Device/Trigger/DigitalInput", {"LogicalState": "true"}, None),
])
def test_onvif_events_map_to_detections(topic, data, expected):
    payload = detection_from_notification(topic, data, {"VideoSourceConfigurationToken": "1"}, "Changed")
    if expected is None:
        assert payload is None
    else:
        assert {k: payload[k] for k in expected} == expected and payload["count"] == 1


def test_onvif_initial_state_is_not_a_detection_and_position_comes_from_the_source():
    assert detection_from_notification("tns1:VideoSource/MotionAlarm", {"State": "true"}, {}, "Initialized") is None
    payload = detection_from_notification("tns1:VideoSource/MotionAlarm", {"State": "true"}, {}, "Changed",
                                          {"bearing_deg": 135, "distance_m": 400, "default_class": "person"})
    assert payload == {"class": "person", "count": 1, "confidence": 0.5, "bearing_deg": 135, "distance_m": 400}


def message(topic, data, operation="Changed", when="2026-12-03T10:00:00Z"):
    items = lambda d: SimpleNamespace(SimpleItem=[SimpleNamespace(Name=k, Value=v) for k, v in d.items()])  # noqa: E731
    return SimpleNamespace(Topic=SimpleNamespace(_value_1=topic), Message=SimpleNamespace(_value_1=SimpleNamespace(
        Source=items({"Rule": "Border"}), Data=items(data), PropertyOperation=operation, UtcTime=when)))


def test_onvif_source_queues_debounced_detections_with_the_camera_time(queue):
    source = OnvifSource({"device": "THERM", "min_interval_seconds": 60}, emitter(queue), Health(), Bus())
    topic, parts = "tns1:RuleEngine/LineDetector/Crossed", {"ObjectId": "9"}
    assert notification_parts(message(topic, parts))[:4] == (topic, {"Rule": "Border"}, parts, "Changed")
    ids = source.handle([message(topic, parts), message(topic, parts)], snapshot=b"\xff\xd8snap")
    assert len(ids) == 1
    [event] = queue.head()
    body = event.payload()
    assert body["track_id"] == "9" and body["snapshot"] and body["time"].startswith("2026-12-03T10:00:00")


def test_debouncer():
    d = Debouncer(2)
    assert d.allow(("a",), 0) and not d.allow(("a",), 1) and d.allow(("b",), 1) and d.allow(("a",), 2.5)


# -- heartbeats ---------------------------------------------------------------------------------------

def test_heartbeats_report_each_devices_state(queue):
    health = Health()
    devices = {"DOC": SimpleNamespace(heartbeat_seconds=30), "CAM": SimpleNamespace(heartbeat_seconds=10)}
    beats = Heartbeats(devices, emitter(queue), health)
    health.set("CAM", "error", ["camera_unavailable"])
    assert len(beats.tick(now=0)) == 2
    assert beats.tick(now=5) == []
    assert len(beats.tick(now=10)) == 1  # CAM only
    beats.silenced.add("CAM")
    assert beats.tick(now=30) and len(queue) == 4
    bodies = {(e.device, e.payload()["status"]) for e in queue.head()}
    assert ("CAM", "error") in bodies and ("DOC", "ok") in bodies
    cam = next(e.payload() for e in queue.head() if e.device == "CAM")
    assert cam["error_codes"] == ["camera_unavailable"]


# -- webcam (OpenCV reads a video file the same way as a camera) -----------------------------------

@pytest.mark.shared_data("faces/deepface")
def test_webcam_captures_the_face_when_the_booths_reader_reads(tmp_path, queue, shared_dir):
    import cv2
    import numpy as np

    face = cv2.resize(cv2.imread(str(shared_dir / "faces" / "deepface" / "img5.jpg")), (320, 240))
    video = tmp_path / "camera.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    for i in range(40):
        writer.write(cv2.GaussianBlur(face, (9, 9), 4) if i % 5 else face)
    writer.release()
    bus, health = Bus(), Health()
    source = WebcamSource({"device": "CAM", "camera": str(video), "trigger_device": "DOC", "burst_frames": 5},
                          emitter(queue), health, bus)
    stop = threading.Event()
    thread = threading.Thread(target=source.run, args=(stop,), daemon=True)
    thread.start()
    bus.publish("OTHER-DOC", "document")  # another booth's reader: not this camera's business
    bus.publish("DOC", "document")
    for _ in range(100):
        if len(queue):
            break
        time.sleep(0.05)
    stop.set()
    thread.join(5)
    [event] = queue.head()
    body = event.payload()
    assert event.device == "CAM" and body["modality"] == "face" and health.get("CAM") == ("ok", ())
    frame = cv2.imdecode(np.frombuffer(base64.b64decode(body["image"]), np.uint8), cv2.IMREAD_COLOR)
    assert frame.shape == (240, 320, 3)
    assert cv2.Laplacian(frame, cv2.CV_64F).var() > 2 * cv2.Laplacian(cv2.GaussianBlur(face, (9, 9), 4),
                                                                        cv2.CV_64F).var()  # the sharp frame


def test_a_webcam_that_cannot_open_is_reported(tmp_path, queue):
    health = Health()
    WebcamSource({"device": "CAM", "camera": str(tmp_path / "none.avi")}, emitter(queue), health, Bus()).run(
        threading.Event())
    assert health.get("CAM") == ("error", ("camera_unavailable",))


def test_an_unreachable_onvif_camera_is_reported_and_retried(queue):
    from .fake_server import closed_port_url

    health = Health()
    port = int(closed_port_url().rsplit(":", 1)[1])
    source = OnvifSource({"device": "THERM", "host": "127.0.0.1", "port": port, "user": "u", "password": "p"},
                         emitter(queue), health, Bus())
    stop = threading.Event()
    thread = threading.Thread(target=source.run, args=(stop,), daemon=True)
    thread.start()
    for _ in range(100):
        if health.get("THERM")[0] == "error":
            break
        time.sleep(0.05)
    stop.set()
    thread.join(10)
    assert health.get("THERM") == ("error", ("onvif_unreachable",)) and not thread.is_alive() and len(queue) == 0


# -- serial (a pseudo-terminal stands for the reader's port) ---------------------------------------

def test_serial_reader_on_a_port(tmp_path, queue):
    from booth_agent.sources.serial_reader import SerialSource

    master, slave = os.openpty()
    health, bus, heard = Health(), Bus(), []
    bus.subscribe(lambda device, kind: heard.append(device))
    source = SerialSource({"device": "DOC", "port": os.ttyname(slave), "read_timeout_seconds": 0.1}, emitter(queue),
                          health, bus)
    stop = threading.Event()
    thread = threading.Thread(target=source.run, args=(stop,), daemon=True)
    thread.start()
    try:
        for _ in range(50):
            if health.reported("DOC"):  # the port is open (pyserial empties its input on opening)
                break
            time.sleep(0.05)
        zone = TD3.split("\n")
        os.write(master, ("\x02" + zone[0] + "\r").encode())
        time.sleep(0.2)  # the second line comes later, without a terminator
        os.write(master, zone[1].encode())
        for _ in range(100):
            if len(queue):
                break
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(5)
        os.close(master)
        os.close(slave)
    [event] = queue.head()
    assert event.payload()["mrz"] == TD3 and heard == ["DOC"]


def test_a_missing_serial_port_is_reported(tmp_path, queue):
    from booth_agent.sources.serial_reader import SerialSource

    health = Health()
    source = SerialSource({"device": "DOC", "port": str(tmp_path / "ttyUSB9")}, emitter(queue), health, Bus())
    stop = threading.Event()
    thread = threading.Thread(target=source.run, args=(stop,), daemon=True)
    thread.start()
    for _ in range(100):
        if health.get("DOC")[0] == "error":
            break
        time.sleep(0.05)
    stop.set()
    thread.join(5)
    assert health.get("DOC") == ("error", ("serial_unavailable",))


def test_onvif_source_subscribes_through_the_onvif_client_and_queues_detections(queue):
    from .fake_onvif import FakeOnvifCamera, notification

    with FakeOnvifCamera() as camera:
        camera.pending = [
            notification("tns1:RuleEngine/LineDetector/Crossed", {"ObjectId": "42"}),
            notification("tns1:VideoSource/MotionAlarm", {"State": "true"}, operation="Initialized"),
            notification("tns1:RuleEngine/MyRuleDetector/PeopleDetect", {"IsPeople": "true"}),
        ]
        health = Health()
        source = OnvifSource({"device": "THERM", "host": "127.0.0.1", "port": camera.port, "user": "u",
                              "password": "p"}, emitter(queue), health, Bus())
        stop = threading.Event()
        thread = threading.Thread(target=source.run, args=(stop,), daemon=True)
        thread.start()
        for _ in range(200):
            if len(queue) >= 2:
                break
            time.sleep(0.05)
        stop.set()
        thread.join(15)
    bodies = [e.payload() for e in queue.head()]
    assert [(b["class"], b.get("track_id")) for b in bodies] == [("unknown", "42"), ("person", None)]
    assert all(b["time"].startswith("2026-12-03T10:00:00") for b in bodies)
    assert health.get("THERM") == ("ok", ())
    assert camera.calls[:3] == ["GetServices", "CreatePullPointSubscription", "PullMessages"]
    assert camera.calls[-1] == "Unsubscribe" and not thread.is_alive()
