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
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Role
from audit.services import audit_read
from biometrics.access import SubjectNotFound, person_resolve
from biometrics.api.access import post_named, resolve_subject
from biometrics.api.serializers import (
    FaceEnrolInputSerializer,
    FaceEnrolOutputSerializer,
    FaceIdentifyInputSerializer,
    FaceVerifyInputSerializer,
    IdentificationOutputSerializer,
    QualityErrorSerializer,
    VerificationOutputSerializer,
)
from biometrics.models.face import (
    FaceIdentification,
    FaceRequestStatus,
    FaceTemplate,
    FaceVerification,
)
from biometrics.services import face as services
from biometrics.visibility import visibility_for
from core.api.common import error_body
from core.errors import field_errors

_TAGS = ["biometrics: face"]


def _read_upload(upload, name: str) -> bytes:
    if upload is None:
        raise ValidationError({name: ["No file was sent."]})
    return upload.read()


def _quality_error(field_name: str, quality: dict) -> Response:
    # The issues that refused the image (a photograph's other issues are reported in "quality").
    messages = [i["message"] for i in quality.get("issues", []) if i.get("blocking", True)] or [
        quality.get("message", "")]
    body = error_body("quality", f"{field_name}: {quality.get('message', '')}", {field_name: messages})
    body["quality"] = quality
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _capture_or_400(call):
    try:
        return call()
    except DjangoValidationError as exc:
        raise ValidationError(field_errors(exc, "image")) from None


def _wait_for(model_cls, pk: int):
    """Poll the request row until it is done or the configured wait is over."""
    deadline = time.monotonic() + settings.BMIS_FACE_API_WAIT_SECONDS
    obj = model_cls.objects.get(pk=pk)
    while obj.status not in (FaceRequestStatus.DONE, FaceRequestStatus.FAILED) and time.monotonic() < deadline:
        time.sleep(0.1)
        obj = model_cls.objects.get(pk=pk)
    return obj




class FaceEnrolApi(APIView):
    """Enrol a face for a traveler: the quality report, and the template id once encoded."""

    parser_classes = [MultiPartParser, FormParser]
    required_scopes = {"POST": ["biometrics:write"]}

    @extend_schema(
        tags=_TAGS, request={"multipart/form-data": FaceEnrolInputSerializer},
        responses={201: FaceEnrolOutputSerializer, 400: OpenApiResponse(QualityErrorSerializer)},
    )
    def post(self, request):
        data = FaceEnrolInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        resolve_subject(request, person_id=v["person_id"], inspection_id=v.get("inspection_id"))
        post = post_named(request, v.get("post"))
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
        return Response(FaceEnrolOutputSerializer(out).data, status=status.HTTP_201_CREATED)


class FaceVerifyApi(APIView):
    """1:1: a live image against a reference image (document portrait) or a stored template."""

    parser_classes = [MultiPartParser, FormParser]
    required_scopes = {"POST": ["biometrics:write"]}

    @extend_schema(
        tags=_TAGS, request={"multipart/form-data": FaceVerifyInputSerializer},
        responses={200: VerificationOutputSerializer, 202: VerificationOutputSerializer,
                   400: OpenApiResponse(QualityErrorSerializer)},
    )
    def post(self, request):
        data = FaceVerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        resolve_subject(request, person_id=v.get("person_id"), inspection_id=v.get("inspection_id"))
        template = template_person = None
        if "reference_template_id" in v:
            template = FaceTemplate.objects.restrict(request.user, "view").filter(pk=v["reference_template_id"]).first()
            if template is not None and template.watchlist_entry_id is None and not visibility_for(
                request.user, request.auth
            ).persons:
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
            inspection_id=v.get("inspection_id"), post=post_named(request, v.get("post")),
        ))
        for name in ("probe", "reference"):
            if not reports[name].get("accepted", True):
                return _quality_error(name, reports[name])
        if template_person is not None:  # the traveler's stored face is compared: a read of their data
            audit_read(actor=request.user, obj=template_person, purpose="face verification (API)")
        verification = _wait_for(FaceVerification, verification.pk)
        code = status.HTTP_200_OK if verification.status == FaceRequestStatus.DONE else status.HTTP_202_ACCEPTED
        return Response(VerificationOutputSerializer(verification).data, status=code)


def _identify_context(request) -> dict:
    from watchlists.models import Watchlist

    # One rule for what a caller may search and see (biometrics.visibility): its scopes and querysets.
    visibility = visibility_for(request.user, request.auth)
    visible = set()
    if visibility.watchlists:
        visible = set(Watchlist.objects.restrict(request.user, "view").values_list("pk", flat=True))
    return {"visible_watchlists": visible, "persons": visibility.persons, "visibility": visibility}


class FaceIdentifyApi(APIView):
    """1:N: an image against the watchlists the caller may see (scope watchlists:read) and, with
    persons:read, against every traveler seen before.  Raises no hits."""

    parser_classes = [MultiPartParser, FormParser]
    required_scopes = {"POST": ["biometrics:write"]}

    @extend_schema(
        tags=_TAGS, request={"multipart/form-data": FaceIdentifyInputSerializer},
        responses={200: IdentificationOutputSerializer, 202: IdentificationOutputSerializer,
                   400: OpenApiResponse(QualityErrorSerializer)},
    )
    def post(self, request):
        from watchlists.models import Watchlist

        data = FaceIdentifyInputSerializer(data=request.data)
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


