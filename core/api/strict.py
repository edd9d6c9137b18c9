"""The API refuses what it does not understand: a request body naming a field that its serializer
does not declare is answered 400, with the field named ({"fields": {"nationalities": ["unknown
field"]}}), nested objects included ("document.nmber", "fingers.0.positon").

DRF ignores unknown keys, so a partner's typo (``nationalities`` for ``nationality``) would
silently screen without the nationality. The check lives in one place, installed on DRF's
``Serializer`` when the ``core`` app starts, so that every serializer of every app (ours, nested
ones, and the next endpoint's) refuses unknown fields without importing anything. A serializer
that must accept free keys says so with ``accept_unknown_fields = True``.

Declared read-only fields are known fields: a client may send back what it read.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

UNKNOWN_FIELD = _("unknown field")

# Keys a browser's form adds to an HTML form post (the browsable API); never a field.
_FORM_KEYS = frozenset({"csrfmiddlewaretoken"})


def unknown_fields(serializer: serializers.Serializer, data) -> list[str]:
    """The keys of ``data`` that name no field of ``serializer``, in the order given."""
    if getattr(serializer, "accept_unknown_fields", False) or not isinstance(data, Mapping | MultiValueDict):
        return []
    names = set(serializer.fields)
    form = isinstance(data, QueryDict | MultiValueDict)
    unknown = []
    for key in data:
        if key in names:
            continue
        if form:
            if key in _FORM_KEYS:
                continue
            # HTML form encoding of nested values: "document.number", "names[0]", "fingers[0]position".
            head = str(key).split(".", 1)[0].split("[", 1)[0]
            if head in names and head != key:
                continue
        unknown.append(str(key))
    return unknown


def _strict(to_internal_value):
    def to_internal_value_refusing_unknown(self, data):
        unknown = unknown_fields(self, data)
        if not unknown:
            return to_internal_value(self, data)
        refused = {name: [ErrorDetail(str(UNKNOWN_FIELD), code="unknown_field")] for name in unknown}
        try:
            to_internal_value(self, data)
        except ValidationError as exc:
            if isinstance(exc.detail, Mapping):
                raise ValidationError({**exc.detail, **refused}) from None
            raise
        raise ValidationError(refused)

    to_internal_value_refusing_unknown.refuses_unknown_fields = True
    return to_internal_value_refusing_unknown


def install() -> None:
    """Make DRF's ``Serializer`` (and so every serializer) refuse unknown fields; idempotent."""
    current = serializers.Serializer.to_internal_value
    if not getattr(current, "refuses_unknown_fields", False):
        serializers.Serializer.to_internal_value = _strict(current)
