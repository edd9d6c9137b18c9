"""The agent's configuration: one TOML file (read with tomllib).

    server = "https://bmis.example.gov"          # the BMIS server the devices report to
    queue = "queue.sqlite3"                       # the on-disk queue (relative: beside this file)
    max_events = 100000                           # queue bounds (oldest heartbeats dropped first)
    max_bytes = 536870912
    credentials_file = "demo-devices.json"        # optional: [{code, kind, credential, ...}] as seed_demo writes

    [sender]                                      # optional, these are the defaults
    batch_size = 50
    timeout_seconds = 10
    backoff_initial_seconds = 1
    backoff_max_seconds = 60
    auth_retry_seconds = 60
    processing_retries = 10                       # resends of an event the server stored but could not act on

    [[devices]]
    code = "BGW-A1-DOC"
    kind = "document_reader"
    credential_env = "BMIS_DEVICE_BGW_A1_DOC"     # or credential = "bmisdev_..." or credential_file = "path"
    heartbeat_seconds = 30

    [[sources]]
    type = "keyboard"                             # keyboard | serial | webcam | folder | onvif
    device = "BGW-A1-DOC"

A malformed file stops the agent with a message naming the key (ConfigError).
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SOURCE_TYPES = ("keyboard", "serial", "webcam", "folder", "onvif")
DEVICE_KINDS = ("document_reader", "chip_reader", "fingerprint_scanner", "face_camera", "thermal_camera",
                "surveillance_camera", "patrol_handset", "radio_gateway")


class ConfigError(ValueError):
    pass


@dataclass
class DeviceConfig:
    code: str
    kind: str = ""
    credential: str | None = None
    heartbeat_seconds: float = 30.0
    booth: str | None = None
    post: str | None = None
    sector: str | None = None


@dataclass
class SenderConfig:
    batch_size: int = 50
    timeout_seconds: float = 10.0
    backoff_initial_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    auth_retry_seconds: float = 60.0
    processing_retries: int = 10


@dataclass
class AgentConfig:
    server: str
    queue: Path
    max_events: int = 100_000
    max_bytes: int = 512 * 1024 * 1024
    sender: SenderConfig = field(default_factory=SenderConfig)
    devices: dict[str, DeviceConfig] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)

    def credentials(self) -> dict[str, str]:
        return {code: d.credential for code, d in self.devices.items() if d.credential}


def _type(table: dict, key: str, types, where: str, default=None, required: bool = False):
    if key not in table:
        if required:
            raise ConfigError(f"{where}: `{key}` is required")
        return default
    value = table[key]
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise ConfigError(f"{where}: `{key}` must be {_names(types)}, not a boolean")
    if not isinstance(value, types):
        raise ConfigError(f"{where}: `{key}` must be {_names(types)}, not {type(value).__name__}")
    return value


def _names(types) -> str:
    types = types if isinstance(types, tuple) else (types,)
    return " or ".join({str: "a string", int: "an integer", float: "a number", list: "a list", dict: "a table",
                        bool: "true or false"}.get(t, t.__name__) for t in types)


def _positive(value, key: str, where: str):
    if value <= 0:
        raise ConfigError(f"{where}: `{key}` must be positive")
    return value


def check_server(url: str, where: str = "config") -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{where}: `server` must be an http(s) URL such as https://bmis.example.gov, not {url!r}")
    return url.rstrip("/")


def read_credentials_file(path: Path) -> list[dict]:
    """The device list `seed_demo` writes: {"devices": [{code, kind, post, booth, sector, latitude,
    longitude, credential}, ...], "sectors": [...]} (a bare list of devices is taken too)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"credentials file {path}: {error.strerror or error}") from error
    except ValueError as error:
        raise ConfigError(f"credentials file {path}: not JSON ({error})") from error
    if isinstance(data, dict) and isinstance(data.get("devices"), list):
        data = data["devices"]
    if not isinstance(data, list):
        raise ConfigError(f"credentials file {path}: expected a list of devices")
    for i, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str) \
                or not isinstance(entry.get("credential"), str):
            raise ConfigError(f"credentials file {path}: entry {i} needs a `code` and a `credential` (strings)")
    return data


def devices_from_credentials(entries: list[dict]) -> dict[str, DeviceConfig]:
    devices = {}
    for entry in entries:
        devices[entry["code"]] = DeviceConfig(
            code=entry["code"], kind=str(entry.get("kind") or ""), credential=entry["credential"],
            heartbeat_seconds=float(entry.get("heartbeat_seconds") or 30),
            booth=_str_or_none(entry.get("booth")), post=_str_or_none(entry.get("post")),
            sector=_str_or_none(entry.get("sector")))
    return devices


def _str_or_none(value) -> str | None:
    return None if value in (None, "") else str(value)


def _device(table: dict, index: int, base: Path) -> DeviceConfig:
    where = f"devices[{index}]"
    code = _type(table, "code", str, where, required=True)
    kind = _type(table, "kind", str, where, default="")
    if kind and kind not in DEVICE_KINDS:
        raise ConfigError(f"{where}: `kind` must be one of {', '.join(DEVICE_KINDS)}")
    given = [k for k in ("credential", "credential_env", "credential_file") if k in table]
    if len(given) > 1:
        raise ConfigError(f"{where}: give one of `credential`, `credential_env`, `credential_file`")
    credential = None
    if "credential" in table:
        credential = _type(table, "credential", str, where)
    elif "credential_env" in table:
        name = _type(table, "credential_env", str, where)
        credential = os.environ.get(name)
        if not credential:
            raise ConfigError(f"{where}: environment variable {name} (credential_env) is not set")
    elif "credential_file" in table:
        path = base / _type(table, "credential_file", str, where)
        try:
            credential = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(f"{where}: credential_file {path}: {error.strerror or error}") from error
    heartbeat = float(_positive(_type(table, "heartbeat_seconds", (int, float), where, default=30), "heartbeat_seconds",
                                where))
    return DeviceConfig(code=code, kind=kind, credential=credential, heartbeat_seconds=heartbeat,
                        booth=_type(table, "booth", str, where), post=_type(table, "post", str, where),
                        sector=_type(table, "sector", str, where))


def parse(data: dict, base: Path) -> AgentConfig:
    """Check the parsed TOML `data`; relative paths are taken from `base` (the file's folder)."""
    known = {"server", "queue", "max_events", "max_bytes", "credentials_file", "sender", "devices", "sources"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"config: unknown key(s) {', '.join(unknown)}")
    server = check_server(_type(data, "server", str, "config", required=True))
    queue = base / _type(data, "queue", str, "config", default="queue.sqlite3")
    max_events = _positive(_type(data, "max_events", int, "config", default=100_000), "max_events", "config")
    max_bytes = _positive(_type(data, "max_bytes", int, "config", default=512 * 1024 * 1024), "max_bytes", "config")

    sender_table = _type(data, "sender", dict, "config", default={})
    sender = SenderConfig()
    for key in vars(sender):
        if key in sender_table:
            kind = int if key in ("batch_size", "processing_retries") else (int, float)
            setattr(sender, key, _positive(_type(sender_table, key, kind, "sender"), key, "sender"))
    unknown = sorted(set(sender_table) - set(vars(sender)))
    if unknown:
        raise ConfigError(f"sender: unknown key(s) {', '.join(unknown)}")

    devices: dict[str, DeviceConfig] = {}
    if "credentials_file" in data:
        devices.update(devices_from_credentials(
            read_credentials_file(base / _type(data, "credentials_file", str, "config"))))
    for i, table in enumerate(_type(data, "devices", list, "config", default=[])):
        if not isinstance(table, dict):
            raise ConfigError(f"devices[{i}]: must be a table")
        device = _device(table, i, base)
        if device.credential is None and device.code in devices:
            device.credential = devices[device.code].credential
        devices[device.code] = device

    sources = []
    for i, table in enumerate(_type(data, "sources", list, "config", default=[])):
        where = f"sources[{i}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: must be a table")
        kind = _type(table, "type", str, where, required=True)
        if kind not in SOURCE_TYPES:
            raise ConfigError(f"{where}: `type` must be one of {', '.join(SOURCE_TYPES)}")
        device = _type(table, "device", str, where, required=kind != "folder")
        for key in ("device", "document_device", "face_device", "fingerprint_device"):
            if key in table and table[key] not in devices:
                raise ConfigError(f"{where}: `{key}` {table[key]!r} is not a configured device")
        if kind == "folder" and not any(k in table for k in ("document_device", "face_device", "fingerprint_device",
                                                              "device")):
            raise ConfigError(f"{where}: a folder source needs `document_device`, `face_device` or "
                              "`fingerprint_device`")
        if kind in ("serial",) and "port" not in table:
            raise ConfigError(f"{where}: `port` is required")
        if kind == "folder" and "path" not in table:
            raise ConfigError(f"{where}: `path` is required")
        if kind == "onvif" and "host" not in table:
            raise ConfigError(f"{where}: `host` is required")
        if device is not None and devices.get(device) is None:
            raise ConfigError(f"{where}: `device` {device!r} is not a configured device")
        source = dict(table)
        if kind == "folder":
            source["path"] = str(base / table["path"])
        sources.append(source)

    for code, device in devices.items():
        if not device.credential:
            raise ConfigError(f"device {code}: no credential (credential, credential_env, credential_file or "
                              "credentials_file)")
    return AgentConfig(server=server, queue=queue, max_events=max_events, max_bytes=max_bytes, sender=sender,
                       devices=devices, sources=sources)


def load(path: str | Path) -> AgentConfig:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"config {path}: {error.strerror or error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config {path}: {error}") from error
    return parse(data, path.resolve().parent)
