"""Face embedding models behind one small interface.

A model detects faces (with the five landmarks that quality checks and
alignment need) and turns one detected face into a fixed-length vector.
Templates carry ``model.name`` and ``model.version``; vectors of different
models are never compared (see ``biometrics.search``).

The only implementation today is dlib's ResNet face descriptor as packaged
by ``face_recognition``/``face_recognition_models`` (128 dimensions, HOG
detector, 68-point landmarks).  Its weights ship inside the
``face_recognition_models`` wheel: nothing is downloaded at run time.  Another
model (an ONNX network under OpenCV, say) is added by subclassing
:class:`EmbeddingModel`; callers only use the interface.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

Point = tuple[float, float]
_POINTS = ("left_eye", "right_eye", "nose_tip", "mouth_left", "mouth_right")


@dataclass(frozen=True)
class DetectedFace:
    """One face found in an image; coordinates are in that image's pixels.

    ``left``/``right`` mean image-left/image-right (the subject's right eye is
    ``left_eye``).  ``landmarks`` holds the model's full landmark set when it
    has one (68 points for dlib), for alignment by the same model.
    """

    box: tuple[int, int, int, int]  # left, top, right, bottom
    left_eye: Point
    right_eye: Point
    nose_tip: Point
    mouth_left: Point
    mouth_right: Point
    landmarks: np.ndarray | None = None

    @property
    def inter_eye_distance(self) -> float:
        return float(np.hypot(self.right_eye[0] - self.left_eye[0], self.right_eye[1] - self.left_eye[1]))

    @property
    def area(self) -> int:
        left, top, right, bottom = self.box
        return max(0, right - left) * max(0, bottom - top)

    def as_location(self) -> dict:
        """The box and five points as plain JSON (no 68-point landmarks): enough to encode the face
        again without detecting it (``from_location``)."""
        return {
            "box": [int(v) for v in self.box],
            **{name: [round(float(v), 2) for v in getattr(self, name)] for name in _POINTS},
        }

    @classmethod
    def from_location(cls, location: dict) -> DetectedFace:
        left, top, right, bottom = (int(v) for v in location["box"])
        return cls(box=(left, top, right, bottom), **{name: tuple(float(v) for v in location[name]) for name in _POINTS})

    def scaled(self, factor: float) -> DetectedFace:
        """The same face in an image ``factor`` times larger."""

        def pt(p: Point) -> Point:
            return (p[0] * factor, p[1] * factor)

        left, top, right, bottom = self.box
        return DetectedFace(
            box=(round(left * factor), round(top * factor), round(right * factor), round(bottom * factor)),
            left_eye=pt(self.left_eye),
            right_eye=pt(self.right_eye),
            nose_tip=pt(self.nose_tip),
            mouth_left=pt(self.mouth_left),
            mouth_right=pt(self.mouth_right),
            landmarks=None if self.landmarks is None else self.landmarks * factor,
        )


class EmbeddingModel(ABC):
    """Interface every face model implements."""

    name: str
    version: str
    dimension: int

    @abstractmethod
    def detect(self, pixels: np.ndarray) -> list[DetectedFace]:
        """Faces in an RGB uint8 image, largest first."""

    @abstractmethod
    def encode(self, pixels: np.ndarray, face: DetectedFace) -> np.ndarray:
        """The embedding (float32, shape ``(dimension,)``) of ``face``."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.version)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.version} d={self.dimension}>"


# Faces are detected on a copy whose longest side is at most this many
# pixels (HOG cost grows with the pixel count; one upsampling pass then finds
# faces down to about 40 px, far below the quality minimum).  Landmarks and
# encodings are computed on the full working image.
DETECT_MAX_SIDE = 800


class DlibResNetModel(EmbeddingModel):
    """dlib ResNet-29 face descriptor via ``face_recognition`` (128-d)."""

    name = "dlib-resnet-v1"
    dimension = 128

    def __init__(self, *, detect_max_side: int = DETECT_MAX_SIDE, upsample: int = 1, jitters: int = 1):
        import dlib
        import face_recognition
        import face_recognition_models
        from PIL import ImageFile

        # face_recognition turns on Pillow's lenient loading of truncated
        # files for the whole process; uploads are strict (images.py).
        ImageFile.LOAD_TRUNCATED_IMAGES = False

        self._fr = face_recognition
        self._dlib = dlib
        self.detect_max_side = detect_max_side
        self.upsample = upsample
        self.jitters = jitters
        weights = face_recognition_models.face_recognition_model_location()
        self.version = "sha256:" + _file_sha256(weights)[:16]
        # dlib's detector and predictors are not documented as thread-safe.
        self._lock = threading.Lock()

    def detect(self, pixels: np.ndarray) -> list[DetectedFace]:
        _check_pixels(pixels)
        height, width = pixels.shape[:2]
        factor = min(1.0, self.detect_max_side / max(height, width))
        small = pixels
        if factor < 1.0:
            import cv2

            small = cv2.resize(
                pixels, (max(1, round(width * factor)), max(1, round(height * factor))), interpolation=cv2.INTER_AREA
            )
        with self._lock:
            rects = self._fr.api.face_detector(small, self.upsample)
            faces = []
            for r in rects:
                left = max(0, round(r.left() / factor))
                top = max(0, round(r.top() / factor))
                right = min(width, round(r.right() / factor))
                bottom = min(height, round(r.bottom() / factor))
                if right <= left or bottom <= top:
                    continue
                shape = self._fr.api.pose_predictor_68_point(pixels, self._dlib.rectangle(left, top, right, bottom))
                pts = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
                faces.append(_face_from_68(pts, (left, top, right, bottom)))
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces

    def encode(self, pixels: np.ndarray, face: DetectedFace) -> np.ndarray:
        _check_pixels(pixels)
        left, top, right, bottom = face.box
        with self._lock:
            # The 5-point alignment face_recognition uses by default (the
            # configuration behind dlib's published LFW accuracy).
            shape = self._fr.api.pose_predictor_5_point(pixels, self._dlib.rectangle(left, top, right, bottom))
            vec = self._fr.api.face_encoder.compute_face_descriptor(pixels, shape, self.jitters)
        return np.asarray(vec, dtype=np.float32)


def _face_from_68(pts: np.ndarray, box: tuple[int, int, int, int]) -> DetectedFace:
    # iBUG 300-W indices: 36-41 image-left eye, 42-47 image-right eye,
    # 30 nose tip, 48/54 mouth corners.
    le = pts[36:42].mean(axis=0)
    re = pts[42:48].mean(axis=0)
    return DetectedFace(
        box=box,
        left_eye=(float(le[0]), float(le[1])),
        right_eye=(float(re[0]), float(re[1])),
        nose_tip=(float(pts[30, 0]), float(pts[30, 1])),
        mouth_left=(float(pts[48, 0]), float(pts[48, 1])),
        mouth_right=(float(pts[54, 0]), float(pts[54, 1])),
        landmarks=pts,
    )


def _check_pixels(pixels: np.ndarray) -> None:
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError("pixels must be an H x W x 3 uint8 RGB array")


@functools.cache
def _file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_MODELS: dict[str, type[EmbeddingModel]] = {DlibResNetModel.name: DlibResNetModel}
_lock = threading.Lock()
_instances: dict[str, EmbeddingModel] = {}

DEFAULT_MODEL = DlibResNetModel.name


def get_model(name: str = DEFAULT_MODEL) -> EmbeddingModel:
    """The process-wide instance of model ``name`` (loaded on first use)."""
    with _lock:
        if name not in _instances:
            try:
                cls = _MODELS[name]
            except KeyError:
                raise ValueError(f"unknown face model {name!r}; known: {sorted(_MODELS)}") from None
            _instances[name] = cls()
        return _instances[name]


def register_model(cls: type[EmbeddingModel]) -> None:
    """Make another model available to :func:`get_model` by its name."""
    _MODELS[cls.name] = cls
