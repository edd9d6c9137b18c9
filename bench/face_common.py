"""Helpers shared by the face benchmarks (not a benchmark itself)."""

from __future__ import annotations

import csv
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


def faces_dir() -> Path:
    shared = Path(os.environ.get("BMIS_SHARED_DIR") or (REPO_ROOT.parent / "shared"))
    path = shared / "faces" / "deepface"
    if not (path / "master.csv").is_file():
        sys.exit(f"face data set not found at {path}: set BMIS_SHARED_DIR to the shared data directory")
    return path


def image_files(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))


def labelled_pairs(path: Path) -> list[tuple[str, str, bool]]:
    with open(path / "master.csv", newline="") as fh:
        return [(r["file_x"], r["file_y"], r["Decision"] == "Yes") for r in csv.DictReader(fh)]


def conditions(**extra) -> None:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    print(f"date        {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"machine     {cpu}, {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in load)}")
    print(f"python      {platform.python_version()}, numpy {np.__version__}")
    for key, value in extra.items():
        print(f"{key:<11} {value}")
    print()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def largest_face_embeddings(model, files: list[Path]) -> dict[str, np.ndarray | None]:
    """Embedding of the largest face of each image (no quality gate)."""
    from biometrics.face.images import load_image

    out = {}
    for f in files:
        image = load_image(f.read_bytes())
        faces = model.detect(image.pixels)
        out[f.name] = model.encode(image.pixels, faces[0]) if faces else None
    return out


def cached_real_embeddings(model) -> np.ndarray:
    """Embeddings of every face photo in shared/faces (cached under var/)."""
    cache = REPO_ROOT / "var" / "bench" / f"face-embeddings-{model.name}-{model.version.replace(':', '-')}.npy"
    if cache.is_file():
        return np.load(cache)
    path = faces_dir()
    files = [f for f in image_files(path) if f.name not in ("couple.jpg", "selfie-many-people.jpg")]
    emb = largest_face_embeddings(model, files)
    arr = np.stack([e for e in emb.values() if e is not None])
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, arr)
    return arr


def pct(values, q: float) -> float:
    return float(np.percentile(np.asarray(values), q))
