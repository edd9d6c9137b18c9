"""An inspection is screened against the watchlists: names (across spellings and ICAO
transliteration), the document, and a road vehicle's plate; hits show on the officer's screen."""

import pytest
from django.db import transaction

from travelers.models import Inspection
from travelers.services import inspection_decide, inspection_start
from travelers.tests.factories import at, passport
from watchlists.models import Availability, Hit, HitStatus, Visibility
from watchlists.services.entries import (
    document_entry_create,
    person_entry_create,
    vehicle_entry_create,
    watchlist_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(border_agency, police_agency):
    wanted = watchlist_create(actor=None, code="WANTED", name="Wanted persons", kind="persons",
                              owner_agency=border_agency, action="arrest")
    sltd = watchlist_create(actor=None, code="SLTD", name="Stolen and lost documents", kind="documents",
                            owner_agency=border_agency, action="refer")
    vehicles = watchlist_create(actor=None, code="VEH", name="Vehicle alerts", kind="vehicles",
                                owner_agency=border_agency, action="notify")
    police_only = watchlist_create(actor=None, code="POL", name="Police only", kind="persons",
                                   owner_agency=police_agency, visibility=Visibility.AGENCIES, action="notify")
    return {"wanted": wanted, "sltd": sltd, "vehicles": vehicles, "police": police_only}


def start(officer, booth, mrz, **kwargs):
    return inspection_start(actor=officer, post=booth.post, booth=booth, direction="entry", mrz=mrz,
                            now=at(2026, 3, 1), **kwargs)


def test_icao_transliterated_name_hits_an_arabic_script_entry(lists, officer_a, booth_a, rules):
    entry = person_entry_create(actor=None, watchlist=lists["wanted"], names=["محمود حسن"],
                                date_of_birth="1974-08-12", gender="M", nationalities=["JOR"])
    inspection = start(officer_a, booth_a, passport(primary_identifier="XHSN", secondary_identifier="MXHMWD",
                                                    date_of_birth=_dob(1974, 8, 12)))
    hits = list(Hit.objects.filter(inspection_id=inspection.pk))
    assert [(h.source, h.person_entry_id, h.action, h.status) for h in hits] == [
        ("name", entry.pk, "arrest", HitStatus.PENDING)]
    assert hits[0].person_id == inspection.person_id and hits[0].post_id == booth_a.post_id
    assert inspection.screening["status"] == "done" and inspection.screening["hits"] == 1
    assert hits[0].explanation  # the officer reads why


def test_different_person_with_contradicting_birth_date_does_not_hit(lists, officer_a, booth_a, rules):
    person_entry_create(actor=None, watchlist=lists["wanted"], names=["Samir Haddad"], date_of_birth="1951-01-02",
                        gender="M", nationalities=["JOR"])
    inspection = start(officer_a, booth_a, passport())  # SAMIR HADDAD born 1980-05-17
    assert not Hit.objects.filter(inspection_id=inspection.pk).exists()


def test_stolen_document_and_vehicle_hit(lists, officer_a, booth_a, rules):
    document_entry_create(actor=None, watchlist=lists["sltd"], number="N1234567", issuing_state="JOR", status="stolen")
    vehicle_entry_create(actor=None, watchlist=lists["vehicles"], plate="12-345 BGD", country="IRQ")
    inspection = start(officer_a, booth_a, passport(), transport_mode="vehicle", carrier="12345BGD")
    sources = sorted(Hit.objects.filter(inspection_id=inspection.pk).values_list("source", flat=True))
    assert sources == ["document", "vehicle"]
    assert set(inspection.screening["checks"]) == {"document", "name", "vehicle"}


def test_every_list_is_screened_but_officers_see_only_theirs(lists, officer_a, booth_a, rules, login, client):
    person_entry_create(actor=None, watchlist=lists["police"], names=["Samir Haddad"], date_of_birth="1980-05-17",
                        gender="M", nationalities=["JOR"])
    inspection = start(officer_a, booth_a, passport())
    assert Hit.objects.filter(inspection_id=inspection.pk, watchlist__code="POL").count() == 1, inspection.screening
    login(officer_a, booth=booth_a)
    page = client.get(f"/travelers/inspections/{inspection.pk}/screening").content.decode()
    assert "Police only" not in page


def test_hits_appear_on_the_screen_most_serious_first(lists, officer_a, booth_a, rules, login, client):
    person_entry_create(actor=None, watchlist=lists["wanted"], names=["Samir Haddad"], date_of_birth="1980",
                        gender="M")
    document_entry_create(actor=None, watchlist=lists["sltd"], number="N1234567", issuing_state="JOR", status="lost")
    inspection = start(officer_a, booth_a, passport())
    login(officer_a, booth=booth_a)
    page = client.get(f"/travelers/inspections/{inspection.pk}/screening").content.decode()
    assert "2 hits" in page
    assert page.index("Arrest") < page.index("Refer to secondary inspection")


def test_a_list_being_imported_is_named_and_the_others_still_answer(lists, officer_a, booth_a, rules, login, client):
    document_entry_create(actor=None, watchlist=lists["sltd"], number="N1234567", issuing_state="JOR", status="stolen")
    lists["wanted"].availability = Availability.IMPORTING
    lists["wanted"].save()
    inspection = start(officer_a, booth_a, passport())
    assert inspection.screening["status"] == "partial"
    assert {u["list"] for u in inspection.screening["unavailable_lists"]} == {"WANTED"}
    assert Hit.objects.filter(inspection_id=inspection.pk, source="document").count() == 1
    login(officer_a, booth=booth_a)
    page = client.get(f"/travelers/inspections/{inspection.pk}/screening").content.decode()
    assert "List WANTED was not screened" in page


def test_a_hit_refers_the_traveler_and_the_referral_is_recorded(lists, officer_a, booth_a, rules):
    document_entry_create(actor=None, watchlist=lists["sltd"], number="N1234567", issuing_state="JOR", status="stolen")
    inspection = start(officer_a, booth_a, passport())
    decided = inspection_decide(actor=officer_a, inspection=inspection, decision="refer", reason_code="R1",
                                now=at(2026, 3, 1, 10, 1))
    stored = Inspection.objects.get(pk=inspection.pk)
    assert stored.decision == "refer" and stored.reason_code.code == "R1"
    assert decided.seconds_to_decision == 60.0


@pytest.mark.django_db(transaction=True)
def test_new_entry_rescreens_recent_travelers(border_agency, officer_a, booth_a, supervisor):
    from travelers.services import stay_rule_set

    stay_rule_set(actor=supervisor, nationality="JOR", regime="visa_exempt", max_stay_days=30, period_days=180)
    wanted = watchlist_create(actor=None, code="WANTED", name="Wanted", kind="persons", owner_agency=border_agency,
                              action="arrest")
    from django.utils import timezone

    inspection = inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry",
                                  mrz=passport(), now=timezone.now())
    inspection_decide(actor=officer_a, inspection=inspection, decision="admit", now=timezone.now())
    assert not Hit.objects.exists()
    with transaction.atomic():
        entry = person_entry_create(actor=supervisor, watchlist=wanted, names=["HADDAD Samir"],
                                    date_of_birth="1980-05-17", gender="M", nationalities=["JOR"])
    hit = Hit.objects.get()
    assert hit.person_entry_id == entry.pk and hit.person_id == inspection.person_id
    assert hit.post_id == booth_a.post_id


def _dob(year, month, day):
    from travelers.mrz import PartialDate

    return PartialDate(year, month, day)
