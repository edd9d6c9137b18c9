"""Charts keep their text as SVG text (right to left in Arabic, no inline style for the CSP);
exports write withheld cells as withheld, in right-to-left sheets and PDF pages for Arabic, and
refuse to grow past the size limit."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from django.utils import translation

from analytics.charts import PREVIOUS, Chart, Series, render_svg
from analytics.exports import ExportTooLarge, Report, ReportTable, to_csv, to_pdf, to_xlsx
from analytics.suppression import suppress


def _chart(title="Travelers processed", this="This period", last="Same period last year"):
    return Chart(title=title, labels=["2026-11-01", "2026-11-02", "2026-11-03"], kind="bar",
                 series=[Series(this, [10, 20, 30]), Series(last, [5, 15, 25], colour=PREVIOUS, dashed=True)],
                 y_label="Movements")


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_labels_are_text_and_the_svg_is_accessible():
    svg = render_svg(_chart(), chart_id="t1")
    texts = _texts(svg)
    assert "Travelers processed" in texts and "Same period last year" in texts and "2026-11-02" in texts
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="t1-title t1-desc"' in svg
    assert '<title id="t1-title">Travelers processed</title>' in svg
    assert "This period: 60" in svg  # the description says the figures
    assert "style=" not in svg and "<style" not in svg  # the CSP allows no inline style
    assert "#0b5394" in svg  # the project's accent


def test_arabic_chart_runs_right_to_left():
    title = "المسافرون حسب اليوم"
    svg = render_svg(_chart(title=title, this="هذه الفترة", last="الفترة نفسها من العام الماضي"), rtl=True,
                     chart_id="t2")
    texts = _texts(svg)
    assert title in texts and "هذه الفترة" in texts
    first = re.search(r'<text[^>]*x="([\d.]+)"[^>]*>2026-11-01<', svg) or re.search(
        r'<text[^>]*translate\(([\d.]+)[^>]*>2026-11-01<', svg)
    last = re.search(r'<text[^>]*x="([\d.]+)"[^>]*>2026-11-03<', svg) or re.search(
        r'<text[^>]*translate\(([\d.]+)[^>]*>2026-11-03<', svg)
    assert float(first.group(1)) > float(last.group(1))  # time runs from right to left


def _report():
    result = suppress([[3, 10, 7], [12, 9, 30]], 5)
    table = ReportTable(key="refusals_by_nationality", title="Refusals by nationality", row_header="Nationality",
                        columns=["A", "B", "C"], rows=["IRN", "SYR"], cells=result.cells,
                        row_totals=result.row_totals, col_totals=result.col_totals,
                        grand_total=result.grand_total)
    arabic = ReportTable(key="refusals_by_reason", title="الرفض حسب السبب", row_header="السبب", columns=["العدد"],
                         rows=["A · وثيقة مزورة"], cells=[[40]], row_totals=[40], col_totals=[40], grand_total=40)
    return Report(title="Border statistics", subtitle="2026-11-01 to 2026-11-30", tables=[table, arabic],
                  footnote="x: withheld")


def test_csv_withholds_and_flags():
    rows = list(csv.reader(io.StringIO(to_csv(_report()).decode("utf-8-sig"))))
    assert rows[0] == ["indicator", "row", "column", "count", "suppressed"]
    first = next(r for r in rows if r[1] == "IRN" and r[2] == "A")
    assert first[3] == "" and first[4] == "1"
    assert "3" not in [r[3] for r in rows if r[0] == "refusals_by_nationality" and r[1] == "IRN"]
    assert ["refusals_by_reason", "A · وثيقة مزورة", "العدد", "40", "0"] in rows


def test_xlsx_sheets_are_right_to_left_in_arabic():
    with translation.override("ar"):
        data = to_xlsx(_report(), rtl=True)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode()
    assert 'rightToLeft="1"' in sheet
    assert "الرفض حسب السبب" in strings and ">x<" in strings


def test_pdf_embeds_a_font_with_arabic():
    data = to_pdf(_report(), rtl=True)
    assert data.startswith(b"%PDF") and b"DejaVu" in data


def test_exports_over_the_limit_are_refused(settings):
    settings.BMIS_STATISTICS_EXPORT_MAX_CELLS = 5
    for export in (to_csv, to_xlsx, to_pdf):
        with pytest.raises(ExportTooLarge, match="limit of 5"):
            export(_report())
