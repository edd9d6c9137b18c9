"""The registration filter of the list page (post, dates of the apprehension, case status); a value
a filter cannot take is an error beside its field."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import BorderPost
from registrations.models import CaseStatus, Registration


def _visible_posts(request):
    if request is None:
        return BorderPost.objects.none()
    return BorderPost.objects.restrict(request.user, "view")


class RegistrationFilter(django_filters.FilterSet):
    post = django_filters.ModelChoiceFilter(
        field_name="apprehension__post", queryset=_visible_posts, to_field_name="code", label=_("Post"),
        widget=forms.TextInput(attrs={"size": 8, "dir": "ltr"}),
        error_messages={"invalid_choice": _("No post you may see has this code.")})
    since = django_filters.DateFilter(field_name="apprehension__apprehended_at", lookup_expr="date__gte",
                                      label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(field_name="apprehension__apprehended_at", lookup_expr="date__lte",
                                      label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    status = django_filters.ChoiceFilter(field_name="case_status", choices=CaseStatus.choices, label=_("Case status"),
                                         empty_label=_("Any status"))

    class Meta:
        model = Registration
        fields = ["post", "since", "until", "status"]
