"""1:1 accuracy of the face matcher on the labelled pairs, and the threshold.

    .venv/bin/python bench/face_verify.py

Encodes every image of shared/faces/deepface/master.csv (largest face, no
quality gate: the matcher is measured, not the capture), prints the
genuine/impostor distance distributions, FMR/FNMR at a range of thresholds
(the reference row is face_recognition's own default tolerance, 0.6), the
equal error rate, and a Gaussian-tail extrapolation of the false-match rate
to estimate false candidates per 1:N search in large galleries.
"""

from __future__ import annotations

import math

import numpy as np
from face_common import conditions, faces_dir, labelled_pairs, largest_face_embeddings

from biometrics.face.embedding import get_model
from biometrics.face.pipeline import PERSONS_THRESHOLD, VERIFY_THRESHOLD, WATCHLIST_THRESHOLD


def eer(genuine: np.ndarray, impostor: np.ndarray) -> tuple[float, float]:
    """(equal error rate, threshold) by scanning every observed distance."""
    best = (1.0, 0.0, 0.0)
    for t in np.unique(np.concatenate([genuine, impostor])):
        fnmr = np.mean(genuine > t)
        fmr = np.mean(impostor <= t)
        gap = abs(fnmr - fmr)
        if gap < best[0] or (gap == best[0] and (fnmr + fmr) / 2 < best[1]):
            best = (gap, (fnmr + fmr) / 2, float(t))
    return best[1], best[2]


def main() -> None:
    path = faces_dir()
    pairs = labelled_pairs(path)
    model = get_model()
    names = sorted({a for a, _, _ in pairs} | {b for _, b, _ in pairs})
    conditions(
        data=f"{path} master.csv: {len(pairs)} pairs over {len(names)} images",
        model=f"{model.name} {model.version} ({model.dimension}-d), largest face, no quality gate",
    )
    emb = largest_face_embeddings(model, [path / n for n in names])
    missing = [n for n, e in emb.items() if e is None]
    if missing:
        print(f"no face detected in {missing}; their pairs are counted as errors\n")
    gen, imp = [], []
    for a, b, same in pairs:
        if emb[a] is None or emb[b] is None:
            d = math.inf
        else:
            d = float(np.linalg.norm(emb[a] - emb[b]))
        (gen if same else imp).append(d)
    g, i = np.array(gen), np.array(imp)
    finite_g, finite_i = g[np.isfinite(g)], i[np.isfinite(i)]
    print(f"genuine pairs  {len(g):4d}  distance min {finite_g.min():.3f}  median {np.median(finite_g):.3f}  "
          f"p95 {np.percentile(finite_g, 95):.3f}  max {finite_g.max():.3f}  rms {np.sqrt(np.mean(finite_g**2)):.3f}")
    print(f"impostor pairs {len(i):4d}  distance min {finite_i.min():.3f}  p1 {np.percentile(finite_i, 1):.3f}  "
          f"median {np.median(finite_i):.3f}  rms {np.sqrt(np.mean(finite_i**2)):.3f}")
    print()
    mu, sd = float(finite_i.mean()), float(finite_i.std(ddof=1))
    print(f"Impostor distances fitted by a normal law N({mu:.3f}, {sd:.3f}) for the tail estimate below.")
    print("Expected false candidates per 1:N search = extrapolated FMR x gallery size.")
    print()
    header = (f"{'threshold':>9} {'FNMR':>12} {'FMR':>12} {'FMR (normal tail)':>18} "
              f"{'false/search 10k':>17} {'1M':>9}  note")
    print(header)
    print("-" * len(header))
    for t in (0.40, 0.45, 0.50, 0.55, 0.60, 0.65):
        fnmr_n = int(np.sum(g > t))
        fmr_n = int(np.sum(i <= t))
        tail = 0.5 * math.erfc((mu - t) / (sd * math.sqrt(2)))
        notes = []
        if math.isclose(t, VERIFY_THRESHOLD):
            notes.append("1:1 default")
        if math.isclose(t, WATCHLIST_THRESHOLD):
            notes.append("1:N watchlists")
        if math.isclose(t, PERSONS_THRESHOLD):
            notes.append("1:N all persons")
        if math.isclose(t, 0.60):
            notes.append("reference: face_recognition default")
        print(f"{t:9.2f} {fnmr_n:3d}/{len(g):<3d}{fnmr_n / len(g):6.1%} {fmr_n:3d}/{len(i):<3d}{fmr_n / len(i):6.2%} "
              f"{tail:18.2e} {tail * 1e4:17.3g} {tail * 1e6:9.3g}  {', '.join(notes)}")
    rate, at = eer(g, i)
    print()
    print(f"equal error rate {rate:.2%} at threshold {at:.3f}")
    print(f"defaults: VERIFY_THRESHOLD={VERIFY_THRESHOLD}  WATCHLIST_THRESHOLD={WATCHLIST_THRESHOLD}  "
          f"PERSONS_THRESHOLD={PERSONS_THRESHOLD}")


if __name__ == "__main__":
    main()
