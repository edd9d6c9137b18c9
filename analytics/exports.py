"""Exports of a statistics report: CSV, XLSX (XlsxWriter) and PDF (ReportLab), right to left in Arabic.

A report is a list of tables already suppressed (analytics.suppression): a withheld cell is
written as empty (CSV, with a "suppressed" column), as "x" with a note (XLSX, PDF), never as its
value. Arabic in the PDF is shaped with arabic-reshaper and ordered with python-bidi, in the
DejaVu Sans that matplotlib ships (it has the Arabic glyphs), because ReportLab draws glyphs in
the order given; the table's columns run right to left. The XLSX sheets are right-to-left sheets.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass
class ReportTable:
    key: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[str]
    cells: list[list[int | None]]
    row_totals: list[int | None]
    col_totals: list[int | None]
    grand_total: int | None
    note: str = ""
    all_suppressed: bool = False
    unavailable: str = ""  # why the indicator has no figures (its source app is not installed)

    @property
    def size(self) -> int:
        return (len(self.rows) + 1) * (len(self.columns) + 1)

    @property
    def table_rows(self) -> list[dict]:
        return [{"label": label, "cells": self.cells[i], "total": self.row_totals[i]}
                for i, label in enumerate(self.rows)]


@dataclass
class Report:
    title: str
    subtitle: str
    tables: list[ReportTable] = field(default_factory=list)
    footnote: str = ""

    @property
    def size(self) -> int:
        return sum(t.size for t in self.tables)


class ExportTooLarge(Exception):
    pass


def export_max_cells() -> int:
    return int(getattr(settings, "BMIS_STATISTICS_EXPORT_MAX_CELLS", 50_000))


def check_size(report: Report) -> None:
    limit = export_max_cells()
    if report.size > limit:
        raise ExportTooLarge(
            _("This export would hold %(n)s cells, more than the limit of %(limit)s: choose a shorter period, "
              "fewer posts or a coarser grouping.") % {"n": report.size, "limit": limit})


SUPPRESSED_MARK = "x"


def _value(v):
    return SUPPRESSED_MARK if v is None else v


# ---- CSV -----------------------------------------------------------------------------------------

def to_csv(report: Report) -> bytes:
    """Long format, one line per cell and total: indicator, row, column, count, suppressed
    (1 when withheld; the count is then empty). UTF-8 with a byte-order mark (spreadsheets then
    read Arabic correctly)."""
    check_size(report)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["indicator", "row", "column", "count", "suppressed"])
    total = _("Total")
    for t in report.tables:
        if t.unavailable:
            continue
        for i, row in enumerate(t.rows):
            for j, col in enumerate(t.columns):
                v = t.cells[i][j]
                w.writerow([t.key, row, col, "" if v is None else v, 1 if v is None else 0])
            if len(t.columns) > 1:
                v = t.row_totals[i]
                w.writerow([t.key, row, total, "" if v is None else v, 1 if v is None else 0])
        for j, col in enumerate(t.columns):
            v = t.col_totals[j]
            w.writerow([t.key, total, col, "" if v is None else v, 1 if v is None else 0])
        if len(t.columns) > 1:
            v = t.grand_total
            w.writerow([t.key, total, total, "" if v is None else v, 1 if v is None else 0])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ---- XLSX ----------------------------------------------------------------------------------------

def to_xlsx(report: Report, *, rtl: bool = False) -> bytes:
    import xlsxwriter

    check_size(report)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    title_fmt = wb.add_format({"bold": True, "font_size": 13})
    head_fmt = wb.add_format({"bold": True, "bg_color": "#dbe8f5", "border": 1, "text_wrap": True})
    num_fmt = wb.add_format({"num_format": "#,##0", "border": 1})
    total_fmt = wb.add_format({"num_format": "#,##0", "border": 1, "bold": True})
    x_fmt = wb.add_format({"border": 1, "align": "center", "font_color": "#5d6d7e"})
    text_fmt = wb.add_format({"border": 1})
    note_fmt = wb.add_format({"italic": True, "font_color": "#5d6d7e"})
    total = _("Total")
    used = set()
    for t in report.tables:
        name = "".join(c for c in t.key if c not in "[]:*?/\\")[:31] or "sheet"
        while name in used:
            name = name[:28] + str(len(used))
        used.add(name)
        ws = wb.add_worksheet(name)
        if rtl:
            ws.right_to_left()
        ws.write(0, 0, t.title, title_fmt)
        ws.write(1, 0, report.subtitle, note_fmt)
        r = 3
        if t.unavailable:
            ws.write(r, 0, t.unavailable, note_fmt)
            continue
        many = len(t.columns) > 1
        ws.write(r, 0, t.row_header, head_fmt)
        for j, col in enumerate(t.columns):
            ws.write(r, j + 1, col, head_fmt)
        if many:
            ws.write(r, len(t.columns) + 1, total, head_fmt)
        for i, row in enumerate(t.rows):
            ws.write(r + 1 + i, 0, row, text_fmt)
            for j, v in enumerate(t.cells[i]):
                ws.write(r + 1 + i, j + 1, _value(v), x_fmt if v is None else num_fmt)
            if many:
                v = t.row_totals[i]
                ws.write(r + 1 + i, len(t.columns) + 1, _value(v), x_fmt if v is None else total_fmt)
        last = r + 1 + len(t.rows)
        ws.write(last, 0, total, head_fmt)
        for j, v in enumerate(t.col_totals):
            ws.write(last, j + 1, _value(v), x_fmt if v is None else total_fmt)
        if many:
            ws.write(last, len(t.columns) + 1, _value(t.grand_total), x_fmt if t.grand_total is None else total_fmt)
        notes = [n for n in (t.note, _("all cells suppressed") if t.all_suppressed else "", report.footnote) if n]
        for k, n in enumerate(notes):
            ws.write(last + 2 + k, 0, n, note_fmt)
        ws.set_column(0, 0, 28)
        ws.set_column(1, len(t.columns) + 1, 12)
    wb.close()
    return buf.getvalue()


# ---- PDF -----------------------------------------------------------------------------------------

_FONT = "BMISDejaVu"
_ISOLATES = re.compile("[\u2066-\u2069]")
_FONT_BOLD = "BMISDejaVuBold"


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT in pdfmetrics.getRegisteredFontNames():
        return
    import matplotlib

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(_FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(_FONT_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))


def _visual(text: str) -> str:
    """Text in the order ReportLab must draw it: Arabic letters joined (reshaped) and the line
    ordered by the Unicode bidirectional algorithm. Latin text comes back unchanged."""
    import arabic_reshaper
    from bidi import get_display

    text = str(text)
    if not any("\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f" for c in text):
        return _ISOLATES.sub("", text)
    # The isolates (U+2066-U+2069) order the line; they have no glyph, so they go once used.
    return _ISOLATES.sub("", get_display(arabic_reshaper.reshape(text)))


def to_pdf(report: Report, *, rtl: bool = False) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    check_size(report)
    _register_fonts()
    align = TA_RIGHT if rtl else TA_LEFT
    h1 = ParagraphStyle("h1", fontName=_FONT_BOLD, fontSize=15, leading=19, alignment=align, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=_FONT_BOLD, fontSize=11.5, leading=15, alignment=align, spaceBefore=8,
                        spaceAfter=4)
    body = ParagraphStyle("body", fontName=_FONT, fontSize=8.5, leading=11, alignment=align)
    note = ParagraphStyle("note", parent=body, textColor=colors.HexColor("#5d6d7e"))
    cell = ParagraphStyle("cell", parent=body, fontSize=8)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=report.title,
                            author="BMIS")
    story = [Paragraph(_visual(report.title), h1), Paragraph(_visual(report.subtitle), note)]
    total = _("Total")
    for t in report.tables:
        story.append(Paragraph(_visual(t.title), h2))
        if t.unavailable:
            story.append(Paragraph(_visual(t.unavailable), note))
            continue
        many = len(t.columns) > 1
        header = [t.row_header, *t.columns] + ([total] if many else [])
        data = [[Paragraph(_visual(h), cell) for h in header]]
        for i, row in enumerate(t.rows):
            values = [_value(v) for v in t.cells[i]] + ([_value(t.row_totals[i])] if many else [])
            data.append([Paragraph(_visual(row), cell), *[str(v) for v in values]])
        totals = [_value(v) for v in t.col_totals] + ([_value(t.grand_total)] if many else [])
        data.append([Paragraph(_visual(total), cell), *[str(v) for v in totals]])
        if rtl:
            data = [list(reversed(r)) for r in data]
        first = len(header) - 1 if rtl else 0
        table = Table(data, repeatRows=1, hAlign="RIGHT" if rtl else "LEFT")
        style = [
            ("FONT", (0, 0), (-1, -1), _FONT, 8),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#d5dbe1")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dbe8f5")),
            ("ALIGN", (0, 1), (-1, -1), "RIGHT"),
            ("FONT", (0, -1), (-1, -1), _FONT_BOLD, 8),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        style.append(("ALIGN", (first, 0), (first, -1), "RIGHT" if rtl else "LEFT"))
        table.setStyle(TableStyle(style))
        story.append(table)
        for n in (t.note, _("all cells suppressed") if t.all_suppressed else ""):
            if n:
                story.append(Paragraph(_visual(n), note))
        story.append(Spacer(1, 3 * mm))
    if report.footnote:
        story.append(Paragraph(_visual(report.footnote), note))
    doc.build(story)
    return buf.getvalue()
