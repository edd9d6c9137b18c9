"""Face detection + encoding time per image.

    .venv/bin/python bench/face_encode.py

Runs the production path (safe load with downscale to a 2048-px working
image, HOG detection on an 800-px copy, 68-point landmarks, quality checks,
5-point alignment and encoding of the largest face) over every photograph in
shared/faces/deepface (at least 50), and, as the reference in the same run,
face_recognition's plain path on the full-resolution image
(load_image_file + face_locations + face_encodings).  Prints medians per
stage and the ratio.
"""

from __future__ import annotations

import time

import numpy as np
from face_common import conditions, faces_dir, image_files, pct

from biometrics.face.embedding import get_model
from biometrics.face.images import load_image
from biometrics.face.quality import assess


def main() -> None:
    path = faces_dir()
    files = image_files(path)
    if len(files) < 50:
        raise SystemExit(f"need at least 50 images, found {len(files)} in {path}")
    t0 = time.perf_counter()
    model = get_model()
    load_model_s = time.perf_counter() - t0
    import face_recognition
    from PIL import Image

    sizes = [Image.open(f).size for f in files]
    mp = np.array([w * h / 1e6 for w, h in sizes])
    conditions(
        images=f"{len(files)} from {path} ({mp.min():.2f}-{mp.max():.1f} MP, median {np.median(mp):.1f} MP)",
        model=f"{model.name} {model.version}, import + model load {load_model_s:.2f} s",
        path="load <= 2048 px, detect on <= 800 px (HOG, 1 upsample), landmarks, quality, encode largest face",
    )
    stages = {"load": [], "detect+landmarks": [], "quality": [], "encode": [], "total": [], "reference": []}
    for f in files:
        data = f.read_bytes()
        a = time.perf_counter()
        image = load_image(data)
        b = time.perf_counter()
        faces = model.detect(image.pixels)
        c = time.perf_counter()
        assess(image.pixels, faces, scale=image.scale)
        d = time.perf_counter()
        if faces:
            model.encode(image.pixels, faces[0])
        e = time.perf_counter()
        stages["load"].append(b - a)
        stages["detect+landmarks"].append(c - b)
        stages["quality"].append(d - c)
        stages["encode"].append(e - d)
        stages["total"].append(e - a)
        # Reference: face_recognition's documented usage at full resolution.
        r0 = time.perf_counter()
        pixels = face_recognition.load_image_file(str(f))
        locations = face_recognition.face_locations(pixels)
        face_recognition.face_encodings(pixels, locations[:1])
        stages["reference"].append(time.perf_counter() - r0)
    print(f"{'stage':<34} {'median ms':>10} {'p95 ms':>8} {'mean ms':>8}")
    print("-" * 63)
    for name, values in stages.items():
        label = {
            "total": "total (production path)",
            "reference": "reference: face_recognition, full res",
        }.get(name, name)
        print(f"{label:<34} {pct(values, 50) * 1e3:10.0f} {pct(values, 95) * 1e3:8.0f} {np.mean(values) * 1e3:8.0f}")
    ratio = np.median(stages["reference"]) / np.median(stages["total"])
    print()
    print(f"production path is {ratio:.1f}x faster than the reference (median over {len(files)} images)")


if __name__ == "__main__":
    main()
