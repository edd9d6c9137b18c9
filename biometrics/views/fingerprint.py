"""Officer pages for fingerprints: the capture screen (enrol, verify, identify) and search results,
plus the fingerprint part of the inspection screen's biometric panel (``panel_context``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.permissions import Role, role_required
from accounts.selectors import current_post
from biometrics.access import Subject, inspection_info, inspection_is_closed, persons_by_document, subject_resolve
from biometrics.fingerprint.imaging import WSQ_AVAILABLE
from biometrics.fingerprint.quality import ENROL_THRESHOLD
from biometrics.messages import fingerprint_coaching
from biometrics.models.fingerprint import (
    FingerPosition,
    FingerprintCapture,
    FingerprintImpression,
    FingerprintSearch,
    ImpressionType,
    SearchKind,
    SearchStatus,
)
from biometrics.services.fingerprint import (
    FingerInput,
    FingerprintInputError,
    fingerprint_enrol,
    fingerprint_search_create,
)
from biometrics.visibility import visibility_for, visible_candidates
from core.errors import field_errors

ACTIONS = (
    ("enrol", gettext_lazy("Enrol")),
    ("verify", gettext_lazy("Verify (1:1)")),
    ("identify", gettext_lazy("Identify (1:N)")),
)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Field names the capture screen may report an error on, as the officer reads them.
_FIELD_LABELS = {
    "action": gettext_lazy("Action"),
    "document": gettext_lazy("Document number"),
    "inspection": gettext_lazy("Inspection"),
    "person_id": gettext_lazy("Traveler"),
    "inspection_id": gettext_lazy("Inspection"),
    "fingers": gettext_lazy("Fingers"),
    "search_travelers": gettext_lazy("Search"),
    "kind": gettext_lazy("Search kind"),
}


def _enrolled_status(person_id: int | None) -> dict[int, FingerprintImpression]:
    if not person_id:
        return {}
    return {imp.position: imp for imp in FingerprintImpression.objects.filter(person_id=person_id, is_active=True)}


def _slots(reports_by_position, enrolled, submitted):
    slots = []
    for position, label in FingerPosition.choices:
        report = reports_by_position.get(position)
        quality = report.quality if report else None
        errors = report.errors if report else []
        if errors or (quality is not None and not quality.acceptable):
            state = "poor"
        elif quality is not None:
            state = "good"
        elif position in submitted:
            state = "poor"
        else:
            state = "missing"
        slots.append({
            "position": position, "label": label, "state": state, "quality": quality, "errors": errors,
            "coaching": [fingerprint_coaching(c) for c in quality.coaching] if quality is not None else [],
            "enrolled": enrolled.get(position),
        })
    return slots


def _find_subject(request, source, *, person_required: bool) -> tuple[Subject, dict[str, list[str]]]:
    """The traveler of the page: the open inspection's (``inspection``, from the inspection's
    link) or the holder of the document number the officer typed (``document``, with
    ``issuing_state`` when several hold that number). Never a numeric traveler id typed by hand.
    An inspection the user may not see is a 404 (SubjectNotFound), as everywhere in biometrics."""
    raw_inspection = source.get("inspection") or source.get("inspection_id")
    document = (source.get("document") or "").strip()
    try:
        if raw_inspection:
            info = inspection_info(user=request.user, inspection_id=raw_inspection)
            return subject_resolve(user=request.user, person_id=info["person_id"],
                                   inspection_id=raw_inspection), {}
        if document:
            persons = persons_by_document(user=request.user, number=document,
                                          issuing_state=source.get("issuing_state") or "")
            if not persons:
                return Subject(), {"document": [_("No traveler you may see holds a document of this number.")]}
            if len(persons) > 1:
                return Subject(), {"document": [_(
                    "Travelers of several states hold a document of this number: give the issuing state.")]}
            return subject_resolve(user=request.user, person_id=persons[0].pk), {}
    except ValidationError as exc:
        return Subject(), {"inspection": [m for messages in field_errors(exc).values() for m in messages]}
    if person_required:
        return Subject(), {"document": [_(
            "Type the traveler's document number, or open this page from the traveler's inspection.")]}
    return Subject(), {}


@role_required(Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def capture(request):
    """Capture up to ten fingers, see each finger's quality, then enrol, verify or identify."""
    source = request.POST if request.method == "POST" else request.GET
    action = source.get("action") or "enrol"
    # The traveler and inspection, resolved for this officer before anything is shown or stored.
    subject, id_errors = _find_subject(
        request, source, person_required=request.method == "POST" and action in ("enrol", "verify"))
    person_id, inspection_id = subject.person_id, subject.inspection_id
    closed = inspection_is_closed(inspection_id)
    if closed and request.method == "POST":
        id_errors["inspection"] = [_("This inspection is closed: no biometric capture can be added to it.")]
    context = {
        "actions": ACTIONS, "action": action, "subject_person": subject.person, "inspection_id": inspection_id,
        "inspection_closed": closed, "document": (source.get("document") or "").strip()[:35],
        "issuing_state": (source.get("issuing_state") or "").strip()[:3],
        "impression_types": ImpressionType.choices, "impression_type": source.get("impression_type") or "plain",
        "resolution_dpi": source.get("resolution_dpi") or "", "wsq": WSQ_AVAILABLE, "threshold": ENROL_THRESHOLD,
        "field_errors": {}, "result": None, "posted": request.method == "POST",
    }
    reports_by_position = {}
    submitted: set[int] = set()
    status = 200
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if action not in dict(ACTIONS):
            errors["action"] = [_("Choose enrol, verify or identify.")]
        errors.update(id_errors)
        dpi = source.get("resolution_dpi") or None
        fingers, positions = [], []
        for position in FingerPosition.values:
            upload = request.FILES.get(f"finger_{position}")
            if upload is None:
                continue
            submitted.add(position)
            if upload.size > MAX_UPLOAD_BYTES:
                errors[f"finger_{position}"] = [_("The file is larger than 20 MB.")]
                continue
            if upload.size == 0:
                errors[f"finger_{position}"] = [_("The file is empty.")]
                continue
            fingers.append(FingerInput(position=position, image=upload.read(),
                                       impression_type=source.get("impression_type") or "plain", resolution_dpi=dpi))
            positions.append(position)
        if not fingers and not any(name.startswith("finger_") for name in errors):
            errors["fingers"] = [_("No file was chosen: scan or upload at least one finger.")]
        if not errors:
            try:
                if action == "enrol":
                    cap = fingerprint_enrol(actor=request.user, fingers=fingers, person_id=person_id,
                                            inspection_id=inspection_id, post=current_post(request), source="scanner")
                    context["result"] = cap
                    for imp in cap.impressions.all():
                        reports_by_position[imp.position] = _StoredReport(imp)
                else:
                    search = fingerprint_search_create(
                        actor=request.user, kind=SearchKind.VERIFY if action == "verify" else SearchKind.IDENTIFY,
                        fingers=fingers, person_id=person_id, inspection_id=inspection_id,
                        post=current_post(request),
                    )
                    if search.kind == SearchKind.VERIFY:  # compared with the traveler's enrolled prints
                        subject.record_read(actor=request.user, purpose="fingerprint verification")
                    return redirect("biometrics:fingerprint-search", pk=search.pk)
            except FingerprintInputError as exc:
                for report in exc.reports:
                    if report.index < len(positions):
                        reports_by_position[positions[report.index]] = report
                for name, messages in field_errors(exc, "fingers").items():
                    parts = name.split(".")
                    if len(parts) >= 2 and parts[0] == "fingers" and parts[1].isdigit() and int(parts[1]) < len(positions):
                        errors.setdefault(f"finger_{positions[int(parts[1])]}", []).extend(messages)
                    else:
                        errors.setdefault(name, []).extend(messages)
            except ValidationError as exc:
                for name, messages in field_errors(exc, "fingers").items():
                    errors.setdefault(name, []).extend(messages)
    else:
        errors.update(id_errors)
    if errors:
        status = 400
    context["field_errors"] = errors
    # Errors shown in the box at the top: the typed document number's is shown under its field
    # when the traveler is being looked up (GET), and with the others after a submission.
    context["general_errors"] = [
        (name, _FIELD_LABELS.get(name, name), messages) for name, messages in errors.items()
        if not name.startswith("finger_") and (request.method == "POST" or name != "document")
    ]
    context["finger_errors"] = any(name.startswith("finger_") for name in errors) or bool(reports_by_position)
    if person_id is not None:  # the page shows the traveler's enrolled fingers
        subject.record_read(actor=request.user, purpose="fingerprint capture screen")
    context["slots"] = _slots(reports_by_position, _enrolled_status(person_id), submitted)
    for slot in context["slots"]:
        slot["field_errors"] = context["field_errors"].get(f"finger_{slot['position']}", [])
    return render(request, "biometrics/fingerprint/capture.html", context, status=status)


class _StoredReport:
    """The quality of an enrolled impression, shaped like a fresh report for the template."""

    def __init__(self, imp: FingerprintImpression) -> None:
        self.errors: list[str] = []
        self.quality = _StoredQuality(imp)


class _StoredQuality:
    def __init__(self, imp: FingerprintImpression) -> None:
        self.score = imp.quality_score
        self.acceptable = True
        self.nfiq2 = imp.nfiq2
        self.minutiae_count = imp.minutiae_count
        self.coaching = imp.quality_report.get("coaching", [])


@role_required(Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
def search_detail(request, pk: int):
    search = _shown(get_object_or_404(FingerprintSearch.objects.restrict(request.user, "view"), pk=pk), request.user)
    template = "biometrics/fingerprint/_search_result.html" if request.htmx else "biometrics/fingerprint/search.html"
    return render(request, template, {"search": search, "pending": search.status == SearchStatus.PENDING})


def _shown(search: FingerprintSearch, user) -> FingerprintSearch:
    """The search with only the candidates ``user`` may see (in memory; the row is unchanged)."""
    if isinstance(search.result, dict) and "candidates" in search.result:
        shown = visible_candidates(search.result["candidates"], visibility_for(user), entry_key="person_entry_id")
        search.result = {**search.result, "candidates": shown}
    return search


def panel_context(request, inspection_id) -> dict:
    """The fingerprint part of the inspection screen's biometric panel."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or inspection_id is None:
        return {"fingerprint": None}
    searches = [_shown(s, user) for s in FingerprintSearch.objects.restrict(user, "view").filter(inspection_id=inspection_id)[:5]]
    captures = list(
        FingerprintCapture.objects.restrict(user, "view").filter(inspection_id=inspection_id)
        .prefetch_related("impressions")[:3]
    )
    return {"fingerprint": {"searches": searches, "captures": captures, "inspection_id": inspection_id},
            "inspection_closed": inspection_is_closed(inspection_id)}


urlpatterns = [
    path("fingerprints/capture/", capture, name="fingerprint-capture"),
    path("fingerprints/searches/<int:pk>/", search_detail, name="fingerprint-search"),
]
