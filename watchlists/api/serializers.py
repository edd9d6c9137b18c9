"""Serializers of the watchlists API (inputs are validated again by the services)."""

from __future__ import annotations

import base64
import binascii

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.errors import field_errors
from watchlists.models import (
    DocumentEntry,
    DocumentStatus,
    Hit,
    HitAction,
    ImportFormat,
    ImportJob,
    ListKind,
    PersonEntry,
    VehicleEntry,
    Visibility,
    Watchlist,
)
from watchlists.search import dob_string
from watchlists.validation import MAX_PHOTO_BYTES, clean_photo


class ScreenPersonInput(serializers.Serializer):
    names = serializers.ListField(child=serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=5000),
                                  allow_empty=False, max_length=20,
                                  help_text="Names and aliases in any script (Latin, Arabic, Sorani, ICAO MRZ).")
    date_of_birth = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                          help_text="YYYY, YYYY-MM or YYYY-MM-DD.")
    nationality = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="ICAO code, e.g. IRQ.")
    gender = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="M, F or X.")
    document_numbers = serializers.ListField(child=serializers.CharField(max_length=40), required=False)


class ScreenDocumentInput(serializers.Serializer):
    number = serializers.CharField(max_length=60, trim_whitespace=False)
    issuing_state = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    type = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=2)


class ScreenVehicleInput(serializers.Serializer):
    plate = serializers.CharField(max_length=60)
    country = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class HitOutput(serializers.Serializer):
    hit_id = serializers.IntegerField(allow_null=True)
    entry_id = serializers.IntegerField()
    list = serializers.CharField()
    score = serializers.FloatField()
    matched_name = serializers.CharField()
    action = serializers.ChoiceField(choices=HitAction.choices)
    explanation = serializers.DictField()


class UnavailableList(serializers.Serializer):
    list = serializers.CharField()
    reason = serializers.CharField()


class ScreeningOutput(serializers.Serializer):
    hits = HitOutput(many=True)
    unavailable_lists = UnavailableList(many=True)
    screened_lists = serializers.ListField(child=serializers.CharField())


class WatchlistSerializer(serializers.ModelSerializer):
    owner_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Watchlist
        fields = ["code", "name", "description", "kind", "owner_agency", "visibility", "action", "refusal_reason",
                  "default_threshold",
                  "valid_from", "valid_until", "is_active", "availability", "availability_note", "updated_at"]
        read_only_fields = ["availability", "availability_note", "updated_at"]


class WatchlistWrite(serializers.Serializer):
    code = serializers.CharField(max_length=16, required=False)
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=ListKind.choices, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    action = serializers.ChoiceField(choices=HitAction.choices, required=False)
    refusal_reason = serializers.CharField(max_length=16, required=False, allow_blank=True,
                                           help_text="Reason code recorded when a confirmed hit refuses the traveler")
    default_threshold = serializers.FloatField(min_value=0.0, max_value=1.0, required=False)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


class PersonEntrySerializer(serializers.ModelSerializer):
    names = serializers.SerializerMethodField()
    date_of_birth = serializers.SerializerMethodField()
    has_photo = serializers.SerializerMethodField()
    watchlist = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PersonEntry
        fields = ["id", "watchlist", "external_id", "names", "date_of_birth", "gender", "place_of_birth",
                  "nationalities", "document_numbers", "remarks", "has_photo", "is_active", "created_at", "updated_at"]

    def get_names(self, obj) -> list[str]:
        return [n.full_name for n in sorted(obj.names.all(), key=lambda n: (not n.is_primary, n.pk))]

    def get_date_of_birth(self, obj) -> str | None:
        return dob_string(obj.birth_year, obj.birth_month, obj.birth_day)

    def get_has_photo(self, obj) -> bool:
        return bool(obj.photo)


# Base64 of the largest accepted photo (4 characters per 3 bytes), plus line breaks.
MAX_PHOTO_BASE64 = (MAX_PHOTO_BYTES + 2) // 3 * 4 + 64 * 1024


class PersonEntryWrite(serializers.Serializer):
    names = serializers.ListField(child=serializers.CharField(max_length=5000, allow_blank=True), allow_empty=False, required=False)
    date_of_birth = serializers.CharField(required=False, allow_blank=True)
    gender = serializers.CharField(required=False, allow_blank=True)
    place_of_birth = serializers.CharField(required=False, allow_blank=True, max_length=200)
    nationalities = serializers.ListField(child=serializers.CharField(), required=False)
    document_numbers = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    remarks = serializers.CharField(required=False, allow_blank=True)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    photo = serializers.CharField(
        required=False, max_length=MAX_PHOTO_BASE64, trim_whitespace=True,
        help_text="The person's photo, base64-encoded JPEG, PNG or WebP (at most 10 MB): a clear frontal "
                  "face. Replaces the current photo; biometrics adds it to the list's face gallery.",
    )

    def validate_photo(self, value: str) -> bytes:
        try:
            data = base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError(_("The photo must be base64-encoded.")) from None
        try:
            clean_photo(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(field_errors(exc, "photo")["photo"]) from None
        return data


class DocumentEntrySerializer(serializers.ModelSerializer):
    watchlist = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = DocumentEntry
        fields = ["id", "watchlist", "external_id", "number", "document_type", "issuing_state", "status",
                  "reported_on", "remarks", "is_active", "updated_at"]


class DocumentEntryWrite(serializers.Serializer):
    number = serializers.CharField(max_length=40, required=False)
    issuing_state = serializers.CharField(max_length=3, required=False)
    status = serializers.ChoiceField(choices=DocumentStatus.choices, required=False)
    document_type = serializers.CharField(max_length=2, required=False, allow_blank=True)
    reported_on = serializers.DateField(required=False, allow_null=True)
    remarks = serializers.CharField(required=False, allow_blank=True)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=100)


class VehicleEntrySerializer(serializers.ModelSerializer):
    watchlist = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = VehicleEntry
        fields = ["id", "watchlist", "external_id", "plate", "country", "make", "model", "colour", "remarks",
                  "is_active", "updated_at"]


class VehicleEntryWrite(serializers.Serializer):
    plate = serializers.CharField(max_length=20, required=False)
    country = serializers.CharField(max_length=3, required=False, allow_blank=True)
    make = serializers.CharField(max_length=60, required=False, allow_blank=True)
    model = serializers.CharField(max_length=60, required=False, allow_blank=True)
    colour = serializers.CharField(max_length=30, required=False, allow_blank=True)
    remarks = serializers.CharField(required=False, allow_blank=True)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ImportInput(serializers.Serializer):
    format = serializers.ChoiceField(choices=ImportFormat.choices)
    file = serializers.FileField()
    deactivate_missing = serializers.BooleanField(
        required=False, default=False,
        help_text="Deactivate the list's entries the file does not hold (a full list). Off unless asked.",
    )
    dry_run = serializers.BooleanField(
        required=False, default=False,
        help_text="Only preview: parse the file and answer what the import would add, change, deactivate "
                  "and reject; nothing changes until POST /imports/{id}/confirm with the preview's digest.",
    )


class ImportConfirmInput(serializers.Serializer):
    digest = serializers.CharField(max_length=64, help_text="The `preview.digest` of the job being confirmed.")


class ImportJobSerializer(serializers.ModelSerializer):
    watchlist = serializers.SlugRelatedField(slug_field="code", read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = ["id", "watchlist", "format", "filename", "deactivate_missing", "status", "progress", "preview",
                  "report", "error", "created_at", "confirmed_at", "started_at", "finished_at"]

    def get_progress(self, obj) -> dict:
        from watchlists.services.imports import import_progress

        done, total = import_progress(obj)
        return {"done": done, "total": total}


class HitSerializer(serializers.ModelSerializer):
    """A hit. In the hit list, `traveler` and `inspection` are the traveler's side (given by the
    travelers app, for travelers the caller may see; the read is audited) and `entry` the list
    entry's side (person entries: names with their script, birth, nationalities, documents)."""

    watchlist = serializers.SlugRelatedField(slug_field="code", read_only=True)
    entry_id = serializers.SerializerMethodField()
    entry = serializers.SerializerMethodField()
    traveler = serializers.SerializerMethodField()
    inspection = serializers.SerializerMethodField()

    class Meta:
        model = Hit
        fields = ["id", "source", "status", "score", "threshold", "action", "watchlist", "entry_id", "matched_name",
                  "explanation", "inspection_id", "person_id", "created_at", "adjudicated_at", "dismiss_reason",
                  "adjudication_note", "entry", "traveler", "inspection"]

    def get_entry_id(self, obj) -> int | None:
        return obj.person_entry_id or obj.document_entry_id or obj.vehicle_entry_id

    def get_entry(self, obj) -> dict | None:
        e = obj.person_entry
        if e is None:
            return None
        return {
            "names": [{"name": n.full_name, "script": n.script, "primary": n.is_primary} for n in e.names.all()],
            "date_of_birth": dob_string(e.birth_year, e.birth_month, e.birth_day) or None,
            "nationalities": e.nationalities, "document_numbers": e.document_numbers, "has_photo": bool(e.photo),
        }

    def _traveler_side(self, obj) -> dict:
        return (self.context.get("hit_context") or {}).get(obj.pk) or {}

    def get_traveler(self, obj) -> dict | None:
        return self._traveler_side(obj).get("person")

    def get_inspection(self, obj) -> dict | None:
        inspection = self._traveler_side(obj).get("inspection")
        if not inspection:
            return None
        read_at = inspection.get("read_at")
        return {**inspection, "read_at": read_at.isoformat() if hasattr(read_at, "isoformat") else read_at}


class AdjudicateInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("confirmed", "confirmed"), ("dismissed", "dismissed")])
    reason = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class FalsePositiveRate(serializers.Serializer):
    list = serializers.CharField()
    confirmed = serializers.IntegerField()
    dismissed = serializers.IntegerField()
    pending = serializers.IntegerField()
    false_positive_rate = serializers.FloatField(allow_null=True)
