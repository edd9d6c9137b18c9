"""The biometric contract: 1:N insert, identify and delete over opaque references.

One internal interface, in the shape of MOSIP's ABIS API (a request id and a reference id per
request, a return value and a failure reason per response, candidates with per-modality scores),
so that an external ABIS can later be plugged in behind it. Callers (registrations, deduplication)
use only this module:

    from biometrics.abis import BiometricData, Finger, InsertRequest, abis
    response = abis().insert(InsertRequest("registration:45", BiometricData(face=jpeg)), actor=user)

A reference id is an opaque string ``<kind>:<key>``: ``person:<traveler id>`` and
``watchlist-entry:<entry id>`` join the existing traveler and watchlist galleries (checkpoint
searches see them); any other kind (``registration:45``) is its own subject, searched only
through this contract. ``BMIS_ABIS_BACKEND`` chooses the implementation: ``local``
(:class:`biometrics.abis.local.LocalAbis`, the face and fingerprint engines of this app), or the
dotted path of a class with the :class:`Abis` methods. Read it through :func:`abis`.

Unlike MOSIP's queue-based ABIS, the local implementation answers synchronously; the request and
response objects carry everything an asynchronous one would need (request id, times).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from biometrics.abis.reasons import FACE_CODES, FINGER_CODES, Reason, ReasonCode

__all__ = [
    "FACE_CODES",
    "FINGER_CODES",
    "Abis",
    "AbisResponse",
    "AbisStatus",
    "BiometricData",
    "Candidate",
    "DeleteRequest",
    "FailureReason",
    "Finger",
    "Gallery",
    "IdentifyRequest",
    "InsertRequest",
    "ModalityScore",
    "Reason",
    "ReasonCode",
    "ReturnValue",
    "abis",
    "parse_reference_id",
]

ABIS_VERSION = "1.1"
REFERENCE_ID_RE = re.compile(r"^(?P<kind>[a-z][a-z0-9_-]{0,39}):(?P<key>[A-Za-z0-9._-]{1,59})$")
# Kinds with a meaning of their own (the existing galleries); every other kind is a plain reference.
PERSON = "person"
WATCHLIST_ENTRY = "watchlist-entry"


class ReturnValue(StrEnum):
    """MOSIP's ``returnValue``: 1 success, 2 failed."""

    SUCCESS = "1"
    FAILED = "2"


class FailureReason(StrEnum):
    """Why a request failed (``failureReason``); ``unusable_biometrics`` comes with ``reasons``."""

    INVALID_REQUEST = "invalid_request"  # a missing or malformed field (see ``message``)
    INVALID_REFERENCE_ID = "invalid_reference_id"
    REFERENCE_NOT_FOUND = "reference_not_found"  # delete or identify of a reference not enrolled
    REFERENCE_EXISTS = "reference_exists"  # insert of an enrolled reference with other data
    UNUSABLE_BIOMETRICS = "unusable_biometrics"  # an image cannot be used: see ``reasons``
    INTERNAL_ERROR = "internal_error"


def parse_reference_id(reference_id) -> tuple[str, str] | None:
    """``(kind, key)`` of a well-formed reference id (integer keys for persons and entries)."""
    m = REFERENCE_ID_RE.match(str(reference_id or ""))
    if m is None:
        return None
    kind, key = m["kind"], m["key"]
    if kind in (PERSON, WATCHLIST_ENTRY) and not (key.isdigit() and int(key) > 0):
        return None
    return kind, key


def new_request_id() -> str:
    return str(uuid.uuid4())


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


# -- requests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finger:
    """One finger image (PNG, TIFF, BMP; WSQ when the codec is installed) at ANSI/NIST position 1-10."""

    position: int
    image: bytes
    impression_type: str = "plain"
    resolution_dpi: float | None = None


@dataclass(frozen=True)
class BiometricData:
    """The biometric payload of a request (MOSIP sends a CBEFF by URL; here it is the images).

    ``face_source`` is a ``FaceSource`` value and chooses the quality policy
    (``biometrics.face.quality.POLICY_BY_SOURCE``): ``device``/``browser`` for a live capture
    (coached, strict), ``upload`` for a photograph nobody can retake."""

    face: bytes | None = None
    face_source: str = "upload"
    fingers: tuple[Finger, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.face and not self.fingers


@dataclass(frozen=True)
class InsertRequest:
    reference_id: str
    biometrics: BiometricData
    request_id: str = field(default_factory=new_request_id)
    request_time: datetime = field(default_factory=_now)
    id: str = "mosip.abis.insert"
    version: str = ABIS_VERSION


@dataclass(frozen=True)
class Gallery:
    """What an identification searches (MOSIP's ``gallery``, plus our galleries).

    ``kinds``: reference kinds to search (``person``, ``watchlist-entry``, ``registration``, ...),
    None for all; ``reference_ids``: only these references; ``watchlist_ids``: for
    ``watchlist-entry``, only these lists (None: every list in force)."""

    kinds: frozenset[str] | None = None
    reference_ids: frozenset[str] | None = None
    watchlist_ids: tuple[int, ...] | None = None

    def admits_kind(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


@dataclass(frozen=True)
class IdentifyRequest:
    """Identify an enrolled reference (``reference_id``) or a probe that is not enrolled
    (``probe``); exactly one. The probe's own reference is never a candidate.
    ``include_below_threshold``: also return candidates no modality matched (for score fusion).
    ``finger_shortlist``: how many pre-selected gallery fingers the engine compares in full per
    probe finger (None: the engine's default). With ``gallery.reference_ids`` set, the fingers of
    those references are each compared 1:1 (no pre-selection)."""

    reference_id: str | None = None
    probe: BiometricData | None = None
    gallery: Gallery = Gallery()
    max_candidates: int = 10
    include_below_threshold: bool = False
    finger_shortlist: int | None = None
    request_id: str = field(default_factory=new_request_id)
    request_time: datetime = field(default_factory=_now)
    id: str = "mosip.abis.identify"
    version: str = ABIS_VERSION


@dataclass(frozen=True)
class DeleteRequest:
    reference_id: str
    reason: str = ""
    request_id: str = field(default_factory=new_request_id)
    request_time: datetime = field(default_factory=_now)
    id: str = "mosip.abis.delete"
    version: str = ABIS_VERSION


# -- responses ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModalityScore:
    """One modality's comparison of a candidate: ``score`` on the engine's own scale (face:
    1 - Euclidean distance; fingerprint: MCC score of the best finger), its decision threshold on
    that scale, and the details (face: distance and template; fingers: score per position)."""

    modality: str
    score: float
    threshold: float
    matched: bool
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    reference_id: str
    scores: dict[str, ModalityScore]

    @property
    def modalities_matched(self) -> int:
        return sum(1 for s in self.scores.values() if s.matched)


@dataclass(frozen=True)
class AbisResponse:
    id: str
    request_id: str
    return_value: str
    response_time: datetime
    reference_id: str | None = None
    failure_reason: str = ""
    message: str = ""
    reasons: tuple[Reason, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    # Insert: the same reference and data were already enrolled (nothing was written).
    already_enrolled: bool = False
    version: str = ABIS_VERSION

    @property
    def ok(self) -> bool:
        return self.return_value == ReturnValue.SUCCESS

    def as_dict(self) -> dict:
        d = asdict(self)
        d["response_time"] = self.response_time.isoformat()
        return d


@dataclass(frozen=True)
class AbisStatus:
    backend: str
    ok: bool
    details: dict = field(default_factory=dict)


@runtime_checkable
class Abis(Protocol):
    """What every ABIS behind the contract provides. ``actor`` is the user (or None for the
    system) recorded in the audit trail."""

    name: str

    def insert(self, request: InsertRequest, *, actor=None) -> AbisResponse: ...

    def identify(self, request: IdentifyRequest, *, actor=None) -> AbisResponse: ...

    def delete(self, request: DeleteRequest, *, actor=None) -> AbisResponse: ...

    def ping(self) -> AbisStatus: ...


_instances: dict[str, Abis] = {}


def abis() -> Abis:
    """The configured ABIS (``settings.BMIS_ABIS_BACKEND``: ``local`` or a class's dotted path)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    backend = getattr(settings, "BMIS_ABIS_BACKEND", "local") or "local"
    instance = _instances.get(backend)
    if instance is None:
        if backend == "local":
            from biometrics.abis.local import LocalAbis

            instance = LocalAbis()
        else:
            instance = import_string(backend)()
        _instances[backend] = instance
    return instance
