"""Serializers of the incidents API (inputs are validated again by the services)."""

from __future__ import annotations

from rest_framework import serializers

from incidents.models import ContactSource, Incident, IncidentStatus, ObjectClass, Outcome


class IncidentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    post = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sector = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    camera = serializers.SlugRelatedField(slug_field="code", read_only=True,
                                          help_text="The camera whose detection opened the incident.")
    patrol = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True,
                                          help_text="The patrol handset dispatched.")
    status = serializers.ChoiceField(choices=IncidentStatus.choices, read_only=True)
    object_class = serializers.ChoiceField(choices=ObjectClass.choices, read_only=True)
    contact_source = serializers.ChoiceField(choices=ContactSource.choices, allow_blank=True, read_only=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    seconds_to_contact = serializers.FloatField(read_only=True, allow_null=True,
                                                help_text="From the first detection to the patrol's contact.")
    persons_count = serializers.IntegerField(read_only=True, allow_null=True,
                                             help_text="Persons apprehended (outcome apprehended only).")
    closed_by = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = ["id", "reference", "status", "post", "sector", "camera", "object_class", "first_detection_at",
                  "last_detection_at", "detection_count", "max_count", "latitude", "longitude", "patrol",
                  "dispatched_at", "contact_at", "contact_source", "seconds_to_contact", "outcome", "persons_count",
                  "outcome_note", "closed_at", "closed_by"]
        read_only_fields = fields

    def get_closed_by(self, obj: Incident) -> str | None:
        """The supervisor's username or the patrol handset's code that closed it."""
        if obj.closed_by_id:
            return obj.closed_by.get_username()
        return obj.closed_by_device or None


class DispatchInput(serializers.Serializer):
    patrol = serializers.CharField(max_length=40, help_text="The code of a patrol handset of the incident's post.")


class OutcomeInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    persons = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10_000,
                                       help_text="Persons apprehended: required for, and only for, apprehended.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CameraStatsSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    post = serializers.CharField()
    sector = serializers.CharField(allow_null=True)
    incidents = serializers.IntegerField(help_text="Incidents this camera's detection opened.")
    closed = serializers.IntegerField()
    false_alarms = serializers.IntegerField()
    false_alarm_share = serializers.FloatField(allow_null=True, help_text="False alarms / closed incidents.")
    contacts = serializers.IntegerField(help_text="Incidents a patrol reached.")
    median_seconds_to_contact = serializers.FloatField(allow_null=True)
    mean_seconds_to_contact = serializers.FloatField(allow_null=True)
