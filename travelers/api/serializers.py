"""Input and output of the travelers API (documents, inspections, movements)."""

from __future__ import annotations

import re
from datetime import date

from rest_framework import serializers

from travelers.models import (
    AbandonReason,
    Decision,
    Inspection,
    Movement,
    Person,
    TransportMode,
    TravelDocument,
)
from travelers.models.inspection import TRAVEL_DIRECTIONS
from travelers.mrz import DocumentFields, PartialDate
from watchlists.models import DismissReason

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class PartialDateField(serializers.CharField):
    """A date of birth as YYYY-MM-DD, or YYYY-MM / YYYY when only part of it is known."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "YYYY-MM-DD, or YYYY-MM or YYYY when day or month are unknown; "
                                       "empty when unknown")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data).strip()
        if not text:
            return PartialDate(None)
        match = _PARTIAL_DATE.match(text)
        if not match:
            raise serializers.ValidationError("use YYYY-MM-DD, YYYY-MM or YYYY")
        year, month, day = (int(g) if g else None for g in match.groups())
        if month is not None and not 1 <= month <= 12:
            raise serializers.ValidationError("month must be 01-12")
        if day is not None:
            try:
                date(year, month, day)
            except ValueError as exc:
                raise serializers.ValidationError(f"not a calendar date: {exc}") from exc
        return PartialDate(year, month, day)


class DocumentInputSerializer(serializers.Serializer):
    """Document data typed by hand (a document without MRZ, or a corrected reading)."""

    document_code = serializers.CharField(max_length=2, help_text="P (passport), I/ID (identity card), V (visa), A, C")
    issuing_state = serializers.CharField(max_length=3, help_text="ICAO Doc 9303 code, e.g. IRQ; D for Germany")
    primary_identifier = serializers.CharField(max_length=100, help_text="Surname(s)")
    secondary_identifier = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    document_number = serializers.CharField(max_length=35)
    nationality = serializers.CharField(max_length=3)
    date_of_birth = PartialDateField(required=False, allow_blank=True, default="")
    sex = serializers.ChoiceField(choices=["M", "F", "X"])
    date_of_expiry = serializers.DateField()
    optional_data = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")



def to_document_fields(data: dict) -> DocumentFields:
    """DocumentFields from a validated DocumentInputSerializer's data."""
    birth = data.get("date_of_birth")
    if not isinstance(birth, PartialDate):
        birth = PartialDate(None)
    return DocumentFields(
        document_code=data["document_code"].upper(), issuing_state=data["issuing_state"].upper(),
        primary_identifier=data["primary_identifier"].strip(),
        secondary_identifier=data.get("secondary_identifier", "").strip(),
        document_number=data["document_number"].strip().upper(), nationality=data["nationality"].upper(),
        date_of_birth=birth, sex=data["sex"], date_of_expiry=data["date_of_expiry"],
        optional_data=data.get("optional_data", "").strip().upper(),
    )


class ParseInputSerializer(serializers.Serializer):
    mrz = serializers.CharField(
        trim_whitespace=False, max_length=400,
        help_text="The MRZ lines as read (newlines, CR/LF, stray spaces and lowercase are tolerated)",
    )


class ParsedDocumentSerializer(serializers.Serializer):
    document_code = serializers.CharField()
    document_kind = serializers.CharField()
    issuing_state = serializers.CharField()
    primary_identifier = serializers.CharField()
    secondary_identifier = serializers.CharField()
    name_as_read = serializers.CharField()
    name_truncated = serializers.BooleanField()
    document_number = serializers.CharField()
    nationality = serializers.CharField()
    date_of_birth = serializers.CharField(help_text="YYYY-MM-DD, or YYYY-MM / YYYY when partly unknown")
    sex = serializers.CharField()
    date_of_expiry = serializers.DateField(allow_null=True)
    optional_data = serializers.CharField()
    optional_data_2 = serializers.CharField()
    national_id_number = serializers.CharField(help_text="The holder's national ID number on a national identity "
                                               "card (Iraq's unified card), else empty")


class FieldProblemSerializer(serializers.Serializer):
    field = serializers.CharField()
    kind = serializers.CharField()
    message = serializers.CharField()
    line = serializers.IntegerField(allow_null=True)
    start = serializers.IntegerField(allow_null=True)
    end = serializers.IntegerField(allow_null=True)


class CheckDigitSerializer(serializers.Serializer):
    field = serializers.CharField()
    line = serializers.IntegerField()
    position = serializers.IntegerField()
    found = serializers.CharField()
    expected = serializers.CharField()
    valid = serializers.BooleanField()


class ParseOutputSerializer(serializers.Serializer):
    format = serializers.CharField()
    valid = serializers.BooleanField()
    document = ParsedDocumentSerializer()
    checks = CheckDigitSerializer(many=True)
    warnings = FieldProblemSerializer(many=True)


class InspectionInputSerializer(serializers.Serializer):
    post = serializers.CharField(help_text="Border post code, e.g. BGW")
    booth = serializers.CharField(required=False, allow_blank=True, default="", help_text="Booth code at that post")
    direction = serializers.ChoiceField(choices=TRAVEL_DIRECTIONS)
    mrz = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False, max_length=400)
    document = DocumentInputSerializer(required=False, help_text="Typed data, instead of or correcting the MRZ")
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="Proceed despite overridable problems (expired, unknown code, check digit); audited",
    )
    transport_mode = serializers.ChoiceField(choices=TransportMode.choices, required=False, allow_blank=True,
                                             default="")
    carrier = serializers.CharField(required=False, allow_blank=True, default="", max_length=40,
                                    help_text="Flight number, vessel name or vehicle plate")

    def validate(self, attrs):
        if not attrs.get("mrz", "").strip() and "document" not in attrs:
            raise serializers.ValidationError({"mrz": "give the MRZ as read, or the document data"})
        return attrs


class PersonSerializer(serializers.ModelSerializer):
    date_of_birth = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "primary_identifier", "secondary_identifier", "date_of_birth", "sex", "nationality",
                  "national_id_number"]

    def get_date_of_birth(self, obj) -> str:
        return obj.birth.isoformat()


class TravelDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TravelDocument
        fields = ["id", "kind", "document_code", "number", "issuing_state", "nationality", "date_of_expiry",
                  "match_rule", "national_id_number"]


class MovementSerializer(serializers.ModelSerializer):
    post = serializers.CharField(source="post.code")
    booth = serializers.CharField(source="booth.code", allow_null=True, default=None)
    document = serializers.CharField(source="document.number")

    class Meta:
        model = Movement
        fields = ["id", "direction", "decision", "occurred_at", "post", "booth", "document", "transport_mode",
                  "carrier", "permitted_until", "stay_days", "overstay_days", "inspection_id"]


class BlockSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["hit", "document"])
    action = serializers.CharField(help_text="arrest, refuse or refer for a hit; document for an unverified document")
    status = serializers.CharField(help_text="pending or confirmed for a hit; unverified for a document")
    hit_id = serializers.IntegerField(allow_null=True)
    list = serializers.CharField(allow_null=True, help_text="The hit's list code")
    message = serializers.CharField()


class DecisionRulesSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=["primary", "secondary"])
    allowed = serializers.ListField(child=serializers.CharField(),
                                    help_text="The decisions (or secondary outcomes) the evidence allows now")
    admit_blocked = serializers.BooleanField()
    overridden = serializers.BooleanField(help_text="A supervisor lifted every block")
    unresolved_hits = serializers.ListField(child=serializers.IntegerField())
    blocks = BlockSerializer(many=True)


class InspectionOutputSerializer(serializers.ModelSerializer):
    """An inspection as the caller may see it (context ``request``): the traveler's name, date of
    birth and document (and the movement's document number) need ``persons:read``, else they are
    null; the screening summary names only lists the caller may see, and counts only their hits.
    Without a request in the context nothing personal is shown (fail closed)."""

    post = serializers.CharField(source="post.code")
    booth = serializers.CharField(source="booth.code", allow_null=True, default=None)
    person_id = serializers.IntegerField()
    person = PersonSerializer(allow_null=True, help_text="Null without the persons:read scope.")
    document = TravelDocumentSerializer(allow_null=True, help_text="Null without the persons:read scope.")
    reason_code = serializers.CharField(source="reason_code.code", allow_null=True, default=None)
    stay_verdict = serializers.DictField()
    screening = serializers.DictField()
    document_errors = FieldProblemSerializer(many=True)
    movement = serializers.SerializerMethodField()
    decision_rules = DecisionRulesSerializer(source="rules_as_seen", read_only=True)
    supervisor_override_by = serializers.CharField(source="supervisor_override_by.username", allow_null=True,
                                                   default=None)

    class Meta:
        model = Inspection
        fields = ["id", "status", "direction", "post", "booth", "person_id", "person", "document", "source",
                  "document_errors", "corrected_fields", "override_reason", "stay_verdict", "screening",
                  "transport_mode", "carrier", "decision_rules", "supervisor_override_by",
                  "supervisor_override_reason", "supervisor_override_at", "decision", "reason_code", "notes",
                  "abandon_reason", "abandon_note", "read_at", "decided_at", "seconds_to_decision", "movement"]

    def _viewer(self):
        from accounts.permissions import effective_scopes

        request = self.context.get("request")
        if request is None:
            return None, False
        return request.user, "persons:read" in effective_scopes(request.user, request.auth)

    def get_movement(self, obj) -> dict | None:
        # loaded with the inspection (travelers.selectors.inspection_get): no query per object
        movement = getattr(obj, "movement", None)
        if movement is None:
            return None
        data = MovementSerializer(movement).data
        if not self._viewer()[1]:
            data["document"] = None  # the document number is the traveler's
        return data

    def to_representation(self, instance):
        """`instance` comes from travelers.selectors.inspection_as_seen: its screening summary and
        decision rules are already what the caller may see."""
        data = super().to_representation(instance)
        _user, persons = self._viewer()
        if not persons:
            data["person"] = None
            data["document"] = None
            data["document_errors"] = []  # they quote the fields as read
        return data


class HitResolveInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("dismissed", "not this person"), ("confirmed", "confirmed")])
    reason = serializers.ChoiceField(choices=DismissReason.choices, required=False, allow_blank=True, default="",
                                     help_text="Mandatory for dismissed (not this person)")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class OverrideInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the supervisor lifts the blocks (10+ characters)")


class AbandonInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=AbandonReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class DecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason_code = serializers.CharField(required=False, allow_blank=True, default="",
                                        help_text="Mandatory for refuse and refer (see the reason codes)")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
