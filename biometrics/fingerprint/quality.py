"""Quality of one finger impression, with coaching messages for the officer and the traveller.

Measures, all on the 500 ppi grey image:

- foreground: 16 x 16 blocks whose grey-level spread shows ridges, cleaned up and reduced to the
  largest connected region; reported as a fraction of the image and as an area in mm^2;
- ridge-orientation coherence: the mean coherence of the gradient structure tensor over the
  foreground (1 = perfectly parallel ridges, 0 = no dominant orientation);
- contrast: the spread between the 5th and 95th grey-level percentiles of the foreground;
- ridge period: the share of the foreground's spectral energy at ridge frequencies (periods of
  5-16 pixels at 500 ppi); a photograph of a face or an object has little energy there;
- ridge/valley balance: the share of foreground pixels darker than their neighbourhood (0.3-0.6
  on good prints; much less for a dry finger, whose ridges break up);
- ink ratio: the share of foreground pixels darker than midway between its 5th and 95th grey-level
  percentiles (0.13-0.71 on FVC2002, the moistened impressions highest): ridges that spread into the
  valleys of a wet or smudged finger raise it. (The neighbourhood balance cannot show this: where
  ridges merge, the neighbourhood darkens with them; it never passed 0.60 on FVC2002.)
- the position of the foreground centroid (is the finger centred?);
- the number of minutiae, and NFIQ 2 (NIST's quality score, 0-100) when it could be computed.

The score (0-100) is the mean of our own measure and NFIQ 2 when NFIQ 2 is available, our own
measure alone otherwise. Below :data:`ENROL_THRESHOLD` an impression is not enrolled.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

from .imaging import TARGET_DPI, FingerImage

ENROL_THRESHOLD = 30
MIN_MINUTIAE = 12
# Fingerprints measured 0.48-0.85 on FVC2002 (all four sensors), face photographs 0.13-0.23.
RIDGE_ENERGY_MIN = 0.35
BLOCK = 16
MM_PER_PIXEL = 25.4 / TARGET_DPI

COACHING = {
    "no_finger": "No finger detected: place the finger flat on the scanner.",
    "not_a_fingerprint": "This image does not look like a fingerprint: scan the finger on the fingerprint scanner.",
    "press_harder": "Press harder: too little of the finger touches the scanner.",
    "not_centred": "Finger not centred: place the middle of the fingertip on the centre of the scanner.",
    "too_dry": "Image too dry: the ridges are broken; moisten the finger slightly and scan again.",
    "smudged": "Image smudged or too wet: wipe the finger and the scanner glass and scan again.",
    "low_contrast": "Contrast too low: clean the scanner glass and press evenly.",
    "few_minutiae": "Too few ridge details were found: press the whole fingertip flat and hold still.",
}


@dataclass(frozen=True)
class Coaching:
    code: str
    message: str


@dataclass
class QualityReport:
    score: int
    acceptable: bool
    foreground_fraction: float
    foreground_area_mm2: float
    coherence: float
    contrast: float
    ridge_energy: float
    dark_ratio: float
    mean_grey: float
    centre_offset: tuple[float, float]
    minutiae_count: int | None
    nfiq2: int | None
    own_score: int
    coaching: list[Coaching] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.coaching]

    def as_dict(self) -> dict:
        d = asdict(self)
        d["centre_offset"] = list(self.centre_offset)
        return d


def _ramp(value: float, lo: float, hi: float) -> float:
    return float(np.clip((value - lo) / (hi - lo), 0.0, 1.0))


def _block_sums(a: np.ndarray, b: int) -> np.ndarray:
    h, w = a.shape
    return a[: h - h % b, : w - w % b].reshape(h // b, b, w // b, b).sum(axis=(1, 3))


def _largest_component(mask: np.ndarray) -> np.ndarray:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=4)
    if n <= 1:
        return mask.astype(bool)
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return labels == best


def segment(img: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Block-level foreground mask, block coherence and the per-block structure tensor sums."""
    f = img.astype(np.float32)
    gx = cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3)
    gxx = _block_sums(gx * gx, BLOCK)
    gyy = _block_sums(gy * gy, BLOCK)
    gxy = _block_sums(gx * gy, BLOCK)
    # Smooth the tensor over 3 x 3 blocks so that a single minutia does not break the coherence.
    k = np.ones((3, 3), np.float32)
    sxx = cv2.filter2D(gxx, -1, k, borderType=cv2.BORDER_REPLICATE)
    syy = cv2.filter2D(gyy, -1, k, borderType=cv2.BORDER_REPLICATE)
    sxy = cv2.filter2D(gxy, -1, k, borderType=cv2.BORDER_REPLICATE)
    coherence = np.sqrt((sxx - syy) ** 2 + 4 * sxy**2) / (sxx + syy + 1e-6)

    mean = _block_sums(f, BLOCK) / BLOCK**2
    sq = _block_sums(f * f, BLOCK) / BLOCK**2
    std = np.sqrt(np.maximum(sq - mean**2, 0.0))
    # A block shows ridges when its grey levels spread (ridges and valleys) well above sensor noise.
    threshold = max(12.0, 0.35 * float(np.percentile(std, 90)))
    fg = std > threshold
    fg = cv2.morphologyEx(fg.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    fg = _largest_component(fg) if fg.any() else fg.astype(bool)
    return fg.astype(bool), coherence, std


def _ridge_energy(img: np.ndarray, fg_pixels: np.ndarray) -> float:
    """Share of the foreground's spectral energy at ridge frequencies (periods 5-16 px)."""
    f = img.astype(np.float32)
    if fg_pixels.sum() < 64:
        return 0.0
    mean = float(f[fg_pixels].mean())
    g = np.where(fg_pixels, f - mean, 0.0).astype(np.float32)
    h, w = g.shape
    win = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    spec = np.abs(np.fft.rfft2(g * win)) ** 2
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    radius = np.sqrt(fx**2 + fy**2)
    total = spec[radius > 1.0 / 64].sum()
    if total <= 0:
        return 0.0
    band = spec[(radius >= 1.0 / 16) & (radius <= 1.0 / 5)].sum()
    return float(band / total)


def assess(image: FingerImage, *, minutiae_count: int | None = None, nfiq2: int | None = None) -> QualityReport:
    """Measure the quality of a 500 ppi finger image and say what the person should change."""
    img = image.pixels
    h, w = img.shape
    coaching: list[Coaching] = []

    def say(code: str) -> None:
        coaching.append(Coaching(code, COACHING[code]))

    global_std = float(img.std())
    if global_std < 4.0:
        say("no_finger")
        return QualityReport(
            score=0, acceptable=False, foreground_fraction=0.0, foreground_area_mm2=0.0, coherence=0.0,
            contrast=0.0, ridge_energy=0.0, dark_ratio=0.0, mean_grey=float(img.mean()), centre_offset=(0.0, 0.0),
            minutiae_count=minutiae_count, nfiq2=nfiq2, own_score=0, coaching=coaching,
        )

    fg_blocks, coherence_map, _ = segment(img)
    bh, bw = fg_blocks.shape
    fg_pixels = np.zeros_like(img, dtype=bool)
    fg_pixels[: bh * BLOCK, : bw * BLOCK] = np.kron(fg_blocks, np.ones((BLOCK, BLOCK), bool))
    n_fg = int(fg_pixels.sum())
    fg_fraction = n_fg / float(h * w)
    fg_area = n_fg * MM_PER_PIXEL**2

    if n_fg < 16 * BLOCK * BLOCK:
        say("no_finger")
        return QualityReport(
            score=0, acceptable=False, foreground_fraction=fg_fraction, foreground_area_mm2=fg_area, coherence=0.0,
            contrast=0.0, ridge_energy=0.0, dark_ratio=0.0, mean_grey=float(img.mean()), centre_offset=(0.0, 0.0),
            minutiae_count=minutiae_count, nfiq2=nfiq2, own_score=0, coaching=coaching,
        )

    coherence = float(coherence_map[fg_blocks].mean())
    values = img[fg_pixels].astype(np.float32)
    p5, p95 = np.percentile(values, [5, 95])
    contrast = float((p95 - p5) / 255.0)
    mean_grey = float(values.mean())
    local_mean = cv2.blur(img.astype(np.float32), (15, 15))
    dark_ratio = float((img.astype(np.float32) < local_mean - 2.0)[fg_pixels].mean())
    ink_ratio = float((values < (p5 + p95) / 2.0).mean())
    ridge_energy = _ridge_energy(img, fg_pixels)
    ys, xs = np.nonzero(fg_blocks)
    cy = (ys.mean() + 0.5) * BLOCK / h - 0.5
    cx = (xs.mean() + 0.5) * BLOCK / w - 0.5
    centre_offset = (float(cx), float(cy))

    looks_like_finger = ridge_energy >= RIDGE_ENERGY_MIN and image.colour_saturation < 0.15
    if not looks_like_finger:
        say("not_a_fingerprint")
    else:
        if fg_area < 60.0:
            say("press_harder")
        elif max(abs(cx), abs(cy)) > 0.2:
            say("not_centred")
        if dark_ratio < 0.30 or (mean_grey > 170 and coherence < 0.45):
            say("too_dry")
        elif ink_ratio > 0.62 or (coherence < 0.35 and contrast < 0.35):
            say("smudged")
        elif contrast < 0.2:
            say("low_contrast")
        if minutiae_count is not None and minutiae_count < MIN_MINUTIAE:
            say("few_minutiae")

    parts = {
        "area": (_ramp(fg_area, 40.0, 110.0), 0.25),
        "coherence": (_ramp(coherence, 0.25, 0.55), 0.30),
        "contrast": (_ramp(contrast, 0.12, 0.40), 0.15),
        "minutiae": (_ramp(minutiae_count if minutiae_count is not None else 25, 8, 25), 0.30),
    }
    own = 100.0 * sum(v * wt for v, wt in parts.values())
    if not looks_like_finger:
        own = min(own, 10.0)
    score = 0.5 * own + 0.5 * nfiq2 if (nfiq2 is not None and looks_like_finger) else own
    score = int(round(score))
    acceptable = looks_like_finger and score >= ENROL_THRESHOLD and (minutiae_count is None or minutiae_count >= MIN_MINUTIAE)
    return QualityReport(
        score=score,
        acceptable=acceptable,
        foreground_fraction=round(fg_fraction, 4),
        foreground_area_mm2=round(fg_area, 1),
        coherence=round(coherence, 4),
        contrast=round(contrast, 4),
        ridge_energy=round(ridge_energy, 4),
        dark_ratio=round(dark_ratio, 4),
        mean_grey=round(mean_grey, 1),
        centre_offset=(round(centre_offset[0], 3), round(centre_offset[1], 3)),
        minutiae_count=minutiae_count,
        nfiq2=nfiq2,
        own_score=int(round(own)),
        coaching=coaching,
    )
