"""Score-level fusion of name, face and fingerprint comparisons into one calibrated score.

Pure module (no Django): deduplication (``travelers.services.dedupe``) feeds it the scores the
engines return and the calibration shipped in ``travelers/fusion_calibration.json``, which
``bench/calibrate_fusion.py`` computes from the shared data with the real engines.

Method: likelihood ratios, summed under independence
    Every modality's score is turned into a log-likelihood ratio, LLR = ln P(score | same person)
    / P(score | different persons), by **PAV (isotonic) calibration** fitted on genuine and
    impostor comparisons (Brümmer & du Preez, "Application-independent evaluation of speaker
    detection", 2006; the usual calibration in forensic biometrics). PAV finds the monotone
    (non-decreasing) step function of the score that best separates the two classes; each step
    holds ``g`` genuine and ``i`` impostor comparisons, and its LLR is
    ``ln((g + ½)/(G + 1)) − ln((i + ½)/(I + 1))`` (G, I: all genuine and impostor comparisons; the
    ½ keeps a step with no impostor from claiming an infinite LLR: the bound grows with the data,
    about ln(2·I) at the top). Between step centres the LLR is interpolated linearly, outside the
    fitted range it is held at the end value: monotone, data-driven, never extrapolated.

    - ``face``: the ABIS face score (1 − Euclidean distance of the face embeddings).
    - ``fingerprint``: the MCC score of *each* finger compared; the fingers' LLRs are summed
      (different fingers of one person are independent impressions).
    - ``name``: the screening name scorer's score (names, date of birth, sex, nationality).
      A migrant may give another name each time, so a genuine pair's names are, with probability
      ``alias_rate``, as unrelated as an impostor's. The name likelihood ratio is therefore the
      mixture ``LR = (1 − a)·LR_fitted + a``: a different name is weak evidence against (at most
      ln(a)), a matching name and birth date remains evidence for. ``a`` is a stated policy
      assumption stored with the calibration, not fitted (no data says how often people lie).

    The fused LLR is the sum of the LLRs of the modalities present (an absent modality is left out,
    not scored as zero). The fused score in [0, 1] is the posterior probability of "same person" at
    even prior odds, ``1 / (1 + e^−LLR)``: 0.5 = no evidence either way, 0.99 = the evidence is
    99 times more likely for the same person. Independence is an approximation (face and name are
    independent measurements; the two are not confounded by a shared sensor).

The explanation per modality says the score, its LLR, which way it points and how strongly
(the verbal scale of the ENFSI guideline for evaluative reporting, on the likelihood ratio).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

MODALITIES = ("name", "face", "fingerprint")
CALIBRATION_PATH = Path(__file__).with_name("fusion_calibration.json")

# The ENFSI verbal scale (likelihood ratio -> words), on |log10 LR|.
_VERBAL = ((4.0, "very strong"), (3.0, "strong"), (2.0, "moderately strong"), (1.0, "moderate"),
           (0.3, "weak"), (0.0, "none"))


# -- fitting ------------------------------------------------------------------------------------


def pav(scores: Sequence[float], labels: Sequence[int]) -> list[dict]:
    """Pool-adjacent-violators: the monotone non-decreasing steps of P(genuine | score).

    Returns the steps in score order, each ``{"lo", "hi", "mean", "genuine", "impostor"}``.
    Ties in score are kept in one step (so the fit does not depend on input order)."""
    if len(scores) != len(labels):
        raise ValueError("scores and labels differ in length")
    pairs = sorted(zip((float(s) for s in scores), (1 if y else 0 for y in labels), strict=True))
    blocks: list[list] = []  # [lo, hi, sum_scores, n, genuine]
    for s, y in pairs:
        if blocks and blocks[-1][1] == s:
            b = blocks[-1]
            b[2] += s
            b[3] += 1
            b[4] += y
        else:
            blocks.append([s, s, s, 1, y])
        # Merge while the previous step has a higher genuine rate than the last one.
        while len(blocks) > 1 and blocks[-2][4] * blocks[-1][3] >= blocks[-1][4] * blocks[-2][3]:
            b = blocks.pop()
            a = blocks[-1]
            a[1], a[2], a[3], a[4] = b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4]
    return [{"lo": b[0], "hi": b[1], "mean": b[2] / b[3], "genuine": b[4], "impostor": b[3] - b[4]} for b in blocks]


def fit_llr(genuine: Sequence[float], impostor: Sequence[float]) -> dict:
    """A modality's calibration from its genuine and impostor scores (see the module docstring):
    ``{"points": [[score, llr], ...], "genuine": G, "impostor": I, "eer": ...}``."""
    g_n, i_n = len(genuine), len(impostor)
    if not g_n or not i_n:
        raise ValueError("both genuine and impostor scores are needed")
    steps = pav(list(genuine) + list(impostor), [1] * g_n + [0] * i_n)
    points = []
    for st in steps:
        llr = math.log((st["genuine"] + 0.5) / (g_n + 1)) - math.log((st["impostor"] + 0.5) / (i_n + 1))
        points.append([round(st["mean"], 6), round(llr, 4)])
    return {"points": points, "genuine": g_n, "impostor": i_n,
            "eer": round(equal_error_rate(genuine, impostor), 4)}


def equal_error_rate(genuine: Sequence[float], impostor: Sequence[float]) -> float:
    """The rate at which false matches and false non-matches are equal (higher score = more alike)."""
    thresholds = sorted(set(genuine) | set(impostor))
    best = 1.0
    g, i = sorted(genuine), sorted(impostor)
    import bisect

    for t in thresholds:
        fnmr = bisect.bisect_left(g, t) / len(g)
        fmr = (len(i) - bisect.bisect_left(i, t)) / len(i)
        best = min(best, max(fnmr, fmr))
    return best


# -- applying -----------------------------------------------------------------------------------


def interpolate(points: Sequence[Sequence[float]], score: float) -> float:
    """The LLR at ``score``: linear between step centres, the end value outside."""
    if not points:
        return 0.0
    if score <= points[0][0]:
        return float(points[0][1])
    if score >= points[-1][0]:
        return float(points[-1][1])
    lo, hi = 0, len(points) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if points[mid][0] <= score:
            lo = mid
        else:
            hi = mid
    (x0, y0), (x1, y1) = points[lo], points[hi]
    if x1 == x0:
        return float(y1)
    return float(y0 + (y1 - y0) * (score - x0) / (x1 - x0))


def verbal(llr: float) -> str:
    """``"moderate support for same person"`` etc. (ENFSI scale on the likelihood ratio)."""
    log10 = abs(llr) / math.log(10)
    for bound, word in _VERBAL:
        if log10 >= bound:
            if word == "none":
                return "no support either way"
            return f"{word} support for {'same person' if llr > 0 else 'different persons'}"
    return "no support either way"


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@dataclass(frozen=True)
class Evidence:
    modality: str
    score: float | dict  # fingerprint: {position: score}
    llr: float
    support: str

    def as_dict(self) -> dict:
        return {"modality": self.modality, "score": self.score, "llr": round(self.llr, 3), "support": self.support}


@dataclass(frozen=True)
class Fused:
    llr: float
    score: float  # posterior at even prior odds, in [0, 1]
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    @property
    def modalities(self) -> tuple[str, ...]:
        return tuple(e.modality for e in self.evidence)

    def llr_of(self, modality: str) -> float | None:
        for e in self.evidence:
            if e.modality == modality:
                return e.llr
        return None

    def as_dict(self) -> dict:
        return {"llr": round(self.llr, 3), "score": round(self.score, 6),
                "modalities": [e.as_dict() for e in self.evidence]}


class Calibration:
    """Per-modality LLR curves (from ``fusion_calibration.json`` or :func:`fit_llr`)."""

    def __init__(self, modalities: Mapping[str, dict], alias_rate: float = 0.5, meta: dict | None = None):
        unknown = set(modalities) - set(MODALITIES)
        if unknown:
            raise ValueError(f"unknown modalities: {sorted(unknown)}")
        if not 0.0 < alias_rate < 1.0:
            raise ValueError("alias_rate must be in (0, 1)")
        self.modalities = dict(modalities)
        self.alias_rate = alias_rate
        self.meta = dict(meta or {})

    @classmethod
    def from_dict(cls, data: dict) -> Calibration:
        return cls({m: data["modalities"][m] for m in data["modalities"]}, alias_rate=data.get("alias_rate", 0.5),
                   meta={k: v for k, v in data.items() if k != "modalities"})

    @classmethod
    def load(cls, path: Path | str | None = None) -> Calibration:
        return cls.from_dict(json.loads(Path(path or CALIBRATION_PATH).read_text()))

    def llr(self, modality: str, score: float) -> float:
        """One comparison's LLR (for names: the alias mixture of the module docstring)."""
        value = interpolate(self.modalities[modality]["points"], float(score))
        if modality == "name":
            a = self.alias_rate
            return math.log((1.0 - a) * math.exp(value) + a)
        return value

    def fuse(self, *, name: float | None = None, face: float | None = None,
             fingerprint: Mapping | Iterable[float] | float | None = None) -> Fused:
        """The fused LLR and score of the modalities given (None = absent). ``fingerprint`` is
        one score, a list of per-finger scores or ``{position: score}``."""
        evidence: list[Evidence] = []
        if name is not None and "name" in self.modalities:
            llr = self.llr("name", name)
            evidence.append(Evidence("name", round(float(name), 4), llr, verbal(llr)))
        if face is not None and "face" in self.modalities:
            llr = self.llr("face", face)
            evidence.append(Evidence("face", round(float(face), 4), llr, verbal(llr)))
        if fingerprint is not None and "fingerprint" in self.modalities:
            if isinstance(fingerprint, Mapping):
                per = {str(k): float(v) for k, v in fingerprint.items()}
            elif isinstance(fingerprint, (int, float)):
                per = {"best": float(fingerprint)}
            else:
                per = {str(i): float(v) for i, v in enumerate(fingerprint, start=1)}
            if per:
                llr = sum(self.llr("fingerprint", s) for s in per.values())
                evidence.append(Evidence("fingerprint", {k: round(v, 4) for k, v in per.items()}, llr, verbal(llr)))
        total = sum(e.llr for e in evidence)
        return Fused(llr=total, score=sigmoid(total), evidence=tuple(evidence))


_default: Calibration | None = None


def default_calibration() -> Calibration:
    """The shipped calibration (read once)."""
    global _default
    if _default is None:
        _default = Calibration.load()
    return _default
