"""Failure to acquire (FTA) of each face quality policy on real photographs.

    .venv/bin/python bench/face_quality.py

A policy decides which captures are refused (biometrics.face.quality.POLICY_BY_SOURCE):
live (officer's camera, booth device: every issue refuses), document (chip, photo page) and
photo (uploaded reference photos, watchlist photos, partner uploads: only a face the matcher
cannot use refuses, the other issues are reported).  Over every photograph of
shared/faces/deepface this prints, per policy, how many are refused and why, and what the
1:1 matcher (threshold BMIS_FACE_VERIFY_THRESHOLD's default, 0.55) does on the labelled pairs
whose two images the policy accepts: the reference in the same run is the matcher with no gate.
"""

from __future__ import annotations

import collections

from face_common import conditions, faces_dir, image_files, labelled_pairs

from biometrics.face.embedding import get_model
from biometrics.face.images import load_image
from biometrics.face.pipeline import VERIFY_THRESHOLD, distance
from biometrics.face.quality import DOCUMENT_POLICY, LIVE_POLICY, PHOTO_POLICY, assess

POLICIES = {"live": LIVE_POLICY, "document": DOCUMENT_POLICY, "photo": PHOTO_POLICY}


def main() -> None:
    path = faces_dir()
    files = image_files(path)
    pairs = labelled_pairs(path)
    model = get_model()
    conditions(
        images=f"{len(files)} photographs from {path} (press photos of 13 people, plus 2 group photos)",
        pairs=f"{len(pairs)} labelled pairs (master.csv)",
        model=f"{model.name} {model.version}",
        threshold=f"{VERIFY_THRESHOLD} (1:1)",
    )
    reports = {name: {} for name in POLICIES}
    embeddings = {}
    for f in files:
        image = load_image(f.read_bytes())
        faces = model.detect(image.pixels)
        for name, policy in POLICIES.items():
            reports[name][f.name] = assess(image.pixels, faces, scale=image.scale, policy=policy)
        embeddings[f.name] = model.encode(image.pixels, faces[0]) if len(faces) == 1 else None

    def matcher(accepted) -> tuple[int, int, int, int, int]:
        """(pairs compared, genuine, false non-matches, impostor, false matches)."""
        n = gen = fnm = imp = fm = 0
        for a, b, same in pairs:
            if not (accepted(a) and accepted(b)) or embeddings.get(a) is None or embeddings.get(b) is None:
                continue
            n += 1
            d = distance(embeddings[a], embeddings[b])
            if same:
                gen += 1
                fnm += d > VERIFY_THRESHOLD
            else:
                imp += 1
                fm += d <= VERIFY_THRESHOLD
        return n, gen, fnm, imp, fm

    single = [f.name for f in files if reports["live"][f.name].face_count <= 1]
    print(f"FTA: share of the {len(files)} photographs refused; FTA-1: of the {len(single)} with at most one face")
    print("(the group photos must be refused by every policy: which face would be the subject?)")
    print()
    print(f"{'policy':<10} {'refused':>8} {'FTA':>7} {'FTA-1':>7} {'pairs':>6} {'FNMR':>14} {'FMR':>12}  refused for")
    rows = [("no gate", None)] + [(name, reports[name]) for name in POLICIES]
    for name, by_file in rows:
        if by_file is None:
            refused, refused_single, why = 0, 0, ""
            n, gen, fnm, imp, fm = matcher(lambda _name: True)
        else:
            refused_files = [f for f, r in by_file.items() if not r.accepted]
            refused = len(refused_files)
            refused_single = len([f for f in refused_files if f in single])
            codes = collections.Counter(i.code for f in refused_files for i in by_file[f].issues if i.blocking)
            why = ", ".join(f"{c} {k}" for c, k in codes.most_common())
            n, gen, fnm, imp, fm = matcher(lambda f, by_file=by_file: by_file[f].accepted)
        fta = refused / len(files)
        print(f"{name:<10} {refused:>8} {fta:>7.1%} {refused_single / len(single):>7.1%} {n:>6} {fnm:>4}/{gen:<4} {fnm / max(gen, 1):>5.1%} "
              f"{fm:>3}/{imp:<4} {fm / max(imp, 1):>4.1%}  {why}")
    advisory = collections.Counter(
        i.code for r in reports["photo"].values() if r.accepted for i in r.issues
    )
    print()
    print("photo policy, accepted with issues reported: "
          + (", ".join(f"{c} {k}" for c, k in advisory.most_common()) or "none"))


if __name__ == "__main__":
    main()
