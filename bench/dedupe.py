"""Deduplication accuracy: FNIR at FPIR 1 % for face alone, fingers alone and fused, 100,000 persons.

    nice .venv/bin/python bench/dedupe_pool.py --records 100000      # once: the synthetic fingers (cached)
    BMIS_SHARED_DIR=../shared nice .venv/bin/python bench/dedupe.py [--persons 100000] [--synthetic-probes 200]

Works at the engine level, not through the database (the same engines, index and fusion code the
service calls, without the SQL around them; bench/registration_latency.py measures the service):

- gallery: ``--persons`` persons, each a name and date of birth (bench/synthetic.py), a face template
  (synthetic, shaped like the real dlib embeddings: biometrics/search/synthetic.py) and two fingers
  (synthetic minutia sets from bench/dedupe_pool.py in the MinHash 1:N index of
  biometrics/fingerprint/identification.py). One pool of N synthetic finger records serves both
  finger positions, each record belonging to a different person at each position (two independent
  random assignments): the impostor statistics of N persons x 2 fingers for the cost of N records.
- seeded duplicates (the real data): 20 chimeric persons, each two FVC2002 fingers of one database
  (fingers 2k and 2k+1) and a face: the 9 persons of shared/faces/deepface/master.csv with two or more
  labelled images (connected by "Yes" pairs) for the first nine, a synthetic face identity for the
  others. Enrolled: impression 1 and the first image, under a name from bench/synthetic.py.
- mated searches: impressions 2-8 of both fingers with another image of the face (7 per person,
  140), under another name: half a spelling variant of the enrolled name (Latin or Arabic script)
  with the year of birth only, half an unrelated name (an alias) with a year of birth up to two
  years off.
- non-mated searches: the same 140 probes with their own person left out of the answer (the best
  other person of the same search: the candidate lists are long enough that leaving one person out
  changes nothing else), plus ``--synthetic-probes`` fresh synthetic persons (new face identity, new
  minutia sets, new name).

Per search the candidates are what the service asks for: the 60 best faces (exact search), the 60
best records per finger (MinHash pre-selection, full MCC re-scoring of the shortlist, kept at the
finger's position; ``--finger-path verify``, the service's path and the default: a shortlist of
``--finger-shortlist`` 100 plus a 1:1 comparison of the fingers of the 20 best faces and the name
hits; ``full``: the previous path, a shortlist of 500 and no 1:1), the name hits at or above 0.70; each candidate's evidence is fused by
travelers/fusion.py with the shipped calibration. A search "returns" a person at threshold T when
that person's score reaches T: FPIR(T) is the share of non-mated searches returning anyone, FNIR(T)
the share of mated searches not returning the mate; T is set for FPIR ≤ 1 %.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import random
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import dedupe_pool  # noqa: E402
from face_common import conditions, faces_dir, image_files, largest_face_embeddings  # noqa: E402
from synthetic import make_person, spelling_variant  # noqa: E402

from travelers.fusion import Calibration  # noqa: E402

K = 60  # candidates per modality (ABIS_CANDIDATES x the contract's oversampling of 3)
NAME_THRESHOLD = 0.70
SEEDED = 20


def shared_dir() -> Path:
    return Path(os.environ.get("BMIS_SHARED_DIR") or (ROOT.parent / "shared"))


def face_clusters(path: Path) -> list[list[str]]:
    """Images of one person, from the "Yes" pairs of master.csv (connected components, ≥ 2 images)."""
    parent: dict[str, str] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    with open(path / "master.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            a, b = find(r["file_x"]), find(r["file_y"])
            if r["Decision"] == "Yes":
                parent[a] = b
    groups: dict[str, list[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values() if len(g) >= 2), key=lambda g: g[0])


def fused_score(cal: Calibration, *, name, face, fingers) -> dict:
    f = cal.fuse(name=name, face=face, fingerprint=fingers or None)
    return {"fused": f.llr, "face": f.llr_of("face"), "fingers": f.llr_of("fingerprint")}


def threshold_at(nonmated_best: np.ndarray, fpir: float) -> float:
    """The lowest threshold whose FPIR is ≤ ``fpir`` (scores ≥ T are returned)."""
    finite = np.sort(nonmated_best[np.isfinite(nonmated_best)])[::-1]
    allowed = int(np.floor(fpir * len(nonmated_best)))
    if allowed >= len(finite):
        return -np.inf
    return float(np.nextafter(finite[allowed], np.inf))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--synthetic-probes", type=int, default=200)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--finger-records", type=int, default=None,
                    help="synthetic persons with fingers (default: all; fewer when the cached pool is smaller)")
    ap.add_argument("--finger-path", choices=("verify", "full"), default="verify",
                    help="verify (the service's path): 1:N with --finger-shortlist plus 1:1 of the fingers of "
                         "the face and name candidates; full: the 1:N alone with the engine's shortlist of 500")
    ap.add_argument("--finger-shortlist", type=int, default=100)
    ap.add_argument("--reference-every", type=int, default=10,
                    help="every k-th search also times the full path's finger search (the reference)")
    args = ap.parse_args()

    from biometrics.face.embedding import get_model
    from biometrics.fingerprint import mcc
    from biometrics.fingerprint.identification import INDEX_VERSION, FingerprintIndex
    from biometrics.fingerprint.imaging import load_finger_image
    from biometrics.fingerprint.minutiae import extract
    from biometrics.fingerprint.synthetic import synthetic_minutiae
    from biometrics.fingerprint.template import deserialize
    from biometrics.search.synthetic import TemplateShape
    from watchlists.names.index import PersonIndex
    from watchlists.names.score import Person as NamePerson
    from watchlists.names.score import score_person

    n = args.persons
    cal = Calibration.load()
    model = get_model()
    conditions(
        gallery=f"{n:,} persons (name + face + 2 fingers); {SEEDED} seeded duplicates from the shared data",
        engines=f"face {model.name} {model.version} exact search; fingers {mcc.MATCHER_VERSION}, {INDEX_VERSION}",
        fusion=f"travelers/fusion_calibration.json ({cal.meta.get('created')}), {cal.meta.get('method')}",
    )
    rng = np.random.default_rng(args.seed)
    prng = random.Random(args.seed)

    # -- the real data --------------------------------------------------------------------------
    t0 = time.perf_counter()
    fpath = faces_dir()
    files = [f for f in image_files(fpath) if f.name not in ("couple.jpg", "selfie-many-people.jpg")]
    emb = largest_face_embeddings(model, files)
    real_faces = np.stack([e for e in emb.values() if e is not None]).astype(np.float32)
    clusters = [[x for x in c if emb.get(x) is not None] for c in face_clusters(fpath)]
    clusters = [c for c in clusters if len(c) >= 2]
    shape = TemplateShape.fit(real_faces)
    fvc = shared_dir() / "fingerprints" / "fvc2002"
    fingers = [(db, f) for db in ("DB1_B", "DB2_B", "DB3_B", "DB4_B") for f in range(101, 111)]
    minutiae = {}
    for db, f in fingers:
        for i in range(1, 9):
            img = load_finger_image((fvc / db / f"{f}_{i}.tif").read_bytes())
            minutiae[(db, f, i)] = extract(img, nfiq2=False).minutiae
    print(f"real data: {len(files)} face images ({len(clusters)} persons with 2+ labelled images), "
          f"{len(minutiae)} FVC impressions; {time.perf_counter() - t0:.0f} s")

    # -- the gallery ----------------------------------------------------------------------------
    t0 = time.perf_counter()
    seeded_ids = sorted(int(x) for x in rng.choice(n, size=SEEDED, replace=False))
    synthetic_ids = np.setdiff1d(np.arange(n), seeded_ids)
    faces = shape.captures(rng, shape.identities(rng, n))
    names: dict[int, NamePerson] = {}
    for pid in range(n):
        p = make_person(prng)
        names[pid] = NamePerson(p["names"], p["date_of_birth"], tuple(p["nationalities"]), p["gender"], entry_id=pid)
    seeded = []
    for k, pid in enumerate(seeded_ids):
        finger_pair = (fingers[2 * k], fingers[2 * k + 1])
        if k < len(clusters):
            images = clusters[k]
            gallery_face = emb[images[0]]
            probe_faces = [emb[images[1 + j % (len(images) - 1)]] for j in range(7)]
            face_kind = "real"
        else:
            centre = shape.identities(rng, 1)
            gallery_face = shape.captures(rng, centre)[0]
            probe_faces = list(shape.captures(rng, np.repeat(centre, 7, axis=0)))
            face_kind = "synthetic"
        faces[pid] = gallery_face
        seeded.append({"pid": pid, "fingers": finger_pair, "probe_faces": probe_faces, "face_kind": face_kind})
    faces = np.ascontiguousarray(faces, dtype=np.float32)
    sq = np.einsum("ij,ij->i", faces, faces)

    name_index = PersonIndex()
    name_index.bulk_load(names.values())
    t_names = time.perf_counter() - t0

    t0 = time.perf_counter()
    index = FingerprintIndex()
    owner = [{}, {}]  # per finger slot: record key -> person id
    with_fingers = min(len(synthetic_ids), args.finger_records or len(synthetic_ids))
    fingered = rng.choice(synthetic_ids, size=with_fingers, replace=False)
    perm = [rng.permutation(fingered), rng.permutation(fingered)]
    for j, (template, blob) in enumerate(dedupe_pool.read(n, limit=with_fingers)):
        key = ("syn", j)
        ms = deserialize(template).minutiae
        if not index.add_serialized(key, ms, blob):
            index.add(key, ms, defer=True)
        owner[0][key] = int(perm[0][j])
        owner[1][key] = int(perm[1][j])
    for s in seeded:
        for slot, (db, f) in enumerate(s["fingers"]):
            key = ("real", s["pid"], slot)
            index.add(key, minutiae[(db, f, 1)], defer=True)
            owner[slot][key] = s["pid"]
    index.compact()
    record_of = [{pid: key for key, pid in owner[slot].items()} for slot in (0, 1)]
    t_fingers = time.perf_counter() - t0
    print(f"gallery: {n:,} persons; names + faces {t_names:.0f} s; fingerprint index {len(index):,} records "
          f"({with_fingers:,} synthetic persons x 2 fingers from one pool + the seeded), {t_fingers:.0f} s")

    # -- searches -------------------------------------------------------------------------------
    counter = itertools.count()
    finger_times = {"full": [], "verify": []}

    def finger_search(probe_fingers, leave_out, path, verify=frozenset()):
        finger_s: dict[int, dict] = {}
        for slot, ms in enumerate(probe_fingers):
            excl = [("real", leave_out, slot)] if leave_out is not None else []
            shortlist = args.finger_shortlist if path == "verify" else None
            found = index.search(ms, top=K, exclude=excl, shortlist=shortlist)
            if path == "verify":
                keys = [record_of[slot][p] for p in verify if p != leave_out and p in record_of[slot]]
                found += index.compare_keys(ms, keys)
            for c in found:
                if c.key[0] == "real" and c.key[2] != slot:
                    continue  # another finger position
                pid = owner[slot].get(c.key)
                if pid is None or pid == leave_out:
                    continue
                cur = finger_s.setdefault(pid, {})
                cur[str(slot)] = max(cur.get(str(slot), 0.0), float(c.score))
        return finger_s

    def search(face, probe_fingers, query: NamePerson, mate: int | None, leave_out: int | None):
        d2 = np.maximum(sq - 2.0 * faces @ face + float(face @ face), 0.0)
        if leave_out is not None:
            d2[leave_out] = np.inf
        top = np.argpartition(d2, K)[:K]
        face_s = {int(p): max(0.0, 1.0 - float(np.sqrt(d2[p]))) for p in top}
        name_s = {}
        for r in name_index.search(query, threshold=NAME_THRESHOLD, limit=20, shortlist=30):
            pid = r.explanation.get("entry_id")
            if pid != leave_out:
                name_s[pid] = r.score
        path = args.finger_path
        timed_reference = path == "verify" and args.reference_every and next(counter) % args.reference_every == 0
        if timed_reference:
            tr = time.perf_counter()
            finger_search(probe_fingers, leave_out, "full")
            finger_times["full"].append(time.perf_counter() - tr)
        tf = time.perf_counter()
        # The service verifies the fingers of its 20 best face candidates and its name hits.
        face_first = sorted(face_s, key=lambda p: -face_s[p])[:20]
        finger_s = finger_search(probe_fingers, leave_out, path, set(face_first) | set(name_s))
        if timed_reference:
            finger_times[path].append(time.perf_counter() - tf)
        out = {}
        for pid in set(face_s) | set(finger_s) | set(name_s):
            if pid == leave_out:
                continue
            name = name_s.get(pid)
            if name is None:
                name = score_person(query, names[pid]).score
            out[pid] = fused_score(cal, name=name, face=face_s.get(pid), fingers=finger_s.get(pid))
        best = {}
        mate_scores = {}
        for m in ("fused", "face", "fingers"):
            imp = [v[m] for p, v in out.items() if p != mate and v[m] is not None]
            best[m] = max(imp) if imp else -np.inf
            mv = out.get(mate, {}).get(m) if mate is not None else None
            mate_scores[m] = mv if mv is not None else -np.inf
        return best, mate_scores

    def probe_name(pid: int, j: int) -> NamePerson:
        enrolled = names[pid]
        year = int((enrolled.date_of_birth or "1980")[:4])
        if j % 2 == 0:
            return NamePerson([spelling_variant(prng, enrolled.names[0])], f"{year:04d}", enrolled.nationalities,
                              enrolled.gender)
        other = make_person(prng)
        return NamePerson(other["names"], f"{year + prng.randint(-2, 2):04d}", tuple(other["nationalities"]),
                          enrolled.gender)

    t0 = time.perf_counter()
    mated = {m: [] for m in ("fused", "face", "fingers")}
    mated_best_imp = {m: [] for m in ("fused", "face", "fingers")}
    nonmated = {m: [] for m in ("fused", "face", "fingers")}
    times = []
    for s in seeded:
        for j in range(7):
            probe_fingers = [minutiae[(db, f, j + 2)] for db, f in s["fingers"]]
            query = probe_name(s["pid"], j)
            ts = time.perf_counter()
            best, mate = search(s["probe_faces"][j], probe_fingers, query, s["pid"], None)
            times.append(time.perf_counter() - ts)
            for m in mated:
                mated[m].append(mate[m])
                mated_best_imp[m].append(best[m])
                # The same probe as a non-mated search: its own person left out of the answer.
                nonmated[m].append(best[m])
    n_real_nonmated = len(nonmated["fused"])
    for i in range(args.synthetic_probes):
        face = shape.captures(rng, shape.identities(rng, 1))[0]
        probe_fingers = [synthetic_minutiae(np.random.default_rng([dedupe_pool.SEED + 1, i, slot])) for slot in (0, 1)]
        p = make_person(prng)
        query = NamePerson(p["names"], p["date_of_birth"], tuple(p["nationalities"]), p["gender"])
        ts = time.perf_counter()
        best, _ = search(face, probe_fingers, query, None, None)
        times.append(time.perf_counter() - ts)
        for m in nonmated:
            nonmated[m].append(best[m])
    t_search = time.perf_counter() - t0

    # -- figures --------------------------------------------------------------------------------
    print(f"searches: {len(mated['fused'])} mated, {len(nonmated['fused'])} non-mated "
          f"({n_real_nonmated} real probes with their mate left out + {args.synthetic_probes} synthetic); "
          f"search p50 {np.percentile(times, 50):.2f} s, p95 {np.percentile(times, 95):.2f} s "
          f"(engine level, one process); {t_search:.0f} s in all")
    if finger_times["full"]:
        full, new = np.array(finger_times["full"]), np.array(finger_times["verify"])
        print(f"finger search, {len(full)} searches timed on both paths (same probes, alternating): "
              f"full (shortlist 500) p50 {np.percentile(full, 50):.2f} s p95 {np.percentile(full, 95):.2f} s; "
              f"verify (shortlist {args.finger_shortlist} + 1:1) p50 {np.percentile(new, 50):.2f} s "
              f"p95 {np.percentile(new, 95):.2f} s; ratio of the sums {full.sum() / new.sum():.2f}x")
    print(f"finger path: {args.finger_path}"
          + (f" (shortlist {args.finger_shortlist} + 1:1 of the 20 best faces' and the name hits' fingers)"
             if args.finger_path == "verify" else " (shortlist 500)"))
    print()
    print(f"{'modality':10} {'threshold (LLR)':>15} {'FPIR':>7} {'FNIR':>7} {'FNIR real faces':>16} "
          f"{'FPIR real probes only':>22} {'mate ranked 1st':>16}")
    face_real = np.array([s["face_kind"] == "real" for s in seeded for _ in range(7)])
    results = {}
    for m, label in (("face", "face"), ("fingers", "fingers"), ("fused", "fused")):
        nm = np.array(nonmated[m], dtype=float)
        mt = np.array(mated[m], dtype=float)
        t = threshold_at(nm, 0.01)
        fpir = float(np.mean(nm >= t))
        fnir = float(np.mean(mt < t))
        fnir_real = float(np.mean(mt[face_real] < t))
        fpir_real = float(np.mean(nm[:n_real_nonmated] >= t))
        rank1 = float(np.mean(mt > np.array(mated_best_imp[m], dtype=float)))
        results[m] = (t, fpir, fnir)
        print(f"{label:10} {t:>15.2f} {100 * fpir:>6.2f}% {100 * fnir:>6.2f}% {100 * fnir_real:>15.2f}% "
              f"{100 * fpir_real:>21.2f}% {100 * rank1:>15.1f}%")
    t, fpir, fnir = results["fused"]
    nm = np.array(nonmated["fused"], dtype=float)
    mt = np.array(mated["fused"], dtype=float)
    print(f"{'fused at the service review line (LLR 3.0)':42} FPIR {100 * np.mean(nm >= 3.0):.2f} %, "
          f"FNIR {100 * np.mean(mt < 3.0):.2f} %")
    print()
    print(f"goal fused FNIR <= 1 % at FPIR <= 1 %: {'met' if fnir <= 0.01 and fpir <= 0.01 else 'NOT met'} "
          f"(FNIR {100 * fnir:.2f} %, FPIR {100 * fpir:.2f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
