"""Why an image cannot be used: the stable reason codes of the biometric contract.

The contract's codes are mapped from what the engines already report; no check is added here:

- faces: the ``biometrics.face.images.ImageError`` codes (bytes that are not a usable image) and
  the ``biometrics.face.quality.Issue`` codes (no face, several faces, size, exposure, sharpness,
  pose), under the quality policy of the capture's source;
- fingers: the ``biometrics.fingerprint.errors.FingerprintError`` codes (format, resolution, size)
  and the ``biometrics.fingerprint.quality.COACHING`` codes of an impression below the enrolment
  quality, as ``biometrics.services.fingerprint.FingerReport.codes`` carries them.

Each reason carries the engine's own coaching message, in the reader's language
(``biometrics.messages``). The table below is the documentation of the codes (docs/architecture.md,
"Biometric contract (ABIS)"); a code is never renamed, new ones may be added.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class ReasonCode(StrEnum):
    # Either modality: the bytes.
    UNREADABLE_IMAGE = "unreadable_image"  # empty, not an image, corrupt or truncated
    UNSUPPORTED_FORMAT = "unsupported_format"  # a format the engine refuses (e.g. TIFF face, WSQ without codec)
    IMAGE_TOO_LARGE = "image_too_large"  # too many bytes or pixels
    # Face.
    NO_FACE = "no_face"
    SEVERAL_FACES = "several_faces"
    FACE_TOO_SMALL = "face_too_small"  # too few pixels between the eyes
    FACE_CUT_OFF = "face_cut_off"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    BLURRED = "blurred"
    HEAD_TILTED = "head_tilted"
    HEAD_TURNED = "head_turned"
    HEAD_UP_DOWN = "head_up_down"
    # Fingers.
    INVALID_POSITION = "invalid_position"  # not 1-10, or twice in one set
    INVALID_RESOLUTION = "invalid_resolution"  # missing, not a number, or outside what is rescaled
    IMAGE_TOO_SMALL = "image_too_small"  # fewer pixels than a finger needs at 500 ppi
    NO_FINGER = "no_finger"
    NOT_A_FINGERPRINT = "not_a_fingerprint"
    NO_RIDGES = "no_ridges"  # too little of the finger touches the scanner (press harder)
    NOT_CENTRED = "not_centred"
    TOO_DRY = "too_dry"
    SMUDGED = "smudged"
    LOW_CONTRAST = "low_contrast"
    TOO_FEW_MINUTIAE = "too_few_minutiae"
    LOW_QUALITY = "low_quality"  # below the enrolment quality without a more precise cause
    EXTRACTION_FAILED = "extraction_failed"


# Engine code -> contract code. Faces: ImageError codes and quality Issue codes.
FACE_CODES: dict[str, ReasonCode] = {
    "empty": ReasonCode.UNREADABLE_IMAGE,
    "not_an_image": ReasonCode.UNREADABLE_IMAGE,
    "corrupt": ReasonCode.UNREADABLE_IMAGE,
    "truncated": ReasonCode.UNREADABLE_IMAGE,
    "unsupported_format": ReasonCode.UNSUPPORTED_FORMAT,
    "too_large": ReasonCode.IMAGE_TOO_LARGE,
    "decompression_bomb": ReasonCode.IMAGE_TOO_LARGE,
    "no_face": ReasonCode.NO_FACE,
    "multiple_faces": ReasonCode.SEVERAL_FACES,
    "face_too_small": ReasonCode.FACE_TOO_SMALL,
    "face_cut_off": ReasonCode.FACE_CUT_OFF,
    "too_dark": ReasonCode.TOO_DARK,
    "too_bright": ReasonCode.TOO_BRIGHT,
    "too_blurry": ReasonCode.BLURRED,
    "head_tilted": ReasonCode.HEAD_TILTED,
    "head_turned": ReasonCode.HEAD_TURNED,
    "head_up_down": ReasonCode.HEAD_UP_DOWN,
}

# Fingers: FingerprintError codes and quality coaching codes (FingerReport.codes).
FINGER_CODES: dict[str, ReasonCode] = {
    "empty": ReasonCode.UNREADABLE_IMAGE,
    "not_an_image": ReasonCode.UNREADABLE_IMAGE,
    "unsupported_format": ReasonCode.UNSUPPORTED_FORMAT,
    "too_large": ReasonCode.IMAGE_TOO_LARGE,
    "too_small": ReasonCode.IMAGE_TOO_SMALL,
    "invalid": ReasonCode.INVALID_RESOLUTION,
    "resolution_out_of_range": ReasonCode.INVALID_RESOLUTION,
    "extraction_failed": ReasonCode.EXTRACTION_FAILED,
    "no_finger": ReasonCode.NO_FINGER,
    "not_a_fingerprint": ReasonCode.NOT_A_FINGERPRINT,
    "press_harder": ReasonCode.NO_RIDGES,
    "not_centred": ReasonCode.NOT_CENTRED,
    "too_dry": ReasonCode.TOO_DRY,
    "smudged": ReasonCode.SMUDGED,
    "low_contrast": ReasonCode.LOW_CONTRAST,
    "few_minutiae": ReasonCode.TOO_FEW_MINUTIAE,
    "low_quality": ReasonCode.LOW_QUALITY,
}


@dataclass(frozen=True)
class Reason:
    """One reason an image cannot be used: the contract code, the engine's code and its coaching
    message (translated), and for a finger its position (1-10)."""

    code: str
    modality: str  # "face" or "finger"
    message: str
    engine_code: str = ""
    position: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def face_reason(engine_code: str, message: str) -> Reason:
    return Reason(code=str(FACE_CODES.get(engine_code, ReasonCode.UNREADABLE_IMAGE)), modality="face",
                  message=message, engine_code=engine_code)


def finger_reason(engine_code: str, message: str, position: int | None) -> Reason:
    return Reason(code=str(FINGER_CODES.get(engine_code, ReasonCode.LOW_QUALITY)), modality="finger",
                  message=message, engine_code=engine_code, position=position)
