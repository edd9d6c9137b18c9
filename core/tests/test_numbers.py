"""One number format in every language: Western digits, "." before the decimals, no grouping of
ids and years; numbers written by Python code (hit explanations) match the templates' floatformat."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from core.numbers import decimal, grouped


@pytest.mark.parametrize("language", ["en", "ar"])
def test_templates_write_numbers_alike_in_every_language(language):
    template = Template("{{ score|floatformat:2 }} {{ seconds|floatformat:1 }} {{ year }} {{ pk }} {{ ratio }} "
                        "{% widthratio rate 1 100 %}%")
    with translation.override(language):
        text = template.render(Context({"score": 0.915, "seconds": 12.25, "year": 2026, "pk": 1234567,
                                        "ratio": 0.5, "rate": 0.125}))
    assert text == "0.92 12.3 2026 1234567 0.5 12%"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_python_written_numbers_match_the_templates(language):
    with translation.override(language):
        for value in (0.915, 0.125, -0.05, 1, 0.0):
            expected = Template("{{ v|floatformat:2 }}").render(Context({"v": value}))
            assert decimal(value, 2) == expected
        assert grouped(1_000_000) == "1,000,000"
        assert formats.get_format("DECIMAL_SEPARATOR") == "."


def test_arabic_hit_explanations_use_the_same_decimal_point():
    from watchlists.explain import name_explanation_lines

    explanation = {
        "score": 0.9133, "threshold": 0.8, "name_score": 0.95, "query_name": "Ahmed Jabir",
        "matched_name": "Ahmad Jaber", "name_notes": [],
        "name_parts": [{"query": "ahmed", "entry": "ahmad", "similarity": 0.9, "how": ["phonetic variant"]}],
        "evidence": [{"field": "date_of_birth", "finding": "same year", "delta": -0.05}],
    }
    with translation.override("ar"):
        text = " ".join(name_explanation_lines(explanation))
    assert "0.91" in text and "0.80" in text and "0.95" in text and "0.90" in text and "-0.05" in text
    assert "0,9" not in text
