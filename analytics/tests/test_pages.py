"""The trends and statistics pages and the records behind their numbers: supervisors only, every
number a link to its records, last year beside, bad filters answered with field errors (never a
500), exports suppressed like the page and refused over the size limit."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

NOV = {"since": "2026-11-01", "until": "2026-11-30"}


def test_officers_and_anonymous_see_no_analytics(client, login, officer_a, booth_a):
    assert client.get("/analytics/trends/").status_code in (302, 403)
    login(officer_a, booth_a)
    for path in ("/analytics/trends/", "/analytics/statistics/", "/analytics/records/?kind=movements"):
        assert client.get(path).status_code == 403


def test_trends_chart_and_last_year_beside(client, login, supervisor, rollups):
    login(supervisor)
    r = client.get("/analytics/trends/", {**NOV, "group": "week"})
    assert r.status_code == 200
    html = r.content.decode()
    assert '<svg' in html and 'role="img"' in html
    assert re.search(r"<text[^>]*>Travelers processed by week</text>", html)
    assert re.search(r"<text[^>]*>Same period last year</text>", html)
    s = r.context["series"]
    assert s["total"] == 30 * 30 + 3 + 40 + 50 and s["previous_total"] == 30 * 15
    # Every number links to its records (the analytics records page, with the same filters).
    assert r.context["total_url"] == "/analytics/records/?kind=movements&since=2026-11-01&until=2026-11-30"
    assert f'href="{r.context["total_url"].replace("&", "&amp;")}" dir="ltr">{s["total"]}<' in html
    assert "kind=movements" in r.context["rows"][0]["url"]


def test_trends_filters_narrow_the_rollups(client, login, supervisor, rollups):
    login(supervisor)
    r = client.get("/analytics/trends/", {**NOV, "group": "month", "decision": "refused"})
    assert r.context["series"]["values"] == [43]
    r = client.get("/analytics/trends/", {**NOV, "group": "day", "post": "PB"})
    assert r.context["series"]["total"] == 50
    r = client.get("/analytics/trends/", {**NOV, "nationality": "tur", "direction": "exit"})
    assert r.context["series"]["total"] == 300
    reasons = next(b for b in r.context["breakdowns"] if b["key"] == "post")
    assert reasons["items"][0]["count"] == 300


def test_a_supervisor_of_one_post_counts_only_it(client, login, supervisor_a, rollups):
    login(supervisor_a)
    r = client.get("/analytics/trends/", NOV)
    assert r.context["series"]["total"] == 30 * 30 + 43
    assert client.get("/analytics/trends/", {**NOV, "post": "PB"}).status_code == 400


@pytest.mark.parametrize(("params", "field"), [
    ({"since": "2026-12-01", "until": "2026-11-01"}, "until"),
    ({"since": "2020-01-01", "until": "2026-11-01"}, "until"),
    ({"since": "not a date"}, "since"),
    ({"group": "fortnight"}, "group"),
    ({"nationality": "12"}, "nationality"),
    ({"reason": "NOPE"}, "reason"),
    ({"colour": "red"}, None),
    ({"post": "ZZZ"}, "post"),
])
def test_bad_filters_are_field_errors(client, login, supervisor, params, field):
    login(supervisor)
    r = client.get("/analytics/trends/", params)
    assert r.status_code == 400
    form = r.context["form"]
    if field:
        assert field in form.errors
    else:
        assert "Unknown filter: colour." in unescape(r.content.decode())


def test_an_empty_period_says_so(client, login, supervisor, rollups):
    login(supervisor)
    r = client.get("/analytics/trends/", {"since": "2024-01-01", "until": "2024-01-31"})
    assert r.status_code == 200 and "No movement in this period" in r.content.decode()
    r = client.get("/analytics/statistics/", {"since": "2024-01-01", "until": "2024-01-31"})
    assert r.status_code == 200 and "Nothing was recorded in this period" in r.content.decode()


def test_statistics_suppress_small_cells_on_the_page_and_in_exports(client, login, supervisor, rollups):
    login(supervisor)
    r = client.get("/analytics/statistics/", NOV)
    assert r.status_code == 200
    tables = {t.key: t for t in r.context["report"].tables}
    reasons = tables["refusals_by_reason"]
    assert reasons.rows == ["FD", "NV"] or reasons.rows[0].startswith("FD")
    # 3 refusals for FD: withheld, and NV with it (else 43 - 40 gives it away); the total stays.
    assert reasons.cells == [[None], [None]] and reasons.col_totals == [43]
    nationality = tables["refusals_by_nationality"]
    assert [None, 0] in [row for row in nationality.cells] or nationality.cells[1][0] is None
    csv_response = client.get("/analytics/statistics/", {**NOV, "format": "csv"})
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    fd = next(row for row in rows if row[0] == "refusals_by_reason" and row[1].startswith("FD"))
    assert fd[3] == "" and fd[4] == "1"
    assert AuditEvent.objects.filter(action="statistics.export").count() == 1
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        response = client.get("/analytics/statistics/", {**NOV, "format": fmt})
        assert response.status_code == 200 and response.content.startswith(magic)


def test_exports_over_the_limit_are_refused_with_a_message(client, login, supervisor, rollups, settings):
    settings.BMIS_STATISTICS_EXPORT_MAX_CELLS = 10
    login(supervisor)
    r = client.get("/analytics/statistics/", {**NOV, "format": "xlsx"})
    assert r.status_code == 400 and "more than the limit of 10" in r.content.decode()
    r = client.get("/analytics/statistics/", {**NOV, "format": "docx"})
    assert r.status_code == 400 and "Unknown export format" in r.content.decode()


def test_all_cells_suppressed_is_said(client, login, supervisor, post_a):
    import datetime as dt

    from analytics.models import MovementDayRollup

    MovementDayRollup.objects.create(day=dt.date(2026, 11, 2), post_id=post_a.pk, direction="entry",
                                  transport_mode="", nationality="IRN", decision="refused", reason_code="FD", count=2)
    login(supervisor)
    r = client.get("/analytics/statistics/", NOV)
    assert "All cells are suppressed" in r.content.decode()


def test_arabic_pages_render_right_to_left(client, login, supervisor, rollups):
    login(supervisor)
    client.cookies["django_language"] = "ar"
    r = client.get("/analytics/trends/", NOV, HTTP_ACCEPT_LANGUAGE="ar")
    html = r.content.decode()
    assert 'dir="rtl"' in html and 'data-rtl="1"' in html
    r = client.get("/analytics/statistics/", {**NOV, "format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="ar")
    assert r.status_code == 200


def test_document_types_are_not_read_from_too_many_movements(client, login, supervisor, rollups, settings):
    settings.BMIS_STATISTICS_DOCUMENT_SCAN_MAX = 100
    login(supervisor)
    r = client.get("/analytics/statistics/", NOV)
    documents = next(t for t in r.context["report"].tables if t.key == "document_types")
    assert "choose a shorter period" in documents.unavailable
