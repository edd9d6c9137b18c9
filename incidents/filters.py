"""The incident filter: the incident list page (``incidents:list``) and ``GET /api/v1/incidents``.

A value a filter cannot take is an error naming its field (400 in the API, beside the field on
the page)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import BorderPost, Sector
from incidents.models import OPEN_STATUSES, Incident, IncidentStatus, ObjectClass, Outcome


def _visible_posts(request):
    if request is None:  # the OpenAPI schema is generated without a request
        return BorderPost.objects.none()
    return BorderPost.objects.restrict(request.user, "view")


def _visible_sectors(request):
    if request is None:
        return Sector.objects.none()
    return Sector.objects.restrict(request.user, "view")


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[("open", pgettext_lazy("status", "Open (not closed)")), *IncidentStatus.choices], method="filter_status",
        label=_("Status"), empty_label=_("Any status"))
    post = django_filters.ModelChoiceFilter(
        queryset=_visible_posts, to_field_name="code", label=_("Post"),
        help_text=_("The code of a post you may see."), widget=forms.TextInput(attrs={"size": 8, "dir": "ltr"}),
        error_messages={"invalid_choice": _("No post you may see has this code.")})
    sector = django_filters.ModelChoiceFilter(
        queryset=_visible_sectors, to_field_name="code", label=_("Sector"),
        help_text=_("The code of a sector you may see."), widget=forms.TextInput(attrs={"size": 10, "dir": "ltr"}),
        error_messages={"invalid_choice": _("No sector you may see has this code.")})
    object_class = django_filters.ChoiceFilter(choices=ObjectClass.choices, label=_("Object"),
                                               empty_label=_("Any object"))
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, label=_("Outcome"), empty_label=_("Any outcome"))
    since = django_filters.IsoDateTimeFilter(
        field_name="last_detection_at", lookup_expr="gte", label=_("Seen since"),
        help_text=_("ISO 8601 date and time, e.g. 2026-12-01T00:00:00Z"),
        widget=forms.DateTimeInput(attrs={"dir": "ltr", "placeholder": "2026-12-01T00:00:00Z"}))

    class Meta:
        model = Incident
        fields = ["status", "post", "sector", "object_class", "outcome", "since"]

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)
