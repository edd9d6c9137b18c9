"""Forms of the officer's checkpoint screen and the supervisor pages."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from core.models import Booth, Direction
from travelers.models import (
    AbandonReason,
    Decision,
    ReasonCode,
    SecondaryOutcome,
    StayRegime,
    TransportMode,
    VisaCategory,
)
from travelers.mrz import DocumentFields, PartialDate
from watchlists.models import DismissReason

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

DIRECTIONS = [(Direction.ENTRY, _("Entry")), (Direction.EXIT, _("Exit"))]


class ReadForm(forms.Form):
    """What travels with every document read: where, which way, how."""

    direction = forms.ChoiceField(label=_("Direction"), choices=DIRECTIONS, widget=forms.RadioSelect)
    transport_mode = forms.ChoiceField(
        label=_("Mode of transport"), choices=[("", "—"), *TransportMode.choices], required=False
    )
    carrier = forms.CharField(label=_("Flight, vessel or vehicle plate"), max_length=40, required=False)
    booth = forms.ModelChoiceField(label=_("Booth"), queryset=Booth.objects.none(), required=False)

    def __init__(self, *args, booths=None, **kwargs):
        super().__init__(*args, **kwargs)
        if booths is None:
            del self.fields["booth"]
        else:
            self.fields["booth"].queryset = booths
            self.fields["booth"].required = True


class MrzForm(ReadForm):
    mrz = forms.CharField(
        label=_("Machine-readable zone"), max_length=400, strip=False,
        widget=forms.Textarea(attrs={
            "rows": 3, "cols": 46, "wrap": "off", "spellcheck": "false", "autocomplete": "off", "autocapitalize": "characters",
            "class": "mrz-input", "dir": "ltr", "data-shortcut": "F2",
        }),
    )


class PartialDateFormField(forms.CharField):
    default_error_messages = {"invalid": _("Use YYYY-MM-DD, or YYYY-MM / YYYY when day or month are unknown.")}

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return PartialDate(None)
        match = _PARTIAL_DATE.match(value)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month, day = (int(g) if g else None for g in match.groups())
        try:
            if month is not None:
                date(year, month, day or 1)
        except ValueError as exc:
            raise forms.ValidationError(_("Not a calendar date."), code="invalid") from exc
        return PartialDate(year, month, day)


class ManualDocumentForm(ReadForm):
    """Typed document data: a document without MRZ, or the officer's correction of a reading.
    `mrz` carries the MRZ as read (kept for the record) when correcting."""

    document_code = forms.CharField(label=_("Document code"), max_length=2, initial="P",
                                    help_text=_("P passport, I identity card, V visa"))
    issuing_state = forms.CharField(label=_("Issuing state"), max_length=3)
    document_number = forms.CharField(label=_("Document number"), max_length=35)
    primary_identifier = forms.CharField(label=_("Surname"), max_length=100)
    secondary_identifier = forms.CharField(label=_("Given names"), max_length=100, required=False)
    nationality = forms.CharField(label=_("Nationality"), max_length=3)
    date_of_birth = PartialDateFormField(label=_("Date of birth"), required=False,
                                         help_text=_("YYYY-MM-DD (YYYY-MM or YYYY if partly unknown)"))
    sex = forms.ChoiceField(label=_("Sex"), choices=[("M", _("Male")), ("F", _("Female")), ("X", _("Unspecified"))])
    date_of_expiry = forms.DateField(label=_("Date of expiry"), help_text=_("YYYY-MM-DD"))
    override_reason = forms.CharField(
        label=_("Override reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only to proceed despite an expired document, an unknown code or a wrong check digit. "
                    "Recorded in the audit trail."),
    )
    mrz = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)

    def document_fields(self) -> DocumentFields:
        data = self.cleaned_data
        return DocumentFields(
            document_code=data["document_code"].strip().upper(), issuing_state=data["issuing_state"].strip().upper(),
            primary_identifier=data["primary_identifier"].strip(),
            secondary_identifier=data["secondary_identifier"].strip(),
            document_number=data["document_number"].strip().upper(), nationality=data["nationality"].strip().upper(),
            date_of_birth=data["date_of_birth"], sex=data["sex"], date_of_expiry=data["date_of_expiry"],
        )

    @classmethod
    def initial_from(cls, fields: DocumentFields | None) -> dict:
        if fields is None:
            return {}
        return {
            "document_code": fields.document_code, "issuing_state": fields.issuing_state,
            "document_number": fields.document_number, "primary_identifier": fields.primary_identifier,
            "secondary_identifier": fields.secondary_identifier, "nationality": fields.nationality,
            "date_of_birth": fields.date_of_birth.isoformat(), "sex": fields.sex or "X",
            "date_of_expiry": fields.date_of_expiry.isoformat() if fields.date_of_expiry else "",
        }


class ReasonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ReasonCode) -> str:
        from django.utils.translation import get_language

        label = obj.label_ar if get_language() == "ar" and obj.label_ar else obj.label
        return f"{obj.code} — {label}"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.HiddenInput)
    reason_code = ReasonChoiceField(
        label=_("Reason (refusals and referrals)"), to_field_name="code", required=False,
        queryset=ReasonCode.objects.filter(is_active=True), empty_label="—",
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SecondaryDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=SecondaryOutcome.choices, widget=forms.RadioSelect)
    reason_code = ReasonChoiceField(
        label=_("Reason (refusals)"), to_field_name="code", required=False,
        queryset=ReasonCode.objects.filter(is_active=True), empty_label="—",
    )
    handover_agency = forms.ModelChoiceField(
        label=_("Handed over to agency (arrest)"), required=False, queryset=Agency.objects.filter(is_active=True),
        empty_label="—",
    )
    handover_officer = forms.CharField(label=_("Received by: name, rank or badge (arrest)"), max_length=200,
                                       required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, allowed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:  # the outcomes the evidence leaves open come first; others are refused
            self.fields["outcome"].choices = [(v, lbl) for v, lbl in SecondaryOutcome.choices if v in allowed]


class HitResolveForm(forms.Form):
    """The officer's on-the-spot resolution of one hit."""

    decision = forms.ChoiceField(choices=[("dismissed", _("Not this person")), ("confirmed", _("Confirmed"))])
    reason = forms.ChoiceField(label=_("Why not this person"), choices=[("", "—"), *DismissReason.choices],
                               required=False)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class AbandonForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why end this inspection without a decision?"),
                               choices=[("", "—"), *AbandonReason.choices])
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class OverrideForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the override"), min_length=10, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class SplitForm(forms.Form):
    documents = forms.MultipleChoiceField(label=_("Documents that belong to another person"),
                                          widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [
            (str(d.pk), f"{d.issuing_state} {d.number} ({d.get_kind_display()})")
            for d in person.documents.order_by("pk")
        ]


class StayRuleForm(forms.Form):
    nationality = forms.CharField(label=_("Nationality"), max_length=3)
    regime = forms.ChoiceField(label=_("Regime"), choices=StayRegime.choices)
    max_stay_days = forms.IntegerField(label=_("Maximum stay (days)"), min_value=1, required=False)
    period_days = forms.IntegerField(label=_("Within a period of (days)"), min_value=1, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class VisaForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=VisaCategory.choices)
    number = forms.CharField(label=_("Number"), max_length=35)
    issuing_state = forms.CharField(label=_("Issuing state"), max_length=3, initial="IRQ")
    valid_from = forms.DateField(label=_("Valid from"), help_text=_("YYYY-MM-DD"))
    valid_until = forms.DateField(label=_("Valid until"), help_text=_("YYYY-MM-DD"))
    entries_allowed = forms.IntegerField(label=_("Entries allowed"), min_value=0, initial=1,
                                         help_text=_("0 means any number of entries."))
    max_stay_days = forms.IntegerField(label=_("Maximum stay per entry (days)"), min_value=1, required=False)
