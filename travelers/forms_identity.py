"""Forms of the person page's identity management: merge into another person, undo a merge."""

from django import forms
from django.utils.translation import gettext_lazy as _


class MergeForm(forms.Form):
    target = forms.IntegerField(label=_("Merge into person #"), min_value=1)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class UnmergeForm(forms.Form):
    merge = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for undoing"), widget=forms.Textarea(attrs={"rows": 2}))
