"""Coaching and error messages of the pure biometric modules, in the reader's language.

`biometrics/face/` and `biometrics/fingerprint/` import no Django: they return English messages
with stable codes (quality issues, coaching, image errors). This is the Django layer that shows
them: each fixed message maps to a gettext string, and messages carrying a value (a size, a
resolution, a count) are matched by pattern and rebuilt from the translated template. A message
this module does not know is returned unchanged (English) rather than hidden."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from biometrics.fingerprint.quality import COACHING

# Fingerprint coaching by code (biometrics.fingerprint.quality.COACHING).
FINGERPRINT_COACHING = {
    "no_finger": gettext_lazy("No finger detected: place the finger flat on the scanner."),
    "not_a_fingerprint": gettext_lazy(
        "This image does not look like a fingerprint: scan the finger on the fingerprint scanner."),
    "press_harder": gettext_lazy("Press harder: too little of the finger touches the scanner."),
    "not_centred": gettext_lazy(
        "Finger not centred: place the middle of the fingertip on the centre of the scanner."),
    "too_dry": gettext_lazy("Image too dry: the ridges are broken; moisten the finger slightly and scan again."),
    "smudged": gettext_lazy("Image smudged or too wet: wipe the finger and the scanner glass and scan again."),
    "low_contrast": gettext_lazy("Contrast too low: clean the scanner glass and press evenly."),
    "few_minutiae": gettext_lazy("Too few ridge details were found: press the whole fingertip flat and hold still."),
}

# Every fixed English message of the pure modules, keyed by its text.
_FIXED = {
    # Face quality (biometrics.face.quality).
    "Face accepted.": gettext_lazy("Face accepted."),
    "No face found: look straight at the camera, face uncovered.": gettext_lazy(
        "No face found: look straight at the camera, face uncovered."),
    "Face too close to the edge of the picture: centre the face in the frame.": gettext_lazy(
        "Face too close to the edge of the picture: centre the face in the frame."),
    "Image too dark: add light in front of the face.": gettext_lazy("Image too dark: add light in front of the face."),
    "Image too bright: reduce the light on the face or move away from the window.": gettext_lazy(
        "Image too bright: reduce the light on the face or move away from the window."),
    "Image not sharp: hold still, wipe the lens and check the focus.": gettext_lazy(
        "Image not sharp: hold still, wipe the lens and check the focus."),
    "Head tilted to the side: keep the head straight.": gettext_lazy(
        "Head tilted to the side: keep the head straight."),
    "Head turned: look straight at the camera.": gettext_lazy("Head turned: look straight at the camera."),
    "Two faces in view: only the traveller may be in front of the camera.": gettext_lazy(
        "Two faces in view: only the traveller may be in front of the camera."),
    "Head tilted up: look straight ahead, chin level.": gettext_lazy(
        "Head tilted up: look straight ahead, chin level."),
    "Head tilted down: look straight ahead, chin level.": gettext_lazy(
        "Head tilted down: look straight ahead, chin level."),
    # Face images and document portraits (biometrics.face.images, biometrics.face.portrait).
    "The image is empty (0 bytes).": gettext_lazy("The image is empty (0 bytes)."),
    "The file is not an image (JPEG or PNG expected).": gettext_lazy(
        "The file is not an image (JPEG or PNG expected)."),
    "The image has no pixels.": gettext_lazy("The image has no pixels."),
    "The image file is truncated (incomplete upload?).": gettext_lazy(
        "The image file is truncated (incomplete upload?)."),
    "No portrait found on the document page: place the whole photo page on the reader, glare-free.": gettext_lazy(
        "No portrait found on the document page: place the whole photo page on the reader, glare-free."),
    # Finger images (biometrics.fingerprint.imaging).
    "The image file is empty.": gettext_lazy("The image file is empty."),
    "The image file is larger than 20 MB.": gettext_lazy("The image file is larger than 20 MB."),
    "WSQ images cannot be decoded on this server (the WSQ codec is not installed); send PNG, TIFF or BMP.":
        gettext_lazy("WSQ images cannot be decoded on this server (the WSQ codec is not installed); "
                     "send PNG, TIFF or BMP."),
    "The resolution must be a number of pixels per inch.": gettext_lazy(
        "The resolution must be a number of pixels per inch."),
    "The resolution must be a positive number of pixels per inch.": gettext_lazy(
        "The resolution must be a positive number of pixels per inch."),
    "The image has too many pixels for a single finger.": gettext_lazy(
        "The image has too many pixels for a single finger."),
    "The file is not a readable image.": gettext_lazy("The file is not a readable image."),
    "The image file is damaged or truncated.": gettext_lazy("The image file is damaged or truncated."),
}
# The fingerprint coaching texts, keyed by their English text too (they reach the pages inside
# the services' error messages as well as by code).
_FIXED.update({text: FINGERPRINT_COACHING[code] for code, text in COACHING.items() if code in FINGERPRINT_COACHING})


def _multiple_faces(m):
    n = int(m["n"])
    return ngettext("%(n)d face in view: only the traveller may be in front of the camera.",
                    "%(n)d faces in view: only the traveller may be in front of the camera.", n) % {"n": n}


# Messages with values: (pattern over the English text, function building the translation).
_PATTERNS = [
    (re.compile(r"^(?P<n>\d+) faces in view: only the traveller may be in front of the camera\.$"),
     _multiple_faces),
    (re.compile(r"^Face too small \((?P<value>\d+) px between the eyes, (?P<limit>\d+) needed\): "
                r"step closer to the camera\.$"),
     lambda m: _("Face too small (%(value)s px between the eyes, %(limit)s needed): step closer to the camera.")
     % m.groupdict()),
    (re.compile(r"^The image file is (?P<size>\d+) MB; the limit is (?P<limit>\d+) MB\.$"),
     lambda m: _("The image file is %(size)s MB; the limit is %(limit)s MB.") % m.groupdict()),
    (re.compile(r"^The image cannot be read \((?P<error>\w+)\)\.$"),
     lambda m: _("The image cannot be read (%(error)s).") % m.groupdict()),
    (re.compile(r"^The image data is corrupt \((?P<error>\w+)\)\.$"),
     lambda m: _("The image data is corrupt (%(error)s).") % m.groupdict()),
    (re.compile(r"^Image format (?P<format>\S+) is not accepted; send JPEG, PNG, WebP or JPEG 2000\.$"),
     lambda m: _("Image format %(format)s is not accepted; send JPEG, PNG, WebP or JPEG 2000.") % m.groupdict()),
    (re.compile(r"^The image is too large(?P<size>.*); the limit is (?P<limit>\d+) megapixels\.$"),
     lambda m: _("The image is too large%(size)s; the limit is %(limit)s megapixels.") % m.groupdict()),
    (re.compile(r"^(?P<format>\S+) images are not accepted for fingerprints; send PNG, TIFF, BMP or WSQ\.$"),
     lambda m: _("%(format)s images are not accepted for fingerprints; send PNG, TIFF, BMP or WSQ.")
     % m.groupdict()),
    (re.compile(r"^(?P<format>\S+) images are not accepted for fingerprints; send PNG, TIFF, BMP\.$"),
     lambda m: _("%(format)s images are not accepted for fingerprints; send PNG, TIFF or BMP.") % m.groupdict()),
    (re.compile(r"^The image resolution is (?P<dpi>\d+) ppi; fingerprints must be scanned at 500 ppi "
                r"\((?P<low>\d+)-(?P<high>\d+) ppi are rescaled\)\.$"),
     lambda m: _("The image resolution is %(dpi)s ppi; fingerprints must be scanned at 500 ppi "
                 "(%(low)s-%(high)s ppi are rescaled).") % m.groupdict()),
    (re.compile(r"^The image is (?P<w>\d+) x (?P<h>\d+) pixels at 500 ppi; a finger needs at least "
                r"(?P<min>\d+) pixels on each side\.$"),
     lambda m: _("The image is %(w)s x %(h)s pixels at 500 ppi; a finger needs at least %(min)s pixels "
                 "on each side.") % m.groupdict()),
    (re.compile(r"^The image is (?P<w>\d+) x (?P<h>\d+) pixels at 500 ppi; a single finger is at most "
                r"(?P<max>\d+) pixels on a side\.$"),
     lambda m: _("The image is %(w)s x %(h)s pixels at 500 ppi; a single finger is at most %(max)s pixels "
                 "on a side.") % m.groupdict()),
]


def translate(message: str) -> str:
    """One English message of a pure biometric module in the active language."""
    text = str(message)
    known = _FIXED.get(text)
    if known is not None:
        return str(known)
    for pattern, build in _PATTERNS:
        m = pattern.match(text)
        if m:
            return build(m)
    return text


def face_quality_message(quality: dict) -> str:
    """The coaching sentence of a face quality report (`QualityReport.as_dict()`)."""
    issues = quality.get("issues") or []
    if quality.get("accepted"):
        if not issues:
            return _("Face accepted.")
        # A photograph compared despite its issues (the photo policy): they are reported.
        return _("Face accepted for comparison despite: %(issues)s") % {
            "issues": " ".join(translate(i.get("message", "")) for i in issues)}
    if not issues:
        return translate(quality.get("message", ""))
    return " ".join(translate(i.get("message", "")) for i in issues if i.get("blocking", True))


def fingerprint_coaching(item) -> dict:
    """One fingerprint coaching item (a `Coaching` or its stored dict) with its message translated."""
    code = item.get("code") if isinstance(item, dict) else getattr(item, "code", "")
    message = item.get("message", "") if isinstance(item, dict) else getattr(item, "message", "")
    known = FINGERPRINT_COACHING.get(code)
    return {"code": code, "message": str(known) if known is not None else translate(message)}


_SIDES = {
    "live image": gettext_lazy("live image"),
    "document portrait": gettext_lazy("document portrait"),
    "reference image": gettext_lazy("reference image"),
}


def translate_sentences(text: str) -> str:
    """Text made of several stored messages (a quality report's issues joined by spaces)."""
    whole = translate(text)
    if whole != text:
        return whole
    out = text
    for english in sorted(_FIXED, key=len, reverse=True):
        if english in out:
            out = out.replace(english, str(_FIXED[english]))
    return out


def verification_reason(reason: str) -> str:
    """Why a 1:1 face verification was inconclusive, as stored (`<side>: <quality message>`)."""
    side, sep, rest = str(reason).partition(": ")
    if sep and side in _SIDES:
        return _("%(side)s: %(message)s") % {"side": _SIDES[side], "message": translate_sentences(rest)}
    return translate_sentences(str(reason))
