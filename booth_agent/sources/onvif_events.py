"""ONVIF event subscriptions for IP cameras (thermal and surveillance), through `onvif-zeep-async`
(the maintained ONVIF client Home Assistant uses): a PullPoint subscription, renewed by the
library, pulled in a loop; reconnects with backoff when the camera is unreachable.

Events map to detections (`detection_from_notification`, pure): motion alarms and intrusion
(field) rules to class `unknown` unless the source says more, line crossings with their object id
as `track_id`, analytics that name the object (people, vehicle, animal detectors, Profile M object
classes) to that class. Only rising edges count (a state turning true); the camera's initial state
sent on subscribing (`Initialized`) is not a detection; one topic and source may report at most one
detection per `min_interval_seconds`. A camera that knows where it looks may give `bearing_deg` and
`distance_m` per source; `snapshot = true` attaches the camera's JPEG snapshot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable

from . import Bus, Emit, Health, b64

log = logging.getLogger(__name__)

TRUE = {"true", "1", "on", "yes"}

# (substring of the topic, data item meaning "active", class) in order: the first that matches wins.
TOPIC_RULES: list[tuple[str, str, str]] = [
    ("PeopleDetect", "IsPeople", "person"),
    ("HumanDetect", "IsHuman", "person"),
    ("FaceDetect", "IsFace", "person"),
    ("VehicleDetect", "IsVehicle", "vehicle"),
    ("AnimalDetect", "IsAnimal", "animal"),
    ("DogCatDetect", "IsDogCat", "animal"),
    ("LineDetector/Crossed", "ObjectId", "unknown"),
    ("LineCrossing", "State", "unknown"),
    ("FieldDetector/ObjectsInside", "IsInside", "unknown"),
    ("Intrusion", "State", "unknown"),
    ("CellMotionDetector/Motion", "IsMotion", "unknown"),
    ("MotionAlarm", "State", "unknown"),
    ("ObjectDetection", "ClassTypes", "unknown"),
]

CLASS_WORDS = {"human": "person", "person": "person", "people": "person", "face": "person",
               "vehicle": "vehicle", "car": "vehicle", "truck": "vehicle", "bike": "vehicle",
               "animal": "animal", "dog": "animal", "cat": "animal"}


def class_from_words(*values: str) -> str | None:
    for value in values:
        for word in str(value).replace(",", " ").replace("/", " ").split():
            found = CLASS_WORDS.get(word.lower())
            if found:
                return found
    return None


def detection_from_notification(topic: str, data: dict[str, str], source: dict[str, str] | None = None,
                                operation: str | None = None, spec: dict | None = None) -> dict | None:
    """The detection payload (without event_id and time) for one ONVIF notification, or None."""
    spec = spec or {}
    source = source or {}
    if operation == "Initialized" or operation == "Deleted":
        return None
    for fragment, item, default_class in TOPIC_RULES:
        if fragment.lower() not in topic.lower():
            continue
        value = data.get(item)
        if value is None:
            return None
        if item in ("ObjectId", "ClassTypes"):
            active = value != ""
        else:
            active = str(value).strip().lower() in TRUE
        if not active:
            return None
        found = class_from_words(data.get("ClassTypes", ""), data.get("Type", ""), data.get("ObjectType", ""))
        object_class = found or (default_class if default_class != "unknown" else spec.get("default_class",
                                                                                          "unknown"))
        payload: dict = {"class": object_class, "count": int(data.get("Count", 1) or 1),
                         "confidence": float(spec.get("confidence", 0.8 if default_class != "unknown" else 0.5))}
        if data.get("Likelihood"):
            try:
                payload["confidence"] = max(0.0, min(1.0, float(data["Likelihood"])))
            except ValueError:
                pass
        if item == "ObjectId":
            payload["track_id"] = str(value)[:64]
        elif data.get("ObjectId"):
            payload["track_id"] = str(data["ObjectId"])[:64]
        for key in ("bearing_deg", "distance_m", "latitude", "longitude"):
            if key in spec:
                payload[key] = spec[key]
        return payload
    return None


def _items(node) -> dict[str, str]:
    """SimpleItem Name/Value pairs of a zeep ItemList (or None) as a dict."""
    items = getattr(node, "SimpleItem", None) or []
    return {str(getattr(i, "Name", "")): str(getattr(i, "Value", "")) for i in items}


def notification_parts(message) -> tuple[str, dict, dict, str | None, dt.datetime | None]:
    """(topic, source items, data items, property operation, UTC time) of a NotificationMessage."""
    topic = getattr(getattr(message, "Topic", None), "_value_1", "") or ""
    body = getattr(getattr(message, "Message", None), "_value_1", None)
    if body is None:
        return str(topic), {}, {}, None, None
    when = getattr(body, "UtcTime", None)
    if when is not None and not isinstance(when, dt.datetime):
        try:
            when = dt.datetime.fromisoformat(str(when).replace("Z", "+00:00"))
        except ValueError:
            when = None
    return (str(topic), _items(getattr(body, "Source", None)), _items(getattr(body, "Data", None)),
            getattr(body, "PropertyOperation", None), when)


class Debouncer:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self._last: dict[tuple, float] = {}

    def allow(self, key: tuple, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if now - self._last.get(key, float("-inf")) < self.seconds:
            return False
        self._last[key] = now
        return True


class OnvifSource:
    def __init__(self, spec: dict, emit: Emit, health: Health, bus: Bus):
        self.spec = spec
        self.device = spec["device"]
        self.emit = emit
        self.health = health
        self.debounce = Debouncer(float(spec.get("min_interval_seconds", 2)))

    def handle(self, messages: Iterable, snapshot: bytes | None = None) -> list[str]:
        queued = []
        for message in messages:
            topic, source, data, operation, when = notification_parts(message)
            payload = detection_from_notification(topic, data, source, operation, self.spec)
            if payload is None or not self.debounce.allow((topic, tuple(sorted(source.items())))):
                continue
            if snapshot:
                payload["snapshot"] = b64(snapshot)
            queued.append(self.emit(self.device, "detection", payload, at=when))
            log.info("camera %s: %s detection queued", self.device, payload["class"])
        return queued

    def run(self, stop: threading.Event) -> None:
        delay = 2.0
        while not stop.is_set():
            try:
                asyncio.run(self._pull(stop))
                delay = 2.0
            except Exception as error:  # noqa: BLE001 (any camera or network failure: report, retry)
                self.health.set(self.device, "error", ["onvif_unreachable"])
                log.warning("camera %s (%s): %s; reconnecting in %.0fs", self.device, self.spec.get("host"),
                            type(error).__name__, delay)
                stop.wait(delay)
                delay = min(delay * 2, 60.0)

    async def _pull(self, stop: threading.Event) -> None:
        from onvif import ONVIFCamera  # onvif-zeep-async: only needed where an IP camera is configured

        camera = ONVIFCamera(self.spec["host"], int(self.spec.get("port", 80)), self.spec.get("user"),
                             self.spec.get("password"), adjust_time=bool(self.spec.get("adjust_time", False)))
        lost = asyncio.Event()
        manager = None
        try:
            await camera.update_xaddrs()
            profile = None
            if self.spec.get("snapshot"):
                media = await camera.create_media_service()
                profiles = await media.GetProfiles()
                profile = profiles[0].token if profiles else None
            manager = await camera.create_pullpoint_manager(dt.timedelta(seconds=60), lost.set)
            service = manager.get_service()
            self.health.set(self.device, "ok")
            log.info("camera %s: subscribed to ONVIF events", self.device)
            while not stop.is_set() and not lost.is_set():
                answer = await service.PullMessages({"MessageLimit": 100, "Timeout": dt.timedelta(seconds=5)})
                messages = list(getattr(answer, "NotificationMessage", None) or [])
                if not messages:
                    continue
                snapshot = None
                if profile is not None:
                    try:
                        snapshot = await camera.get_snapshot(profile)
                    except Exception:  # noqa: BLE001 (a detection without its picture is still a detection)
                        snapshot = None
                self.handle(messages, snapshot)
            if lost.is_set():
                raise ConnectionError("subscription lost")
        finally:
            if manager is not None:
                try:
                    await manager.shutdown()
                except Exception:  # noqa: BLE001
                    log.debug("camera %s: unsubscribe failed", self.device)
            await camera.close()
