"""GET /api/v1/statistics/...: scope statistics:read, suppressed cells as null with a flag, 400
with the error body on bad filters, in the OpenAPI schema."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

NOV = {"since": "2026-11-01", "until": "2026-11-30"}


def test_a_partner_with_the_scope_reads_suppressed_statistics(api, make_partner, rollups):
    _client, raw = make_partner(["statistics:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    index = api.get("/api/v1/statistics")
    assert index.status_code == 200
    assert {"indicator": "refusals_by_reason", "title": "Refusals by reason",
            "url": "/api/v1/statistics/refusals_by_reason"} in index.json()
    r = api.get("/api/v1/statistics/refusals_by_reason", NOV)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["min_cell"] == 5 and body["columns"] == ["Count"]
    assert [row["cells"] for row in body["rows"]] == [[{"value": None, "suppressed": True}]] * 2
    assert body["column_totals"] == [{"value": 43, "suppressed": False}]
    assert body["all_suppressed"] is True  # only the total can be published
    r = api.get("/api/v1/statistics/entries_exits", {**NOV, "post": "PA,PB"})
    rows = {row["label"].split(" · ")[0]: row for row in r.json()["rows"]}
    assert rows["PA"]["cells"] == [{"value": 600, "suppressed": False}, {"value": 300, "suppressed": False}]
    assert rows["PB"]["total"] == {"value": 50, "suppressed": False}


def test_without_the_scope_it_is_forbidden(api, make_partner):
    _client, raw = make_partner(["movements:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/statistics/entries_exits").status_code == 403
    api.credentials()
    assert api.get("/api/v1/statistics/entries_exits").status_code in (401, 403)


@pytest.mark.parametrize(("params", "field"), [
    ({"since": "2026-12-01", "until": "2026-11-01"}, "until"),
    ({"since": "yesterday"}, "since"),
    ({"post": "NOPE"}, "post"),
    ({"border_type": "space"}, "border_type"),
    ({"nationalty": "IRQ"}, "nationalty"),
])
def test_bad_filters_are_400_with_the_field(api, make_partner, params, field):
    _client, raw = make_partner(["statistics:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = api.get("/api/v1/statistics/refusals_by_nationality", params)
    assert r.status_code == 400
    error = r.json()["error"]
    assert field in error["fields"] and error["code"] and error["message"]


def test_an_unknown_indicator_is_404(api, supervisor):
    api.force_authenticate(supervisor)
    r = api.get("/api/v1/statistics/nothing")
    assert r.status_code == 404 and "error" in r.json()


def test_all_suppressed_is_flagged(api, supervisor, post_a):
    import datetime as dt

    from analytics.models import MovementDayRollup

    MovementDayRollup.objects.create(day=dt.date(2026, 11, 2), post_id=post_a.pk, direction="entry",
                                  transport_mode="", nationality="IRN", decision="refused", reason_code="A", count=2)
    api.force_authenticate(supervisor)
    body = api.get("/api/v1/statistics/refusals_by_nationality", NOV).json()
    assert body["all_suppressed"] is True
    assert body["rows"][0]["cells"][0] == {"value": None, "suppressed": True}


def test_the_schema_documents_the_statistics(api, admin_user):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/statistics/{indicator}"]["get"]
    assert operation["summary"].startswith("One indicator")
    names = {p["name"] for p in operation["parameters"]}
    assert {"indicator", "since", "until", "post", "border_type"} <= names
    assert "statistics:read" in str(operation)
