"""The person page (identities, merge and undo forms, merged-away redirect), the checkpoint's
"known under other identities" line, and GET /api/v1/persons/{id}."""

import pytest

from audit.models import AuditEvent
from travelers.hooks import _person_panels, register_person_panel
from travelers.models import Person, PersonMerge
from travelers.services import inspection_start
from travelers.services.identity import DeclaredIdentity, identity_add, person_merge, person_register
from travelers.tests.factories import at, passport

pytestmark = pytest.mark.django_db


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def two(officer_a, post_a):
    one = person_register(actor=officer_a, post=post_a, place="sector 4", source="registration",
                          source_ref="registration:7",
                          identity=DeclaredIdentity("HASSAN", "ALI", name_original="حسن علي", estimated_age=30,
                                                    nationality="SYR"))
    other = person_register(actor=officer_a, post=post_a, source="declared",
                            identity=DeclaredIdentity("HUSSEIN", "ALI", birth_year=1994, birth_month=3,
                                                      nationality="SYR"))
    return one, other


def test_the_page_shows_every_identity_and_a_registered_panel(client, officer_a, two):
    one, _other = two
    identity_add(actor=officer_a, person=one, source="declared", identity=DeclaredIdentity("HASAN", "ALY"))
    register_person_panel("test_panel", lambda user, person_id: {
        "title": "Cases", "items": [{"label": f"panel count {person_id}", "url": "/incidents/3/"}]})
    try:
        client.force_login(officer_a)
        html = client.get(f"/travelers/persons/{one.pk}/").content.decode()
    finally:
        _person_panels.pop("test_panel", None)
    assert "حسن علي" in html and "HASAN" in html and "HASSAN" in html
    assert "/registrations/7/" in html and "sector 4" in html and "officer.a" in html
    assert "about 30 years old" in html
    assert 'data-panel="test_panel"' in html and f"panel count {one.pk}" in html
    assert 'id="merge-form"' not in html  # officers do not merge
    assert AuditEvent.objects.filter(action="person.view", object_id=str(one.pk)).exists()


def test_officer_cannot_merge_supervisor_can_and_undo(client, officer_a, supervisor_a, two):
    one, other = two
    client.force_login(officer_a)
    response = client.post(f"/travelers/persons/{one.pk}/", {"action": "merge", "target": other.pk, "reason": "same"})
    assert response.status_code == 403
    assert not PersonMerge.objects.exists()

    client.force_login(supervisor_a)
    response = client.post(f"/travelers/persons/{one.pk}/", {"action": "merge", "target": one.pk, "reason": "same"})
    assert response.status_code == 400 and "cannot be merged into itself" in response.content.decode()
    response = client.post(f"/travelers/persons/{one.pk}/", {"action": "merge", "target": 999999, "reason": "same"})
    assert response.status_code == 400 and "No such person" in response.content.decode()
    response = client.post(f"/travelers/persons/{one.pk}/", {"action": "merge", "target": other.pk, "reason": "same face"})
    assert response.status_code == 302 and response["Location"] == f"/travelers/persons/{other.pk}/"
    merge = PersonMerge.objects.get()
    assert (merge.source, merge.target, merge.actor) == (one, other, supervisor_a)

    # The merged-away record shows the survivor.
    response = client.get(f"/travelers/persons/{one.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/travelers/persons/{other.pk}/"
    html = client.get(f"/travelers/persons/{other.pk}/").content.decode()
    assert "حسن علي" in html and "same face" in html and "Undo merge" in html

    response = client.post(f"/travelers/persons/{other.pk}/", {"action": "unmerge", "merge": merge.pk, "reason": " "})
    assert response.status_code == 400
    response = client.post(f"/travelers/persons/{other.pk}/", {"action": "unmerge", "merge": merge.pk,
                                                     "reason": "two brothers"})
    assert response.status_code == 302
    merge.refresh_from_db()
    assert merge.reverted_by == supervisor_a and Person.objects.get(pk=one.pk).merged_into is None
    assert client.get(f"/travelers/persons/{one.pk}/").status_code == 200


def test_checkpoint_says_known_under_other_identities(client, officer_a, booth_a, supervisor_a, rules):
    inspection = inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry",
                                  mrz=passport(), now=at(2026, 3, 1))
    client.force_login(officer_a)
    html = client.get(f"/travelers/inspections/{inspection.pk}/").content.decode()
    assert "known-under" not in html
    other = person_register(actor=officer_a, post=booth_a.post, source="registration",
                            identity=DeclaredIdentity("KARIMI", "OMAR"))
    person_merge(actor=supervisor_a, source=other, target=inspection.person, reason="same fingers")
    html = client.get(f"/travelers/inspections/{inspection.pk}/").content.decode()
    assert "Known under 1 other identity" in html
    assert f'href="/travelers/persons/{inspection.person_id}/#identities"' in html


def test_api_person_200_401_403_404(api, officer_a, officer_b, supervisor_a, two, make_partner):
    one, other = two
    person_merge(actor=supervisor_a, source=one, target=other, reason="same")
    assert api.get(f"/api/v1/persons/{other.pk}").status_code == 401
    api.force_authenticate(officer_a)
    response = api.get(f"/api/v1/persons/{one.pk}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["id"] == other.pk and data["requested_id"] == one.pk and data["merged_from"] == [one.pk]
    assert sorted(i["primary_identifier"] for i in data["identities"]) == ["HASSAN", "HUSSEIN"]
    hassan = next(i for i in data["identities"] if i["primary_identifier"] == "HASSAN")
    assert hassan["name_original"] == "حسن علي" and hassan["birth_precision"] == "estimated"
    assert hassan["post"] == "PA" or hassan["post"]
    assert data["movements"] == [] and data["merges"][0]["source"] == one.pk
    assert AuditEvent.objects.filter(action="person.view", object_id=str(other.pk)).exists()
    api.force_authenticate(officer_b)
    assert api.get(f"/api/v1/persons/{other.pk}").status_code == 404
    api.force_authenticate(None)
    _client, raw = make_partner(["inspections:read"])
    assert api.get(f"/api/v1/persons/{other.pk}", **bearer(raw)).status_code == 403
    _client, raw = make_partner(["persons:read"])
    response = api.get(f"/api/v1/persons/{other.pk}", **bearer(raw))
    assert response.status_code == 200 and response.json()["movements"] is None
    assert api.get("/api/v1/persons/999999", **bearer(raw)).status_code == 404


def test_api_schema_names_the_scope(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/persons/{id}"]["get"]
    assert operation["x-required-scopes"] == ["persons:read"]
    assert operation["summary"]


def test_movements_of_a_merged_away_record_are_the_survivors(api, officer_a, booth_a, supervisor_a, rules):
    inspection = inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry",
                                  mrz=passport(), now=at(2026, 3, 1))
    from travelers.services import inspection_decide

    inspection_decide(actor=officer_a, inspection=inspection, decision="admit", now=at(2026, 3, 1, 10, 1))
    other = person_register(actor=officer_a, post=booth_a.post, source="declared", identity=DeclaredIdentity("X"))
    person_merge(actor=supervisor_a, source=other, target=inspection.person, reason="same")
    api.force_authenticate(officer_a)
    response = api.get(f"/api/v1/persons/{other.pk}/movements")
    assert response.status_code == 200 and response.json()["count"] == 1
