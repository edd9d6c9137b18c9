from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.models import Outcome


class DispatchForm(forms.Form):
    patrol = forms.ModelChoiceField(label=_("Patrol"), queryset=None, empty_label=None,
                                    help_text=_("A patrol handset of this post."))

    def __init__(self, *args, patrols, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patrol"].queryset = patrols
        self.fields["patrol"].label_from_instance = lambda device: device.code


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    persons = forms.IntegerField(label=_("Persons apprehended"), required=False, min_value=1, max_value=10_000,
                                 help_text=_("Only for an apprehension: how many persons."))
    note = forms.CharField(label=_("Note"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))
