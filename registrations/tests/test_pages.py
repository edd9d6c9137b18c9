"""The field pages through the test client: apprehension (from an incident), a person with files,
errors on the fields (nothing saved), review, done, the case page (audited read, transitions), the
list (restricted, filtered), in English and Arabic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from registrations.models import Group, Registration
from registrations.tests.conftest import face_bytes, finger_bytes

pytestmark = [pytest.mark.django_db]


def person_post(**overrides) -> dict:
    data = {
        "information_language": "Arabic", "leaflet_given": "on", "consent": "given",
        "relationship": "head", "primary_identifier": "HADDAD", "secondary_identifier": "AHMAD",
        "name_original": "أحمد حداد", "date_of_birth": "1990-04-12", "sex": "M", "nationality": "SYR",
        "languages": "Arabic, Kurdish", "place_of_origin": "Aleppo", "fingers_missing_all": "refused",
    }
    data.update(overrides)
    return data


def test_the_apprehension_form_takes_the_incident_and_leads_to_the_first_person(client, officer_a, post_a):
    client.force_login(officer_a)
    page = client.get("/registrations/new?incident=42")
    assert page.status_code == 200
    assert b'name="incident" value="42"' in page.content and b"/incidents/42/" in page.content
    response = client.post("/registrations/new", {
        "apprehended_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "post": post_a.pk, "unit": "Patrol 7", "incident": "42", "group_kind": "household",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    group = Group.objects.get()
    assert response.url == f"/registrations/groups/{group.pk}/person"
    assert group.apprehension.incident_id == 42 and group.apprehension.recorded_by == officer_a


def test_the_apprehension_form_shows_what_is_missing(client, officer_a, post_a):
    client.force_login(officer_a)
    response = client.post("/registrations/new", {"apprehended_at": "", "group_kind": "household"})
    assert response.status_code == 400
    assert not Group.objects.exists()


@pytest.mark.shared_data("faces/deepface", "fingerprints/fvc2002")
def test_a_person_with_face_and_fingers_then_review_finish_and_done(client, officer_a, group_a):
    client.force_login(officer_a)
    assert client.get(f"/registrations/groups/{group_a.pk}/person").status_code == 200
    response = client.post(f"/registrations/groups/{group_a.pk}/person", {
        **person_post(), "next": "review",
        "face": SimpleUploadedFile("face.jpg", face_bytes("img12.jpg"), "image/jpeg"),
        "finger_2": SimpleUploadedFile("f2.tif", finger_bytes(1, "101_1.tif"), "image/tiff"),
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == f"/registrations/groups/{group_a.pk}/"
    registration = Registration.objects.get()
    assert registration.face_taken and registration.fingers_taken == [2]
    assert registration.fingers_missing["1"] == "refused" and registration.languages == ["Arabic", "Kurdish"]
    review = client.get(response.url)
    assert review.status_code == 200 and "HADDAD" in review.content.decode()
    finish = client.post(f"/registrations/groups/{group_a.pk}/finish")
    assert finish.status_code == 302 and finish.url.endswith("/done")
    done = client.get(finish.url)
    assert done.status_code == 200 and registration.reference in done.content.decode()
    group_a.refresh_from_db()
    assert group_a.completed_at is not None


@pytest.mark.shared_data("faces/deepface")
def test_errors_come_back_on_their_fields_and_nothing_is_saved(client, officer_a, group_a):
    client.force_login(officer_a)
    url = f"/registrations/groups/{group_a.pk}/person"
    no_consent = client.post(url, person_post(consent=""))
    assert no_consent.status_code == 400 and "Record whether the person gave consent" in no_consent.content.decode()
    bad_age = client.post(url, person_post(date_of_birth="2999-01-01"))
    assert bad_age.status_code == 400 and "in the future" in bad_age.content.decode()
    two_faces = client.post(url, {**person_post(),
                                  "face": SimpleUploadedFile("c.jpg", face_bytes("couple.jpg"), "image/jpeg")})
    assert two_faces.status_code == 400 and "several_faces" in two_faces.content.decode()
    no_reason = client.post(url, person_post(fingers_missing_all=""))
    assert no_reason.status_code == 400 and "give the image or the reason" in no_reason.content.decode()
    assert not Registration.objects.exists()


def test_the_case_page_is_an_audited_read_and_changes_the_status(client, officer_a, group_a):
    from registrations.services import registration_create
    from registrations.tests.conftest import person_data

    registration = registration_create(actor=officer_a, group=group_a, data=person_data())
    client.force_login(officer_a)
    page = client.get(f"/registrations/{registration.pk}/")
    assert page.status_code == 200
    assert AuditEvent.objects.filter(action="registration.view", object_id=str(registration.pk)).count() == 1
    refused = client.post(f"/registrations/{registration.pk}/transition", {"to_status": "referred", "reason": "x"})
    assert refused.status_code == 400 and "Choose where the person is referred to" in refused.content.decode()
    moved = client.post(f"/registrations/{registration.pk}/transition",
                        {"to_status": "referred", "referral_to": "asylum_authority", "reason": "Claims asylum"})
    assert moved.status_code == 302
    registration.refresh_from_db()
    assert registration.case_status == "referred" and registration.referral_to == "asylum_authority"


def test_the_list_is_restricted_and_filtered(client, officer_a, officer_b, supervisor, group_a):
    from registrations.services import case_transition, registration_create
    from registrations.tests.conftest import person_data

    registration = registration_create(actor=officer_a, group=group_a, data=person_data())
    case_transition(actor=officer_a, registration=registration, to_status="detained", reason="pending checks")
    client.force_login(officer_b)
    assert registration.reference not in client.get("/registrations/").content.decode()
    assert client.get(f"/registrations/{registration.pk}/").status_code == 404
    assert client.get(f"/registrations/groups/{group_a.pk}/").status_code == 404
    client.force_login(supervisor)
    assert registration.reference in client.get("/registrations/").content.decode()
    assert registration.reference in client.get("/registrations/?status=detained&post=PA").content.decode()
    assert registration.reference not in client.get("/registrations/?status=released").content.decode()
    assert client.get("/registrations/?post=NOPE").status_code == 400


def test_the_pages_speak_arabic(client, officer_a, group_a, settings):
    client.force_login(officer_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = client.get(f"/registrations/groups/{group_a.pk}/person").content.decode()
    assert 'dir="rtl"' in page and "الموافقة" in page


def test_the_nav_has_the_entry_for_officers(client, officer_a):
    client.force_login(officer_a)
    assert b'href="/registrations/"' in client.get("/").content


def test_another_group_of_the_same_apprehension(client, officer_a, group_a):
    from registrations.services import registration_create
    from registrations.tests.conftest import person_data

    registration_create(actor=officer_a, group=group_a, data=person_data())
    client.force_login(officer_a)
    response = client.post(f"/registrations/groups/{group_a.pk}/another", {"kind": "travel_group"})
    assert response.status_code == 302
    new = Group.objects.exclude(pk=group_a.pk).get()
    assert new.apprehension_id == group_a.apprehension_id and new.kind == "travel_group"
    assert response.url == f"/registrations/groups/{new.pk}/person"
    page = client.get(f"/registrations/groups/{group_a.pk}/").content.decode()
    assert new.reference in page
    # the offer of another group is in the page's body once, not in its title or head
    assert page.count("Other groups of this apprehension") == 1
    title = page[page.index("<title>"):page.index("</title>")]
    assert "<section" not in title and group_a.reference in title


def test_the_panel_renders_on_its_own(officer_a, group_a):
    from django.template.loader import render_to_string

    from registrations.selectors import person_panel
    from registrations.services import registration_create
    from registrations.tests.conftest import person_data

    registration = registration_create(actor=officer_a, group=group_a, data=person_data())
    panel = person_panel(officer_a, registration.person_id)
    html = render_to_string(panel["template"], {"panel": panel})
    assert registration.reference in html and "Registrations and cases" in html


def test_an_apprehension_incident_links_to_the_registration_of_its_persons(client, supervisor_a, post_a):
    # The incidents side (tests only: the apps themselves never import each other).
    from core.tests.factories import SectorFactory
    from devices.tests.factories import make_device
    from incidents.services import incident_attach_detection, incident_close
    from incidents.tests.factories import make_detection

    camera, _raw = make_device("thermal_camera", post=post_a, sector=SectorFactory(post=post_a, code="SA9"),
                               code="CAM-R1", latitude=33.5, longitude=46.0)
    incident, _created = incident_attach_detection(detection=make_detection(camera))
    client.force_login(supervisor_a)
    assert b"/registrations/new?incident=" not in client.get(f"/incidents/{incident.pk}/").content
    incident_close(actor=supervisor_a, incident=incident, outcome="apprehended", persons=3)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    link = f"/registrations/new?incident={incident.pk}"
    assert link in page and "Register persons" in page
    form = client.get(link).content.decode()
    assert f'name="incident" value="{incident.pk}"' in form and f"/incidents/{incident.pk}/" in form


def test_the_person_page_shows_the_registrations_and_cases(client, officer_a, officer_b, group_a):
    from registrations.services import registration_create
    from registrations.tests.conftest import person_data

    registration = registration_create(actor=officer_a, group=group_a, data=person_data())
    client.force_login(officer_a)
    page = client.get(f"/travelers/persons/{registration.person_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-panel="registrations"' in html and registration.reference in html
