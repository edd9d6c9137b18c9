"""Webcam face capture through OpenCV. The camera takes a face when the booth's document reader
reads a document (`trigger = "document"`, the default: the face lands on the inspection just
opened) or every `interval_seconds` (`trigger = "interval"`). Of a short burst of frames it sends
the sharpest (variance of the Laplacian), as a JPEG; face finding and quality are the server's work
(the same checks as any other face image)."""

from __future__ import annotations

import logging
import queue as queue_module
import threading

from . import Bus, Emit, Health, b64

log = logging.getLogger(__name__)


def sharpness(frame) -> float:
    import cv2

    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def best_frame_jpeg(frames: list, quality: int = 92) -> bytes | None:
    """The sharpest of `frames`, encoded as JPEG (None when there is none)."""
    import cv2

    frames = [f for f in frames if f is not None and getattr(f, "size", 0)]
    if not frames:
        return None
    best = max(frames, key=sharpness)
    ok, encoded = cv2.imencode(".jpg", best, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    return encoded.tobytes() if ok else None


def face_payload(jpeg: bytes) -> dict:
    return {"modality": "face", "image": b64(jpeg)}


class WebcamSource:
    def __init__(self, spec: dict, emit: Emit, health: Health, bus: Bus):
        self.spec = spec
        self.device = spec["device"]
        self.emit = emit
        self.health = health
        self.trigger = spec.get("trigger", "document")
        self.burst = int(spec.get("burst_frames", 5))
        self._requests: queue_module.Queue[str] = queue_module.Queue()
        if self.trigger == "document":
            trigger_device = spec.get("trigger_device")
            bus.subscribe(lambda device, kind: kind == "document"
                          and (trigger_device is None or device == trigger_device)
                          and self._requests.put(device))

    def grab(self, capture) -> bytes | None:
        frames = []
        for _ in range(self.burst):
            ok, frame = capture.read()
            if ok:
                frames.append(frame)
        return best_frame_jpeg(frames)

    def run(self, stop: threading.Event) -> None:
        import cv2

        camera = self.spec.get("camera", 0)
        capture = cv2.VideoCapture(camera)
        try:
            if not capture.isOpened():
                self.health.set(self.device, "error", ["camera_unavailable"])
                log.error("webcam %s: camera %r cannot be opened", self.device, camera)
                return
            self.health.set(self.device, "ok")
            interval = float(self.spec.get("interval_seconds", 10))
            while not stop.is_set():
                try:
                    self._requests.get(timeout=interval if self.trigger == "interval" else 0.5)
                except queue_module.Empty:
                    if self.trigger != "interval":
                        continue
                jpeg = self.grab(capture)
                if jpeg is None:
                    self.health.set(self.device, "degraded", ["no_frame"])
                    continue
                self.health.set(self.device, "ok")
                log.info("face capture on %s queued as %s", self.device,
                         self.emit(self.device, "capture", face_payload(jpeg)))
        finally:
            capture.release()
