"""A folder watcher for vendor SDKs that drop files instead of offering an API.

Files, by name (case-insensitive), in the watched folder:
- `<name>.mrz`: a document read (the zone's text); beside it, optional page images
  `<name>_visible.jpg`, `<name>_infrared.jpg` (or `_ir`), `<name>_ultraviolet.jpg` (or `_uv`) and
  chip data groups `<name>_dg1.bin`, `_dg2.bin`, `_dg11.bin`, `_dg12.bin`, `_dg14.bin`, `_dg15.bin`,
  `_sod.bin`: sent together as one document event (to `document_device`).
- `[<prefix>]finger_<n>.png` or `.wsq` (n = 1..10, ISO finger positions): the fingers with one prefix
  are one fingerprint capture (to `fingerprint_device`).
- any other `.jpg`, `.jpeg` or `.png`: a face capture (to `face_device`).
Files are taken once they are stable (size and modification time unchanged for `settle_seconds`),
then moved to `done/` (or deleted: `after = "delete"`); unreadable ones go to `failed/`.

A plain polling loop, not inotify (`watchdog`): vendor SDKs often write to network shares or from
a Windows VM, where change notifications are unreliable or absent; a file must in any case be seen
unchanged twice before it is read (notifications arrive while the SDK is still writing); files
already there when the agent starts must be sent too; and polling one small folder twice a second
costs nothing. Each event's `event_id` is derived from the files (names, sizes, times), so a crash
between queueing and moving the files queues the same event again, which the queue and the server
both recognise: nothing is sent twice.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import Bus, Emit, Health, b64

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
_PAGE_ROLES = {"visible": "visible", "infrared": "infrared", "ir": "infrared", "ultraviolet": "ultraviolet",
               "uv": "ultraviolet"}
_CHIP_ROLES = ("dg1", "dg2", "dg11", "dg12", "dg14", "dg15", "sod")
_FINGER = re.compile(r"^(?P<prefix>.*?)finger_(?P<n>10|[1-9])\.(?P<ext>png|wsq)$", re.IGNORECASE)
_COMPANION = re.compile(r"^(?P<stem>.+)_(?P<role>visible|infrared|ir|ultraviolet|uv|dg1|dg2|dg11|dg12|dg14|dg15|"
                        r"sod)\.(?P<ext>jpg|jpeg|png|bin)$", re.IGNORECASE)


@dataclass(frozen=True)
class Group:
    kind: str  # document | fingers | face
    device_key: str
    files: tuple[Path, ...]


def event_id_for(files: tuple[Path, ...] | list[Path]) -> str:
    """The same files (names, sizes, modification times) give the same id: a crash between queueing
    and moving them does not make a second event."""
    digest = hashlib.sha256()
    for path in sorted(files):
        info = path.stat()
        digest.update(f"{path.name}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return "f-" + digest.hexdigest()[:40]


def group_files(paths: list[Path]) -> list[Group]:
    """Sort the stable files of the folder into events."""
    by_name = {p.name.lower(): p for p in paths}
    used: set[Path] = set()
    groups: list[Group] = []
    for path in sorted(paths):
        if path.suffix.lower() == ".mrz":
            stem = path.stem.lower()
            files = [path] + [p for name, p in by_name.items()
                              if (m := _COMPANION.match(name)) and m["stem"] == stem]
            used.update(files)
            groups.append(Group("document", "document_device", tuple(files)))
    fingers: dict[str, list[Path]] = {}
    for path in sorted(paths):
        if path in used:
            continue
        match = _FINGER.match(path.name)
        if match:
            fingers.setdefault(match["prefix"].lower(), []).append(path)
            used.add(path)
    for _prefix, files in sorted(fingers.items()):
        groups.append(Group("fingers", "fingerprint_device", tuple(files)))
    for path in sorted(paths):
        if path in used or path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        if _COMPANION.match(path.name.lower()):
            continue  # a page image whose .mrz has not arrived (or is not stable) yet
        groups.append(Group("face", "face_device", (path,)))
    return groups


def document_payload(files: tuple[Path, ...], direction: str | None = None) -> dict:
    mrz_file = next(p for p in files if p.suffix.lower() == ".mrz")
    lines = [line.strip() for line in mrz_file.read_text(encoding="ascii", errors="replace").splitlines()]
    payload: dict = {"mrz": "\n".join(line for line in lines if line)}
    images, chip = {}, {}
    for path in files:
        match = _COMPANION.match(path.name.lower())
        if not match:
            continue
        role = match["role"]
        if role in _PAGE_ROLES:
            images[_PAGE_ROLES[role]] = b64(path.read_bytes())
        elif role in _CHIP_ROLES:
            chip[role] = b64(path.read_bytes())
    if images:
        payload["images"] = images
    if chip:
        payload["chip"] = chip
    if direction in ("entry", "exit"):
        payload["direction"] = direction
    return payload


def fingers_payload(files: tuple[Path, ...]) -> dict:
    fingers = []
    for path in sorted(files, key=lambda p: int(_FINGER.match(p.name)["n"])):
        fingers.append({"position": int(_FINGER.match(path.name)["n"]), "image": b64(path.read_bytes())})
    return {"modality": "fingerprint", "fingers": fingers}


def face_payload(files: tuple[Path, ...]) -> dict:
    return {"modality": "face", "image": b64(files[0].read_bytes())}


class FolderSource:
    def __init__(self, spec: dict, emit: Emit, health: Health, bus: Bus):
        self.spec = spec
        self.path = Path(spec["path"])
        self.emit = emit
        self.health = health
        self.bus = bus
        self.settle = float(spec.get("settle_seconds", 1.0))
        self.after = spec.get("after", "move")
        self.devices = {key: spec.get(key, spec.get("device")) for key in
                        ("document_device", "face_device", "fingerprint_device")}
        self._seen: dict[Path, tuple[int, int, float]] = {}

    def stable_files(self, now: float | None = None) -> list[Path]:
        """Files unchanged since the last poll and for at least `settle_seconds`."""
        now = time.time() if now is None else now
        stable, seen = [], {}
        for path in self.path.iterdir():
            if not path.is_file() or path.name.startswith("."):
                continue
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            key = (info.st_size, info.st_mtime_ns)
            first = self._seen.get(path)
            seen[path] = (*key, first[2] if first and first[:2] == key else now)
            if first and first[:2] == key and now - info.st_mtime >= self.settle:
                stable.append(path)
        self._seen = seen
        return stable

    def poll(self, now: float | None = None) -> list[str]:
        """One look at the folder; returns the event ids queued."""
        queued = []
        for group in group_files(self.stable_files(now)):
            device = self.devices.get(group.device_key)
            if not device:
                continue  # nobody here for this kind of file: leave it for whoever is
            try:
                if group.kind == "document":
                    kind, payload = "document", document_payload(group.files, self.spec.get("direction"))
                elif group.kind == "fingers":
                    kind, payload = "capture", fingers_payload(group.files)
                else:
                    kind, payload = "capture", face_payload(group.files)
                event_id = self.emit(device, kind, payload, event_id=event_id_for(group.files))
            except (OSError, ValueError) as error:
                log.warning("folder %s: cannot read %s (%s): moved to failed/", self.path,
                            ", ".join(p.name for p in group.files), type(error).__name__)
                self._put_away(group.files, "failed")
                continue
            log.info("folder %s: %s queued as %s", self.path, group.kind, event_id)
            queued.append(event_id)
            if kind == "document":
                self.bus.publish(device, "document")
            self._put_away(group.files, "done")
        return queued

    def _put_away(self, files, folder: str) -> None:
        for path in files:
            self._seen.pop(path, None)
            if self.after == "delete" and folder == "done":
                path.unlink(missing_ok=True)
                continue
            target = self.path / folder
            target.mkdir(exist_ok=True)
            shutil.move(str(path), target / path.name)

    def run(self, stop: threading.Event) -> None:
        interval = float(self.spec.get("poll_seconds", 0.5))
        while not stop.is_set():
            try:
                self.path.mkdir(parents=True, exist_ok=True)
                self.poll()
                for device in set(filter(None, self.devices.values())):
                    self.health.set(device, "ok")
            except OSError as error:
                for device in set(filter(None, self.devices.values())):
                    self.health.set(device, "error", ["folder_unavailable"])
                log.warning("folder %s unavailable (%s)", self.path, type(error).__name__)
            stop.wait(interval)
