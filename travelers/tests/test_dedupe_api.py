"""The identity candidates over the API and on the supervisors' pages: 200/400/401/403/404/409,
the queue, the side-by-side comparison, a decision, and a concurrent decision's message."""

import pytest

from travelers.models import CandidateStatus, IdentityCandidate, IdentitySource
from travelers.person_index import person_index
from travelers.services.dedupe import candidate_decide, person_dedupe
from travelers.services.identity import DeclaredIdentity, person_register
from travelers.tests.factories import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.BMIS_PERSON_INDEX_REFRESH_SECONDS = 0
    person_index().clear()
    yield
    person_index().clear()


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


@pytest.fixture
def candidate(officer_a, post_a):
    """Two registrations of one man, in Arabic script and in Latin letters (names only)."""
    first = person_register(actor=officer_a, post=post_a, source=IdentitySource.DECLARED, now=at(2026, 5, 1),
                            identity=DeclaredIdentity(primary_identifier="الجبوري", secondary_identifier="أحمد حسين",
                                                      name_original="أحمد حسين الجبوري", birth_year=1988,
                                                      nationality="IRQ", sex="M"))
    second = person_register(actor=officer_a, post=post_a, source=IdentitySource.DECLARED, now=at(2026, 6, 1),
                             identity=DeclaredIdentity(primary_identifier="AL-JUBOURI", secondary_identifier="AHMED HUSSEIN",
                                                       birth_year=1988, nationality="IRQ", sex="M"))
    found = person_dedupe(person=second, actor=officer_a)
    assert [c.other_id for c in found] == [first.pk]
    return found[0]


def test_candidates_of_a_person(api, supervisor, candidate):
    api.force_authenticate(supervisor)
    for pid in (candidate.person_id, candidate.other_id):
        r = api.get(f"/api/v1/persons/{pid}/candidates")
        assert r.status_code == 200, r.content
        rows = r.json()["results"]
        assert [c["id"] for c in rows] == [candidate.pk]
        row = rows[0]
        assert row["status"] == "pending" and 0 <= row["fused"] <= 1
        assert [e["modality"] for e in row["evidence"]] == ["name"]
        assert row["evidence"][0]["llr"] > 0
    assert api.get(f"/api/v1/persons/{candidate.person_id}/candidates?status=different").json()["results"] == []
    assert error(api.get(f"/api/v1/persons/{candidate.person_id}/candidates?status=bogus"), 400)["fields"]["status"]


def test_decision_over_the_api_then_409_for_the_second(api, supervisor, admin_user, candidate):
    api.force_authenticate(supervisor)
    url = f"/api/v1/candidates/{candidate.pk}/decision"
    err = error(api.post(url, {"decision": "perhaps", "reason": ""}, format="json"), 400)
    assert set(err["fields"]) == {"decision", "reason"}
    r = api.post(url, {"decision": "different", "reason": "different fathers"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "different" and r.json()["decided_by"] == supervisor.get_username()
    api.force_authenticate(admin_user)
    err = error(api.post(url, {"decision": "same", "reason": "same man"}, format="json"), 409)
    assert err["code"] == "already_decided" and supervisor.get_username() in err["fields"]["decision"][0]


def test_401_403_404(api, officer_a, supervisor, make_partner, candidate):
    url = f"/api/v1/candidates/{candidate.pk}/decision"
    list_url = f"/api/v1/persons/{candidate.person_id}/candidates"
    assert error(api.get(list_url), 401)
    assert error(api.post(url, {"decision": "same", "reason": "x"}, format="json"), 401)
    api.force_authenticate(officer_a)  # an officer has persons:read but does not adjudicate
    assert error(api.get(list_url), 403)
    assert error(api.post(url, {"decision": "same", "reason": "x"}, format="json"), 403)
    api.force_authenticate(None)
    _client, raw = make_partner(["persons:read"])
    assert error(api.post(url, {"decision": "same", "reason": "x"}, format="json", **bearer(raw)), 403)
    assert error(api.get(list_url, **bearer(raw)), 403)
    api.force_authenticate(supervisor)
    assert error(api.get("/api/v1/persons/999999/candidates"), 404)
    assert error(api.post("/api/v1/candidates/999999/decision", {"decision": "same", "reason": "x"},
                          format="json"), 404)
    assert IdentityCandidate.objects.get(pk=candidate.pk).status == CandidateStatus.PENDING


def test_queue_compare_and_decide_on_the_pages(client, supervisor, admin_user, officer_a, candidate):
    client.force_login(officer_a)
    assert client.get("/travelers/candidates/").status_code == 403
    client.force_login(supervisor)
    page = client.get("/travelers/candidates/")
    assert page.status_code == 200
    assert f'data-candidate="{candidate.pk}"' in page.content.decode()
    detail = client.get(f"/travelers/candidates/{candidate.pk}/")
    html = detail.content.decode()
    assert detail.status_code == 200 and "أحمد حسين الجبوري" in html and "AL-JUBOURI" in html
    # Refused without a reason, on the form.
    r = client.post(f"/travelers/candidates/{candidate.pk}/", {"decision": "same", "reason": ""})
    assert r.status_code == 200 and IdentityCandidate.objects.get(pk=candidate.pk).status == "pending"
    # Another supervisor decides first: this one sees who did, and nothing changes.
    candidate_decide(actor=admin_user, candidate_id=candidate.pk, decision="different", reason="not him")
    r = client.post(f"/travelers/candidates/{candidate.pk}/", {"decision": "same", "reason": "same man"})
    assert r.status_code == 200
    assert "already decided" in r.content.decode() and admin_user.get_username() in r.content.decode()
    assert IdentityCandidate.objects.get(pk=candidate.pk).status == CandidateStatus.DIFFERENT
    assert client.get("/travelers/candidates/?status=different").status_code == 200


def test_same_on_the_page_merges(client, supervisor, candidate):
    client.force_login(supervisor)
    r = client.post(f"/travelers/candidates/{candidate.pk}/", {"decision": "same", "reason": "same man"})
    assert r.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.SAME and candidate.merge.source_id == candidate.person_id
