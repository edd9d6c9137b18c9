"""What the fingerprint service, API and page tests share: the API paths and the images (real
FVC2002 impressions read from the shared data sets, and images made here)."""

from __future__ import annotations

import base64
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from biometrics.tests.conftest import fingerprint_fixture

ENROL = "/api/v1/biometrics/fingerprints"
VERIFY = "/api/v1/biometrics/fingerprints/verify"
IDENTIFY = "/api/v1/biometrics/fingerprints/identify"


def raw(name: str) -> bytes:
    return fingerprint_fixture(name)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def blank_png() -> bytes:
    return png(Image.new("L", (320, 320), 255))


def face_png() -> bytes:
    face = Image.open(io.BytesIO(raw("face_img12.jpg")))
    face.thumbnail((480, 480))
    return png(face)


def upload(name, data):
    """A file as the capture screen's form receives it."""
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")
