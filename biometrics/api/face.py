"""Face API: enrol, verify (1:1), identify (1:N), and read queued results.

Uploads are multipart.  Unusable bytes (empty, not an image, truncated,
decompression bomb, too large) and captures that fail quality (no face,
several faces, too small, blurred...) are answered 400 naming the field, with
the quality report where there is one; nothing is stored for them.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Role, effective_scopes
from audit.services import audit_read
from biometrics.access import SubjectNotFound, person_resolve
from biometrics.api.access import resolve_subject
from biometrics.models.face import (
    FaceIdentification,
    FacePurpose,
    FaceRequestStatus,
    FaceSource,
    FaceTemplate,
    FaceVerification,
)
from biometrics.services import face as services
from biometrics.visibility import visibility_for, visible_candidates
from core.api.common import ErrorSerializer, error_body

_TAGS = ["biometrics: face"]


def _read_upload(upload, name: str) -> bytes:
    if upload is None:
        raise ValidationError({name: ["No file was sent."]})
    return upload.read()


def _quality_error(field_name: str, quality: dict) -> Response:
    messages = [i["message"] for i in quality.get("issues", [])] or [quality.get("message", "")]
    body = error_body("quality", f"{field_name}: {quality.get('message', '')}", {field_name: messages})
    body["quality"] = quality
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _capture_or_400(call):
    try:
        return call()
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"image": exc.messages}) from None


class QualityIssueSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    limit = serializers.FloatField(allow_null=True)
    blocking = serializers.BooleanField(
        required=False, help_text="True: this issue refused the image; false: reported, the image was still compared.")


class QualitySerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    face_count = serializers.IntegerField()
    message = serializers.CharField(help_text="Coaching message to show or act on.")
    issues = QualityIssueSerializer(many=True)
    metrics = serializers.DictField(child=serializers.FloatField())
    policy = serializers.ChoiceField(
        choices=["live", "document", "photo"], required=False,
        help_text="live (camera, device: every issue refuses), document (chip, photo page) or photo (uploads, "
                  "watchlist photos: only a face the matcher cannot use refuses; other issues are reported).")


class ComparedQualitySerializer(serializers.Serializer):
    probe = QualitySerializer(allow_null=True)
    reference = QualitySerializer(allow_null=True)


def _image_quality(image) -> dict | None:
    return image.quality if image is not None and image.quality else None


class QualityErrorSerializer(ErrorSerializer):
    quality = QualitySerializer(required=False)


def _wait_for(model_cls, pk: int):
    """Poll the request row until it is done or the configured wait is over."""
    deadline = time.monotonic() + settings.BMIS_FACE_API_WAIT_SECONDS
    obj = model_cls.objects.get(pk=pk)
    while obj.status not in (FaceRequestStatus.DONE, FaceRequestStatus.FAILED) and time.monotonic() < deadline:
        time.sleep(0.1)
        obj = model_cls.objects.get(pk=pk)
    return obj


def _post(request, code: str | None):
    """The border post named by the caller (a device or a partner at a post), if any."""
    if not code:
        return None
    from core.models import BorderPost

    post = BorderPost.objects.restrict(request.user, "view").filter(code=code).first()
    if post is None:
        raise ValidationError({"post": [f"unknown border post {code!r}, or not visible to you"]})
    return post


class FaceEnrolApi(APIView):
    """Enrol a face for a traveler: the quality report, and the template id once encoded."""

    parser_classes = [MultiPartParser, FormParser]
    required_scopes = {"POST": ["biometrics:write"]}

    class FaceEnrolInputSerializer(serializers.Serializer):
        image = serializers.FileField(help_text="JPEG, PNG, WebP or JPEG 2000.")
        person_id = serializers.IntegerField(min_value=1)
        purpose = serializers.ChoiceField(
            choices=[FacePurpose.ENROLMENT, FacePurpose.LIVE, FacePurpose.DOCUMENT], default=FacePurpose.ENROLMENT
        )
        source = serializers.ChoiceField(
            choices=[FaceSource.DEVICE, FaceSource.UPLOAD, FaceSource.CHIP, FaceSource.DOCUMENT_PAGE],
            default=FaceSource.DEVICE,
        )
        inspection_id = serializers.IntegerField(min_value=1, required=False, allow_null=True)
        post = serializers.CharField(required=False, max_length=10, help_text="Border post code of the capture.")

    class FaceEnrolOutputSerializer(serializers.Serializer):
        image_id = serializers.IntegerField()
        template_id = serializers.IntegerField(allow_null=True, help_text="Null while the encoding is queued.")
        status = serializers.ChoiceField(choices=["encoded", "queued", "unavailable"])
        quality = QualitySerializer()

    @extend_schema(
        tags=_TAGS, request={"multipart/form-data": FaceEnrolInputSerializer},
        responses={201: FaceEnrolOutputSerializer, 400: OpenApiResponse(QualityErrorSerializer)},
    )
    def post(self, request):
        data = self.FaceEnrolInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        resolve_subject(request, person_id=v["person_id"], inspection_id=v.get("inspection_id"))
        post = _post(request, v.get("post"))
        raw = _read_upload(v["image"], "image")
        result = _capture_or_400(lambda: services.face_capture(
            actor=request.user, data=raw, purpose=v["purpose"], source=v["source"], person_id=v["person_id"],
            inspection_id=v.get("inspection_id"), post=post, field_name="image",
        ))
        if not result.accepted:
            return _quality_error("image", result.quality)
        template = FaceTemplate.objects.filter(image=result.image).first()
        state = "encoded" if template else ("queued" if result.queued else "unavailable")
        out = {"image_id": result.image.pk, "template_id": template.pk if template else None, "status": state,
               "quality": result.quality}
        return Response(self.FaceEnrolOutputSerializer(out).data, status=status.HTTP_201_CREATED)


class VerificationOutputSerializer(serializers.Serializer):
    verification_id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    verdict = serializers.CharField(allow_blank=True, help_text="match, no_match or inconclusive (blank while pending).")
    distance = serializers.FloatField(allow_null=True, help_text="Euclidean distance; lower is more similar.")
    score = serializers.SerializerMethodField(help_text="1 - distance, clipped to [0, 1].")
    threshold = serializers.FloatField(help_text="Match when the distance is at or below this.")
    reason = serializers.CharField()
    model = serializers.SerializerMethodField()
    quality = serializers.SerializerMethodField(
        help_text="Quality of the two images compared; issues with blocking false did not stop the comparison.")

    @extend_schema_field(ComparedQualitySerializer)
    def get_quality(self, obj) -> dict:
        return {"probe": _image_quality(obj.probe), "reference": _image_quality(obj.reference)}

    def get_score(self, obj) -> float | None:
        return None if obj.distance is None else round(max(0.0, 1.0 - obj.distance), 4)

    def get_model(self, obj) -> str:
        return f"{obj.model_name} {obj.model_version}".strip()


class FaceVerifyApi(APIView):
    """1:1: a live image against a reference image (document portrait) or a stored template."""

    parser_classes = [MultiPartParser, FormParser]
    required_scopes = {"POST": ["biometrics:write"]}

    class FaceVerifyInputSerializer(serializers.Serializer):
        probe = serializers.FileField(help_text="The live face.")
        reference = serializers.FileField(required=False, help_text="The document portrait (or a photo-page image).")
        reference_source = serializers.ChoiceField(
            choices=[FaceSource.UPLOAD, FaceSource.CHIP, FaceSource.DOCUMENT_PAGE], default=FaceSource.UPLOAD
        )
        reference_template_id = serializers.IntegerField(required=False, min_value=1)
        person_id = serializers.IntegerField(required=False, min_value=1, allow_null=True)
        inspection_id = serializers.IntegerField(required=False, min_value=1, allow_null=True)
        post = serializers.CharField(required=False, max_length=10, help_text="Border post code of the capture.")

        def validate(self, attrs):
            if ("reference" in attrs) == ("reference_template_id" in attrs):
                raise serializers.ValidationError(
                    {"reference": ["send either a reference image or a reference_template_id"]}
                )
            return attrs

    @extend_schema(
        tags=_TAGS, request={"multipart/form-data": FaceVerifyInputSerializer},
        responses={200: VerificationOutputSerializer, 202: VerificationOutputSerializer,
                   400: OpenApiResponse(QualityErrorSerializer)},
    )
    def post(self, request):
        data = self.FaceVerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        resolve_subject(request, person_id=v.get("person_id"), inspection_id=v.get("inspection_id"))
        template = template_person = None
        if "reference_template_id" in v:
            template = FaceTemplate.objects.restrict(request.user, "view").filter(pk=v["reference_template_id"]).first()
            if template is not None and template.watchlist_entry_id is None and "persons:read" not in effective_scopes(
                request.user, request.auth
            ):
                template = None  # a traveler's template needs persons:read
            if template is not None and template.person_id is not None:
                try:  # and the traveler it belongs to must be one the caller may see
                    template_person = person_resolve(user=request.user, person_id=template.person_id)
                except SubjectNotFound:
                    template = None
            if template is None:
                raise ValidationError({"reference_template_id": ["no such template, or not visible to you"]})
        probe = _read_upload(v["probe"], "probe")
        reference = _read_upload(v["reference"], "reference") if "reference" in v else None
        verification, reports = _capture_or_400(lambda: services.face_verify_images(
            actor=request.user, probe_data=probe, reference_data=reference, reference_template=template,
            reference_source=v["reference_source"], person_id=v.get("person_id"),
            inspection_id=v.get("inspection_id"), post=_post(request, v.get("post")),
        ))
        for name in ("probe", "reference"):
            if not reports[name].get("accepted", True):
                return _quality_error(name, reports[name])
        if template_person is not None:  # the traveler's stored face is compared: a read of their data
            audit_read(actor=request.user, obj=template_person, purpose="face verification (API)")
        verification = _wait_for(FaceVerification, verification.pk)
        code = status.HTTP_200_OK if verification.status == FaceRequestStatus.DONE else status.HTTP_202_ACCEPTED
        return Response(VerificationOutputSerializer(verification).data, status=code)


class CandidateSerializer(serializers.Serializer):
    template_id = serializers.IntegerField()
    distance = serializers.FloatField()
    score = serializers.FloatField()
    threshold = serializers.FloatField()
    gallery = serializers.CharField()
    watchlist_code = serializers.CharField(allow_null=True)
    entry_id = serializers.IntegerField(allow_null=True)
    person_id = serializers.IntegerField(allow_null=True)


class IdentificationOutputSerializer(serializers.Serializer):
    identification_id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    gallery_size = serializers.IntegerField()
    backend = serializers.CharField()
    candidates = serializers.SerializerMethodField()
    quality = serializers.SerializerMethodField(help_text="Quality of the searched image (null once purged).")

    @extend_schema_field(QualitySerializer(allow_null=True))
    def get_quality(self, obj) -> dict | None:
        return _image_quality(obj.probe)

    def get_candidates(self, obj) -> list[dict]:
        # The reader sees the travelers and list entries of their own visibility (biometrics.visibility).
        visibility = self.context.get("visibility")
        if visibility is None:
            return []
        return [CandidateSerializer(c).data for c in visible_candidates(obj.candidates, visibility)]


def _identify_context(request) -> dict:
    from watchlists.models import Watchlist

    scopes = effective_scopes(request.user, request.auth)
    visible = set()
    if "watchlists:read" in scopes:
        visible = set(Watchlist.objects.restrict(request.user, "view").values_list("pk", flat=True))
    return {"visible_watchlists": visible, "persons": "persons:read" in scopes,
            "visibility": visibility_for(request.user, request.auth)}


class FaceIdentifyApi(APIView):
    """1:N: an image against the watchlists the caller may see (scope watchlists:read) and, with
    persons:read, against every traveler seen before.  Raises no hits."""

    parser_classes = [MultiPartParser, FormParser]
    required_scopes = {"POST": ["biometrics:write"]}

    class FaceIdentifyInputSerializer(serializers.Serializer):
        image = serializers.FileField()
        watchlists = serializers.ListField(
            child=serializers.CharField(max_length=16), required=False,
            help_text="Watchlist codes to search (default: every list the caller may see).",
        )
        include_persons = serializers.BooleanField(default=True)

    @extend_schema(
        tags=_TAGS, request={"multipart/form-data": FaceIdentifyInputSerializer},
        responses={200: IdentificationOutputSerializer, 202: IdentificationOutputSerializer,
                   400: OpenApiResponse(QualityErrorSerializer)},
    )
    def post(self, request):
        from watchlists.models import Watchlist

        data = self.FaceIdentifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        context = _identify_context(request)
        wl_ids = sorted(context["visible_watchlists"])
        if v.get("watchlists"):
            codes = set(v["watchlists"])
            found = dict(Watchlist.objects.filter(pk__in=wl_ids, code__in=codes).values_list("code", "pk"))
            unknown = sorted(codes - set(found))
            if unknown:
                raise ValidationError({"watchlists": [f"unknown or not visible to you: {', '.join(unknown)}"]})
            wl_ids = sorted(found.values())
        search_persons = v["include_persons"] and context["persons"]
        if not wl_ids and not search_persons:
            raise ValidationError({"watchlists": ["nothing to search: no visible watchlist and no persons:read scope"]})
        raw = _read_upload(v["image"], "image")
        ident, quality = _capture_or_400(lambda: services.face_identify_image(
            actor=request.user, data=raw, watchlist_ids=wl_ids, search_persons=search_persons, post=None,
        ))
        if ident is None:
            return _quality_error("image", quality)
        ident = _wait_for(FaceIdentification, ident.pk)
        code = status.HTTP_200_OK if ident.status == FaceRequestStatus.DONE else status.HTTP_202_ACCEPTED
        return Response(IdentificationOutputSerializer(ident, context=context).data, status=code)


def _own_requests(model_cls, user):
    qs = model_cls.objects.restrict(user, "view")
    if user.role == Role.PARTNER:
        qs = qs.filter(Q(requested_by=user))
    return qs


class FaceVerificationDetailApi(APIView):
    """A 1:1 result (poll this after a 202)."""

    required_scopes = {"GET": ["biometrics:read"]}

    @extend_schema(tags=_TAGS, responses=VerificationOutputSerializer)
    def get(self, request, pk: int):
        obj = get_object_or_404(_own_requests(FaceVerification, request.user), pk=pk)
        return Response(VerificationOutputSerializer(obj).data)


class FaceIdentificationDetailApi(APIView):
    """A 1:N result (poll this after a 202), filtered by the caller's scopes."""

    required_scopes = {"GET": ["biometrics:read"]}

    @extend_schema(tags=_TAGS, responses=IdentificationOutputSerializer)
    def get(self, request, pk: int):
        obj = get_object_or_404(_own_requests(FaceIdentification, request.user), pk=pk)
        return Response(IdentificationOutputSerializer(obj, context=_identify_context(request)).data)


urlpatterns = [
    path("biometrics/faces", FaceEnrolApi.as_view(), name="face-enrol"),
    path("biometrics/faces/verify", FaceVerifyApi.as_view(), name="face-verify"),
    path("biometrics/faces/identify", FaceIdentifyApi.as_view(), name="face-identify"),
    path("biometrics/faces/verifications/<int:pk>", FaceVerificationDetailApi.as_view(), name="face-verification"),
    path("biometrics/faces/identifications/<int:pk>", FaceIdentificationDetailApi.as_view(),
         name="face-identification"),
]
