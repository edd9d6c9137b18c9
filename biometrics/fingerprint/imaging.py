"""Loading finger images: format checks, grey-scale conversion and resolution handling.

Everything downstream (quality, minutiae, matching) works on 8-bit grey images at 500 pixels per
inch, the resolution of ANSI/NIST Appendix F scanners and of the FVC2002 data. An image at another
resolution is rescaled explicitly (and the rescale is recorded), or rejected when the resolution is
too far from 500 ppi for a rescale to preserve the ridge detail.

Accepted formats: PNG, TIFF and BMP through Pillow, and WSQ when the ``wsq`` package (a Pillow
plug-in wrapping NIST's WSQ codec, on PyPI) is installed. Lossy JPEG is refused: its block
artefacts create false minutiae, which is why the ANSI/NIST standard uses WSQ instead.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import FingerprintError

try:  # pragma: no cover - depends on the installation
    import wsq as _wsq  # noqa: F401  (registers the WSQ format with Pillow)

    WSQ_AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the installation
    WSQ_AVAILABLE = False

TARGET_DPI = 500
# Within this relative distance of 500 ppi an image is used as it is.
DPI_TOLERANCE = 0.02
# Resolutions a rescale to 500 ppi handles without losing ridges (ridge period ~9 px at 500 ppi).
MIN_DPI = 250
MAX_DPI = 1000
# A file whose header claims a resolution outside this range carries no real information (the FVC
# TIFFs say 1 x 1); the caller's declared resolution or the 500 ppi default is used instead.
PLAUSIBLE_HEADER_DPI = (100, 5000)
# A single finger at 500 ppi: at least ~7.6 mm on a side, at most ~10 cm (a rolled thumb is ~4 cm).
MIN_SIDE_PX = 150
MAX_SIDE_PX = 2000
MAX_INPUT_PIXELS = 25_000_000
MAX_INPUT_BYTES = 20 * 1024 * 1024

ACCEPTED_FORMATS = ("PNG", "TIFF", "BMP", "WSQ")
WSQ_MAGIC = b"\xff\xa0"


@dataclass(frozen=True)
class FingerImage:
    """An 8-bit grey finger image at 500 ppi, with how its resolution was established."""

    pixels: np.ndarray  # uint8, shape (height, width), 500 ppi
    source_format: str
    source_dpi: float
    dpi_source: str  # "declared", "header" or "assumed"
    rescaled: bool
    source_size: tuple[int, int]  # (width, height) before any rescale
    colour_saturation: float = 0.0  # mean chroma of the source, 0 for grey images
    notes: list[str] = field(default_factory=list)

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def dpi(self) -> int:
        return TARGET_DPI

    def to_png(self) -> bytes:
        buf = io.BytesIO()
        Image.fromarray(self.pixels, mode="L").save(buf, format="PNG")
        return buf.getvalue()


def _header_dpi(img: Image.Image) -> float | None:
    dpi = img.info.get("dpi")
    if not dpi:
        return None
    try:
        x, y = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        return None
    lo, hi = PLAUSIBLE_HEADER_DPI
    if not (lo <= x <= hi and lo <= y <= hi):
        return None
    if abs(x - y) > 0.02 * max(x, y):
        # Anisotropic pixels: take the mean; the rescale below makes them square.
        return (x + y) / 2
    return x


def _saturation(img: Image.Image) -> float:
    """Mean HSV saturation (0-1) of a colour image; grey images that are stored as RGB give ~0."""
    rgb = img.convert("RGB")
    rgb.thumbnail((256, 256))
    hsv = np.asarray(rgb.convert("HSV"), dtype=np.float32)
    return float(hsv[..., 1].mean() / 255.0)


def _resize(pixels: np.ndarray, scale: float) -> np.ndarray:
    h, w = pixels.shape
    new_size = (max(1, round(w * scale)), max(1, round(h * scale)))
    resample = Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.BICUBIC
    return np.asarray(Image.fromarray(pixels, mode="L").resize(new_size, resample), dtype=np.uint8)


def load_finger_image(data: bytes, *, declared_dpi: float | None = None) -> FingerImage:
    """Decode an uploaded or scanned finger image and bring it to 8-bit grey at 500 ppi.

    ``declared_dpi`` is the resolution stated by the scanner or the uploader; it takes precedence
    over the file header. Raises :class:`FingerprintError` with ``field`` set to ``image`` or
    ``resolution_dpi``.
    """
    if not data:
        raise FingerprintError("empty", "The image file is empty.")
    if len(data) > MAX_INPUT_BYTES:
        raise FingerprintError("too_large", "The image file is larger than 20 MB.")
    if data[:2] == WSQ_MAGIC and not WSQ_AVAILABLE:
        raise FingerprintError(
            "unsupported_format",
            "WSQ images cannot be decoded on this server (the WSQ codec is not installed); "
            "send PNG, TIFF or BMP.",
        )
    if declared_dpi is not None:
        try:
            declared_dpi = float(declared_dpi)
        except (TypeError, ValueError):
            raise FingerprintError(
                "invalid", "The resolution must be a number of pixels per inch.", field="resolution_dpi"
            ) from None
        if not np.isfinite(declared_dpi) or declared_dpi <= 0:
            raise FingerprintError(
                "invalid", "The resolution must be a positive number of pixels per inch.", field="resolution_dpi"
            )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            fmt = (img.format or "").upper()
            if fmt not in ACCEPTED_FORMATS:
                shown = fmt or "unknown"
                raise FingerprintError(
                    "unsupported_format",
                    f"{shown} images are not accepted for fingerprints; send PNG, TIFF, BMP"
                    + (" or WSQ." if WSQ_AVAILABLE else "."),
                )
            if img.width * img.height > MAX_INPUT_PIXELS:
                raise FingerprintError("too_large", "The image has too many pixels for a single finger.")
            img.load()
    except FingerprintError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FingerprintError("not_an_image", "The file is not a readable image.") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise FingerprintError("not_an_image", "The image file is damaged or truncated.") from None

    source_size = (img.width, img.height)
    notes: list[str] = []
    saturation = 0.0
    if img.mode in ("RGB", "RGBA", "P", "CMYK", "YCbCr", "LAB", "HSV"):
        saturation = _saturation(img)
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        hi = float(arr.max()) or 1.0
        pixels = np.clip(arr * (255.0 / hi), 0, 255).astype(np.uint8)
    elif img.mode == "1":
        pixels = np.asarray(img.convert("L"), dtype=np.uint8)
    else:
        if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
            background = Image.new("RGBA", img.size, (255, 255, 255, 255))
            background.alpha_composite(img.convert("RGBA"))
            img = background
        pixels = np.asarray(img.convert("L"), dtype=np.uint8)

    if declared_dpi is not None:
        dpi, dpi_source = declared_dpi, "declared"
    else:
        header = _header_dpi(img)
        if header is not None:
            dpi, dpi_source = header, "header"
        else:
            dpi, dpi_source = float(TARGET_DPI), "assumed"
            notes.append("resolution not stated: 500 ppi assumed")

    if not (MIN_DPI <= dpi <= MAX_DPI):
        raise FingerprintError(
            "resolution_out_of_range",
            f"The image resolution is {dpi:.0f} ppi; fingerprints must be scanned at 500 ppi "
            f"({MIN_DPI}-{MAX_DPI} ppi are rescaled).",
            field="resolution_dpi",
        )
    rescaled = abs(dpi - TARGET_DPI) > DPI_TOLERANCE * TARGET_DPI
    if rescaled:
        pixels = _resize(pixels, TARGET_DPI / dpi)
        notes.append(f"rescaled from {dpi:.0f} ppi to {TARGET_DPI} ppi")

    h, w = pixels.shape
    if min(h, w) < MIN_SIDE_PX:
        raise FingerprintError(
            "too_small",
            f"The image is {w} x {h} pixels at 500 ppi; a finger needs at least {MIN_SIDE_PX} pixels on each side.",
        )
    if max(h, w) > MAX_SIDE_PX:
        raise FingerprintError(
            "too_large",
            f"The image is {w} x {h} pixels at 500 ppi; a single finger is at most {MAX_SIDE_PX} pixels on a side.",
        )
    return FingerImage(
        pixels=np.ascontiguousarray(pixels),
        source_format=fmt,
        source_dpi=float(dpi),
        dpi_source=dpi_source,
        rescaled=rescaled,
        source_size=source_size,
        colour_saturation=saturation,
        notes=notes,
    )


def finger_image_from_array(pixels: np.ndarray, *, dpi: float = TARGET_DPI) -> FingerImage:
    """Wrap an in-memory grey image (for example from a scanner SDK) the same way as a file."""
    buf = io.BytesIO()
    Image.fromarray(np.asarray(pixels, dtype=np.uint8), mode="L").save(buf, format="PNG")
    return load_finger_image(buf.getvalue(), declared_dpi=dpi)
