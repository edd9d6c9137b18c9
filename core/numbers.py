"""Numbers written by Python code for people (explanations, messages) go through Django's
localization, like `{{ value|floatformat:2 }}` in templates, so that a page shows one number format
whatever wrote the number (docs/architecture.md, "Numbers"; the separators are in bmis/formats)."""

from __future__ import annotations

from django.template.defaultfilters import floatformat
from django.utils import formats


def decimal(value, places: int) -> str:
    """``value`` with ``places`` decimals in the active language's format (``0.91``): exactly what
    ``{{ value|floatformat:places }}`` prints, rounding included."""
    return str(floatformat(value, places))


def grouped(value) -> str:
    """A whole number with thousands grouped, for large counts only: ``1,000,000``. Never for ids,
    years or document numbers."""
    return formats.number_format(int(value), 0, use_l10n=True, force_grouping=True)
