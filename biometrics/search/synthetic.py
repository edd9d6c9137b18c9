"""Synthetic face templates shaped like real embeddings, for load tests.

Fitted to a handful of real embeddings: their mean and their covariance
(shrunk towards the diagonal, since a few dozen vectors cannot pin down a
128 x 128 covariance).  Identities are drawn around the mean and captures
around their identity so that the mean squared distance between two captures
of one identity, and between two identities, match the figures given (by
default those of dlib-resnet-v1 on the labelled pairs in shared/faces).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Root-mean-square Euclidean distances of dlib-resnet-v1 on the labelled
# pairs of shared/faces/deepface/master.csv (bench/face_verify.py prints them).
GENUINE_RMS = 0.37
IMPOSTOR_RMS = 0.90


@dataclass
class TemplateShape:
    mean: np.ndarray
    chol: np.ndarray  # Cholesky factor of the unit-trace covariance
    identity_scale: float
    capture_scale: float

    @classmethod
    def fit(
        cls,
        embeddings: np.ndarray,
        *,
        genuine_rms: float = GENUINE_RMS,
        impostor_rms: float = IMPOSTOR_RMS,
        shrinkage: float = 0.3,
    ) -> TemplateShape:
        e = np.asarray(embeddings, dtype=np.float64)
        if e.ndim != 2 or len(e) < 3:
            raise ValueError("need at least three embeddings to fit a shape")
        mean = e.mean(axis=0)
        cov = np.cov(e, rowvar=False)
        cov = (1 - shrinkage) * cov + shrinkage * np.diag(np.diag(cov))
        cov /= np.trace(cov)
        chol = np.linalg.cholesky(cov + 1e-9 * np.eye(len(cov)))
        # E|x - y|^2 = 2 * variance * trace(cov) for two independent draws.
        capture_var = genuine_rms**2 / 2
        identity_var = max(impostor_rms**2 / 2 - capture_var, 1e-6)
        return cls(mean, chol, float(np.sqrt(identity_var)), float(np.sqrt(capture_var)))

    def _draw(self, rng: np.random.Generator, n: int, scale: float) -> np.ndarray:
        out = np.empty((n, len(self.mean)), dtype=np.float32)
        step = 200_000
        for start in range(0, n, step):
            m = min(step, n - start)
            z = rng.standard_normal((m, len(self.mean)))
            out[start : start + m] = (z @ self.chol.T) * scale
        return out

    def identities(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` identity centres."""
        centres = self._draw(rng, n, self.identity_scale)
        centres += self.mean.astype(np.float32)
        return centres

    def captures(self, rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
        """One new capture of each identity centre given."""
        return centres + self._draw(rng, len(centres), self.capture_scale)
