"""Safe image loading: every bad input gets a clear ImageError."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from biometrics.face import images
from biometrics.face.images import ImageError, load_image
from biometrics.tests.face.conftest import read_fixture


def _error(data: bytes) -> ImageError:
    with pytest.raises(ImageError) as info:
        load_image(data)
    return info.value


def _png_with_size(width: int, height: int) -> bytes:
    """A valid 1x1 greyscale PNG whose header claims width x height."""
    buf = io.BytesIO()
    Image.new("L", (1, 1)).save(buf, format="PNG")
    data = bytearray(buf.getvalue())
    # IHDR payload starts after the 8-byte signature, 4-byte length, 4-byte type.
    data[16:24] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)


def test_empty_upload():
    err = _error(b"")
    assert err.code == "empty"
    assert "empty" in err.message


def test_not_an_image():
    err = _error(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" * 20)
    assert err.code == "not_an_image"
    assert "not an image" in err.message


def test_truncated_jpeg():
    data = read_fixture("img10.jpg")
    err = _error(data[: len(data) // 2])
    assert err.code == "truncated"
    assert "truncated" in err.message


def test_truncated_jpeg_refused_even_after_face_recognition_import(model):
    """face_recognition sets Pillow's LOAD_TRUNCATED_IMAGES globally; uploads stay strict."""
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # what importing face_recognition does
    assert _error(read_fixture("img10.jpg")[:5000]).code == "truncated"


def test_decompression_bomb_refused_from_header():
    # 20000 x 20000 = 400 megapixels claimed by a 70-byte file.
    data = _png_with_size(20_000, 20_000)
    assert len(data) < 100
    err = _error(data)
    assert err.code == "decompression_bomb"
    assert "megapixels" in err.message


def test_limit_is_explicit_and_applied_to_pillow():
    assert images.MAX_IMAGE_PIXELS == 80_000_000
    assert Image.MAX_IMAGE_PIXELS == images.MAX_IMAGE_PIXELS
    # Just above the limit is refused, just below is not refused as a bomb.
    assert _error(_png_with_size(10_000, 8_001)).code == "decompression_bomb"
    below = _error(_png_with_size(10_000, 7_999))
    assert below.code != "decompression_bomb"  # it fails later: the pixel data is 1x1


def test_file_too_large(monkeypatch):
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 1000)
    err = _error(read_fixture("img10.jpg"))
    assert err.code == "too_large"


def test_unsupported_format():
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 10, 10)).save(buf, format="GIF")
    err = _error(buf.getvalue())
    assert err.code == "unsupported_format"
    assert "GIF" in err.message


def test_real_jpeg_loads_as_rgb():
    img = load_image(read_fixture("img10.jpg"))
    assert img.pixels.dtype == np.uint8
    assert img.pixels.shape == (594, 408, 3)
    assert img.original_size == (408, 594)
    assert img.scale == 1.0
    assert img.format == "JPEG"


def test_rgba_and_greyscale_png_become_rgb():
    src = Image.open(io.BytesIO(read_fixture("img5.jpg")))
    for mode in ("RGBA", "L", "I;16"):
        buf = io.BytesIO()
        src.convert(mode if mode != "I;16" else "L").convert(mode).save(buf, format="PNG")
        img = load_image(buf.getvalue())
        assert img.pixels.shape == (src.height, src.width, 3), mode


def test_exif_orientation_applied(model):
    """A portrait stored sideways with EXIF orientation 6 loads upright."""
    src = Image.open(io.BytesIO(read_fixture("img10.jpg")))
    sideways = src.transpose(Image.Transpose.ROTATE_90)  # how a phone sensor stores it
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    buf = io.BytesIO()
    sideways.save(buf, format="JPEG", quality=95, exif=exif.tobytes())
    img = load_image(buf.getvalue())
    assert img.original_size == src.size
    assert img.pixels.shape[:2] == (src.height, src.width)
    # The HOG detector finds upright faces only: the face is found because
    # the rotation was undone.
    assert len(model.detect(img.pixels)) == 1
    raw = np.asarray(sideways)
    assert len(model.detect(np.ascontiguousarray(raw))) == 0


def test_max_side_downscales():
    img = load_image(read_fixture("img10.jpg"), max_side=200)
    assert max(img.pixels.shape[:2]) == 200
    assert img.original_size == (408, 594)
    assert img.scale == pytest.approx(200 / 594, rel=0.01)
