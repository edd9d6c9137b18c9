"""Score fusion (travelers/fusion.py): the PAV calibration itself, and the shipped calibration
checked against the shared data with the real engines (recomputed, not hand-set)."""

import json
import math
import random
import sys
from pathlib import Path

import pytest

from travelers.fusion import CALIBRATION_PATH, Calibration, fit_llr, interpolate, pav, verbal

ROOT = Path(__file__).resolve().parents[2]


def test_pav_is_monotone_and_pools_violators():
    steps = pav([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0, 1, 0, 0, 1, 1])
    rates = [s["genuine"] / (s["genuine"] + s["impostor"]) for s in steps]
    assert rates == sorted(rates)
    assert sum(s["genuine"] + s["impostor"] for s in steps) == 6
    assert steps[0]["lo"] == 0.1 and steps[-1]["hi"] == 0.6


def test_llr_curve_is_monotone_bounded_and_separates():
    rng = random.Random(3)
    genuine = [rng.gauss(0.7, 0.1) for _ in range(400)]
    impostor = [rng.gauss(0.3, 0.1) for _ in range(4000)]
    curve = fit_llr(genuine, impostor)
    llrs = [p[1] for p in curve["points"]]
    assert llrs == sorted(llrs)
    # Bounded by the data: never more than ln(2 * (I + 1)) nor less than -ln(2 * (G + 1)).
    assert llrs[-1] <= math.log(2 * 4001) and llrs[0] >= -math.log(2 * 401)
    assert interpolate(curve["points"], 0.9) > 3 and interpolate(curve["points"], 0.1) < -3
    assert curve["eer"] < 0.05


def test_fusion_sums_the_modalities_present_and_explains_each():
    cal = Calibration.load()
    face_only = cal.fuse(face=0.62)
    both = cal.fuse(face=0.62, fingerprint={"2": 0.08, "7": 0.06})
    assert face_only.modalities == ("face",) and both.modalities == ("face", "fingerprint")
    assert both.llr == pytest.approx(face_only.llr + cal.llr("fingerprint", 0.08) + cal.llr("fingerprint", 0.06))
    assert 0.0 <= face_only.score <= 1.0 and both.score > face_only.score
    assert cal.fuse().llr == 0 and cal.fuse().score == 0.5  # nothing: no evidence either way
    # A different name is weak evidence against (an alias is common), never strong.
    assert cal.llr("name", 0.0) >= math.log(cal.alias_rate) - 1e-9
    assert cal.llr("name", 0.98) > 2
    assert "same person" in verbal(both.llr) and "different" in verbal(-5)
    for ev in both.as_dict()["modalities"]:
        assert set(ev) == {"modality", "score", "llr", "support"}


def test_shipped_calibration_says_what_it_was_fitted_on():
    data = json.loads(CALIBRATION_PATH.read_text())
    assert set(data["modalities"]) == {"name", "face", "fingerprint"}
    assert data["created"] and data["command"] and data["data"]
    assert data["counts"]["fingerprint"] == {"genuine": 1120, "impostor": 11520}
    rule = data["auto_merge"]
    assert rule["min_fingers"] >= 2 and rule["false_merge_bound_per_registration_100k_95"] < 1e-3
    for modality, curve in data["modalities"].items():
        llrs = [p[1] for p in curve["points"]]
        assert llrs == sorted(llrs), modality


@pytest.mark.shared_data
def test_shipped_calibration_holds_on_the_shared_data(shared_dir):
    """Recompute the scores with the real engines (faces and names: all pairs; fingerprints: FVC
    DB1, to keep the test short) and check the shipped curves against them: the same counts, and
    the held-out accuracy floors (fit on one half, judge the other half)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import calibrate_fusion as cf

    shipped = Calibration.load()
    face = cf.face_scores(shared_dir)
    names = cf.name_scores(shared_dir)
    fingers = cf.finger_scores(shared_dir, dbs=("DB1_B",))
    assert len(face) == shipped.modalities["face"]["genuine"] + shipped.modalities["face"]["impostor"]
    assert len(names) == shipped.modalities["name"]["genuine"] + shipped.modalities["name"]["impostor"]

    def balanced_accuracy(cal, modality, pairs):
        g, i = cf.llrs(cal, modality, pairs)
        return cf.accuracy(g, i)

    # The shipped curves on the recomputed scores.
    assert balanced_accuracy(shipped, "face", [(s, y) for s, y, _ in face]) >= 0.95
    assert balanced_accuracy(shipped, "name", [(s, y) for s, y, _ in names]) >= 0.95
    assert balanced_accuracy(shipped, "fingerprint", [(s, y) for s, y, *_ in fingers]) >= 0.93
    # Fitted on one half, judged on the other.
    halves = {
        "face": ([(s, y) for s, y, r in face if r % 2 == 0], [(s, y) for s, y, r in face if r % 2 == 1]),
        "name": ([(s, y) for s, y, r in names if r % 2 == 0], [(s, y) for s, y, r in names if r % 2 == 1]),
        "fingerprint": ([(s, y) for s, y, _db, f in fingers if f <= 105], [(s, y) for s, y, _db, f in fingers if f > 105]),
    }
    cal = Calibration({m: cf.curve(fit) for m, (fit, _ev) in halves.items()})
    floors = {"face": 0.95, "name": 0.95, "fingerprint": 0.90}
    for modality, (_fit, held) in halves.items():
        g, i = cf.llrs(cal, modality, held)
        assert cf.accuracy(g, i) >= floors[modality], modality
        assert cf.cllr(g, i) < 0.5, modality  # well calibrated: far below the 1 bit of "no information"
