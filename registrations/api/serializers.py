"""Serializers of the registrations API (inputs are validated again by the services)."""

from __future__ import annotations

from rest_framework import serializers

from core.api.common import ErrorDetailSerializer
from registrations.models import (
    CaseStatus,
    CaseTransition,
    Consent,
    DedupeState,
    FingerMissing,
    GroupKind,
    Need,
    ReferralTo,
    Registration,
    Relationship,
)


class ApprehensionInput(serializers.Serializer):
    apprehended_at = serializers.DateTimeField()
    post = serializers.CharField(required=False, allow_blank=True, max_length=16, help_text="A post's code.")
    sector = serializers.CharField(required=False, allow_blank=True, max_length=16, help_text="A sector's code.")
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    unit = serializers.CharField(required=False, allow_blank=True, max_length=100)
    incident_id = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                           help_text="The green-border incident the persons were apprehended at.")
    group_kind = serializers.ChoiceField(choices=GroupKind.choices, default=GroupKind.HOUSEHOLD)


class DocumentInput(serializers.Serializer):
    mrz = serializers.CharField(max_length=300, help_text="The machine-readable zone as read (lines separated by newlines).")


class RegistrationDataInput(serializers.Serializer):
    """The JSON of the ``data`` part. Give ``apprehension`` (a new apprehension and its first group)
    or ``group_id`` (a group of an earlier one: the next member of a family)."""

    apprehension = ApprehensionInput(required=False)
    group_id = serializers.IntegerField(required=False, min_value=1)
    relationship = serializers.ChoiceField(choices=Relationship.choices)
    primary_identifier = serializers.CharField(max_length=100, help_text="Surname (or only name), in any script.")
    secondary_identifier = serializers.CharField(required=False, allow_blank=True, max_length=100)
    name_original = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                          help_text="The full name in the script it was given in.")
    date_of_birth = serializers.CharField(required=False, allow_blank=True, max_length=10,
                                          help_text="YYYY-MM-DD, YYYY-MM or YYYY (or give estimated_age).")
    estimated_age = serializers.IntegerField(required=False, allow_null=True)
    sex = serializers.ChoiceField(choices=["F", "M", "X"], default="X")
    nationality = serializers.CharField(max_length=3, default="XXX", help_text="Three letters; XXX unknown.")
    languages = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    place_of_origin = serializers.CharField(required=False, allow_blank=True, max_length=200)
    national_id_number = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                               help_text="Checked against the civil registry when given.")
    documents = DocumentInput(many=True, required=False)
    face_source = serializers.ChoiceField(choices=["browser", "device", "upload"], default="device",
                                          help_text="Live capture (browser, device) or a photograph (upload).")
    fingers_missing = serializers.DictField(
        child=serializers.ChoiceField(choices=FingerMissing.choices), required=False,
        help_text='Why each finger without an image (finger_N) was not taken, by position: {"3": "injured"}.')
    needs = serializers.ListField(child=serializers.ChoiceField(choices=Need.choices), required=False)
    needs_note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    information_language = serializers.CharField(required=False, allow_blank=True, max_length=40)
    leaflet_given = serializers.BooleanField(default=False)
    consent = serializers.ChoiceField(choices=Consent.choices, help_text="Required: no registration without it.")
    consent_refused_reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class RegistrationUploadInput(serializers.Serializer):
    data = serializers.JSONField(binary=True, help_text="RegistrationDataInput as a JSON string.")
    face = serializers.FileField(required=False, help_text="Face photo (JPEG, PNG).")
    document_page = serializers.FileField(required=False, help_text="A photographed document page.")
    finger_1 = serializers.FileField(required=False, help_text="Right thumb (PNG, TIFF, BMP; about 500 dpi).")
    finger_2 = serializers.FileField(required=False, help_text="Right index.")
    finger_3 = serializers.FileField(required=False, help_text="Right middle.")
    finger_4 = serializers.FileField(required=False, help_text="Right ring.")
    finger_5 = serializers.FileField(required=False, help_text="Right little.")
    finger_6 = serializers.FileField(required=False, help_text="Left thumb.")
    finger_7 = serializers.FileField(required=False, help_text="Left index.")
    finger_8 = serializers.FileField(required=False, help_text="Left middle.")
    finger_9 = serializers.FileField(required=False, help_text="Left ring.")
    finger_10 = serializers.FileField(required=False, help_text="Left little.")


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    from_status = serializers.CharField(read_only=True, help_text="A case status; empty for the first one.")
    to_status = serializers.CharField(read_only=True, help_text="A case status.")
    referral_to = serializers.CharField(read_only=True, help_text="asylum_authority, unhcr, iom_return or empty.")

    class Meta:
        model = CaseTransition
        fields = ["from_status", "to_status", "referral_to", "reason", "actor", "at"]
        read_only_fields = fields


class CandidateSerializer(serializers.Serializer):
    person_id = serializers.IntegerField()
    candidate_id = serializers.IntegerField(allow_null=True, help_text="travelers' identity candidate, once deduplicated.")
    score = serializers.FloatField(allow_null=True)
    status = serializers.CharField(allow_blank=True)
    modalities = serializers.ListField(child=serializers.CharField())


class RegistrationSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    apprehension_id = serializers.IntegerField(read_only=True)
    group_id = serializers.IntegerField(read_only=True, allow_null=True)
    person_id = serializers.IntegerField(read_only=True, allow_null=True)
    incident_id = serializers.IntegerField(source="apprehension.incident_id", read_only=True, allow_null=True)
    post = serializers.CharField(source="apprehension.post.code", read_only=True, allow_null=True, default=None)
    apprehended_at = serializers.DateTimeField(source="apprehension.apprehended_at", read_only=True)
    date_of_birth = serializers.CharField(source="birth_display", read_only=True)
    registry_status = serializers.CharField(read_only=True, help_text="matches, differs, not_found, not_checked, or "
                                                                      "empty when no number or no registry.")
    case_status = serializers.ChoiceField(choices=CaseStatus.choices, read_only=True)
    referral_to = serializers.ChoiceField(choices=ReferralTo.choices, allow_blank=True, read_only=True)
    dedupe_state = serializers.ChoiceField(choices=DedupeState.choices, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)
    candidates = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = ["id", "reference", "apprehension_id", "group_id", "relationship", "person_id", "incident_id", "post",
                  "apprehended_at", "primary_identifier", "secondary_identifier", "name_original", "date_of_birth",
                  "birth_precision", "estimated_age", "sex", "nationality", "languages", "place_of_origin",
                  "national_id_number", "face_taken", "fingers_taken", "fingers_missing", "needs", "needs_note",
                  "information_language", "leaflet_given", "consent", "consent_refused_reason", "registry_status",
                  "dedupe_state", "case_status", "referral_to", "transitions", "candidates", "created_at"]
        read_only_fields = fields

    def get_candidates(self, obj: Registration) -> list[dict]:
        """Possible earlier identities of the person, among the persons the caller may see."""
        rows = self.context.get("candidates", {}).get("rows", [])
        return CandidateSerializer([r for r in rows if r.get("person") is not None], many=True).data


class UnusableReasonSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="face or finger_N")
    code = serializers.CharField(help_text="The ABIS reason code (no_face, several_faces, low_quality...).")
    message = serializers.CharField(help_text="The coaching message.")


class UnusableErrorDetailSerializer(ErrorDetailSerializer):
    reasons = UnusableReasonSerializer(many=True, required=False)


class UnusableErrorSerializer(serializers.Serializer):
    error = UnusableErrorDetailSerializer()
