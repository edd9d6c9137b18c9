"""Face pages: the inspection panel (capture, quality coaching, 1:1 and 1:N
results), the image view (permission-checked, audited) and the side-by-side
evidence of a face hit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import Role, role_required
from accounts.selectors import current_post
from audit.services import audit_read
from biometrics.access import inspection_is_closed, subject_resolve
from biometrics.messages import face_quality_message, translate
from biometrics.models.face import FaceImage, FacePurpose, FaceSource
from biometrics.selectors.face import face_panel
from biometrics.services.face import face_capture, face_inspection_lookup
from core.errors import field_errors

STAFF = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)

# What the officer's panel may send: (purpose, source).
_CAPTURE_KINDS = {
    "live-camera": (FacePurpose.LIVE, FaceSource.BROWSER),
    "live-upload": (FacePurpose.LIVE, FaceSource.UPLOAD),
    "document-page": (FacePurpose.DOCUMENT, FaceSource.DOCUMENT_PAGE),
    "document-chip": (FacePurpose.DOCUMENT, FaceSource.CHIP),
}


# Field names a refused capture may name, as the officer reads them.
_FIELD_LABELS = {
    "image": gettext_lazy("Image"),
    "kind": gettext_lazy("Capture kind"),
    "person_id": gettext_lazy("Traveler id"),
    "inspection_id": gettext_lazy("Inspection"),
}


def panel_context(request, inspection_id) -> dict:
    """Merged into the inspection screen's biometrics panel (biometrics_tags)."""
    if request is None or not getattr(request.user, "is_authenticated", False):
        return {}
    return {"face": face_panel(user=request.user, inspection_id=int(inspection_id)), "face_kinds": _CAPTURE_KINDS,
            "inspection_closed": inspection_is_closed(inspection_id)}


def _post_of(request, info: dict):
    """The post of the inspection (known to travelers), else where the officer works now."""
    from core.models import BorderPost

    if info.get("post_id"):
        return BorderPost.objects.filter(pk=info["post_id"]).first()
    return current_post(request)


def _inspection_or_404(request, inspection_id: int) -> dict:
    info = face_inspection_lookup(inspection_id=inspection_id, user=request.user)
    if info is None:
        raise Http404("no such inspection")
    return info


def _panel_response(request, inspection_id: int, *, status: int = 200, notice: dict | None = None):
    context = panel_context(request, inspection_id)
    context.update({"inspection_id": inspection_id, "face_notice": notice})
    return render(request, "biometrics/face/_results.html", context, status=status)


@role_required(*STAFF)
@require_GET
@never_cache
def panel(request, inspection_id: int):
    """The face panel alone (htmx polling target)."""
    _inspection_or_404(request, inspection_id)
    return _panel_response(request, inspection_id)


@role_required(*STAFF)
@require_GET
def inspection_page(request, inspection_id: int):
    """A page holding only the face panel of one inspection (also used by devices' operators)."""
    info = _inspection_or_404(request, inspection_id)
    # The page shows the traveler's captured faces: an audited read (the htmx panel polls are not
    # recorded again; each image fetched is, by `image`).
    subject_resolve(user=request.user, person_id=info["person_id"], inspection_id=inspection_id).record_read(
        actor=request.user, purpose="face panel")
    context = panel_context(request, inspection_id)
    context["inspection_id"] = inspection_id
    return render(request, "biometrics/face/inspection.html", context)


@role_required(*STAFF)
@require_POST
def capture(request, inspection_id: int):
    info = _inspection_or_404(request, inspection_id)
    if inspection_is_closed(inspection_id):
        return _panel_response(request, inspection_id, status=400, notice={
            "level": "bad", "field": "inspection_id", "field_label": _FIELD_LABELS["inspection_id"],
            "message": _("This inspection is closed: no biometric capture can be added to it."),
        })
    kind = request.POST.get("kind", "live-camera")
    if kind not in _CAPTURE_KINDS:
        return _panel_response(request, inspection_id, status=400, notice={
            "level": "bad", "field": "kind", "field_label": _FIELD_LABELS["kind"], "message": _("Unknown capture kind."),
        })
    upload = request.FILES.get("image")
    if upload is None:
        return _panel_response(request, inspection_id, status=400, notice={
            "level": "bad", "field": "image", "field_label": _FIELD_LABELS["image"], "message": _("No image was sent: capture or choose a file."),
        })
    # The inspection's traveler (resolved for this officer by _inspection_or_404).
    person_id = info["person_id"]
    purpose, source = _CAPTURE_KINDS[kind]
    try:
        result = face_capture(
            actor=request.user, data=upload.read(), purpose=purpose, source=source, person_id=person_id,
            inspection_id=inspection_id, post=_post_of(request, info), field_name="image",
        )
    except ValidationError as exc:
        name, messages = next(iter(field_errors(exc, "image").items()))
        return _panel_response(request, inspection_id, status=400, notice={
            "level": "bad", "field": name, "field_label": _FIELD_LABELS.get(name, name),
            "message": " ".join(translate(m) for m in messages),
        })
    if result.accepted and result.quality.get("issues"):
        # An uploaded photograph is compared despite its issues; they are shown beside the result.
        notice = {"level": "ok", "field": "", "message": "{} {}".format(
            _("Face accepted: matching started."), face_quality_message(result.quality)),
            "issues": result.quality["issues"]}
    elif result.accepted:
        notice = {"level": "ok", "field": "", "message": _("Face accepted: matching started.")}
    else:
        notice = {"level": "warn", "field": "image", "message": face_quality_message(result.quality),
                  "issues": result.quality["issues"]}
    return _panel_response(request, inspection_id, notice=notice)


@role_required(*STAFF)
@require_GET
def image(request, image_id: int):
    """A stored face image, for users allowed to see it; every read is audited."""
    obj = get_object_or_404(FaceImage.objects.restrict(request.user, "view"), pk=image_id)
    audit_read(actor=request.user, obj=obj, purpose=request.GET.get("purpose", "face panel")[:60])
    response = HttpResponse(bytes(obj.jpeg), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*STAFF)
@require_GET
def hit_evidence(request, hit_id: int):
    """Both faces of a face hit side by side: the capture and the gallery photo."""
    from watchlists.models import Hit

    hit = get_object_or_404(Hit.objects.restrict(request.user, "view").select_related("watchlist"), pk=hit_id,
                            source="face")
    explanation = hit.explanation or {}
    images = FaceImage.objects.restrict(request.user, "view").defer("jpeg")
    probe = images.filter(pk=explanation.get("probe_image_id")).first()
    gallery = images.filter(pk=explanation.get("gallery_image_id")).first()
    return render(request, "biometrics/face/hit_evidence.html", {
        "hit": hit, "probe": probe, "gallery": gallery, "explanation": explanation,
    })


urlpatterns = [
    path("face/inspections/<int:inspection_id>/", inspection_page, name="face-inspection"),
    path("face/inspections/<int:inspection_id>/panel/", panel, name="face-panel"),
    path("face/inspections/<int:inspection_id>/capture/", capture, name="face-capture"),
    path("face/images/<int:image_id>/", image, name="face-image"),
    path("face/hits/<int:hit_id>/", hit_evidence, name="face-hit-evidence"),
]
