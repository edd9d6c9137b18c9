"""Fingerprint writes: enrolment of a capture set, 1:1 and 1:N searches, hits, purging.

Views, the API and tasks call these functions; the algorithms live in ``biometrics.fingerprint``
(pure). Every finger of a request is checked (format, resolution, position, quality) before
anything is written, so a capture set is enrolled whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from biometrics.access import refuse_closed_inspection
from biometrics.fingerprint import mcc
from biometrics.fingerprint.errors import FingerprintError
from biometrics.fingerprint.identification import FingerprintIndex
from biometrics.fingerprint.imaging import FingerImage, load_finger_image
from biometrics.fingerprint.minutiae import EXTRACTOR_VERSION, Extraction, extract
from biometrics.fingerprint.quality import QualityReport, assess
from biometrics.fingerprint.template import Template, deserialize, serialize
from biometrics.messages import fingerprint_coaching, translate
from biometrics.models.fingerprint import (
    FingerPosition,
    FingerprintCapture,
    FingerprintImpression,
    FingerprintProbe,
    FingerprintPurpose,
    FingerprintSearch,
    ImpressionType,
    SearchKind,
    SearchStatus,
    SubjectKind,
)
from biometrics.visibility import visibility_for, visible_candidates
from core.tasks import enqueue_named_on_commit

logger = logging.getLogger(__name__)

MAX_FINGERS = 10
# Celery task names (biometrics.tasks.fingerprint registers them): the services send work by name.
FINGERPRINT_SEARCH_TASK = "biometrics.fingerprint_search"
FINGERPRINT_PURGE_TASK = "biometrics.fingerprint_purge_expired"
CANDIDATES_PER_FINGER = 20


@dataclass
class FingerInput:
    """One finger as submitted: the raw position and impression type are validated here."""

    position: Any
    image: bytes
    impression_type: Any = ImpressionType.PLAIN
    resolution_dpi: Any = None


@dataclass
class ProcessedFinger:
    position: int
    impression_type: str
    image: FingerImage
    extraction: Extraction
    quality: QualityReport
    template: bytes


@dataclass
class FingerReport:
    """What the capture screen shows per finger, also for fingers that were refused."""

    index: int
    position: int | None
    quality: QualityReport | None = None
    errors: list[str] = field(default_factory=list)
    # Stable codes of why the image was refused: a FingerprintError code (empty, not_an_image,
    # unsupported_format, ...) or "low_quality" followed by the quality coaching codes.
    codes: list[str] = field(default_factory=list)


class FingerprintInputError(ValidationError):
    """Some fingers were refused; ``reports`` has one entry per submitted finger."""

    def __init__(self, errors: dict[str, list[str]], reports: list[FingerReport]) -> None:
        super().__init__(errors)
        self.reports = reports


def _position(raw) -> int | None:
    if isinstance(raw, bool):
        return None
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value


def fingerprints_process(fingers: list[FingerInput], *, prefix: str = "fingers") -> list[ProcessedFinger]:
    """Validate and process every finger; raise :class:`FingerprintInputError` naming each bad field."""
    errors: dict[str, list[str]] = {}
    reports: list[FingerReport] = []
    if not fingers:
        raise FingerprintInputError({prefix: [_("Submit at least one finger.")]}, [])
    if len(fingers) > MAX_FINGERS:
        raise FingerprintInputError({prefix: [_("At most %(n)d fingers per capture.") % {"n": MAX_FINGERS}]}, [])
    seen: dict[int, int] = {}
    out: list[ProcessedFinger] = []
    for i, finger in enumerate(fingers):
        report = FingerReport(index=i, position=None)
        reports.append(report)
        pos = _position(finger.position)
        key = f"{prefix}.{i}"
        if pos is None or pos not in FingerPosition.values:
            errors.setdefault(f"{key}.position", []).append(
                _("Finger position must be an ANSI/NIST code from 1 (right thumb) to 10 (left little); got %(value)s.")
                % {"value": repr(finger.position)}
            )
            pos = None
        elif pos in seen:
            errors.setdefault(f"{key}.position", []).append(
                _("Finger position %(pos)d (%(label)s) appears more than once in this capture (also finger %(other)d).")
                % {"pos": pos, "label": FingerPosition(pos).label, "other": seen[pos]}
            )
        else:
            seen[pos] = i
        report.position = pos
        itype = str(finger.impression_type or ImpressionType.PLAIN)
        if itype not in ImpressionType.values:
            errors.setdefault(f"{key}.impression_type", []).append(
                _("Impression type must be one of: %(values)s.") % {"values": ", ".join(ImpressionType.values)}
            )
        try:
            image = load_finger_image(finger.image or b"", declared_dpi=finger.resolution_dpi)
            ext = extract(image)
        except FingerprintError as exc:
            message = translate(exc.message)
            errors.setdefault(f"{key}.{exc.field}", []).append(message)
            report.errors.append(message)
            report.codes.append(exc.code)
            continue
        quality = assess(image, minutiae_count=len(ext.minutiae), nfiq2=ext.nfiq2)
        report.quality = quality
        if not quality.acceptable:
            advice = " ".join(fingerprint_coaching(c)["message"] for c in quality.coaching) or _("Scan the finger again.")
            message = _("Quality %(score)d/100 is too low to use this impression. %(advice)s") % {
                "score": quality.score, "advice": advice}
            errors.setdefault(f"{key}.image", []).append(message)
            report.errors.append(message)
            report.codes += ["low_quality", *quality.codes]
            continue
        if pos is None or itype not in ImpressionType.values:
            continue
        out.append(
            ProcessedFinger(
                position=pos,
                impression_type=itype,
                image=image,
                extraction=ext,
                quality=quality,
                template=serialize(Template(ext.minutiae)),
            )
        )
    if errors:
        raise FingerprintInputError(errors, reports)
    return out


def _retention(purpose: str) -> dt.date:
    days = settings.BMIS_FINGERPRINT_RETENTION_DAYS[purpose]
    return timezone.localdate() + dt.timedelta(days=days)


def _subject(person_id, person_entry, reference_id: str = "") -> tuple[str, int | None]:
    if reference_id and person_id is None and person_entry is None:
        return SubjectKind.REFERENCE, None
    if (person_id is None) == (person_entry is None):
        raise ValidationError({"person_id": [_("Give exactly one subject: a traveler or a watchlist person entry.")]})
    if person_id is not None:
        try:
            pid = int(person_id)
        except (TypeError, ValueError):
            raise ValidationError({"person_id": [_("The traveler id must be a positive integer.")]}) from None
        if pid <= 0:
            raise ValidationError({"person_id": [_("The traveler id must be a positive integer.")]})
        return SubjectKind.TRAVELER, pid
    return SubjectKind.WATCHLIST, None


def fingerprint_enrol(
    *,
    actor,
    fingers: list[FingerInput],
    person_id: int | None = None,
    person_entry=None,
    inspection_id: int | None = None,
    post=None,
    source: str = "upload",
    reference_id: str = "",
) -> FingerprintCapture:
    """Enrol a set of fingers for one subject, all or nothing; replaces earlier fingers at the same positions.

    ``reference_id`` names the biometric-contract reference enrolling them (``biometrics.abis``);
    alone (no traveler, no entry) it is the subject itself, e.g. "registration:45"."""
    refuse_closed_inspection(inspection_id)
    kind, pid = _subject(person_id, person_entry, reference_id)
    processed = fingerprints_process(fingers)
    purpose = FingerprintPurpose.WATCHLIST if kind == SubjectKind.WATCHLIST else FingerprintPurpose.BORDER_CONTROL
    retention = _retention(purpose)
    # The 1:N index record of each finger, computed once here rather than by every worker.
    prepared = {p.position: _gallery.index.prepare(p.extraction.minutiae) for p in processed}
    with transaction.atomic():
        capture = FingerprintCapture(
            subject_kind=kind, person_id=pid, person_entry=person_entry, inspection_id=inspection_id, post=post,
            captured_by=actor if getattr(actor, "pk", None) else None, source=source[:20], purpose=purpose,
            retention_until=retention, reference_id=reference_id,
        )
        # A system enrolment (no actor: a job, the biometric contract) has no capturing user.
        capture.full_clean(exclude=None if capture.captured_by_id else ["captured_by"])
        capture.save()
        if kind == SubjectKind.REFERENCE:
            subject_filter = {"subject_kind": kind, "reference_id": reference_id}
        elif pid is not None:
            subject_filter = {"person_id": pid}
        else:
            subject_filter = {"person_entry": person_entry}
        previous = list(
            FingerprintImpression.objects.select_for_update().filter(
                is_active=True, position__in=[p.position for p in processed], **subject_filter
            )
        )
        for old in previous:
            old.is_active = False
            old.save(update_fields=["is_active", "updated_at"])
        for p in processed:
            imp = FingerprintImpression(
                capture=capture, subject_kind=kind, person_id=pid, person_entry=person_entry, post=post,
                position=p.position, impression_type=p.impression_type, image_png=p.image.to_png(),
                width=p.image.width, height=p.image.height, source_format=p.image.source_format,
                source_dpi=p.image.source_dpi, dpi_source=p.image.dpi_source, rescaled=p.image.rescaled,
                quality_score=p.quality.score, nfiq2=p.quality.nfiq2, quality_report=p.quality.as_dict(),
                minutiae_count=len(p.extraction.minutiae), template=p.template,
                index_data=prepared[p.position], index_version=_gallery.index.prepared_version,
                extractor_version=EXTRACTOR_VERSION, matcher_version=mcc.MATCHER_VERSION,
                purpose=purpose, retention_until=retention, reference_id=reference_id,
            )
            imp.full_clean(exclude=["image_png", "template", "index_data"])
            imp.save()
        audit_log(
            actor=actor, action="fingerprint_capture.enrol", obj=capture,
            metadata={
                "subject": kind, "person_id": pid, "person_entry_id": getattr(person_entry, "pk", None),
                "reference_id": reference_id or None,
                "positions": [p.position for p in processed], "replaced": [o.pk for o in previous],
                "quality": {str(p.position): p.quality.score for p in processed},
                "inspection_id": inspection_id,
            },
        )
    return capture


def fingerprint_search_create(
    *,
    actor,
    kind: str,
    fingers: list[FingerInput],
    person_id: int | None = None,
    inspection_id: int | None = None,
    post=None,
    search_travelers: bool = True,
    search_watchlists: bool = True,
) -> FingerprintSearch:
    """Record a 1:1 or 1:N search and queue it on the ``biometrics`` queue (run at once when eager)."""
    if kind not in SearchKind.values:
        raise ValidationError({"kind": [_("Unknown search kind %(kind)s.") % {"kind": repr(kind)}]})
    refuse_closed_inspection(inspection_id)
    pid = None
    if person_id is not None:
        _kind, pid = _subject(person_id, None)
    if kind == SearchKind.VERIFY:
        if pid is None:
            raise ValidationError({"person_id": [_("Verification needs the claimed traveler's id.")]})
        if not FingerprintImpression.objects.filter(person_id=pid, is_active=True).exists():
            raise ValidationError({"person_id": [_("This traveler has no enrolled fingerprints to verify against.")]})
    elif not (search_travelers or search_watchlists):
        raise ValidationError({"search_travelers": [_("Search travelers, watchlists or both.")]})
    processed = fingerprints_process(fingers)
    threshold = (
        settings.BMIS_FINGERPRINT_VERIFY_THRESHOLD if kind == SearchKind.VERIFY
        else settings.BMIS_FINGERPRINT_IDENTIFY_THRESHOLD
    )
    with transaction.atomic():
        search = FingerprintSearch(
            kind=kind, person_id=pid, inspection_id=inspection_id, post=post, requested_by=actor,
            search_travelers=search_travelers, search_watchlists=search_watchlists, threshold=threshold,
        )
        search.full_clean()
        search.save()
        for p in processed:
            FingerprintProbe.objects.create(
                search=search, position=p.position, impression_type=p.impression_type,
                quality_score=p.quality.score, minutiae_count=len(p.extraction.minutiae), template=p.template,
            )
        audit_log(
            actor=actor, action=f"fingerprint_search.{kind}", obj=search,
            metadata={"person_id": pid, "inspection_id": inspection_id, "positions": [p.position for p in processed]},
        )
        # By name: tasks import services, never the reverse (biometrics.tasks.fingerprint).
        enqueue_named_on_commit(FINGERPRINT_SEARCH_TASK, search.pk)
    return search


# ---------------------------------------------------------------------------------------- gallery


class _Gallery:
    """The in-process 1:N index of active impressions, kept in step with the database.

    Each worker process holds one, filled on first use and refreshed before every search from the
    rows changed since (``updated_at``); a count check catches deleted rows and triggers a rebuild.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.index = FingerprintIndex()
        self.meta: dict[int, tuple[str, int | None, int | None, int]] = {}
        # Impression id -> reference id, for the impressions enrolled through the biometric contract.
        self.references: dict[int, str] = {}
        self.last_change = None
        self.ids_at_last: set[int] = set()

    def _load(self, rows) -> None:
        for imp in rows:
            if imp.is_active and imp.template:
                try:
                    minutiae = deserialize(bytes(imp.template)).minutiae
                except ValueError:
                    logger.warning("fingerprint impression %s has an unreadable template", imp.pk)
                    continue
                if not self.index.add_serialized(imp.pk, minutiae, imp.index_data and bytes(imp.index_data)):
                    self.index.add(imp.pk, minutiae, defer=True)
                self.meta[imp.pk] = (imp.subject_kind, imp.person_id, imp.person_entry_id, imp.position)
                if imp.reference_id:
                    self.references[imp.pk] = imp.reference_id
            elif imp.pk in self.meta:
                self.index.remove(imp.pk)
                del self.meta[imp.pk]
                self.references.pop(imp.pk, None)
            if self.last_change is None or imp.updated_at > self.last_change:
                self.last_change = imp.updated_at
                self.ids_at_last = {imp.pk}
            elif imp.updated_at == self.last_change:
                self.ids_at_last.add(imp.pk)
        self.index.compact()

    def refresh(self) -> None:
        fields = ["id", "template", "index_data", "subject_kind", "person_id", "person_entry_id", "position",
                  "is_active", "updated_at", "reference_id"]
        qs = FingerprintImpression.objects.only(*fields).order_by("updated_at", "id")
        if self.last_change is not None:
            qs = qs.filter(updated_at__gte=self.last_change).exclude(
                id__in=self.ids_at_last, updated_at=self.last_change
            )
        self._load(qs.iterator(chunk_size=2000))
        active = FingerprintImpression.objects.filter(is_active=True).aggregate(n=Max("id"))
        count = FingerprintImpression.objects.filter(is_active=True).count()
        if count != len(self.meta) or (count and active["n"] not in self.meta):
            self.reset()
            self._load(FingerprintImpression.objects.only(*fields).order_by("updated_at", "id").iterator(chunk_size=2000))


_gallery = _Gallery()


def fingerprint_gallery_reset() -> None:
    """Forget the in-process index (it is rebuilt from the database on the next search)."""
    with _gallery.lock:
        _gallery.reset()


def fingerprint_gallery_search(probes, *, top: int = CANDIDATES_PER_FINGER, exclude=(), shortlist: int | None = None,
                               only=None) -> list[dict]:
    """Search the 1:N gallery with ``probes`` ([(position, minutiae)]) and return every candidate
    impression at the probe's finger position: ``{"impression_id", "subject_kind", "person_id",
    "person_entry_id", "reference_id", "position", "score"}``. No request is recorded and no hit
    raised (the biometric contract, ``biometrics.abis``, answers with these). ``exclude``: impression
    ids left out (the probe's own). ``shortlist``: how many pre-selected records get the full MCC
    comparison (None: the index default, 500). ``only``: impression ids to compare 1:1 instead of a
    1:N search (each at the probe's position; no pre-selection, so none is missed)."""
    out = []
    exclude = set(exclude)
    with _gallery.lock:
        _gallery.refresh()
        for position, minutiae in probes:
            if only is not None:
                keys = [k for k in only if k not in exclude and k in _gallery.meta and _gallery.meta[k][3] == position]
                found = _gallery.index.compare_keys(minutiae, keys) if keys else []
            else:
                found = _gallery.index.search(minutiae, top=top, exclude=exclude, shortlist=shortlist)
            for cand in found:
                kind, pid, entry_id, cand_pos = _gallery.meta[cand.key]
                if cand_pos != position:
                    continue
                out.append({
                    "impression_id": cand.key, "subject_kind": kind, "person_id": pid, "person_entry_id": entry_id,
                    "reference_id": _gallery.references.get(cand.key, ""), "position": position,
                    "score": float(cand.score),
                })
    return out


def _probe_minutiae(search: FingerprintSearch):
    return [(p.position, deserialize(bytes(p.template)).minutiae) for p in search.probes.all()]


def _run_verify(search: FingerprintSearch) -> tuple[dict, str]:
    enrolled = {
        imp.position: imp
        for imp in FingerprintImpression.objects.filter(person_id=search.person_id, is_active=True)
    }
    fingers = {}
    best = 0.0
    for position, minutiae in _probe_minutiae(search):
        imp = enrolled.get(position)
        if imp is None:
            fingers[str(position)] = {"score": None, "enrolled": False}
            continue
        score = mcc.compare_minutiae(minutiae, deserialize(bytes(imp.template)).minutiae)
        fingers[str(position)] = {"score": round(score, 4), "enrolled": True, "match": score >= search.threshold}
        best = max(best, score)
    compared = [f for f in fingers.values() if f["enrolled"]]
    if not compared:
        decision = "no_reference"
    else:
        decision = "match" if best >= search.threshold else "no_match"
    return {"fingers": fingers, "best_score": round(best, 4), "threshold": search.threshold}, decision


def _run_identify(search: FingerprintSearch) -> tuple[dict, str, list[dict]]:
    with _gallery.lock:
        _gallery.refresh()
        probes = _probe_minutiae(search)
        found: dict[tuple[str, int], dict] = {}
        for position, minutiae in probes:
            candidates = _gallery.index.search(minutiae, top=CANDIDATES_PER_FINGER)
            for cand in candidates:
                kind, pid, entry_id, cand_pos = _gallery.meta[cand.key]
                if cand_pos != position:
                    continue
                if kind == SubjectKind.TRAVELER:
                    if not search.search_travelers or pid == search.person_id:
                        continue
                    subject = (kind, pid)
                elif kind == SubjectKind.WATCHLIST:
                    if not search.search_watchlists:
                        continue
                    subject = (kind, entry_id)
                else:
                    continue  # references (e.g. registrations) are searched through biometrics.abis
                rec = found.setdefault(subject, {"fingers": {}, "score": 0.0})
                prev = rec["fingers"].get(str(position), 0.0)
                if cand.score > prev:
                    rec["fingers"][str(position)] = round(cand.score, 4)
                rec["score"] = max(rec["score"], cand.score)
    ranked = sorted(found.items(), key=lambda kv: -kv[1]["score"])
    candidates = []
    for (kind, ident), rec in ranked:
        candidates.append({
            "subject": kind,
            "person_id": ident if kind == SubjectKind.TRAVELER else None,
            "person_entry_id": ident if kind == SubjectKind.WATCHLIST else None,
            "score": round(rec["score"], 4),
            "fingers": rec["fingers"],
            "above_threshold": rec["score"] >= search.threshold,
        })
    # Only the travelers and list entries the requester may see are kept, and so raise hits
    # (biometrics.visibility: the same rule as face searches and as reading the result).
    candidates = visible_candidates(candidates, visibility_for(search.requested_by),
                                    entry_key="person_entry_id")[:10]
    decision = "hit" if any(c["above_threshold"] for c in candidates) else "no_hit"
    return {"candidates": candidates, "threshold": search.threshold}, decision, [c for c in candidates if c["above_threshold"]]


def fingerprint_search_run(*, search_id: int) -> FingerprintSearch:
    """Run a pending search (the task calls this); raises hits for identification results."""
    from watchlists.models import PersonEntry
    from watchlists.services import hit_raise

    search = FingerprintSearch.objects.get(pk=search_id)
    if search.status != SearchStatus.PENDING:
        return search
    if search.kind == SearchKind.VERIFY:
        result, decision = _run_verify(search)
        above: list[dict] = []
    else:
        result, decision, above = _run_identify(search)
    with transaction.atomic():
        locked = FingerprintSearch.objects.select_for_update().get(pk=search_id)
        if locked.status != SearchStatus.PENDING:
            return locked
        for cand in above:
            common = {
                "actor": None, "source": "fingerprint", "score": min(1.0, cand["score"]),
                "threshold": locked.threshold, "inspection_id": locked.inspection_id, "person_id": locked.person_id,
                "post": locked.post, "query": {"fingerprint_search_id": locked.pk},
                "explanation": {"fingers": cand["fingers"], "matcher": mcc.MATCHER_VERSION},
            }
            if cand["subject"] == SubjectKind.WATCHLIST:
                entry = (
                    PersonEntry.objects.select_related("watchlist")
                    .filter(pk=cand["person_entry_id"], is_active=True, watchlist__is_active=True)
                    .first()
                )
                if entry is None:
                    cand["hit_id"] = None
                    continue
                hit, _created = hit_raise(entry=entry, **common)
            else:
                hit, _created = hit_raise(matched_person_id=cand["person_id"], **common)
            cand["hit_id"] = hit.pk
        locked.result = result
        locked.decision = decision
        locked.status = SearchStatus.DONE
        locked.completed_at = timezone.now()
        locked.attempts += 1
        locked.save(update_fields=["result", "decision", "status", "completed_at", "attempts"])
        audit_log(
            actor=None, action="fingerprint_search.complete", obj=locked,
            metadata={"kind": locked.kind, "decision": decision, "hits": [c.get("hit_id") for c in above]},
        )
    return locked


def fingerprint_search_fail(*, search_id: int, reason: str) -> None:
    """Mark a search failed after its retries ran out (the screen then says so)."""
    with transaction.atomic():
        search = FingerprintSearch.objects.select_for_update().filter(pk=search_id).first()
        if search is None or search.status != SearchStatus.PENDING:
            return
        search.status = SearchStatus.FAILED
        search.error = reason[:300]
        search.completed_at = timezone.now()
        search.save(update_fields=["status", "error", "completed_at"])
        audit_log(actor=None, action="fingerprint_search.fail", obj=search, metadata={"reason": reason[:300]})


def fingerprint_purge_expired(*, today: dt.date | None = None) -> int:
    """Delete fingerprint images and templates past their retention date; returns how many."""
    today = today or timezone.localdate()
    with transaction.atomic():
        expired = list(FingerprintImpression.objects.select_for_update().filter(retention_until__lt=today))
        if not expired:
            return 0
        ids = [imp.pk for imp in expired]
        captures = sorted({imp.capture_id for imp in expired})
        FingerprintImpression.objects.filter(pk__in=ids).delete()
        FingerprintCapture.objects.filter(pk__in=captures, impressions__isnull=True).delete()
        audit_log(
            actor=None, action="fingerprint_impression.purge", object_type="biometrics.fingerprintimpression",
            object_id=",".join(str(i) for i in ids)[:200], metadata={"count": len(ids), "captures": captures[:100]},
        )
    return len(ids)
