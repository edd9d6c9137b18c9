"""Imports cannot silently destroy a list: a preview first (nothing written), applied only on
confirmation, exactly as shown or not at all."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from watchlists.models import DocumentEntry, ImportJob, ImportStatus, PersonEntry, VehicleEntry, Watchlist
from watchlists.services import (
    ImportPreviewChanged,
    import_job_confirm,
    import_job_create,
    import_job_preview,
    import_run,
    person_entry_create,
    person_entry_update,
)

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


def upload(name, content=None):
    return SimpleUploadedFile(name, content if content is not None else (FIXTURES / name).read_bytes())


def entries_state(wl):
    """Every entry of the list with what an import may change."""
    return (
        sorted(PersonEntry.objects.filter(watchlist=wl).values_list("external_id", "is_active", "birth_year", "updated_at")),
        sorted(DocumentEntry.objects.filter(watchlist=wl).values_list("external_id", "is_active", "status", "updated_at")),
        sorted(VehicleEntry.objects.filter(watchlist=wl).values_list("external_id", "is_active", "plate", "updated_at")),
    )


@pytest.fixture
def loaded(supervisor, wanted, django_capture_on_commit_callbacks):
    """WANTED holds P-1, P-2, D-1 and V-1 (persons.csv imported)."""
    with django_capture_on_commit_callbacks(execute=True):
        import_job_create(actor=supervisor, watchlist=wanted, fmt="csv", uploaded_file=upload("persons.csv"))
    assert PersonEntry.objects.filter(watchlist=wanted).count() == 2
    return wanted


def test_preview_lists_what_would_change_and_writes_nothing(supervisor, loaded, django_capture_on_commit_callbacks):
    before = entries_state(loaded)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = import_job_preview(actor=supervisor, watchlist=loaded, fmt="csv", uploaded_file=upload("persons_v2.csv"),
                                 deactivate_missing=True)
    assert callbacks == []  # nothing queued
    assert job.status == ImportStatus.PREVIEW
    p = job.preview
    assert p["counts"] == {"created": 1, "updated": 1, "unchanged": 1, "deactivated": 2, "rejected": 0, "skipped": 0}
    assert [(i["external_id"], i["name"]) for i in p["created"]] == [("P-5", "Sinan Thamer Al-Lami")]
    assert [(i["external_id"], i["fields"]) for i in p["updated"]] == [("D-1", ["status"])]
    assert sorted((i["kind"], i["external_id"], i["name"]) for i in p["deactivated"]) == [
        ("person", "P-2", "Rezan Khalil"), ("vehicle", "V-1", "IRQ 12345 BGD")]
    assert entries_state(loaded) == before  # nothing written
    assert AuditEvent.objects.filter(action="watchlist.import_previewed", object_id=str(job.pk)).count() == 1
    assert AuditEvent.objects.filter(action="watchlist.import").count() == 1  # only the first load


def test_deactivation_is_off_by_default(supervisor, loaded):
    job = import_job_preview(actor=supervisor, watchlist=loaded, fmt="csv", uploaded_file=upload("persons_v2.csv"))
    assert job.deactivate_missing is False and job.preview["counts"]["deactivated"] == 0
    assert ImportJob._meta.get_field("deactivate_missing").default is False


def test_confirmation_applies_exactly_the_preview(supervisor, loaded, django_capture_on_commit_callbacks):
    job = import_job_preview(actor=supervisor, watchlist=loaded, fmt="csv", uploaded_file=upload("persons_v2.csv"),
                             deactivate_missing=True)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(actor=supervisor, job=job, digest=job.preview["digest"])
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED, job.error
    assert job.confirmed_by == supervisor and job.confirmed_at is not None
    counts = job.preview["counts"]
    assert {k: job.report[k] for k in ("created", "updated", "unchanged", "deactivated")} == {
        k: counts[k] for k in ("created", "updated", "unchanged", "deactivated")}
    inactive = {(e.external_id) for m in (PersonEntry, DocumentEntry, VehicleEntry)
                for e in m.objects.filter(watchlist=loaded, is_active=False)}
    assert inactive == {i["external_id"] for i in job.preview["deactivated"]}
    confirmed = AuditEvent.objects.get(action="watchlist.import_confirmed", object_id=str(job.pk))
    assert confirmed.metadata["digest"] == job.preview["digest"]


def test_a_list_changed_after_the_preview_is_refused_and_the_preview_recomputed(
        supervisor, loaded, django_capture_on_commit_callbacks):
    job = import_job_preview(actor=supervisor, watchlist=loaded, fmt="csv", uploaded_file=upload("persons_v2.csv"),
                             deactivate_missing=True)
    old = job.preview["digest"]
    # Someone adds P-9 meanwhile: the import would now deactivate it too.
    person_entry_create(actor=supervisor, watchlist=loaded, names=["Karim Hadi"], external_id="P-9")
    before = entries_state(loaded)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ImportPreviewChanged):
        import_job_confirm(actor=supervisor, job=job, digest=old)
    assert callbacks == [] and entries_state(loaded) == before
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW and job.preview["digest"] != old
    assert "P-9" in {i["external_id"] for i in job.preview["deactivated"]}
    with pytest.raises(ValidationError):  # the old digest is not what the job now shows
        import_job_confirm(actor=supervisor, job=job, digest=old)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(actor=supervisor, job=job, digest=job.preview["digest"])
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED and job.report["deactivated"] == 3


def test_a_change_between_confirmation_and_the_run_applies_nothing(supervisor, loaded, django_capture_on_commit_callbacks):
    job = import_job_preview(actor=supervisor, watchlist=loaded, fmt="csv", uploaded_file=upload("persons_v2.csv"),
                             deactivate_missing=True)
    with django_capture_on_commit_callbacks(execute=False):  # confirmed; the worker has not run yet
        import_job_confirm(actor=supervisor, job=job, digest=job.preview["digest"])
    p2 = PersonEntry.objects.get(watchlist=loaded, external_id="P-2")
    person_entry_update(actor=supervisor, entry=p2, is_active=False)  # deactivated by hand meanwhile
    before = entries_state(loaded)
    job = import_run(job_id=job.pk)
    assert job.status == ImportStatus.FAILED and "changed after the preview" in job.error
    assert entries_state(loaded) == before


def test_a_preview_is_not_run_without_confirmation(supervisor, loaded):
    job = import_job_preview(actor=supervisor, watchlist=loaded, fmt="csv", uploaded_file=upload("persons_v2.csv"),
                             deactivate_missing=True)
    before = entries_state(loaded)
    assert import_run(job_id=job.pk).status == ImportStatus.PREVIEW
    assert entries_state(loaded) == before


@pytest.mark.parametrize(("fmt", "content", "needle"), [
    ("csv", b"\xff\xfe\x00garbage", "not UTF-8"),
    ("un_xml", (FIXTURES / "persons.csv").read_bytes(), "not well-formed XML"),
    ("csv", b"name,kind\nX,person\n", "external_id"),
])
def test_an_unreadable_file_is_a_field_error_and_keeps_no_job(supervisor, wanted, fmt, content, needle):
    with pytest.raises(ValidationError) as exc:
        import_job_preview(actor=supervisor, watchlist=wanted, fmt=fmt, uploaded_file=upload("f.dat", content))
    assert needle in exc.value.message_dict["file"][0]
    assert not ImportJob.objects.exists()


def test_confirming_anothers_list_is_refused(supervisor, loaded, police_agency, make_partner):
    job = import_job_preview(actor=supervisor, watchlist=loaded, fmt="csv", uploaded_file=upload("persons_v2.csv"))
    from django.core.exceptions import PermissionDenied

    from accounts.models import User

    other = User.objects.create_user(username="sup.police", password="x", role="supervisor", agency=police_agency)
    with pytest.raises(PermissionDenied):
        import_job_confirm(actor=other, job=job, digest=job.preview["digest"])


# --- pages ---------------------------------------------------------------------------------

def test_preview_page_lists_deactivations_and_nothing_changes_before_confirmation(
        login, supervisor, loaded, django_capture_on_commit_callbacks):
    c = login(supervisor)
    assert 'name="deactivate_missing"' in c.get("/watchlists/WANTED/import/").content.decode()
    assert "checked" not in c.get("/watchlists/WANTED/import/").content.decode().split('name="deactivate_missing"')[1][:40]
    before = entries_state(loaded)
    r = c.post("/watchlists/WANTED/import/", {"format": "csv", "file": upload("persons_v2.csv"),
                                              "deactivate_missing": "on"})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "Would be deactivated" in page and "Rezan Khalil" in page and "12345 BGD" in page
    assert "Sinan Thamer Al-Lami" in page and "Confirm import (deactivates 2 entries)" in page
    assert entries_state(loaded) == before
    job = ImportJob.objects.get(status=ImportStatus.PREVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/watchlists/imports/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    assert r.status_code == 302
    assert not PersonEntry.objects.get(external_id="P-2").is_active


def test_preview_page_refuses_a_stale_confirmation_on_the_page(login, supervisor, loaded):
    c = login(supervisor)
    job = import_job_preview(actor=supervisor, watchlist=loaded, fmt="csv", uploaded_file=upload("persons_v2.csv"),
                             deactivate_missing=True)
    person_entry_create(actor=supervisor, watchlist=loaded, names=["Karim Hadi"], external_id="P-9")
    r = c.post(f"/watchlists/imports/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    assert r.status_code == 409
    page = r.content.decode()
    assert "The list changed since the preview: the preview was computed again." in page and "Karim Hadi" in page
    r = c.post(f"/watchlists/imports/{job.pk}/confirm/", {"digest": ""})
    assert r.status_code == 400


@pytest.mark.parametrize(("data", "field_error"), [
    ({"format": "csv"}, "No file was uploaded: choose the file to import."),
    ({"format": "csv", "file": SimpleUploadedFile("e.csv", b"")}, "The file is empty."),
    ({"format": "un_xml", "file": SimpleUploadedFile("p.csv", b"external_id,names\nP-1,Ali\n")}, "not well-formed XML"),
    ({"format": "pdf", "file": SimpleUploadedFile("p.csv", b"external_id\n")}, "Select a valid choice"),
])
def test_bad_uploads_are_field_errors_on_the_form(login, supervisor, wanted, data, field_error):
    c = login(supervisor)
    r = c.post("/watchlists/WANTED/import/", data)
    assert r.status_code == 400
    assert field_error in r.content.decode()
    assert not ImportJob.objects.exists()


def test_import_pages_are_for_supervisors_of_the_list(client, login, officer_a, booth_a, supervisor, loaded):
    job = import_job_preview(actor=supervisor, watchlist=loaded, fmt="csv", uploaded_file=upload("persons_v2.csv"))
    r = client.post(f"/watchlists/imports/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    c = login(officer_a, booth_a)
    assert c.post(f"/watchlists/imports/{job.pk}/confirm/", {"digest": job.preview["digest"]}).status_code == 403
    assert c.get("/watchlists/WANTED/import/").status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW


# --- API -------------------------------------------------------------------------------------

@pytest.fixture
def pol(police_agency):
    return Watchlist.objects.create(code="POL", name="Police", owner_agency=police_agency)


def test_api_dry_run_changes_nothing_and_confirm_applies_it(api, make_partner, pol, django_capture_on_commit_callbacks):
    _c, raw = make_partner(["watchlists:read", "watchlists:write"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/watchlists/POL/imports", {"format": "csv", "file": upload("persons.csv")}, format="multipart")
    assert r.status_code == 202 and r.json()["deactivate_missing"] is False
    before = entries_state(pol)
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/watchlists/POL/imports", {"format": "csv", "file": upload("persons_v2.csv"),
                                                        "deactivate_missing": "true", "dry_run": "true"},
                     format="multipart")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "preview" and body["preview"]["counts"]["deactivated"] == 2
    assert {i["external_id"] for i in body["preview"]["deactivated"]} == {"P-2", "V-1"}
    assert entries_state(pol) == before
    r = api.post(f"/api/v1/imports/{body['id']}/confirm", {"digest": "0" * 64}, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/api/v1/imports/{body['id']}/confirm", {"digest": body["preview"]["digest"]}, format="json")
    assert r.status_code == 202
    job = api.get(f"/api/v1/imports/{body['id']}").json()
    assert job["status"] == "succeeded" and job["report"]["deactivated"] == 2


def test_api_confirm_of_a_changed_list_is_409(api, make_partner, pol):
    _c, raw = make_partner(["watchlists:read", "watchlists:write"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = api.post("/api/v1/watchlists/POL/imports", {"format": "csv", "file": upload("persons.csv"),
                                                       "dry_run": "true"}, format="multipart").json()
    person_entry_create(actor=None, watchlist=pol, names=["Karim Hadi"], external_id="P-9")
    r = api.post(f"/api/v1/imports/{body['id']}/confirm", {"digest": body["preview"]["digest"]}, format="json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "preview_changed"


@pytest.mark.parametrize(("data", "field"), [
    ({"format": "csv"}, "file"),
    ({"format": "csv", "file": SimpleUploadedFile("e.csv", b"")}, "file"),
    ({"format": "csv", "file": SimpleUploadedFile("b.csv", b"\xff\xfe\x00garbage"), "dry_run": "true"}, "file"),
    ({"format": "ftm", "file": SimpleUploadedFile("b.json", b"not json\n"), "dry_run": "true"}, "file"),
])
def test_api_bad_uploads_are_400_with_the_error_body(api, make_partner, pol, data, field):
    _c, raw = make_partner(["watchlists:read", "watchlists:write"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = api.post("/api/v1/watchlists/POL/imports", data, format="multipart")
    assert r.status_code == 400, r.content
    assert field in r.json()["error"]["fields"]
    assert not ImportJob.objects.exists()


def test_api_import_needs_a_token_and_the_write_scope(api, make_partner, pol):
    r = api.post("/api/v1/watchlists/POL/imports", {"format": "csv", "file": upload("persons.csv"), "dry_run": "true"},
                 format="multipart")
    assert r.status_code == 401
    _c, raw = make_partner(["watchlists:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = api.post("/api/v1/watchlists/POL/imports", {"format": "csv", "file": upload("persons.csv"), "dry_run": "true"},
                 format="multipart")
    assert r.status_code == 403
    assert api.post("/api/v1/imports/1/confirm", {"digest": "x"}, format="json").status_code == 403


@pytest.mark.parametrize("files", [
    ("persons.csv", "persons_v2.csv", "persons.csv"),  # updates, deactivations, then reactivations
    ("persons_v2.csv", "persons.csv"),
    ("un_consolidated_sample.xml", "un_consolidated_sample.xml"),
    ("opensanctions_sample.ftm.jsonl", "opensanctions_sample.ftm.jsonl", "persons.csv"),
])
def test_preview_equals_what_the_import_does(supervisor, wanted, files, django_capture_on_commit_callbacks):
    """Files imported one after the other into one list (creations, updates, deactivations,
    reactivations, rejections): every confirmed import does exactly what its preview said."""
    formats = {"csv": "csv", "xml": "un_xml", "jsonl": "ftm"}
    for name in files:
        job = import_job_preview(actor=supervisor, watchlist=wanted, fmt=formats[name.rsplit(".", 1)[1]],
                                 uploaded_file=upload(name),
                                 deactivate_missing=True)
        with django_capture_on_commit_callbacks(execute=True):
            import_job_confirm(actor=supervisor, job=job, digest=job.preview["digest"])
        job.refresh_from_db()
        assert job.status == ImportStatus.SUCCEEDED, job.error
        counts = job.preview["counts"]
        for key in ("created", "updated", "unchanged", "deactivated"):
            assert job.report[key] == counts[key], key
        assert len(job.report["rejected"]) == counts["rejected"]
    if files[0] == "persons.csv":
        assert job.preview["counts"]["updated"] >= 2  # P-2 and V-1 reactivated
        assert PersonEntry.objects.get(watchlist=wanted, external_id="P-2").is_active
