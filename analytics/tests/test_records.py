"""The records behind a number: real movements recorded through the travelers services (and
folded into the rollups by the movement listener) are the ones the trends page counts and the
records page lists, through the restricted queryset, audited as one read."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from travelers.services import inspection_decide, inspection_start, stay_rule_set
from travelers.tests.factories import at, passport

pytestmark = pytest.mark.django_db


@pytest.fixture
def movements(supervisor, officer_a, booth_a):
    stay_rule_set(actor=supervisor, nationality="JOR", regime="visa_exempt", max_stay_days=30, period_days=180)
    first = inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry",
                             mrz=passport(nationality="JOR", issuing_state="JOR", document_number="J0000001"),
                             now=at(2026, 11, 3), transport_mode="vehicle")
    inspection_decide(actor=officer_a, inspection=first, decision="admit", now=at(2026, 11, 3, 10, 1))
    second = inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry",
                              mrz=passport(nationality="IRQ", issuing_state="IRQ", document_number="Q0000002",
                                           primary_identifier="OTHER"),
                              now=at(2026, 11, 4), transport_mode="vehicle")
    inspection_decide(actor=officer_a, inspection=second, decision="refuse", reason_code="A",
                      now=at(2026, 11, 4, 10, 1))
    return first, second


def test_every_number_leads_to_its_records(client, login, supervisor, movements):
    login(supervisor)
    trends = client.get("/analytics/trends/", {"since": "2026-11-01", "until": "2026-11-30"})
    assert trends.context["series"]["total"] == 2
    reasons = next(b for b in trends.context["breakdowns"] if b["key"] == "reason_code")
    assert [(i["value"], i["count"]) for i in reasons["items"]] == [("A", 1)]
    before = AuditEvent.objects.filter(action="person.list").count()
    records = client.get(reasons["items"][0]["url"])
    assert records.status_code == 200
    assert [m.inspection_id for m in records.context["records"]] == [movements[1].pk]
    assert AuditEvent.objects.filter(action="person.list").count() == before + 1
    records = client.get(trends.context["total_url"])
    assert records.context["page"].paginator.count == 2
    nationality = next(b for b in trends.context["breakdowns"] if b["key"] == "nationality")
    jor = next(i for i in nationality["items"] if i["value"] == "JOR")
    assert client.get(jor["url"]).context["page"].paginator.count == 1


def test_records_need_a_kind_and_refuse_unknown_filters(client, login, supervisor):
    login(supervisor)
    r = client.get("/analytics/records/", {"since": "2026-11-01"})
    assert r.status_code == 400 and "kind" in r.context["form"].errors
    r = client.get("/analytics/records/", {"kind": "movements", "sort": "x"})
    assert r.status_code == 400


def test_hit_records_filter_by_list_and_status(client, login, supervisor, border_agency, post_a):
    from watchlists.models import PersonEntry, PersonEntryName, Watchlist
    from watchlists.services import hit_raise

    wanted = Watchlist.objects.create(code="WANTED", name="Wanted", owner_agency=border_agency, action="refer")
    entry = PersonEntry.objects.create(watchlist=wanted, gender="M", birth_year=1974)
    PersonEntryName.objects.create(entry=entry, full_name="Ahmed Jabir", is_primary=True)
    hit_raise(actor=None, source="name", score=0.9, threshold=0.8, entry=entry, post=post_a, matched_name="Ahmed Jabir")
    login(supervisor)
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    trends = client.get("/analytics/trends/", {"since": today, "until": today})
    (row,) = trends.context["hits"]
    assert row["code"] == "WANTED" and row["pending"] == 1 and row["false_rate"] is None
    assert client.get(row["pending_url"]).context["page"].paginator.count == 1
    assert client.get(row["dismissed_url"]).context["page"].paginator.count == 0
