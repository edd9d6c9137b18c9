"""Filters of the watchlists app: one class per model, serving both the page and the API.

A value a filter cannot take is an error naming its field (a 400 error body in the API, the
message next to the field on the page), never a filter silently left out."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from watchlists.models import Hit, HitStatus, Watchlist


def _visible_lists(request):
    if request is None:  # the OpenAPI schema is generated without a request
        return Watchlist.objects.none()
    return Watchlist.objects.restrict(request.user, "view")


class HitFilter(django_filters.FilterSet):
    """The hit queue page (``watchlists:hits``) and ``GET /api/v1/hits``."""

    status = django_filters.ChoiceFilter(choices=HitStatus.choices, label=_("Status"), empty_label=_("Any status"))
    list = django_filters.ModelChoiceFilter(
        field_name="watchlist",
        queryset=_visible_lists,
        to_field_name="code",
        label=_("List"),
        help_text=_("The code of a list you may see."),
        widget=forms.TextInput(attrs={"size": 8, "dir": "ltr"}),
        error_messages={"invalid_choice": _("No list you may see has this code.")},
    )

    class Meta:
        model = Hit
        fields = ["status", "list"]
