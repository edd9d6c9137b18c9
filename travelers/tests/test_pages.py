"""The officer's checkpoint screen and the supervisor pages, through Django's test client."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from travelers.models import Inspection, Movement, Person, SecondaryInspection, StayRule
from travelers.tests.factories import passport

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def read(client, mrz, direction="entry", **extra):
    return client.post("/travelers/checkpoint/read", {"mrz": mrz, "direction": direction, **extra}, **HTMX)


def test_officer_reads_decides_and_sees_the_movement(login, officer_a, booth_a, rules):
    client = login(officer_a, booth=booth_a)
    page = client.get("/travelers/checkpoint/")
    html = page.content.decode()
    assert page.status_code == 200 and 'class="mrz-input"' in html and 'data-shortcut="F2"' in html
    assert "PA/A1" in html

    response = read(client, passport(), transport_mode="air", carrier="ia 101")
    html = response.content.decode()
    assert response.status_code == 200
    assert "HADDAD" in html and "N1234567" in html
    until = (timezone.localdate() + timedelta(days=29)).isoformat()
    assert "Allowed to enter" in html and f'until <span dir="ltr">{until}</span>' in html
    assert 'data-shortcut="F8"' in html and 'data-shortcut="F9"' in html and 'data-shortcut="F10"' in html
    assert "No previous movements." in html
    inspection = Inspection.objects.get()
    assert inspection.booth == booth_a and inspection.carrier == "IA 101"
    # Showing the traveler is a read of the person: audited.
    assert AuditEvent.objects.filter(action="person.view", object_id=str(inspection.person_id)).exists()

    decided = client.post(f"/travelers/inspections/{inspection.pk}/decide", {"decision": "admit"}, **HTMX)
    html = decided.content.decode()
    assert decided.status_code == 200 and 'data-decided="admit"' in html and "Movement recorded" in html
    movement = Movement.objects.get()
    assert (movement.inspection, movement.officer, movement.booth) == (inspection, officer_a, booth_a)

    # The next read of the same traveler shows the movement just recorded.
    again = read(client, passport()).content.decode()
    assert "No previous movements." not in again and "PA" in again


def test_icao_transliterated_name_is_shown_as_read_and_readable(login, officer_a, booth_a, rules):
    client = login(officer_a, booth=booth_a)
    html = read(client, passport(issuing_state="IRQ", nationality="IRQ", primary_identifier="MXHMWD",
                                 secondary_identifier="XHSN")).content.decode()
    assert "<strong>MXHMWD</strong>, XHSN" in html
    assert '<dd class="name-readable" dir="ltr">MAHMUD, HASAN</dd>' in html
    assert "name-readable" not in read(client, passport()).content.decode()


def test_bad_mrz_shows_field_errors_and_a_prefilled_correction_form(login, officer_a, booth_a, rules):
    client = login(officer_a, booth=booth_a)
    expired = passport(date_of_expiry=date(2026, 1, 1))
    html = read(client, expired).content.decode()
    assert "line 2, positions 22-27: the document expired on 2026-01-01" in html
    assert 'name="override_reason"' in html and 'value="HADDAD"' in html
    assert not Inspection.objects.exists()

    form = {"mrz": expired, "direction": "entry", "document_code": "P", "issuing_state": "JOR",
            "document_number": "N1234567", "primary_identifier": "HADDAD", "secondary_identifier": "SAMIR",
            "nationality": "JOR", "date_of_birth": "1980-05-17", "sex": "M", "date_of_expiry": "2026-01-01"}
    still = client.post("/travelers/checkpoint/read", form, **HTMX).content.decode()
    assert "the document expired on 2026-01-01" in still and not Inspection.objects.exists()
    done = client.post("/travelers/checkpoint/read", {**form, "override_reason": "renewal receipt shown"},
                       **HTMX).content.decode()
    # The inspection opens on the officer's reason, but an expired document is not admitted
    # without a supervisor's override: Admit is shown disabled, refusal and referral stay open.
    assert "HADDAD" in done and 'data-shortcut="F8"' not in done and 'data-verdict="blocked"' in done
    assert 'value="refer" class="warn" data-shortcut="F10" >' in done
    assert Inspection.objects.get().override_reason == "renewal receipt shown"
    assert AuditEvent.objects.filter(action="inspection.override").exists()


def test_garbled_mrz_and_invalid_form_data(login, officer_a, booth_a, rules):
    client = login(officer_a, booth=booth_a)
    html = read(client, "P<JORHADDAD<<SAMIR").content.decode()
    assert "the MRZ has 1 line of 18 characters" in html
    html = client.post("/travelers/checkpoint/read", {"mrz": "", "direction": "entry"}, **HTMX).content.decode()
    assert "This field is required." in html
    bad = {"direction": "entry", "document_code": "P", "issuing_state": "JOR", "document_number": "N1",
           "primary_identifier": "X", "nationality": "JOR", "date_of_birth": "1980-02-30", "sex": "M",
           "date_of_expiry": "not a date"}
    html = client.post("/travelers/checkpoint/read", bad, **HTMX).content.decode()
    assert "Not a calendar date." in html and "Enter a valid date." in html
    assert not Inspection.objects.exists()


def test_manual_entry_form(login, officer_a, booth_a, rules):
    client = login(officer_a, booth=booth_a)
    html = client.get("/travelers/checkpoint/manual?direction=exit", **HTMX).content.decode()
    assert 'name="document_number"' in html
    assert re.search(r'<input[^>]*value="exit"[^>]*checked', html)
    form = {"direction": "entry", "document_code": "I", "issuing_state": "IRQ", "document_number": "A0000001",
            "primary_identifier": "العبيدي", "secondary_identifier": "علي", "nationality": "IRQ",
            "date_of_birth": "1975", "sex": "M", "date_of_expiry": "2030-12-31"}
    html = client.post("/travelers/checkpoint/read", form, **HTMX).content.decode()
    assert "العبيدي" in html and "National" in html
    assert Inspection.objects.get().source == "manual"


def test_refusal_without_reason_shows_the_error_then_refuses(login, officer_a, booth_a, rules):
    client = login(officer_a, booth=booth_a)
    read(client, passport())
    inspection = Inspection.objects.get()
    html = client.post(f"/travelers/inspections/{inspection.pk}/decide", {"decision": "refuse"},
                       **HTMX).content.decode()
    assert "choose a reason code for this refusal" in html and not Movement.objects.exists()
    html = client.post(f"/travelers/inspections/{inspection.pk}/decide",
                       {"decision": "refuse", "reason_code": "C"}, **HTMX).content.decode()
    assert 'data-decided="refuse"' in html and Movement.objects.get().decision == "refused"


def test_referral_and_secondary_pages(login, officer_a, supervisor_a, booth_a, rules, client):
    officer = login(officer_a, booth=booth_a)
    read(officer, passport())
    inspection = Inspection.objects.get()
    officer.post(f"/travelers/inspections/{inspection.pk}/decide", {"decision": "refer", "reason_code": "R3"}, **HTMX)
    secondary = SecondaryInspection.objects.get()
    queue = officer.get("/travelers/secondary/").content.decode()
    assert "HADDAD" in queue and "R3" in queue
    listed = AuditEvent.objects.filter(action="person.list").last()
    assert listed.metadata == {"person_ids": [inspection.person_id], "purpose": "secondary queue"}
    client.logout()
    sup = login(supervisor_a)
    assert sup.post(f"/travelers/secondary/{secondary.pk}/", {"action": "take"}).status_code == 302
    response = sup.post(f"/travelers/secondary/{secondary.pk}/", {"outcome": "refuse"})
    assert response.status_code == 400 and "choose a reason code" in response.content.decode()
    response = sup.post(f"/travelers/secondary/{secondary.pk}/", {"outcome": "refuse", "reason_code": "B"})
    assert response.status_code == 302
    assert Movement.objects.get().decision == "refused"
    assert "Nobody is waiting." in sup.get("/travelers/secondary/").content.decode()


def test_supervisor_pages_and_roles(login, officer_a, supervisor, booth_a, rules, client):
    officer = login(officer_a, booth=booth_a)
    read(officer, passport())
    inspection = Inspection.objects.get()
    officer.post(f"/travelers/inspections/{inspection.pk}/decide", {"decision": "admit"}, **HTMX)
    for url in ("/travelers/inspections/", "/travelers/overstays/", "/travelers/stay-rules/"):
        assert officer.get(url).status_code == 403
    client.logout()
    sup = login(supervisor)
    html = sup.get("/travelers/inspections/").content.decode()
    assert "PA/A1" in html and "Booth telemetry" in html
    assert sup.get("/travelers/overstays/").status_code == 200
    assert sup.post("/travelers/stay-rules/", {"nationality": "TUR", "regime": "visa_exempt",
                                               "max_stay_days": "90", "period_days": "180"}).status_code == 302
    assert StayRule.objects.get(nationality="TUR").max_stay_days == 90
    bad = sup.post("/travelers/stay-rules/", {"nationality": "ZZZ", "regime": "visa_exempt", "max_stay_days": "9"})
    assert bad.status_code == 400 and "ZZZ is not an ICAO Doc 9303 code" in bad.content.decode()


def test_person_page_is_audited_and_supervisor_splits_there(login, officer_a, supervisor, booth_a, rules, client):
    officer = login(officer_a, booth=booth_a)
    read(officer, passport())
    read(officer, passport(document_number="K0000001"))
    person = Person.objects.get()
    html = officer.get(f"/travelers/persons/{person.pk}/").content.decode()
    assert "N1234567" in html and "K0000001" in html and "Split a wrong merge" not in html
    assert officer.post(f"/travelers/persons/{person.pk}/", {"reason": "x"}).status_code == 403
    client.logout()
    sup = login(supervisor)
    before = AuditEvent.objects.filter(action="person.view").count()
    html = sup.get(f"/travelers/persons/{person.pk}/").content.decode()
    assert "Split a wrong merge" in html
    assert AuditEvent.objects.filter(action="person.view").count() == before + 1
    doc = person.documents.get(number="K0000001")
    response = sup.post(f"/travelers/persons/{person.pk}/", {"documents": [str(doc.pk)], "reason": "brothers"})
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_officer_of_another_post_cannot_open_the_inspection(login, officer_a, officer_b, booth_a, booth_b, rules,
                                                            client):
    officer = login(officer_a, booth=booth_a)
    read(officer, passport())
    inspection = Inspection.objects.get()
    client.logout()
    other = login(officer_b, booth=booth_b)
    assert other.get(f"/travelers/inspections/{inspection.pk}/").status_code == 404
    assert other.post(f"/travelers/inspections/{inspection.pk}/decide", {"decision": "admit"}).status_code == 404
    assert other.get(f"/travelers/persons/{inspection.person_id}/").status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get("/travelers/checkpoint/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_checkpoint_in_arabic_is_right_to_left(login, officer_a, booth_a, rules):
    client = login(officer_a, booth=booth_a)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/travelers/checkpoint/"})
    html = client.get("/travelers/checkpoint/").content.decode()
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "نقطة التفتيش" in html
    result = read(client, passport()).content.decode()
    assert "مسموح له بالدخول" in result
    assert 'dir="ltr"' in result  # MRZ names and numbers stay left-to-right


def test_supervisor_records_a_visa_on_the_person_page(login, officer_a, supervisor, booth_a, rules, client):
    from travelers.models import Visa

    officer = login(officer_a, booth=booth_a)
    read(officer, passport(issuing_state="SYR", nationality="SYR"))
    person = Person.objects.get()
    assert officer.post(f"/travelers/persons/{person.pk}/", {"action": "visa"}).status_code == 403
    client.logout()
    sup = login(supervisor)
    form = {"action": "visa", "category": "visa", "number": "iq123", "issuing_state": "IRQ",
            "valid_from": "2026-01-01", "valid_until": "2025-01-01", "entries_allowed": "2"}
    bad = sup.post(f"/travelers/persons/{person.pk}/", form)
    assert bad.status_code == 400 and "A visa cannot end before it starts." in bad.content.decode()
    ok = sup.post(f"/travelers/persons/{person.pk}/", {**form, "valid_until": "2099-01-01"})
    assert ok.status_code == 302
    visa = Visa.objects.get()
    assert (visa.number, visa.entries_allowed, visa.created_by) == ("IQ123", 2, supervisor)
    assert AuditEvent.objects.filter(action="visa.issue", object_id=str(visa.pk)).exists()
