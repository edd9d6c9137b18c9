"""Serializers of the statistics API (static: constructed once, named in the schema)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers


class CellSerializer(serializers.Serializer):
    value = serializers.IntegerField(allow_null=True, help_text="The count; null when withheld.")
    suppressed = serializers.BooleanField(help_text="Withheld: below the threshold, or it would reveal one "
                                                    "by subtraction from the totals.")


class StatisticsRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    cells = CellSerializer(many=True)
    total = CellSerializer(allow_null=True, help_text="The row's total (null when the table has one column).")


@extend_schema_serializer(examples=[OpenApiExample(
    "Refusals by nationality, November 2026",
    value={
        "indicator": "refusals_by_nationality", "title": "Refusals by nationality",
        "since": "2026-11-01", "until": "2026-11-30", "min_cell": 5,
        "row_header": "Nationality", "columns": ["Entries", "Exits"],
        "rows": [
            {"label": "IRN", "cells": [{"value": 41, "suppressed": False}, {"value": None, "suppressed": True}],
             "total": {"value": None, "suppressed": True}},
            {"label": "SYR", "cells": [{"value": 17, "suppressed": False}, {"value": None, "suppressed": True}],
             "total": {"value": None, "suppressed": True}},
            {"label": "TUR", "cells": [{"value": 12, "suppressed": False}, {"value": 6, "suppressed": False}],
             "total": {"value": 18, "suppressed": False}},
        ],
        "column_totals": [{"value": 70, "suppressed": False}, {"value": 13, "suppressed": False}],
        "grand_total": {"value": 83, "suppressed": False},
        "all_suppressed": False, "available": True,
        "note": "", "footnote": "x: withheld, fewer than 5, or a cell that would reveal one by subtraction from the totals.",
    },
    response_only=True,
)])
class StatisticsTableSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    title = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField()
    min_cell = serializers.IntegerField(help_text="Counts below this are withheld (BMIS_STATISTICS_MIN_CELL).")
    row_header = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = StatisticsRowSerializer(many=True)
    column_totals = CellSerializer(many=True)
    grand_total = CellSerializer()
    all_suppressed = serializers.BooleanField(help_text="Every non-zero count is withheld: nothing can be published.")
    available = serializers.BooleanField(help_text="False when the application recording it is not installed.")
    note = serializers.CharField(allow_blank=True)
    footnote = serializers.CharField(allow_blank=True)


class IndicatorSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
