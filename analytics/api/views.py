"""The statistics API for partner agencies and statistics offices (scope ``statistics:read``):
the indicator set, suppressed exactly as on the page and in the exports (a withheld cell is
``{"value": null, "suppressed": true}``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import selectors
from analytics.api import serializers as s
from analytics.forms import BORDER_TYPES, StatisticsForm
from analytics.statistics import INDICATORS, _titles, min_cell, statistics_report

FILTERS = [
    OpenApiParameter("since", OpenApiTypes.DATE, description="First day (default: 29 days before `until`)."),
    OpenApiParameter("until", OpenApiTypes.DATE, description="Last day, included (default: today)."),
    OpenApiParameter("post", str, description="Codes of posts, separated by commas (default: every post)."),
    OpenApiParameter("border_type", str, enum=[t for t, _l in BORDER_TYPES], description="air, land or sea."),
]


def _cell(value) -> dict:
    return {"value": value, "suppressed": value is None}


def _table_data(t, since, until, footnote) -> dict:
    many = len(t.columns) > 1
    return {
        "indicator": t.key, "title": t.title, "since": since, "until": until, "min_cell": min_cell(),
        "row_header": t.row_header, "columns": t.columns,
        "rows": [{"label": label, "cells": [_cell(v) for v in t.cells[i]],
                  "total": _cell(t.row_totals[i]) if many else None} for i, label in enumerate(t.rows)],
        "column_totals": [_cell(v) for v in t.col_totals], "grand_total": _cell(t.grand_total),
        "all_suppressed": t.all_suppressed, "available": not t.unavailable,
        "note": t.note or t.unavailable, "footnote": footnote,
    }


def _validated(request) -> StatisticsForm:
    form = StatisticsForm(request.query_params, user=request.user)
    if not form.is_valid():
        fields = {name: [str(e) for e in errors] for name, errors in form.errors.items() if name != "__all__"}
        for name in getattr(form, "unknown", []):
            fields[name[:40]] = [_("Unknown filter.")]
        if "__all__" in form.errors and not fields:
            fields["non_field_errors"] = [str(e) for e in form.errors["__all__"]]
        raise ValidationError(fields)
    return form


class StatisticsIndexApi(APIView):
    required_scopes = {"GET": ["statistics:read"]}

    @extend_schema(tags=["statistics"], responses=s.IndicatorSerializer(many=True))
    def get(self, request):
        """The indicators published (EES Article 63 and FRAN green-border indicators)."""
        titles = _titles()
        data = [{"indicator": key, "title": titles[key], "url": f"/api/v1/statistics/{key}"} for key in INDICATORS]
        return Response(s.IndicatorSerializer(data, many=True).data)


class StatisticsTableApi(APIView):
    required_scopes = {"GET": ["statistics:read"]}

    @extend_schema(
        tags=["statistics"], responses=s.StatisticsTableSerializer,
        parameters=[OpenApiParameter("indicator", str, OpenApiParameter.PATH, enum=list(INDICATORS)), *FILTERS],
    )
    def get(self, request, indicator: str):
        """One indicator for a period and posts, small cells suppressed (null with a flag)."""
        if indicator not in INDICATORS:
            raise NotFound(_("No indicator is called %(name)s.") % {"name": indicator[:40]})
        form = _validated(request)
        c = form.cleaned_data
        post_ids = form.post_ids_for(selectors.allowed_posts(request.user))
        report = statistics_report(user=request.user, since=c["since"], until=c["until"], post_ids=post_ids,
                                   only=(indicator,))
        (table,) = report.tables
        return Response(s.StatisticsTableSerializer(_table_data(table, c["since"], c["until"], report.footnote)).data)
