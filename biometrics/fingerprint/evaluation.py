"""Error rates for verification experiments (FVC protocol)."""

from __future__ import annotations

import numpy as np


def equal_error_rate(genuine, impostor) -> float:
    """Equal error rate (0-1) of similarity scores: where false match and false non-match rates cross.

    At each candidate threshold t, FMR(t) is the share of impostor scores >= t and FNMR(t) the share
    of genuine scores < t; the EER is the mean of the two where their difference is smallest.
    """
    g = np.sort(np.asarray(genuine, dtype=np.float64))
    i = np.sort(np.asarray(impostor, dtype=np.float64))
    if len(g) == 0 or len(i) == 0:
        raise ValueError("need genuine and impostor scores")
    thresholds = np.unique(np.concatenate([g, i, [np.inf]]))
    fnmr = np.searchsorted(g, thresholds, "left") / len(g)
    fmr = 1.0 - np.searchsorted(i, thresholds, "left") / len(i)
    k = int(np.argmin(np.abs(fmr - fnmr)))
    return float((fmr[k] + fnmr[k]) / 2)


def fmr_threshold(impostor, target_fmr: float) -> float:
    """The lowest score threshold whose false match rate on ``impostor`` is at most ``target_fmr``."""
    i = np.sort(np.asarray(impostor, dtype=np.float64))
    if len(i) == 0:
        raise ValueError("need impostor scores")
    k = int(np.ceil(len(i) * (1.0 - target_fmr)))
    return float(i[min(k, len(i) - 1)]) + 1e-9
