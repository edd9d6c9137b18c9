"""Input and output of the biometrics API (faces, fingerprints): one module-level serializer per
body, each with its own name (nested classes of the same name made wrong schema components)."""

from __future__ import annotations

import base64
import binascii

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from biometrics.models.face import FacePurpose, FaceSource
from biometrics.models.fingerprint import ImpressionType, SearchKind, SearchStatus
from biometrics.visibility import visible_candidates
from core.api.common import ErrorSerializer

# -- faces ---------------------------------------------------------------------

class QualityIssueSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    limit = serializers.FloatField(allow_null=True)
    blocking = serializers.BooleanField(
        required=False, help_text="True: this issue refused the image; false: reported, the image was still compared.")


class QualitySerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    face_count = serializers.IntegerField()
    message = serializers.CharField(help_text="Coaching message to show or act on.")
    issues = QualityIssueSerializer(many=True)
    metrics = serializers.DictField(child=serializers.FloatField())
    policy = serializers.ChoiceField(
        choices=["live", "document", "photo"], required=False,
        help_text="live (camera, device: every issue refuses), document (chip, photo page) or photo (uploads, "
                  "watchlist photos: only a face the matcher cannot use refuses; other issues are reported).")


class ComparedQualitySerializer(serializers.Serializer):
    probe = QualitySerializer(allow_null=True)
    reference = QualitySerializer(allow_null=True)


def _image_quality(image) -> dict | None:
    return image.quality if image is not None and image.quality else None


class QualityErrorSerializer(ErrorSerializer):
    quality = QualitySerializer(required=False)


class FaceEnrolInputSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="JPEG, PNG, WebP or JPEG 2000.")
    person_id = serializers.IntegerField(min_value=1)
    purpose = serializers.ChoiceField(
        choices=[FacePurpose.ENROLMENT, FacePurpose.LIVE, FacePurpose.DOCUMENT], default=FacePurpose.ENROLMENT
    )
    source = serializers.ChoiceField(
        choices=[FaceSource.DEVICE, FaceSource.UPLOAD, FaceSource.CHIP, FaceSource.DOCUMENT_PAGE],
        default=FaceSource.DEVICE,
    )
    inspection_id = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    post = serializers.CharField(required=False, max_length=10, help_text="Border post code of the capture.")


class FaceEnrolOutputSerializer(serializers.Serializer):
    image_id = serializers.IntegerField()
    template_id = serializers.IntegerField(allow_null=True, help_text="Null while the encoding is queued.")
    status = serializers.ChoiceField(choices=["encoded", "queued", "unavailable"])
    quality = QualitySerializer()


class FaceVerifyInputSerializer(serializers.Serializer):
    probe = serializers.FileField(help_text="The live face.")
    reference = serializers.FileField(required=False, help_text="The document portrait (or a photo-page image).")
    reference_source = serializers.ChoiceField(
        choices=[FaceSource.UPLOAD, FaceSource.CHIP, FaceSource.DOCUMENT_PAGE], default=FaceSource.UPLOAD
    )
    reference_template_id = serializers.IntegerField(required=False, min_value=1)
    person_id = serializers.IntegerField(required=False, min_value=1, allow_null=True)
    inspection_id = serializers.IntegerField(required=False, min_value=1, allow_null=True)
    post = serializers.CharField(required=False, max_length=10, help_text="Border post code of the capture.")

    def validate(self, attrs):
        if ("reference" in attrs) == ("reference_template_id" in attrs):
            raise serializers.ValidationError(
                {"reference": ["send either a reference image or a reference_template_id"]}
            )
        return attrs


class VerificationOutputSerializer(serializers.Serializer):
    verification_id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    verdict = serializers.CharField(allow_blank=True, help_text="match, no_match or inconclusive (blank while pending).")
    distance = serializers.FloatField(allow_null=True, help_text="Euclidean distance; lower is more similar.")
    score = serializers.SerializerMethodField(help_text="1 - distance, clipped to [0, 1].")
    threshold = serializers.FloatField(help_text="Match when the distance is at or below this.")
    reason = serializers.CharField()
    model = serializers.SerializerMethodField()
    quality = serializers.SerializerMethodField(
        help_text="Quality of the two images compared; issues with blocking false did not stop the comparison.")

    @extend_schema_field(ComparedQualitySerializer)
    def get_quality(self, obj) -> dict:
        return {"probe": _image_quality(obj.probe), "reference": _image_quality(obj.reference)}

    def get_score(self, obj) -> float | None:
        return None if obj.distance is None else round(max(0.0, 1.0 - obj.distance), 4)

    def get_model(self, obj) -> str:
        return f"{obj.model_name} {obj.model_version}".strip()


class FaceIdentifyInputSerializer(serializers.Serializer):
    image = serializers.FileField()
    watchlists = serializers.ListField(
        child=serializers.CharField(max_length=16), required=False,
        help_text="Watchlist codes to search (default: every list the caller may see).",
    )
    include_persons = serializers.BooleanField(default=True)


class CandidateSerializer(serializers.Serializer):
    template_id = serializers.IntegerField()
    distance = serializers.FloatField()
    score = serializers.FloatField()
    threshold = serializers.FloatField()
    gallery = serializers.CharField()
    watchlist_code = serializers.CharField(allow_null=True)
    entry_id = serializers.IntegerField(allow_null=True)
    person_id = serializers.IntegerField(allow_null=True)


class IdentificationOutputSerializer(serializers.Serializer):
    identification_id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    gallery_size = serializers.IntegerField()
    backend = serializers.CharField()
    candidates = serializers.SerializerMethodField()
    quality = serializers.SerializerMethodField(help_text="Quality of the searched image (null once purged).")

    @extend_schema_field(QualitySerializer(allow_null=True))
    def get_quality(self, obj) -> dict | None:
        return _image_quality(obj.probe)

    def get_candidates(self, obj) -> list[dict]:
        # The reader sees the travelers and list entries of their own visibility (biometrics.visibility).
        visibility = self.context.get("visibility")
        if visibility is None:
            return []
        return [CandidateSerializer(c).data for c in visible_candidates(obj.candidates, visibility)]


# -- fingerprints ----------------------------------------------------------------

MAX_IMAGE_BASE64 = 28 * 1024 * 1024


class FingerInputSerializer(serializers.Serializer):
    position = serializers.IntegerField(
        min_value=1, max_value=10, help_text="ANSI/NIST finger position: 1 right thumb ... 5 right little, "
        "6 left thumb ... 10 left little."
    )
    image = serializers.CharField(
        max_length=MAX_IMAGE_BASE64, trim_whitespace=True,
        help_text="The finger image, base64-encoded PNG, TIFF or BMP (WSQ when the codec is installed).",
    )
    impression_type = serializers.ChoiceField(choices=ImpressionType.choices, default=ImpressionType.PLAIN)
    resolution_dpi = serializers.FloatField(
        required=False, allow_null=True, min_value=1,
        help_text="Scanner resolution in pixels per inch (default: the file header, else 500).",
    )

    def validate_image(self, value: str) -> bytes:
        if value.startswith("data:") and "," in value:
            value = value.split(",", 1)[1]
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("The image must be base64-encoded.") from None


def _fingers_field():
    return FingerInputSerializer(many=True, allow_empty=False, max_length=10)


def _validate_unique_positions(fingers):
    seen: dict[int, int] = {}
    errors = {}
    for i, f in enumerate(fingers):
        if f["position"] in seen:
            errors[str(i)] = {"position": [
                f"Finger position {f['position']} appears more than once in this capture (also finger {seen[f['position']]})."
            ]}
        seen.setdefault(f["position"], i)
    if errors:
        raise serializers.ValidationError(errors)
    return fingers


class CoachingSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ImpressionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    position_label = serializers.CharField()
    impression_type = serializers.CharField()
    quality_score = serializers.IntegerField()
    nfiq2 = serializers.IntegerField(allow_null=True)
    minutiae_count = serializers.IntegerField()
    rescaled = serializers.BooleanField()
    coaching = CoachingSerializer(many=True)


class FingerprintEnrolInputSerializer(serializers.Serializer):
    person_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    person_entry_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    inspection_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    post = serializers.CharField(required=False, allow_blank=True, help_text="Border post code.")
    fingers = _fingers_field()

    def validate_fingers(self, value):
        return _validate_unique_positions(value)

    def validate(self, attrs):
        if (attrs.get("person_id") is None) == (attrs.get("person_entry_id") is None):
            raise serializers.ValidationError(
                {"person_id": ["Give exactly one of person_id (traveler) or person_entry_id (watchlist)."]}
            )
        return attrs


class FingerprintCaptureOutputSerializer(serializers.Serializer):
    capture_id = serializers.IntegerField()
    subject = serializers.CharField()
    person_id = serializers.IntegerField(allow_null=True)
    person_entry_id = serializers.IntegerField(allow_null=True)
    fingers = ImpressionOutputSerializer(many=True)


class FingerprintVerifyInputSerializer(serializers.Serializer):
    person_id = serializers.IntegerField(min_value=1)
    inspection_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    post = serializers.CharField(required=False, allow_blank=True)
    fingers = _fingers_field()

    def validate_fingers(self, value):
        return _validate_unique_positions(value)


class FingerprintIdentifyInputSerializer(serializers.Serializer):
    person_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1,
        help_text="The traveler being screened (excluded from the candidates).",
    )
    inspection_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    post = serializers.CharField(required=False, allow_blank=True)
    search_travelers = serializers.BooleanField(default=True)
    search_watchlists = serializers.BooleanField(default=True)
    fingers = _fingers_field()

    def validate_fingers(self, value):
        return _validate_unique_positions(value)


class SearchOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SearchKind.choices)
    status = serializers.ChoiceField(choices=SearchStatus.choices)
    decision = serializers.CharField(help_text="verify: match, no_match, no_reference; identify: hit, no_hit")
    person_id = serializers.IntegerField(allow_null=True)
    inspection_id = serializers.IntegerField(allow_null=True)
    threshold = serializers.FloatField()
    result = serializers.JSONField(help_text="verify: per-finger scores; identify: ranked candidates and hit ids")
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
