"""Safe loading of untrusted image bytes into an RGB numpy array.

Every failure is an :class:`ImageError` with a machine code and a message an
officer or an API client can act on.  The decompression-bomb limit is set
explicitly (``MAX_IMAGE_PIXELS``) and checked from the header, before any
pixel is decoded.  Large images are decoded at reduced scale where the format
allows it (JPEG draft mode) and downscaled to ``max_side`` before detection.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

# 80 megapixels: a 50-megapixel camera still image is accepted (and
# downscaled); anything larger is refused before decoding.  Pillow's own
# check is aligned with ours so that its DecompressionBombError can never
# fire with a different threshold.
MAX_IMAGE_PIXELS = 80_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

# Uploads larger than this are refused without being parsed.
MAX_IMAGE_BYTES = 25 * 1024 * 1024

# Formats a camera, a document reader (chip DG2 is JPEG or JPEG 2000) or a
# browser produces.  Others (TIFF, GIF, PSD, ...) are refused.
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "JPEG2000"})

# Longest side of the working image handed to detection and encoding.
DEFAULT_MAX_SIDE = 2048


class ImageError(ValueError):
    """An upload that cannot be used as an image.  ``code`` is stable."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class LoadedImage:
    pixels: np.ndarray  # H x W x 3, uint8, RGB, C-contiguous
    original_size: tuple[int, int]  # (width, height) after EXIF rotation
    scale: float  # working pixels per original pixel (<= 1)
    format: str

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


def load_image(data: bytes, *, max_side: int = DEFAULT_MAX_SIDE) -> LoadedImage:
    """Decode ``data`` (untrusted bytes) into a working RGB image.

    Raises :class:`ImageError` with code ``empty``, ``too_large``,
    ``not_an_image``, ``unsupported_format``, ``decompression_bomb``,
    ``truncated`` or ``corrupt``.
    """
    if data is None or len(data) == 0:
        raise ImageError("empty", "The image is empty (0 bytes).")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(
            "too_large",
            f"The image file is {len(data) // (1024 * 1024)} MB; the limit is "
            f"{MAX_IMAGE_BYTES // (1024 * 1024)} MB.",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageError("not_an_image", "The file is not an image (JPEG or PNG expected).") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb() from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError("corrupt", f"The image cannot be read ({type(exc).__name__}).") from None

    fmt = img.format or "unknown"
    if fmt not in ALLOWED_FORMATS:
        raise ImageError(
            "unsupported_format",
            f"Image format {fmt} is not accepted; send JPEG, PNG, WebP or JPEG 2000.",
        )
    width, height = img.size
    if width <= 0 or height <= 0:
        raise ImageError("corrupt", "The image has no pixels.")
    if width * height > MAX_IMAGE_PIXELS:
        raise _bomb(width, height)

    # face_recognition sets Pillow's global LOAD_TRUNCATED_IMAGES to True when
    # imported, which would pad a truncated upload with grey: undo that.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if fmt == "JPEG":
                # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the
                # result is still at least max_side: a 50 MP photo then never
                # occupies 150 MB of RAM.
                factor = min(1.0, max_side / max(width, height))
                if factor < 1.0:
                    img.draft("RGB", (math.ceil(width * factor), math.ceil(height * factor)))
            orientation = img.getexif().get(0x0112, 1)
            img.load()
            img = ImageOps.exif_transpose(img)
            img = _to_rgb(img)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb(width, height) from None
    except OSError as exc:
        if "truncated" in str(exc).lower() or "premature end" in str(exc).lower():
            raise ImageError("truncated", "The image file is truncated (incomplete upload?).") from None
        raise ImageError("corrupt", f"The image data is corrupt ({type(exc).__name__}).") from None
    except (SyntaxError, ValueError, EOFError) as exc:
        raise ImageError("corrupt", f"The image data is corrupt ({type(exc).__name__}).") from None

    # Size after EXIF rotation, expressed in original (undrafted) pixels.
    original_size = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    scale = min(1.0, max_side / max(img.size))
    if scale < 1.0:
        new_size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        img = img.resize(new_size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    pixels = np.ascontiguousarray(np.asarray(img, dtype=np.uint8))
    return LoadedImage(
        pixels=pixels,
        original_size=original_size,
        scale=pixels.shape[1] / original_size[0],
        format=fmt,
    )


def _bomb(width: int | None = None, height: int | None = None) -> ImageError:
    size = f" ({width} x {height} = {width * height / 1e6:.0f} megapixels)" if width else ""
    return ImageError(
        "decompression_bomb",
        f"The image is too large{size}; the limit is {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels.",
    )


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        peak = arr.max() or 1.0
        return Image.fromarray(np.clip(arr * (255.0 / peak), 0, 255).astype(np.uint8)).convert("RGB")
    return img.convert("RGB")


def encode_jpeg(pixels: np.ndarray, quality: int = 90) -> bytes:
    """JPEG bytes of an RGB array (for storing crops and thumbnails)."""
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()
