"""The inspection workflow over the API: parse a document, start an inspection, decide, and read a
person's movements. Each endpoint declares its scopes; errors use the common error body."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import has_scope
from core.api.common import ErrorSerializer, Pagination
from core.selectors import booth_by_code, post_by_code
from travelers import selectors
from travelers.api.serializers import (
    AbandonInputSerializer,
    DecisionInputSerializer,
    HitResolveInputSerializer,
    InspectionInputSerializer,
    InspectionOutputSerializer,
    MovementSerializer,
    OverrideInputSerializer,
    ParseInputSerializer,
    ParseOutputSerializer,
    to_document_fields,
)
from travelers.models import Inspection
from travelers.mrz import parse
from travelers.services import (
    DocumentInvalid,
    inspection_abandon,
    inspection_decide,
    inspection_hit_resolve,
    inspection_override,
    inspection_start,
)
from travelers.services.identity import person_survivor


def _document_errors(errors) -> ValidationError:
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(error.field, []).append(error.text)
    return ValidationError(fields)


@extend_schema(tags=["documents"], request=ParseInputSerializer, responses={200: ParseOutputSerializer})
class DocumentParseApi(APIView):
    """Parse and validate an MRZ (TD1, TD2, TD3, MRV-A, MRV-B): the typed fields, or field-level
    errors naming line and positions (check digits, dates, codes, expiry)."""

    required_scopes = {"POST": ["documents:parse"]}

    def post(self, request):
        data = ParseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = parse(data.validated_data["mrz"], today=timezone.localdate(),
                       extra_codes=settings.TRAVELERS_EXTRA_CODES)
        if result.errors:
            raise _document_errors(result.errors)
        document = {
            "document_code": result.document_code, "document_kind": result.document_kind,
            "issuing_state": result.issuing_state, "primary_identifier": result.primary_identifier,
            "secondary_identifier": result.secondary_identifier, "name_as_read": result.name_as_read,
            "name_truncated": result.name_truncated, "document_number": result.document_number,
            "nationality": result.nationality, "date_of_birth": result.birth.isoformat(), "sex": result.sex,
            "date_of_expiry": result.date_of_expiry, "optional_data": result.optional_data,
            "optional_data_2": result.optional_data_2, "national_id_number": result.national_id_number,
        }
        out = {
            "format": result.format, "valid": result.valid, "document": document,
            "checks": [c.__dict__ for c in result.checks], "warnings": [w.as_dict() for w in result.warnings],
        }
        return Response(ParseOutputSerializer(out).data)


@extend_schema(tags=["inspections"], request=InspectionInputSerializer, responses={201: InspectionOutputSerializer})
class InspectionStartApi(APIView):
    """Open an inspection from an MRZ or typed document data: finds or creates the person and
    document, computes the permission-to-stay verdict, screens. Nothing is saved on a field error
    unless the remaining problems are overridable and `override_reason` is given (audited)."""

    required_scopes = {"POST": ["inspections:write"]}

    def post(self, request):
        data = InspectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # Partner clients open inspections only at the posts their client is allowed at.
        post = post_by_code(user=request.user, code=values["post"], action="inspect")
        booth = booth_by_code(post=post, code=values["booth"]) if values["booth"] else None
        document = to_document_fields(values["document"]) if "document" in values else None
        try:
            inspection = inspection_start(
                actor=request.user, post=post, booth=booth, direction=values["direction"], mrz=values["mrz"],
                document=document, override_reason=values["override_reason"],
                transport_mode=values["transport_mode"], carrier=values["carrier"],
            )
        except DocumentInvalid as exc:
            raise _document_errors(exc.field_errors) from exc
        inspection = selectors.inspection_as_seen(user=request.user, pk=inspection.pk)
        return Response(InspectionOutputSerializer(inspection, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=["inspections"], responses={200: InspectionOutputSerializer})
class InspectionDetailApi(APIView):
    """One inspection, with its verdict, screening summary, decision and movement."""

    required_scopes = {"GET": ["inspections:read"]}

    def get(self, request, pk: int):
        inspection = selectors.inspection_as_seen(user=request.user, pk=pk)
        if has_scope(request.user, "persons:read", request.auth):  # only then are person fields shown
            selectors.person_get(user=request.user, pk=inspection.person_id, purpose="api: inspection")
        return Response(InspectionOutputSerializer(inspection, context={"request": request}).data)


def _inspection_answer(request, pk: int) -> Response:
    """The inspection as the caller may see it (person fields need persons:read)."""
    inspection = selectors.inspection_as_seen(user=request.user, pk=pk)
    return Response(InspectionOutputSerializer(inspection, context={"request": request}).data)


_CONFLICT = {409: OpenApiResponse(ErrorSerializer, description=(
    "The evidence does not allow this: `unresolved_hits` (an admission while arrest, refuse or refer hits are "
    "pending; `fields.hits` lists their ids), `decision_not_allowed` (confirmed hits or an unverified document "
    "allow other decisions only), `not_open` (already decided or abandoned)."))}


@extend_schema(tags=["inspections"], request=DecisionInputSerializer,
               responses={200: InspectionOutputSerializer, **_CONFLICT})
class InspectionDecisionApi(APIView):
    """Decide an open inspection: admit or refuse (writes the movement) or refer to secondary
    inspection. Refusals and referrals need a reason code. The decision must be one of
    `decision_rules.allowed`: while a hit whose action is arrest, refuse or refer is unresolved,
    an admission is answered 409 `unresolved_hits`."""

    required_scopes = {"POST": ["inspections:write"]}

    def post(self, request, pk: int):
        inspection = get_object_or_404(Inspection.objects.restrict(request.user, "view"), pk=pk)
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = inspection_decide(actor=request.user, inspection=inspection, **data.validated_data)
        decided = selectors.inspection_as_seen(user=request.user, pk=decided.pk)
        return Response(InspectionOutputSerializer(decided, context={"request": request}).data)


@extend_schema(tags=["inspections"], request=HitResolveInputSerializer,
               responses={200: InspectionOutputSerializer, **_CONFLICT})
class InspectionHitResolveApi(APIView):
    """Resolve one hit of an open or referred inspection on the spot: `dismissed` (not this person,
    with a reason code: counts in the list's false-positive rate) or `confirmed`. Officers and
    supervisors of the post; audited."""

    required_scopes = {"POST": ["inspections:write"]}

    def post(self, request, pk: int, hit_id: int):
        inspection = get_object_or_404(Inspection.objects.restrict(request.user, "view"), pk=pk)
        data = HitResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection_hit_resolve(actor=request.user, inspection=inspection, hit_id=hit_id, **data.validated_data)
        return _inspection_answer(request, pk)


@extend_schema(tags=["inspections"], request=OverrideInputSerializer,
               responses={200: InspectionOutputSerializer, **_CONFLICT})
class InspectionOverrideApi(APIView):
    """A supervisor lifts every block of an open or referred inspection (hits, an unverified
    document) with a reason; audited and shown on the record. Supervisors and administrators only."""

    required_scopes = {"POST": ["inspections:write"]}

    def post(self, request, pk: int):
        inspection = get_object_or_404(Inspection.objects.restrict(request.user, "view"), pk=pk)
        data = OverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection_override(actor=request.user, inspection=inspection, reason=data.validated_data["reason"])
        return _inspection_answer(request, pk)


@extend_schema(tags=["inspections"], request=AbandonInputSerializer,
               responses={200: InspectionOutputSerializer, **_CONFLICT})
class InspectionAbandonApi(APIView):
    """End an open inspection without a decision, with a reason (audited). Refused (409
    `blocking_hits`) while hits stop an admission: refer the traveler instead."""

    required_scopes = {"POST": ["inspections:write"]}

    def post(self, request, pk: int):
        inspection = get_object_or_404(Inspection.objects.restrict(request.user, "view"), pk=pk)
        data = AbandonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection_abandon(actor=request.user, inspection=inspection, **data.validated_data)
        return _inspection_answer(request, pk)


@extend_schema(tags=["persons"], responses={200: MovementSerializer(many=True)})
class PersonMovementsApi(APIView):
    """The entries and exits of one person, newest first (the read of the person is audited).

    For a record merged into another, the movements of the survivor."""

    required_scopes = {"GET": ["persons:read", "movements:read"]}
    pagination_class = Pagination

    def get(self, request, pk: int):
        person = selectors.person_get(user=request.user, pk=pk, purpose="api: movements")
        if person.merged_into_id is not None:  # a merged-away record: its survivor's movements
            survivor = person_survivor(person)
            person = selectors.person_get(user=request.user, pk=survivor.pk, purpose="api: movements (merged)")
        movements = selectors.person_movements(user=request.user, person=person)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(movements, request, view=self)
        return paginator.get_paginated_response(MovementSerializer(page, many=True).data)
