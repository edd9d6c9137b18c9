"""Forms of the field pages: the apprehension (with its first group), one person, a case's
transition. They check the shape of the input; the services check the rest (ages, consent,
images) and their errors come back on the fields."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models import (
    FINGER_POSITIONS,
    CaseStatus,
    Consent,
    FingerMissing,
    GroupKind,
    Need,
    ReferralTo,
    Relationship,
)
from registrations.services import DocumentInput, RegistrationData

IMAGE_ATTRS = {"accept": "image/*"}
MAX_IMAGE_BYTES = 15 * 1024 * 1024


class ApprehensionForm(forms.Form):
    apprehended_at = forms.DateTimeField(
        label=_("Apprehended at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
    post = forms.ModelChoiceField(label=_("Post"), queryset=None, required=False, empty_label=_("— none —"))
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=None, required=False, empty_label=_("— none —"))
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90,
                                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180,
                                 widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    unit = forms.CharField(label=_("Unit"), required=False, max_length=100)
    incident = forms.IntegerField(label=_("Incident"), required=False, min_value=1, widget=forms.HiddenInput)
    group_kind = forms.ChoiceField(label=_("The persons are"), choices=GroupKind.choices, initial=GroupKind.HOUSEHOLD,
                                   widget=forms.RadioSelect)

    def __init__(self, *args, posts, sectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts
        self.fields["sector"].queryset = sectors
        self.fields["post"].label_from_instance = lambda p: f"{p.code} · {p.name}"
        self.fields["sector"].label_from_instance = lambda s: f"{s.code} · {s.name}"
        if not self.is_bound:
            self.initial.setdefault("apprehended_at", timezone.localtime().replace(second=0, microsecond=0))


def _finger_label(position: int) -> str:
    return FINGER_POSITIONS[position]


class PersonForm(forms.Form):
    """One person of the group: consent first (no capture without it), identity as declared,
    document, face, fingers (a reason for every finger not taken), specific needs."""

    # Information and consent.
    information_language = forms.CharField(label=_("Information given in (language)"), required=False, max_length=40)
    leaflet_given = forms.BooleanField(label=_("Information leaflet given"), required=False)
    consent = forms.ChoiceField(label=_("Consent"), choices=Consent.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("Record whether the person gave consent.")})
    consent_refused_reason = forms.CharField(label=_("Why consent was refused"), required=False, max_length=300)
    # Identity as declared.
    relationship = forms.ChoiceField(label=_("Relationship in the group"), choices=Relationship.choices)
    primary_identifier = forms.CharField(label=_("Surname (or only name)"), max_length=100)
    secondary_identifier = forms.CharField(label=_("Given names"), max_length=100, required=False)
    name_original = forms.CharField(label=_("Full name as given, in its own script"), max_length=200, required=False)
    date_of_birth = forms.CharField(label=_("Date of birth"), max_length=10, required=False,
                                    help_text=_("YYYY-MM-DD, YYYY-MM or YYYY: as much as is known."),
                                    widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr",
                                                                  "placeholder": "YYYY-MM-DD"}))
    estimated_age = forms.IntegerField(label=_("or estimated age (years)"), required=False,
                                       widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    sex = forms.ChoiceField(label=_("Sex"), choices=[("F", _("Female")), ("M", _("Male")), ("X", _("Unspecified"))],
                            initial="X", widget=forms.RadioSelect)
    nationality = forms.CharField(label=_("Nationality"), max_length=3, initial="XXX",
                                  help_text=_("Three-letter code, XXX when unknown."),
                                  widget=forms.TextInput(attrs={"dir": "ltr", "autocapitalize": "characters"}))
    languages = forms.CharField(label=_("Languages spoken"), max_length=200, required=False,
                                help_text=_("Separated by commas."))
    place_of_origin = forms.CharField(label=_("Place of origin"), max_length=200, required=False)
    national_id_number = forms.CharField(label=_("National ID number"), max_length=20, required=False,
                                         widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}))
    # Document.
    mrz = forms.CharField(label=_("MRZ of a document"), required=False, max_length=300,
                          widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr", "spellcheck": "false",
                                                       "class": "mrz"}))
    document_page = forms.FileField(label=_("Photo of the document's page"), required=False,
                                    widget=forms.ClearableFileInput(attrs={**IMAGE_ATTRS, "capture": "environment"}))
    # Face.
    face = forms.FileField(label=_("Face photo"), required=False,
                           widget=forms.ClearableFileInput(attrs={**IMAGE_ATTRS, "capture": "user"}))
    # Fingers: the default reason for every finger left without an image.
    fingers_missing_all = forms.ChoiceField(label=_("Reason for every finger without an image"), required=False,
                                            choices=[("", _("— choose per finger —")), *FingerMissing.choices])
    # Needs.
    needs = forms.MultipleChoiceField(label=_("Specific needs"), choices=Need.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    needs_note = forms.CharField(label=_("Note on needs"), max_length=500, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, in_group: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        for position in FINGER_POSITIONS:
            self.fields[f"finger_{position}"] = forms.FileField(
                label=_finger_label(position), required=False, widget=forms.ClearableFileInput(attrs=IMAGE_ATTRS))
            self.fields[f"finger_{position}_missing"] = forms.ChoiceField(
                label=_("Not taken because"), required=False, choices=[("", "—"), *FingerMissing.choices])
        if not in_group:
            self.fields["relationship"].required = False

    def finger_rows(self):
        return [(position, self[f"finger_{position}"], self[f"finger_{position}_missing"])
                for position in FINGER_POSITIONS]

    def clean(self):
        cleaned = super().clean()
        for name in ("face", "document_page", *(f"finger_{p}" for p in FINGER_POSITIONS)):
            upload = cleaned.get(name)
            if upload and upload.size > MAX_IMAGE_BYTES:
                self.add_error(name, _("This image is too large."))
        return cleaned

    def data_for_service(self) -> RegistrationData:
        c = self.cleaned_data
        default_reason = c.get("fingers_missing_all") or ""
        fingers, missing = {}, {}
        for position in FINGER_POSITIONS:
            upload = c.get(f"finger_{position}")
            if upload:
                fingers[position] = upload.read()
            else:
                reason = c.get(f"finger_{position}_missing") or default_reason
                if reason:
                    missing[position] = reason
        documents = []
        if c.get("mrz") or c.get("document_page"):
            page = c.get("document_page")
            documents.append(DocumentInput(mrz=c.get("mrz") or "", page_image=page.read() if page else None,
                                           page_name=getattr(page, "name", "page.jpg")))
        face = c.get("face")
        return RegistrationData(
            primary_identifier=c["primary_identifier"], secondary_identifier=c.get("secondary_identifier", ""),
            name_original=c.get("name_original", ""), date_of_birth=c.get("date_of_birth", ""),
            estimated_age=c.get("estimated_age"), sex=c.get("sex") or "X", nationality=c.get("nationality") or "XXX",
            languages=[x for x in (c.get("languages") or "").split(",") if x.strip()],
            place_of_origin=c.get("place_of_origin", ""), national_id_number=c.get("national_id_number", ""),
            relationship=c.get("relationship", ""), documents=documents, face=face.read() if face else None,
            face_source="browser", fingers=fingers,
            fingers_missing=missing if c.get("consent") == Consent.GIVEN else {},
            needs=c.get("needs") or [], needs_note=c.get("needs_note", ""),
            information_language=c.get("information_language", ""), leaflet_given=c.get("leaflet_given", False),
            consent=c.get("consent", ""), consent_refused_reason=c.get("consent_refused_reason", ""),
        )


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=())
    referral_to = forms.ChoiceField(label=_("Referred to"), required=False,
                                    choices=[("", "—"), *ReferralTo.choices])
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s, CaseStatus(s).label) for s in statuses]
