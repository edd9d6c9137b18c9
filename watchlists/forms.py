from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.errors import field_errors
from watchlists.models import DismissReason, DocumentStatus, Gender, HitAction, ImportFormat, ListKind, Visibility
from watchlists.validation import MAX_PHOTO_BYTES, clean_photo


class WatchlistForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=16)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Kind"), choices=ListKind.choices)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    action = forms.ChoiceField(label=_("Action on a hit"), choices=HitAction.choices)
    refusal_reason = forms.CharField(
        label=_("Reason code of a refusal"), max_length=16, required=False,
        help_text=_("Recorded when a confirmed hit on this list refuses the traveler (e.g. J)."),
    )
    default_threshold = forms.FloatField(label=_("Default match threshold"), min_value=0.0, max_value=1.0)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class PersonEntryForm(forms.Form):
    names = forms.CharField(
        label=_("Names"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line, in any script; the first is the primary name."),
    )
    date_of_birth = forms.CharField(label=_("Date of birth"), required=False, help_text=_("YYYY, YYYY-MM or YYYY-MM-DD"))
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    nationalities = forms.CharField(label=_("Nationalities"), required=False, help_text=_("ICAO codes, comma-separated"))
    document_numbers = forms.CharField(label=_("Document numbers"), required=False, help_text=_("comma-separated"))
    place_of_birth = forms.CharField(label=_("Place of birth"), required=False, max_length=200)
    remarks = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    external_id = forms.CharField(label=_("External id"), required=False, max_length=100)
    photo = forms.FileField(
        label=_("Photo"), required=False, widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at most 10 MB; a clear frontal face. It is added to the list's face "
                    "gallery. Leave empty to keep the current photo."),
    )

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        if upload.size > MAX_PHOTO_BYTES:  # refused before reading it
            raise forms.ValidationError(_("The photo is larger than %(n)d MB.") % {"n": MAX_PHOTO_BYTES // (1024 * 1024)})
        data = upload.read()
        try:
            clean_photo(data)
        except ValidationError as exc:
            raise forms.ValidationError(field_errors(exc, "photo")["photo"]) from None
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "names": [n.strip() for n in d["names"].splitlines() if n.strip()],
            "date_of_birth": d["date_of_birth"].strip(),
            "gender": d["gender"],
            "nationalities": [c.strip() for c in d["nationalities"].split(",") if c.strip()],
            "document_numbers": [c.strip() for c in d["document_numbers"].split(",") if c.strip()],
            "place_of_birth": d["place_of_birth"],
            "remarks": d["remarks"],
            "external_id": d["external_id"],
            "photo": d.get("photo"),
        }


class DocumentEntryForm(forms.Form):
    number = forms.CharField(label=_("Document number"), max_length=40)
    issuing_state = forms.CharField(label=_("Issuing state"), max_length=3)
    document_type = forms.CharField(label=_("Type"), max_length=2, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=DocumentStatus.choices)
    reported_on = forms.DateField(label=_("Date reported"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    remarks = forms.CharField(label=_("Remarks"), required=False)


class VehicleEntryForm(forms.Form):
    plate = forms.CharField(label=_("Plate"), max_length=20)
    country = forms.CharField(label=_("Country"), max_length=3, required=False)
    make = forms.CharField(label=_("Make"), max_length=60, required=False)
    model = forms.CharField(label=_("Model"), max_length=60, required=False)
    colour = forms.CharField(label=_("Colour"), max_length=30, required=False)
    remarks = forms.CharField(label=_("Remarks"), required=False)


class ImportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=ImportFormat.choices)
    file = forms.FileField(label=_("File"), error_messages={
        "required": _("No file was uploaded: choose the file to import."),
        "empty": _("The file is empty."),
        "invalid": _("No file was uploaded: choose the file to import."),
    })
    deactivate_missing = forms.BooleanField(
        label=_("Deactivate entries missing from the file"), required=False, initial=False,
        help_text=_("Only for a file that holds the whole list. The preview lists every entry that would be "
                    "deactivated before anything changes."),
    )


class ImportConfirmForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)


class AdjudicateForm(forms.Form):
    """Confirm or dismiss one hit. Nothing is preselected: the supervisor chooses."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("confirmed", _("Confirm")), ("dismissed", _("Dismiss"))],
        widget=forms.RadioSelect, error_messages={"required": _("Choose: confirm or dismiss.")},
    )
    reason = forms.ChoiceField(label=_("Reason (dismissals)"), choices=[("", "—"), *DismissReason.choices], required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "dismissed":
            if not data.get("reason"):
                self.add_error("reason", _("Choose the reason for dismissing this hit."))
            elif data["reason"] == DismissReason.OTHER and not (data.get("note") or "").strip():
                self.add_error("note", _("Explain the dismissal in the note when the reason is “Other”."))
        return data


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=300)
    similar = forms.BooleanField(label=_("Similar names (transliteration-aware)"), required=False)
