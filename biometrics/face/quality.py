"""Quality checks on a captured face, with coaching messages.

Pure functions over an RGB array and the faces a model detected in it.  A
capture is accepted only when every check passes; each failed check yields
an :class:`Issue` whose ``message`` tells the officer (or the traveller) what
to do.  Thresholds live in :class:`QualityPolicy` so that a live capture and a
printed document portrait can be held to different standards.

Which issues refuse a capture depends on where it comes from (one table,
``POLICY_BY_SOURCE``):
- a live capture (officer's camera, booth device): every issue refuses, the
  traveller is in front of the camera and can be coached into a better one;
- a document portrait (chip, photo page): softer and smaller limits, every
  issue refuses (the officer can place the page again);
- a photograph (uploaded reference photo, watchlist photo, partner upload):
  nobody can be coached and no better photo may exist, so it is compared
  whenever the matcher can use the face.  Only no face, several faces and a
  face below ``min_usable_inter_eye_px`` refuse it; the other issues are
  reported beside the verdict (``Issue.blocking`` false).

Measures:
- face count (exactly one);
- face size: distance between the eye centres, in the pixels of the image as
  delivered (ISO/IEC 19794-5 asks at least 60 for a token image, 90 for a
  full frontal one);
- face cut off by the image border;
- sharpness: variance of the Laplacian of the grey face region after scaling
  it to a fixed 64-pixel inter-eye distance, so that the figure does not
  depend on how large the face is in the frame;
- exposure: mean grey level of the face region and the share of crushed
  (< 16) and clipped (> 245) pixels;
- a rough pose from five landmarks: roll from the eye line; yaw from where the
  nose tip falls between the eyes; pitch from where it falls between the eye
  line and the mouth.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import cv2
import numpy as np

from biometrics.face.embedding import DetectedFace

# The reference scale at which sharpness is measured.
_SHARPNESS_IED = 64.0


@dataclass(frozen=True)
class QualityPolicy:
    min_inter_eye_px: float = 60.0
    min_sharpness: float = 40.0
    min_brightness: float = 55.0
    max_brightness: float = 215.0
    max_dark_share: float = 0.35
    max_bright_share: float = 0.20
    max_roll_deg: float = 15.0
    # Nose-tip position between the eye centres, 0.5 = centred.
    max_yaw_offset: float = 0.18
    # Nose-tip height between eye line (0) and mouth line (1).
    pitch_range: tuple[float, float] = (0.35, 0.80)
    # Margin (share of the inter-eye distance) the eyes and mouth must keep
    # from the image border.
    min_border_margin: float = 0.5
    # Issue codes reported without refusing the capture.
    advisory: frozenset[str] = frozenset()
    # Below this inter-eye distance a face refuses even when ``face_too_small`` is advisory: the
    # matcher has too few pixels to use.
    min_usable_inter_eye_px: float = 0.0
    name: str = "live"


# Every issue a face (as opposed to no face or several) can have.
FACE_ISSUES = frozenset({
    "face_too_small", "face_cut_off", "too_dark", "too_bright", "too_blurry", "head_tilted", "head_turned",
    "head_up_down",
})

LIVE_POLICY = QualityPolicy()
# A portrait printed on a data page and scanned or photographed through the
# laminate: smaller, softer, and framed by the issuer.  Same pose rules.
DOCUMENT_POLICY = QualityPolicy(min_inter_eye_px=40.0, min_sharpness=15.0, name="document")
# A photograph nobody can retake: the live limits are reported, and only a face the matcher
# cannot use refuses.  30 px between the eyes is half ISO/IEC 19794-5's token-image minimum
# and below the ~40 px of the LFW faces on which dlib's descriptor was measured (99.38 %);
# the HOG detector (one upsampling) finds faces down to about 16 px between the eyes, which
# the 150-px alignment chip would have to enlarge about fourfold.  bench/face_quality.py
# measures the failure-to-acquire rate of each policy.
PHOTO_POLICY = QualityPolicy(advisory=FACE_ISSUES, min_usable_inter_eye_px=30.0, name="photo")

# Where a face comes from (``biometrics.models.face.FaceSource`` values) -> the policy that
# decides whether it is used.  The one place this is decided.
POLICY_BY_SOURCE: dict[str, QualityPolicy] = {
    "browser": LIVE_POLICY,  # the officer's camera
    "device": LIVE_POLICY,  # a booth camera or enrolment device
    "document_page": DOCUMENT_POLICY,  # portrait cropped from the photo page
    "chip": DOCUMENT_POLICY,  # DG2 of the document's chip
    "upload": PHOTO_POLICY,  # an uploaded file (reference photo, partner upload)
    "watchlist": PHOTO_POLICY,  # a watchlist entry's photo
}


def policy_for_source(source: str) -> QualityPolicy:
    """The quality policy of a capture from ``source``; unknown sources get the live one."""
    return POLICY_BY_SOURCE.get(source, LIVE_POLICY)


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    value: float | None = None
    limit: float | None = None
    # False: reported beside the result, the capture is still used (photo policy).
    blocking: bool = True


@dataclass(frozen=True)
class QualityReport:
    accepted: bool
    issues: list[Issue]
    face_count: int
    metrics: dict[str, float] = field(default_factory=dict)
    policy: str = "live"

    @property
    def message(self) -> str:
        if self.accepted and not self.issues:
            return "Face accepted."
        if self.accepted:
            return "Face accepted for comparison despite: " + " ".join(i.message for i in self.issues)
        return " ".join(i.message for i in self.issues if i.blocking)

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "face_count": self.face_count,
            "issues": [asdict(i) for i in self.issues],
            "metrics": dict(self.metrics),
            "message": self.message,
            "policy": self.policy,
        }


def measure(pixels: np.ndarray, face: DetectedFace, *, scale: float = 1.0) -> dict[str, float]:
    """Quality measures of one face.  ``scale`` = working / original pixels."""
    ied = face.inter_eye_distance
    grey = _face_region_grey(pixels, face)
    sharp = _sharpness(grey, ied)
    roll, yaw, pitch = _pose(face)
    height, width = pixels.shape[:2]
    margin = _border_margin(face, width, height)
    return {
        "inter_eye_px": round(ied / scale, 1),
        "sharpness": round(sharp, 1),
        "brightness": round(float(grey.mean()), 1) if grey.size else 0.0,
        "dark_share": round(float((grey < 16).mean()), 3) if grey.size else 1.0,
        "bright_share": round(float((grey > 245).mean()), 3) if grey.size else 0.0,
        "roll_deg": round(roll, 1),
        "yaw_offset": round(yaw, 3),
        "pitch_ratio": round(pitch, 3),
        "border_margin": round(margin / ied if ied > 0 else 0.0, 2),
    }


def assess(
    pixels: np.ndarray,
    faces: list[DetectedFace],
    *,
    scale: float = 1.0,
    policy: QualityPolicy = LIVE_POLICY,
) -> QualityReport:
    """Check a capture.  ``faces`` as returned by the model, largest first."""
    if not faces:
        return QualityReport(
            accepted=False,
            face_count=0,
            issues=[Issue("no_face", "No face found: look straight at the camera, face uncovered.")],
            policy=policy.name,
        )
    if len(faces) > 1:
        n = len(faces)
        word = "Two" if n == 2 else str(n)
        return QualityReport(
            accepted=False,
            face_count=n,
            issues=[
                Issue(
                    "multiple_faces",
                    f"{word} faces in view: only the traveller may be in front of the camera.",
                    value=n,
                    limit=1,
                )
            ],
            policy=policy.name,
        )
    m = measure(pixels, faces[0], scale=scale)
    issues: list[Issue] = []
    if m["inter_eye_px"] < max(policy.min_inter_eye_px, policy.min_usable_inter_eye_px):
        # Below the usable floor the floor is what is needed (it refuses under every policy).
        needed = (
            policy.min_usable_inter_eye_px
            if m["inter_eye_px"] < policy.min_usable_inter_eye_px
            else policy.min_inter_eye_px
        )
        issues.append(
            Issue(
                "face_too_small",
                f"Face too small ({m['inter_eye_px']:.0f} px between the eyes, "
                f"{needed:.0f} needed): step closer to the camera.",
                m["inter_eye_px"],
                needed,
            )
        )
    if m["border_margin"] < policy.min_border_margin:
        issues.append(
            Issue(
                "face_cut_off",
                "Face too close to the edge of the picture: centre the face in the frame.",
                m["border_margin"],
                policy.min_border_margin,
            )
        )
    if m["brightness"] < policy.min_brightness or m["dark_share"] > policy.max_dark_share:
        issues.append(
            Issue(
                "too_dark",
                "Image too dark: add light in front of the face.",
                m["brightness"],
                policy.min_brightness,
            )
        )
    elif m["brightness"] > policy.max_brightness or m["bright_share"] > policy.max_bright_share:
        issues.append(
            Issue(
                "too_bright",
                "Image too bright: reduce the light on the face or move away from the window.",
                m["brightness"],
                policy.max_brightness,
            )
        )
    if m["sharpness"] < policy.min_sharpness:
        issues.append(
            Issue(
                "too_blurry",
                "Image not sharp: hold still, wipe the lens and check the focus.",
                m["sharpness"],
                policy.min_sharpness,
            )
        )
    if abs(m["roll_deg"]) > policy.max_roll_deg:
        issues.append(
            Issue(
                "head_tilted",
                "Head tilted to the side: keep the head straight.",
                m["roll_deg"],
                policy.max_roll_deg,
            )
        )
    if abs(m["yaw_offset"]) > policy.max_yaw_offset:
        issues.append(
            Issue(
                "head_turned",
                "Head turned: look straight at the camera.",
                m["yaw_offset"],
                policy.max_yaw_offset,
            )
        )
    lo, hi = policy.pitch_range
    if not lo <= m["pitch_ratio"] <= hi:
        direction = "up" if m["pitch_ratio"] < lo else "down"
        issues.append(
            Issue(
                "head_up_down",
                f"Head tilted {direction}: look straight ahead, chin level.",
                m["pitch_ratio"],
                lo if direction == "up" else hi,
            )
        )
    issues = [_with_blocking(i, policy) for i in issues]
    return QualityReport(
        accepted=not any(i.blocking for i in issues), issues=issues, face_count=1, metrics=m, policy=policy.name
    )


def _with_blocking(issue: Issue, policy: QualityPolicy) -> Issue:
    blocking = issue.code not in policy.advisory
    if issue.code == "face_too_small" and issue.value is not None and issue.value < policy.min_usable_inter_eye_px:
        blocking = True
    return issue if blocking == issue.blocking else replace(issue, blocking=blocking)


def _face_region_grey(pixels: np.ndarray, face: DetectedFace) -> np.ndarray:
    left, top, right, bottom = face.box
    height, width = pixels.shape[:2]
    left, right = max(0, left), min(width, right)
    top, bottom = max(0, top), min(height, bottom)
    crop = pixels[top:bottom, left:right]
    if crop.size == 0:
        return np.zeros((0, 0), dtype=np.uint8)
    return cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2GRAY)


def _sharpness(grey: np.ndarray, ied: float) -> float:
    if grey.size == 0 or ied <= 0:
        return 0.0
    factor = _SHARPNESS_IED / ied
    h, w = grey.shape
    size = (max(3, round(w * factor)), max(3, round(h * factor)))
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    norm = cv2.resize(grey, size, interpolation=interp)
    return float(cv2.Laplacian(norm, cv2.CV_64F).var())


def _pose(face: DetectedFace) -> tuple[float, float, float]:
    """(roll in degrees, yaw offset, pitch ratio) from five landmarks."""
    le = np.asarray(face.left_eye)
    re = np.asarray(face.right_eye)
    dx, dy = re - le
    roll = math.degrees(math.atan2(dy, dx))
    # Rotate so that the eye line is horizontal, origin at the left eye.
    c, s = math.cos(-math.radians(roll)), math.sin(-math.radians(roll))
    rot = np.array([[c, -s], [s, c]])

    def norm(p) -> np.ndarray:
        return rot @ (np.asarray(p) - le)

    ied = math.hypot(dx, dy) or 1.0
    nose = norm(face.nose_tip)
    mouth = (norm(face.mouth_left) + norm(face.mouth_right)) / 2
    yaw = nose[0] / ied - 0.5
    pitch = nose[1] / mouth[1] if mouth[1] > 0 else 0.0
    return roll, float(yaw), float(pitch)


def _border_margin(face: DetectedFace, width: int, height: int) -> float:
    pts = [face.left_eye, face.right_eye, face.mouth_left, face.mouth_right]
    return min(min(x, width - x, y, height - y) for x, y in pts)
