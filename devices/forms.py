"""Forms of the device registry pages (supervisors and administrators)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Booth, BorderPost, Sector
from devices.models import DeviceKind


class DeviceForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40,
                           help_text=_("Upper-case letters, digits and dashes, e.g. ZRB-TC1."))
    kind = forms.ChoiceField(label=_("Kind"), choices=DeviceKind.choices)
    post = forms.ModelChoiceField(label=_("Border post"), queryset=BorderPost.objects.none())
    booth = forms.ModelChoiceField(label=_("Booth"), queryset=Booth.objects.none(), required=False,
                                   help_text=_("For readers, scanners and face cameras at a booth."))
    sector = forms.ModelChoiceField(label=_("Green-border sector"), queryset=Sector.objects.none(), required=False,
                                    help_text=_("For thermal and surveillance cameras on the border."))
    vendor = forms.CharField(label=_("Vendor"), max_length=100, required=False)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    serial = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    firmware = forms.CharField(label=_("Firmware"), max_length=60, required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    heartbeat_seconds = forms.IntegerField(label=_("Heartbeat interval (seconds)"), initial=30, min_value=5,
                                           max_value=3600)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        posts = BorderPost.objects.restrict(user, "view").filter(is_active=True)
        self.fields["post"].queryset = posts
        self.fields["booth"].queryset = Booth.objects.restrict(user, "view").filter(is_active=True).select_related("post")
        self.fields["sector"].queryset = Sector.objects.restrict(user, "view").filter(is_active=True).select_related("post")
        if editing:
            self.fields["code"].disabled = True


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), min_length=5, max_length=300,
                             help_text=_("Lost, stolen, replaced, decommissioned…"))


class RotateForm(forms.Form):
    grace_minutes = forms.IntegerField(label=_("Old credential keeps working for (minutes)"), initial=0, min_value=0,
                                       max_value=7 * 24 * 60)
