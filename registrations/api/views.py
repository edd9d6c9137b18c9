"""The registrations API: register one person (multipart: the JSON ``data``, the face, the fingers)
and read a registration with its case and candidates."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.common import ErrorSerializer, error_body
from core.models import BorderPost, Sector
from registrations.api import serializers as s
from registrations.models import FINGER_POSITIONS
from registrations.selectors import candidates_for, groups_visible, registration_read
from registrations.services import (
    DocumentInput,
    RegistrationData,
    UnusableBiometrics,
    registration_create,
)

_TAGS = ["registrations"]
FILE_FIELDS = {"face", "document_page", *(f"finger_{p}" for p in FINGER_POSITIONS)}
MAX_FILE_BYTES = 15 * 1024 * 1024


APPREHENSION_FIELDS = {"apprehended_at", "post", "sector", "latitude", "longitude", "unit", "group_kind"}


def _api_field(name: str, new_apprehension: bool) -> str:
    """A service's field as the API names it: files as they are, the rest inside ``data``."""
    if name in FILE_FIELDS or name in ("__all__", "non_field_errors"):
        return "non_field_errors" if name == "__all__" else name
    if name == "mrz":
        return "data.documents.0.mrz"
    if new_apprehension and name in APPREHENSION_FIELDS:
        return f"data.apprehension.{name}"
    return f"data.{name}"


def _service_error(exc: DjangoValidationError, new_apprehension: bool) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError({_api_field(k, new_apprehension): [str(m) for m in v]
                                for k, v in exc.message_dict.items()})
    return ValidationError({"non_field_errors": exc.messages})


def _read(upload, name: str) -> bytes | None:
    if upload is None:
        return None
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError({name: ["This file is too large."]})
    return upload.read()


def _code_of(request, model, code: str, field: str):
    if not code:
        return None
    obj = model.objects.restrict(request.user, "view").filter(code=code).first()
    if obj is None:
        raise ValidationError({field: [f"no {model._meta.verbose_name} you may see has this code"]})
    return obj


class RegistrationCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]
    required_scopes = {"POST": ["registrations:write"]}

    @extend_schema(
        tags=_TAGS, request={"multipart/form-data": s.RegistrationUploadInput},
        responses={201: s.RegistrationSerializer,
                   400: OpenApiResponse(s.UnusableErrorSerializer, description="Invalid input (fields named); "
                                        "code unusable_biometrics with the ABIS reasons for an image that cannot be used."),
                   404: OpenApiResponse(ErrorSerializer)},
    )
    def post(self, request):
        """Register one person of an apprehension: the declared identity, documents, face, fingers
        (a reason for every finger not taken), needs and consent; all or nothing. The person is
        enrolled in the traveler galleries and deduplicated after the commit; a national ID number
        is checked against the civil registry (a registry that does not answer: "not_checked",
        retried later)."""
        upload = s.RegistrationUploadInput(data=request.data)
        upload.is_valid(raise_exception=True)
        raw = upload.validated_data["data"]
        if not isinstance(raw, dict):
            raise ValidationError({"data": ["must be a JSON object"]})
        body = s.RegistrationDataInput(data=raw)
        if not body.is_valid():
            raise ValidationError({"data": body.errors})
        v = body.validated_data
        files = {name: _read(upload.validated_data.get(name), name) for name in FILE_FIELDS}
        if ("apprehension" in v) == ("group_id" in v):
            raise ValidationError({"data.group_id": ["give either apprehension (a new one) or group_id"]})
        data = RegistrationData(
            primary_identifier=v["primary_identifier"], secondary_identifier=v.get("secondary_identifier", ""),
            name_original=v.get("name_original", ""), date_of_birth=v.get("date_of_birth", ""),
            estimated_age=v.get("estimated_age"), sex=v["sex"], nationality=v["nationality"].upper(),
            languages=v.get("languages", []), place_of_origin=v.get("place_of_origin", ""),
            national_id_number=v.get("national_id_number", ""), relationship=v["relationship"],
            documents=[DocumentInput(mrz=d["mrz"]) for d in v.get("documents", [])],
            face=files["face"], face_source=v["face_source"],
            fingers={p: files[f"finger_{p}"] for p in FINGER_POSITIONS if files[f"finger_{p}"]},
            fingers_missing={},
            needs=v.get("needs", []), needs_note=v.get("needs_note", ""),
            information_language=v.get("information_language", ""), leaflet_given=v["leaflet_given"],
            consent=v["consent"], consent_refused_reason=v.get("consent_refused_reason", ""),
        )
        missing = {}
        for key, reason in (v.get("fingers_missing") or {}).items():
            if not str(key).isdigit() or int(key) not in FINGER_POSITIONS:
                raise ValidationError({f"data.fingers_missing.{key}": ["finger positions are 1 to 10"]})
            missing[int(key)] = reason
        data.fingers_missing = missing
        if files["document_page"]:
            page = upload.validated_data["document_page"]
            if data.documents:
                data.documents[0].page_image, data.documents[0].page_name = files["document_page"], page.name
            else:
                data.documents.append(DocumentInput(page_image=files["document_page"], page_name=page.name))
        try:
            if "group_id" in v:
                group = get_object_or_404(groups_visible(user=request.user), pk=v["group_id"])
                registration = registration_create(actor=request.user, group=group, data=data)
            else:
                a = v["apprehension"]
                registration = registration_create(actor=request.user, data=data, new_apprehension={
                    "apprehended_at": a["apprehended_at"],
                    "post": _code_of(request, BorderPost, a.get("post", ""), "data.apprehension.post"),
                    "sector": _code_of(request, Sector, a.get("sector", ""), "data.apprehension.sector"),
                    "latitude": a.get("latitude"), "longitude": a.get("longitude"), "unit": a.get("unit", ""),
                    "incident_id": a.get("incident_id"), "group_kind": a["group_kind"],
                })
        except UnusableBiometrics as exc:
            message = " ".join(f"{r['field']}: {r['message']}" for r in exc.reasons)
            out = error_body("unusable_biometrics", message,
                             {r["field"]: [f"{r['code']}: {r['message']}"] for r in exc.reasons})
            out["error"]["reasons"] = [{"field": r["field"], "code": r["code"], "message": r["message"]}
                                       for r in exc.reasons]
            return Response(out, status=status.HTTP_400_BAD_REQUEST)
        except DjangoValidationError as exc:
            raise _service_error(exc, "apprehension" in v) from exc
        registration = registration_read(user=request.user, pk=registration.pk, purpose="registration (API)")
        return Response(s.RegistrationSerializer(registration, context={
            "candidates": candidates_for(user=request.user, registration=registration)}).data,
            status=status.HTTP_201_CREATED)


class RegistrationDetailApi(APIView):
    required_scopes = {"GET": ["registrations:read"]}

    @extend_schema(tags=_TAGS, responses={200: s.RegistrationSerializer, 404: OpenApiResponse(ErrorSerializer)})
    def get(self, request, pk):
        """One registration the caller may see: identity as declared, captures, needs, consent,
        civil-registry status, case with its transitions and the candidates found; the read is audited."""
        registration = registration_read(user=request.user, pk=pk, purpose="registration (API)")
        return Response(s.RegistrationSerializer(registration, context={
            "candidates": candidates_for(user=request.user, registration=registration)}).data)
