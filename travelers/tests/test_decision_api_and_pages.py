"""The decision rules through the API (409 conflicts, override, resolution, abandonment) and the
officer's pages (plain form posts refused, hits resolved on the card, Esc's abandonment form,
secondary outcomes, supervisors' open-too-long list)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from travelers.models import Inspection, InspectionStatus, Movement, SecondaryInspection
from travelers.tests.factories import passport
from watchlists.models import Hit, Watchlist
from watchlists.services import person_entry_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def wanted(border_agency):
    wl = Watchlist.objects.create(code="WANTED", name="Wanted persons", owner_agency=border_agency, action="arrest")
    person_entry_create(actor=None, watchlist=wl, names=["Samir Haddad"], date_of_birth="1980-05-17",
                        gender="M", nationalities=["JOR"], rescreen=False)
    return wl


def error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def api_start(api, user, mrz=None):
    api.force_authenticate(user)
    response = api.post("/api/v1/inspections", {"post": "PA", "booth": "A1", "direction": "entry",
                                                "mrz": mrz or passport()}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


# API ----------------------------------------------------------------------------------------------


def test_api_admit_with_unresolved_hits_is_409_naming_the_hits(api, officer_a, booth_a, rules, wanted):
    data = api_start(api, officer_a)
    hit = Hit.objects.get()
    assert data["decision_rules"]["admit_blocked"] is True and data["decision_rules"]["allowed"] == ["refer"]
    assert data["decision_rules"]["unresolved_hits"] == [hit.pk]
    err = error(api.post(f"/api/v1/inspections/{data['id']}/decision", {"decision": "admit"}, format="json"), 409)
    assert err["code"] == "unresolved_hits" and err["fields"] == {"hits": [str(hit.pk)]}
    err = error(api.post(f"/api/v1/inspections/{data['id']}/decision", {"decision": "refuse", "reason_code": "A"},
                         format="json"), 409)
    assert err["code"] == "decision_not_allowed"
    assert not Movement.objects.exists()

    resolved = api.post(f"/api/v1/inspections/{data['id']}/hits/{hit.pk}/resolve",
                        {"decision": "dismissed", "reason": "different_person"}, format="json")
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["decision_rules"]["admit_blocked"] is False
    admitted = api.post(f"/api/v1/inspections/{data['id']}/decision", {"decision": "admit"}, format="json")
    assert admitted.status_code == 200 and admitted.json()["movement"]["decision"] == "admitted"


def test_api_resolution_errors_name_the_field(api, officer_a, booth_a, rules, wanted):
    data = api_start(api, officer_a)
    hit = Hit.objects.get()
    err = error(api.post(f"/api/v1/inspections/{data['id']}/hits/{hit.pk}/resolve", {"decision": "dismissed"},
                         format="json"), 400)
    assert "reason" in err["fields"]
    err = error(api.post(f"/api/v1/inspections/{data['id']}/hits/{hit.pk}/resolve", {"decision": "maybe"},
                         format="json"), 400)
    assert "decision" in err["fields"]
    err = error(api.post(f"/api/v1/inspections/{data['id']}/hits/999999/resolve", {"decision": "confirmed"},
                         format="json"), 400)
    assert "hit" in err["fields"]
    assert Hit.objects.get().status == "pending"


def test_api_supervisor_override_then_admit_and_officers_may_not(api, officer_a, supervisor_a, booth_a, rules,
                                                                 wanted):
    data = api_start(api, officer_a)
    error(api.post(f"/api/v1/inspections/{data['id']}/override", {"reason": "I say so, trust me"},
                   format="json"), 403)
    api.force_authenticate(supervisor_a)
    err = error(api.post(f"/api/v1/inspections/{data['id']}/override", {"reason": "short"}, format="json"), 400)
    assert "reason" in err["fields"]
    done = api.post(f"/api/v1/inspections/{data['id']}/override",
                    {"reason": "Namesake: confirmed with the police duty desk"}, format="json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["supervisor_override_by"] == supervisor_a.username and body["decision_rules"]["overridden"] is True
    err = error(api.post(f"/api/v1/inspections/{data['id']}/override",
                         {"reason": "Namesake: confirmed with the police duty desk"}, format="json"), 409)
    assert err["code"] == "already_overridden"
    api.force_authenticate(officer_a)
    admitted = api.post(f"/api/v1/inspections/{data['id']}/decision", {"decision": "admit"}, format="json")
    assert admitted.status_code == 200, admitted.content


def test_api_abandon(api, officer_a, booth_a, rules, wanted):
    flagged = api_start(api, officer_a)
    err = error(api.post(f"/api/v1/inspections/{flagged['id']}/abandon", {"reason": "traveler_left"},
                         format="json"), 409)
    assert err["code"] == "blocking_hits"
    clean = api_start(api, officer_a, passport(primary_identifier="OTHER", document_number="N7777777"))
    err = error(api.post(f"/api/v1/inspections/{clean['id']}/abandon", {"reason": "nope"}, format="json"), 400)
    assert "reason" in err["fields"]
    done = api.post(f"/api/v1/inspections/{clean['id']}/abandon", {"reason": "duplicate"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "abandoned"
    err = error(api.post(f"/api/v1/inspections/{clean['id']}/decision", {"decision": "admit"}, format="json"), 409)
    assert err["code"] == "not_open"


def test_api_new_endpoints_need_the_write_scope(api, make_partner, officer_a, booth_a, rules, wanted):
    data = api_start(api, officer_a)
    hit = Hit.objects.get()
    api.force_authenticate(None)
    _client, raw = make_partner(["inspections:read"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for path, body in ((f"hits/{hit.pk}/resolve", {"decision": "confirmed"}),
                       ("override", {"reason": "a partner may not override"}),
                       ("abandon", {"reason": "duplicate"})):
        error(api.post(f"/api/v1/inspections/{data['id']}/{path}", body, format="json", **headers), 403)
    error(api.post(f"/api/v1/inspections/{data['id']}/abandon", {"reason": "duplicate"}, format="json"), 401)


# Pages --------------------------------------------------------------------------------------------


def test_a_plain_form_post_cannot_admit_a_traveler_with_an_arrest_hit(login, officer_a, booth_a, rules, wanted):
    client = login(officer_a, booth=booth_a)
    html = client.post("/travelers/checkpoint/read", {"mrz": passport(), "direction": "entry"},
                       **HTMX).content.decode()
    assert 'data-verdict="blocked"' in html and "Do not admit" in html
    assert 'data-shortcut="F8"' not in html and 'class="ok" disabled' in html
    assert "Allowed to enter</strong>" not in html.split("Stay rules alone:")[0]
    inspection = Inspection.objects.get()
    response = client.post(f"/travelers/inspections/{inspection.pk}/decide", {"decision": "admit"})
    assert response.status_code == 400
    assert "Admission is not possible while hits are unresolved" in response.content.decode()
    assert Inspection.objects.get().status == InspectionStatus.OPEN and not Movement.objects.exists()


def test_the_officer_resolves_the_hit_on_the_card_then_admits(login, officer_a, booth_a, rules, wanted):
    client = login(officer_a, booth=booth_a)
    client.post("/travelers/checkpoint/read", {"mrz": passport(), "direction": "entry"}, **HTMX)
    inspection, hit = Inspection.objects.get(), Hit.objects.get()
    url = f"/travelers/inspections/{inspection.pk}/hits/{hit.pk}/resolve"
    missing = client.post(url, {"decision": "dismissed", "reason": ""}, **HTMX).content.decode()
    assert f'id="hit-{hit.pk}"' in missing and "a dismissal needs one of the reason codes" in missing
    html = client.post(url, {"decision": "dismissed", "reason": "different_person"}, **HTMX).content.decode()
    assert 'data-shortcut="F8"' in html and 'data-verdict="blocked"' not in html
    client.post(f"/travelers/inspections/{inspection.pk}/decide", {"decision": "admit"}, **HTMX)
    assert Movement.objects.get().decision == "admitted"


def test_next_traveler_on_an_undecided_inspection_asks_why(login, officer_a, booth_a, rules):
    client = login(officer_a, booth=booth_a)
    html = client.post("/travelers/checkpoint/read", {"mrz": passport(), "direction": "entry"},
                       **HTMX).content.decode()
    assert "data-inspection-open" in html and 'class="panel abandon"' in html
    inspection = Inspection.objects.get()
    url = f"/travelers/inspections/{inspection.pk}/abandon"
    again = client.post(url, {"reason": ""}, **HTMX)
    assert "This field is required" in again.content.decode()
    assert Inspection.objects.get().status == InspectionStatus.OPEN
    done = client.post(url, {"reason": "wrong_document"}, **HTMX).content.decode()
    assert 'data-decided="abandoned"' in done
    assert Inspection.objects.get().status == InspectionStatus.ABANDONED
    assert AuditEvent.objects.filter(action="inspection.abandon").count() == 1


def test_supervisor_overrides_from_the_inspection_page(login, client, officer_a, supervisor_a, booth_a, rules,
                                                       wanted):
    login(officer_a, booth=booth_a)
    client.post("/travelers/checkpoint/read", {"mrz": passport(), "direction": "entry"}, **HTMX)
    inspection = Inspection.objects.get()
    assert client.post(f"/travelers/inspections/{inspection.pk}/override",
                       {"reason": "an officer may not do this"}).status_code == 403
    client.logout()
    login(supervisor_a)
    page = client.get(f"/travelers/inspections/{inspection.pk}/").content.decode()
    assert "Supervisor&#x27;s override" in page or "Supervisor's override" in page
    response = client.post(f"/travelers/inspections/{inspection.pk}/override",
                           {"reason": "Namesake: checked with the police"}, follow=True)
    html = response.content.decode()
    assert "Override recorded" in html and "Namesake: checked with the police" in html
    assert Inspection.objects.get().supervisor_override_by == supervisor_a


def test_secondary_queue_shows_wait_most_serious_hit_and_referring_officer(login, client, officer_a, booth_a,
                                                                           rules, wanted):
    login(officer_a, booth=booth_a)
    client.post("/travelers/checkpoint/read", {"mrz": passport(), "direction": "entry"}, **HTMX)
    inspection = Inspection.objects.get()
    client.post(f"/travelers/inspections/{inspection.pk}/decide", {"decision": "refer", "reason_code": "H"})
    secondary = SecondaryInspection.objects.get()
    SecondaryInspection.objects.filter(pk=secondary.pk).update(referred_at=timezone.now() - timedelta(minutes=7))
    html = client.get("/travelers/secondary/").content.decode()
    assert "7 min" in html and "<strong>Arrest</strong>" in html and officer_a.username in html
    assert "Border Ports Directorate" in html  # the hand-over agency
    detail = client.get(f"/travelers/secondary/{secondary.pk}/").content.decode()
    # Only the hand-over is offered; its fields have their labels.
    assert 'value="handover"' in detail and 'value="admit"' not in detail
    assert '<label for="id_handover_officer">' in detail
    bad = client.post(f"/travelers/secondary/{secondary.pk}/", {"outcome": "admit"})
    assert bad.status_code == 400 and not Movement.objects.exists()
    done = client.post(f"/travelers/secondary/{secondary.pk}/",
                       {"outcome": "handover", "handover_agency": secondary.handover_agency_id,
                        "handover_officer": "Capt. R. Salim"})
    assert done.status_code == 302 and Movement.objects.get().decision == "handed_over"


def test_supervisors_see_inspections_open_too_long(login, client, officer_a, supervisor_a, booth_a, post_a, rules):
    login(officer_a, booth=booth_a)
    client.post("/travelers/checkpoint/read", {"mrz": passport(), "direction": "entry"}, **HTMX)
    client.post("/travelers/checkpoint/read", {"mrz": passport(document_number="N7777777",
                                                               primary_identifier="OTHER"), "direction": "entry"},
                **HTMX)
    old, fresh = Inspection.objects.order_by("pk")
    Inspection.objects.filter(pk=old.pk).update(read_at=timezone.now() - timedelta(minutes=25))
    post_a.open_inspection_alert_minutes = 20
    post_a.save()
    client.logout()
    login(supervisor_a)
    html = client.get("/travelers/inspections/").content.decode()
    section = html.split('class="panel open-too-long"')[1].split("</section>")[0]
    assert f"<td>{old.pk}</td>" in section and f"<td>{fresh.pk}</td>" not in section and "25 min" in section


def test_arabic_blocked_screen_is_translated(login, officer_a, booth_a, rules, wanted):
    client = login(officer_a, booth=booth_a)
    client.post("/i18n/setlang/", {"language": "ar"})
    html = client.post("/travelers/checkpoint/read", {"mrz": passport(), "direction": "entry"},
                       **HTMX).content.decode()
    assert "لا تسمح بالدخول" in html and "ليس هذا الشخص" in html
    assert "Do not admit" not in html and "Not this person" not in html


def test_returning_traveler_is_linked_by_the_rule_and_a_refusal_is_shown_in_red(login, officer_a, booth_a, rules):
    client = login(officer_a, booth=booth_a)
    first = client.post("/travelers/checkpoint/read", {"mrz": passport(), "direction": "entry"},
                        **HTMX).content.decode()
    assert 'data-rule="new"' in first and "New person" in first
    inspection = Inspection.objects.get()
    refused = client.post(f"/travelers/inspections/{inspection.pk}/decide", {"decision": "refuse",
                                                                            "reason_code": "E"},
                          **HTMX).content.decode()
    assert 'class="panel decided decided-refuse"' in refused and "Refused" in refused
    again = client.post("/travelers/checkpoint/read", {"mrz": passport(), "direction": "entry"},
                        **HTMX).content.decode()
    assert 'data-rule="document"' in again and "Same document seen before" in again
    assert "New person" not in again
