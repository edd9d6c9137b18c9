"""Identity candidates over the API: the possible duplicates of a person, and the supervisor's
decision on one (same person: merge; different persons: never asked again).

Scopes: reading needs ``persons:read``, deciding ``persons:read`` and ``hits:write`` (the
adjudication scope supervisors and administrators hold). Both are for supervisors and
administrators only (403 for other roles). A candidate that was already decided is answered
**409** ``already_decided`` with the error body (``fields.decision`` says who decided it and when).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Role
from core.api.common import ErrorSerializer, Pagination
from core.errors import Conflict
from travelers import selectors
from travelers.models import CandidateStatus, IdentityCandidate
from travelers.services.dedupe import candidate_decide

ADJUDICATORS = (Role.SUPERVISOR, Role.ADMIN)


class ModalityEvidenceSerializer(serializers.Serializer):
    modality = serializers.ChoiceField(choices=["name", "face", "fingerprint"])
    score = serializers.JSONField(help_text="the engine's score (fingerprint: {position: score})")
    llr = serializers.FloatField(help_text="log-likelihood ratio of this modality (calibrated)")
    support = serializers.CharField(help_text="the verbal scale: which way it points and how strongly")


class IdentityCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person_id = serializers.IntegerField(help_text="the newer record")
    other_id = serializers.IntegerField(help_text="the record it may be")
    status = serializers.ChoiceField(choices=CandidateStatus.choices)
    source = serializers.CharField()
    fused = serializers.FloatField(help_text="posterior probability of the same person at even prior odds, 0..1")
    llr = serializers.FloatField(help_text="fused log-likelihood ratio (sum over the modalities present)")
    evidence = ModalityEvidenceSerializer(many=True)
    watchlist_matches = serializers.ListField(child=serializers.CharField(), help_text="watchlist references matched")
    created_at = serializers.DateTimeField()
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    merge_id = serializers.IntegerField(allow_null=True)


class CandidateDecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["same", "different"])
    reason = serializers.CharField(max_length=2000)


def candidate_data(c: IdentityCandidate) -> dict:
    return {
        "id": c.pk, "person_id": c.person_id, "other_id": c.other_id, "status": c.status, "source": c.source,
        "fused": c.fused, "llr": c.llr,
        "evidence": (c.explanation.get("fusion") or {}).get("modalities", []),
        "watchlist_matches": [w.get("reference_id", "") for w in c.explanation.get("watchlist_matches") or []],
        "created_at": c.created_at, "decided_by": c.decided_by.get_username() if c.decided_by_id else None,
        "decided_at": c.decided_at, "reason": c.reason, "merge_id": c.merge_id,
    }


def _adjudicator(user) -> None:
    if getattr(user, "role", None) not in ADJUDICATORS:
        raise PermissionDenied(_("Only supervisors and administrators see identity candidates."))


_ERRORS = {
    403: OpenApiResponse(ErrorSerializer, description="missing scope, or not a supervisor or administrator"),
    404: OpenApiResponse(ErrorSerializer, description="no such person or candidate, or outside your remit"),
}


@extend_schema(tags=["persons"], responses={200: IdentityCandidateSerializer(many=True), **_ERRORS}, parameters=[
    OpenApiParameter("status", str, enum=CandidateStatus.values, required=False,
                     description="only candidates with this status (default: all)"),
])
class PersonCandidatesApi(APIView):
    """The possible duplicates of one person (pending and decided), best fused score first, with
    the evidence per modality. Supervisors and administrators."""

    required_scopes = {"GET": ["persons:read"]}
    pagination_class = Pagination

    def get(self, request, pk: int):
        _adjudicator(request.user)
        person = selectors.person_get(user=request.user, pk=pk, purpose="api: identity candidates")
        qs = (IdentityCandidate.objects.restrict(request.user, "view")
              .filter(Q(person=person) | Q(other=person)).select_related("decided_by"))
        status = request.query_params.get("status")
        if status:
            if status not in CandidateStatus.values:
                raise DjangoValidationError({"status": _("Unknown status.")})
            qs = qs.filter(status=status)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(IdentityCandidateSerializer([candidate_data(c) for c in page], many=True).data)


@extend_schema(tags=["persons"], request=CandidateDecisionInputSerializer, responses={
    200: IdentityCandidateSerializer, 400: OpenApiResponse(ErrorSerializer, description="invalid decision or no reason"),
    409: OpenApiResponse(ErrorSerializer, description="`already_decided`: another supervisor decided it first "
                                                       "(`fields.decision` says who and when)"),
    **_ERRORS,
})
class CandidateDecisionApi(APIView):
    """Decide an identity candidate: `same` merges the newer record into the other (reversible,
    audited), `different` is recorded and the pair is never asked again. Supervisors and
    administrators; a candidate already decided is answered 409 `already_decided`."""

    required_scopes = {"POST": ["persons:read", "hits:write"]}

    def post(self, request, pk: int):
        _adjudicator(request.user)
        get_object_or_404(IdentityCandidate.objects.restrict(request.user, "view"), pk=pk)
        data = CandidateDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            decided = candidate_decide(actor=request.user, candidate_id=pk, **data.validated_data)
        except DjangoValidationError as exc:
            decided_msgs = exc.message_dict.get("decision") if hasattr(exc, "error_dict") else None
            if decided_msgs:
                raise Conflict("already_decided", decided_msgs[0], {"decision": decided_msgs}) from exc
            raise
        decided = IdentityCandidate.objects.select_related("decided_by").get(pk=decided.pk)
        return Response(IdentityCandidateSerializer(candidate_data(decided)).data)
