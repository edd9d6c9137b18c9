"""``GET /api/v1/persons/{id}``: a person with every identity it was known under, its documents
and the movements the caller may see (issue 15)."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import has_scope
from core.api.common import ErrorSerializer
from travelers import selectors
from travelers.api.serializers import MovementSerializer, TravelDocumentSerializer
from travelers.models import Person, PersonIdentity, PersonMerge
from travelers.person_page import person_identities
from travelers.services.identity import person_survivor

MOVEMENTS_LIMIT = 100


class PersonIdentitySerializer(serializers.ModelSerializer):
    date_of_birth = serializers.SerializerMethodField(help_text="As given: YYYY-MM-DD, YYYY-MM or YYYY; empty "
                                                                 "when unknown")
    post = serializers.CharField(source="post.code", allow_null=True, default=None)
    recorded_by = serializers.CharField(source="recorded_by.username", allow_null=True, default=None)

    class Meta:
        model = PersonIdentity
        fields = ["id", "source", "source_ref", "primary_identifier", "secondary_identifier", "name_original",
                  "date_of_birth", "birth_precision", "estimated_age", "sex", "nationality", "place_of_origin",
                  "languages", "post", "place", "recorded_by", "recorded_at"]

    def get_date_of_birth(self, obj) -> str:
        return obj.birth.isoformat()


class PersonMergeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonMerge
        fields = ["id", "source", "target", "reason", "merged_at", "reverted_at", "revert_reason"]


class PersonDetailSerializer(serializers.ModelSerializer):
    requested_id = serializers.IntegerField(help_text="The id asked for: differs from `id` when that record was "
                                                      "merged into this one (the survivor is answered)")
    date_of_birth = serializers.CharField(help_text="YYYY-MM-DD, YYYY-MM or YYYY as known; empty when unknown")
    identities = PersonIdentitySerializer(many=True)
    documents = TravelDocumentSerializer(many=True)
    movements = MovementSerializer(many=True, allow_null=True, help_text=(
        f"Newest first, at most {MOVEMENTS_LIMIT}; null without the movements:read scope"))
    merged_from = serializers.ListField(child=serializers.IntegerField(),
                                        help_text="Ids of the records merged into this person")
    merges = PersonMergeSerializer(many=True)

    class Meta:
        model = Person
        fields = ["id", "requested_id", "primary_identifier", "secondary_identifier", "date_of_birth", "sex",
                  "nationality", "national_id_number", "identities", "documents", "movements", "merged_from",
                  "merges"]


@extend_schema(tags=["persons"], responses={
    200: PersonDetailSerializer,
    404: OpenApiResponse(ErrorSerializer, description="No such person, or not one the caller may see"),
})
class PersonDetailApi(APIView):
    """One person, with every identity it was known under.

    Every identity (names as given, birth with its precision, source, where, when and by whom),
    the documents, the merges, and the movements when the caller also holds movements:read. A
    record merged into another answers its survivor: `id` is the survivor's, `requested_id` the
    one asked for (no redirect). The read is audited."""

    required_scopes = {"GET": ["persons:read"]}

    def get(self, request, pk: int):
        person = selectors.person_get(user=request.user, pk=pk, purpose="api: person")
        if person.merged_into_id is not None:
            survivor = person_survivor(person)
            person = selectors.person_get(user=request.user, pk=survivor.pk, purpose="api: person (merged)")
        movements = None
        if has_scope(request.user, "movements:read", request.auth):
            movements = list(selectors.person_movements(user=request.user, person=person)[:MOVEMENTS_LIMIT])
        answer = {
            "id": person.pk, "requested_id": pk, "primary_identifier": person.primary_identifier,
            "secondary_identifier": person.secondary_identifier, "date_of_birth": person.birth.isoformat(),
            "sex": person.sex, "nationality": person.nationality, "national_id_number": person.national_id_number,
            "identities": person_identities(person=person),
            "documents": person.documents.order_by("-created_at"),
            "movements": movements,
            "merged_from": list(Person.objects.filter(merged_into=person).order_by("pk").values_list("pk", flat=True)),
            "merges": PersonMerge.objects.filter(Q(target=person) | Q(source=person)).order_by("-merged_at", "-pk"),
        }
        data = PersonDetailSerializer(answer).data
        return Response(data)
