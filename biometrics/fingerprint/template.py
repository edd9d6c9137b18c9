"""Serialised fingerprint templates: minutiae plus the extractor and matcher versions.

A template stores minutiae, not cylinders: cylinders are derived from the minutiae in a few
milliseconds, so a change of cylinder parameters (a new matcher version) does not need the
finger images again. Layout (little-endian)::

    b"BMFT"              magic
    u8                   format version (1)
    u8 + bytes           extractor version, UTF-8 (e.g. "nbis-mindtct/0.1.3")
    u8 + bytes           matcher version, UTF-8 (e.g. "bmis-mcc16b-lssr/1")
    u16 u16 u16 u16      width, height, resolution (ppi), minutia count n
    n x (u16 u16 u16 u8 u8)
                         x and y in 1/8 pixel, direction in 1/65536 turn (pixel frame, y down),
                         kind (1 ending, 2 bifurcation), quality in 1/255
    u32                  CRC-32 of everything before it

Positions keep 1/8 pixel and directions 1/65536 of a turn, far below what the matcher can see.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

from .errors import TemplateFormatError
from .mcc import MATCHER_VERSION
from .minutiae import EXTRACTOR_VERSION, MinutiaSet

MAGIC = b"BMFT"
FORMAT_VERSION = 1
_HEAD = struct.Struct("<4sB")
_DIMS = struct.Struct("<HHHH")
_MINUTIA = np.dtype([("x", "<u2"), ("y", "<u2"), ("t", "<u2"), ("kind", "u1"), ("q", "u1")])
MAX_MINUTIAE = 1000
POS_SCALE = 8.0
ANGLE_SCALE = 65536.0 / (2 * np.pi)


@dataclass(frozen=True)
class Template:
    minutiae: MinutiaSet
    extractor_version: str = EXTRACTOR_VERSION
    matcher_version: str = MATCHER_VERSION


def _pack_str(value: str) -> bytes:
    raw = value.encode("utf-8")
    if len(raw) > 255:
        raise ValueError("version string longer than 255 bytes")
    return bytes([len(raw)]) + raw


def serialize(template: Template) -> bytes:
    ms = template.minutiae
    n = len(ms)
    if n > MAX_MINUTIAE:
        raise ValueError(f"a template holds at most {MAX_MINUTIAE} minutiae")
    limit = 65535 / POS_SCALE
    if n and (ms.x.min() < 0 or ms.y.min() < 0 or ms.x.max() > limit or ms.y.max() > limit):
        raise ValueError("minutia position outside the storable range")
    rec = np.zeros(n, dtype=_MINUTIA)
    rec["x"] = np.round(ms.x.astype(np.float64) * POS_SCALE)
    rec["y"] = np.round(ms.y.astype(np.float64) * POS_SCALE)
    rec["t"] = np.round(np.mod(ms.theta.astype(np.float64), 2 * np.pi) * ANGLE_SCALE).astype(np.int64) % 65536
    rec["kind"] = ms.kind
    rec["q"] = np.round(np.clip(ms.quality, 0.0, 1.0) * 255)
    body = b"".join(
        [
            _HEAD.pack(MAGIC, FORMAT_VERSION),
            _pack_str(template.extractor_version),
            _pack_str(template.matcher_version),
            _DIMS.pack(ms.width, ms.height, ms.dpi, n),
            rec.tobytes(),
        ]
    )
    return body + struct.pack("<I", zlib.crc32(body))


def deserialize(data: bytes) -> Template:
    data = bytes(data)
    if len(data) < _HEAD.size + 2 + _DIMS.size + 4:
        raise TemplateFormatError("fingerprint template is truncated")
    body, (crc,) = data[:-4], struct.unpack("<I", data[-4:])
    if zlib.crc32(body) != crc:
        raise TemplateFormatError("fingerprint template checksum mismatch")
    magic, version = _HEAD.unpack_from(body, 0)
    if magic != MAGIC:
        raise TemplateFormatError("not a BMIS fingerprint template")
    if version != FORMAT_VERSION:
        raise TemplateFormatError(f"unknown fingerprint template format version {version}")
    pos = _HEAD.size
    strings = []
    for _ in range(2):
        length = body[pos]
        strings.append(body[pos + 1 : pos + 1 + length].decode("utf-8"))
        pos += 1 + length
    width, height, dpi, n = _DIMS.unpack_from(body, pos)
    pos += _DIMS.size
    if len(body) - pos != n * _MINUTIA.itemsize:
        raise TemplateFormatError("fingerprint template length does not match its minutia count")
    rec = np.frombuffer(body, dtype=_MINUTIA, count=n, offset=pos)
    ms = MinutiaSet(
        x=(rec["x"].astype(np.float32) / np.float32(POS_SCALE)),
        y=(rec["y"].astype(np.float32) / np.float32(POS_SCALE)),
        theta=(rec["t"].astype(np.float64) / ANGLE_SCALE).astype(np.float32),
        kind=rec["kind"].copy(),
        quality=(rec["q"].astype(np.float32) / np.float32(255.0)),
        width=width,
        height=height,
        dpi=dpi,
    )
    return Template(minutiae=ms, extractor_version=strings[0], matcher_version=strings[1])
