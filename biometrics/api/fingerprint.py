"""Fingerprint API: enrol a capture set, verify 1:1, identify 1:N, read a search result.

Images travel base64-encoded in JSON (PNG, TIFF or BMP; 500 ppi, or say ``resolution_dpi``).
Every bad finger is reported under its own field (``fingers.2.position``, ``fingers.0.image``...)
and nothing is stored unless every finger is usable.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import has_scope
from biometrics.api.access import post_named, resolve_person_entry, resolve_subject
from biometrics.api.serializers import (  # noqa: F401 - MAX_IMAGE_BASE64: the per-image limit, read by core's tests
    MAX_IMAGE_BASE64,
    FingerprintCaptureOutputSerializer,
    FingerprintEnrolInputSerializer,
    FingerprintIdentifyInputSerializer,
    FingerprintVerifyInputSerializer,
    SearchOutputSerializer,
)
from biometrics.models.fingerprint import (
    FingerPosition,
    FingerprintCapture,
    FingerprintSearch,
    SearchKind,
    SearchStatus,
)
from biometrics.services.fingerprint import FingerInput, fingerprint_enrol, fingerprint_search_create
from biometrics.visibility import visibility_for, visible_candidates


def _finger_inputs(fingers) -> list[FingerInput]:
    return [
        FingerInput(position=f["position"], image=f["image"], impression_type=f["impression_type"],
                    resolution_dpi=f.get("resolution_dpi"))
        for f in fingers
    ]




def _impression_data(imp) -> dict:
    return {
        "id": imp.pk,
        "position": imp.position,
        "position_label": str(FingerPosition(imp.position).label),
        "impression_type": imp.impression_type,
        "quality_score": imp.quality_score,
        "nfiq2": imp.nfiq2,
        "minutiae_count": imp.minutiae_count,
        "rescaled": imp.rescaled,
        "coaching": imp.quality_report.get("coaching", []),
    }


class FingerprintEnrolApi(APIView):
    """Enrol a set of fingers for a traveler (``person_id``) or a watchlist person entry
    (``person_entry_id``, needs ``watchlists:write``): all fingers or none; returns the quality of each."""

    required_scopes = {"POST": ["biometrics:write"]}

    @extend_schema(tags=["biometrics"], request=FingerprintEnrolInputSerializer, responses={201: FingerprintCaptureOutputSerializer})
    def post(self, request):
        data = FingerprintEnrolInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        entry = None
        if v.get("person_entry_id") is not None:
            if not has_scope(request.user, "watchlists:write", request.auth):
                raise PermissionDenied("Enrolling a watchlist person's fingerprints needs the watchlists:write scope.")
            # Through the watchlist's restricted queryset: lists the caller may change.
            entry = resolve_person_entry(request, entry_id=v["person_entry_id"], action="change")
        resolve_subject(request, person_id=v.get("person_id"), inspection_id=v.get("inspection_id"))
        capture = fingerprint_enrol(
            actor=request.user, fingers=_finger_inputs(v["fingers"]), person_id=v.get("person_id"),
            person_entry=entry, inspection_id=v.get("inspection_id"), post=post_named(request, v.get("post")),
            source="api",
        )
        out = {
            "capture_id": capture.pk,
            "subject": capture.subject_kind,
            "person_id": capture.person_id,
            "person_entry_id": capture.person_entry_id,
            "fingers": [_impression_data(i) for i in capture.impressions.order_by("position")],
        }
        return Response(FingerprintCaptureOutputSerializer(out).data, status=status.HTTP_201_CREATED)


def _search_data(search: FingerprintSearch, request) -> dict:
    result = search.result
    if search.kind == SearchKind.IDENTIFY and isinstance(result, dict) and "candidates" in result:
        # The reader sees no more candidates than their own visibility allows.
        shown = visible_candidates(result["candidates"], visibility_for(request.user, request.auth),
                                   entry_key="person_entry_id")
        result = {**result, "candidates": shown}
    return {
        "id": search.pk, "kind": search.kind, "status": search.status, "decision": search.decision,
        "person_id": search.person_id, "inspection_id": search.inspection_id, "threshold": search.threshold,
        "result": result, "error": search.error, "created_at": search.created_at,
        "completed_at": search.completed_at,
    }


def _search_response(search: FingerprintSearch, request) -> Response:
    search.refresh_from_db()
    code = status.HTTP_200_OK if search.status != SearchStatus.PENDING else status.HTTP_202_ACCEPTED
    return Response(SearchOutputSerializer(_search_data(search, request)).data, status=code)


class FingerprintVerifyApi(APIView):
    """1:1: do these fingers belong to this traveler? 200 with the result (202 while a worker runs it)."""

    required_scopes = {"POST": ["biometrics:write"]}

    @extend_schema(tags=["biometrics"], request=FingerprintVerifyInputSerializer, responses={200: SearchOutputSerializer,
                                                                             202: SearchOutputSerializer})
    def post(self, request):
        data = FingerprintVerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        subject = resolve_subject(request, person_id=v["person_id"], inspection_id=v.get("inspection_id"),
                                  person_required=True)
        search = fingerprint_search_create(
            actor=request.user, kind=SearchKind.VERIFY, fingers=_finger_inputs(v["fingers"]),
            person_id=subject.person_id, inspection_id=subject.inspection_id, post=post_named(request, v.get("post")),
        )
        # The traveler's enrolled prints are compared: a read of their biometric data.
        subject.record_read(actor=request.user, purpose="fingerprint verification (API)")
        return _search_response(search, request)


class FingerprintIdentifyApi(APIView):
    """1:N: whose fingers are these? Searches enrolled travelers and watchlist persons; matches above
    the threshold become hits (source ``fingerprint``). 200 with the result (202 while pending)."""

    required_scopes = {"POST": ["biometrics:write"]}

    @extend_schema(tags=["biometrics"], request=FingerprintIdentifyInputSerializer, responses={200: SearchOutputSerializer,
                                                                             202: SearchOutputSerializer})
    def post(self, request):
        data = FingerprintIdentifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        resolve_subject(request, person_id=v.get("person_id"), inspection_id=v.get("inspection_id"))
        search = fingerprint_search_create(
            actor=request.user, kind=SearchKind.IDENTIFY, fingers=_finger_inputs(v["fingers"]),
            person_id=v.get("person_id"), inspection_id=v.get("inspection_id"), post=post_named(request, v.get("post")),
            search_travelers=v["search_travelers"], search_watchlists=v["search_watchlists"],
        )
        return _search_response(search, request)


class FingerprintSearchDetailApi(APIView):
    """A verification or identification request and its result."""

    required_scopes = {"GET": ["biometrics:read"]}

    @extend_schema(tags=["biometrics"], responses=SearchOutputSerializer)
    def get(self, request, pk: int):
        search = get_object_or_404(FingerprintSearch.objects.restrict(request.user, "view"), pk=pk)
        return Response(SearchOutputSerializer(_search_data(search, request)).data)


class FingerprintCaptureDetailApi(APIView):
    """An enrolled capture set and the quality of each finger (no images, no templates)."""

    required_scopes = {"GET": ["biometrics:read"]}

    @extend_schema(tags=["biometrics"], responses=FingerprintCaptureOutputSerializer)
    def get(self, request, pk: int):
        capture = get_object_or_404(FingerprintCapture.objects.restrict(request.user, "view"), pk=pk)
        out = {
            "capture_id": capture.pk, "subject": capture.subject_kind, "person_id": capture.person_id,
            "person_entry_id": capture.person_entry_id,
            "fingers": [_impression_data(i) for i in capture.impressions.order_by("position")],
        }
        return Response(FingerprintCaptureOutputSerializer(out).data)


