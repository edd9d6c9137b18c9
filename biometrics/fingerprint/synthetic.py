"""Synthetic minutia sets that look like real ones, to fill a 1:N gallery with impostors.

Random points with random directions would be far too easy to reject: real minutiae follow the
ridge flow, so neighbouring minutiae have related directions, and a cylinder code is built from
exactly those relations. Each synthetic finger therefore gets:

- a finger-shaped foreground: an ellipse of 9-14 mm x 12-18 mm at 500 ppi, placed in a
  300-400 pixel frame as on single-finger scanners;
- a ridge-orientation field from the zero-pole model (Sherlock and Monro, 1993) with the
  singular points of a random pattern class (arch, left loop, right loop, whorl, twin loop) and a
  random overall rotation;
- a number of minutiae drawn from the range observed with mindtct on FVC2002 (about 20 to 90);
- positions drawn with a minimum spacing (Poisson-disc), so two minutiae are never closer than
  about one ridge period;
- directions along the local ridge orientation, either way (ending or bifurcation), with
  +/- 8 degrees of noise, and mindtct-like reliabilities.
"""

from __future__ import annotations

import math

import numpy as np

from .minutiae import KIND_BIFURCATION, KIND_ENDING, MinutiaSet

PATTERNS = ("arch", "left_loop", "right_loop", "whorl", "twin_loop")
PATTERN_WEIGHTS = (0.07, 0.33, 0.30, 0.25, 0.05)


def _orientation(px: np.ndarray, py: np.ndarray, cores, deltas, rotation: float) -> np.ndarray:
    z = px + 1j * py
    o = np.full(z.shape, rotation, dtype=np.float64)
    for c in cores:
        o += 0.5 * np.angle(z - c)
    for d in deltas:
        o -= 0.5 * np.angle(z - d)
    return o


def _singularities(rng: np.random.Generator, pattern: str, cx: float, cy: float, ax: float, ay: float):
    def near(dx, dy):
        return complex(cx + dx * ax, cy + dy * ay)

    j = rng.normal(0, 0.12, size=8)
    if pattern == "arch":
        # An arch has no singular point in the print; put a core and a delta well below the finger.
        return [near(j[0], 2.4 + j[1])], [near(j[2], 2.9 + j[3])]
    if pattern == "left_loop":
        return [near(0.15 + j[0], -0.1 + j[1])], [near(-0.7 + j[2], 0.75 + j[3])]
    if pattern == "right_loop":
        return [near(-0.15 + j[0], -0.1 + j[1])], [near(0.7 + j[2], 0.75 + j[3])]
    if pattern == "whorl":
        return [near(j[0] - 0.1, -0.15 + j[1]), near(j[2] + 0.1, 0.05 + j[3])], [
            near(-0.8 + j[4], 0.8 + j[5]),
            near(0.8 + j[6], 0.8 + j[7]),
        ]
    # twin loop
    return [near(-0.2 + j[0], -0.25 + j[1]), near(0.2 + j[2], 0.15 + j[3])], [
        near(-0.85 + j[4], 0.7 + j[5]),
        near(0.85 + j[6], 0.85 + j[7]),
    ]


def _poisson_disc(rng: np.random.Generator, n: int, cx, cy, ax, ay, min_dist: float) -> np.ndarray:
    pts: list[tuple[float, float]] = []
    arr = np.zeros((0, 2))
    tries = 0
    while len(pts) < n and tries < n * 60:
        tries += 1
        r = math.sqrt(rng.random())
        t = rng.random() * 2 * math.pi
        x = cx + ax * r * math.cos(t)
        y = cy + ay * r * math.sin(t)
        if len(pts) and (((arr[:, 0] - x) ** 2 + (arr[:, 1] - y) ** 2).min() < min_dist**2):
            continue
        pts.append((x, y))
        arr = np.asarray(pts)
    return arr


def synthetic_minutiae(rng: np.random.Generator) -> MinutiaSet:
    """One realistic random minutia set (see the module notes)."""
    width = int(rng.integers(300, 401))
    height = int(rng.integers(300, 421))
    ax = rng.uniform(90, 140)  # semi-axes in pixels (9-14 mm wide at 500 ppi)
    ay = rng.uniform(120, 180)
    ax = min(ax, width / 2 - 5)
    ay = min(ay, height / 2 + 60)  # the lower part of the finger may leave the frame
    cx = width / 2 + rng.normal(0, 20)
    cy = height / 2 + rng.normal(0, 25)
    pattern = rng.choice(PATTERNS, p=PATTERN_WEIGHTS)
    cores, deltas = _singularities(rng, str(pattern), cx, cy, ax, ay)
    rotation = rng.normal(0, math.radians(12))

    n = int(np.clip(rng.normal(46, 13), 18, 95))
    pts = _poisson_disc(rng, n, cx, cy, ax, ay, min_dist=rng.uniform(8.0, 11.0))
    inside = (pts[:, 0] >= 0) & (pts[:, 0] < width) & (pts[:, 1] >= 0) & (pts[:, 1] < height)
    pts = pts[inside]
    px, py = pts[:, 0], pts[:, 1]
    orient = _orientation(px, py, cores, deltas, rotation)
    flip = rng.random(len(px)) < 0.5
    theta = orient + np.where(flip, math.pi, 0.0) + rng.normal(0, math.radians(8), len(px))
    kind = np.where(rng.random(len(px)) < 0.55, KIND_ENDING, KIND_BIFURCATION)
    quality = np.clip(rng.beta(2.0, 3.0, len(px)), 0.05, 0.99)
    return MinutiaSet.from_arrays(
        np.round(px), np.round(py), theta, kind=kind, quality=quality, width=width, height=height
    )
