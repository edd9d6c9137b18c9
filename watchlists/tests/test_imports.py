import logging
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from watchlists.models import Availability, DocumentEntry, ImportStatus, PersonEntry, VehicleEntry
from watchlists.services import import_job_create, screen_person

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


def upload(name):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes())


def run(actor, wl, fmt, name, **kw):
    job = import_job_create(actor=actor, watchlist=wl, fmt=fmt, uploaded_file=upload(name), **kw)
    job.refresh_from_db()  # eager Celery ran the task on commit
    return job


def test_csv_import_report_and_rejections(supervisor, wanted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(actor=supervisor, watchlist=wanted, fmt="csv", uploaded_file=upload("persons.csv"))
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED, job.error
    r = job.report
    assert r["created"] == 4 and r["updated"] == 0 and r["deactivated"] == 0
    reasons = {x["external_id"]: x["reason"] for x in r["rejected"]}
    assert set(reasons) == {"P-3", "P-4"}
    assert "date_of_birth" in reasons["P-3"] and "names" in reasons["P-4"]
    p1 = PersonEntry.objects.get(watchlist=wanted, external_id="P-1")
    assert sorted(p1.names.values_list("full_name", flat=True)) == sorted(
        ["Ahmed Jaber Kadhim Al-Khafaji", "أحمد جابر كاظم الخفاجي"])
    assert p1.birth_year == 1974 and p1.nationalities == ["IRQ"] and p1.document_numbers == ["A1234567"]
    assert DocumentEntry.objects.get(external_id="D-1").number_normalized == "N0123456"
    assert VehicleEntry.objects.get(external_id="V-1").plate_normalized == "12345BGD"
    assert screen_person(names=["Ahmad Khafaji"], date_of_birth="1974", store_hits=False).hits
    assert AuditEvent.objects.filter(action="watchlist.import").count() == 1
    assert job.progress_done == job.progress_total == 6


def test_reimport_is_idempotent_updates_and_deactivates(supervisor, wanted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_job_create(actor=supervisor, watchlist=wanted, fmt="csv", uploaded_file=upload("persons.csv"))
    with django_capture_on_commit_callbacks(execute=True):
        again = import_job_create(actor=supervisor, watchlist=wanted, fmt="csv", uploaded_file=upload("persons.csv"))
    again.refresh_from_db()
    assert again.report["created"] == 0 and again.report["updated"] == 0 and again.report["unchanged"] == 4
    assert PersonEntry.objects.filter(watchlist=wanted).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        v2 = import_job_create(actor=supervisor, watchlist=wanted, fmt="csv", uploaded_file=upload("persons_v2.csv"),
                               deactivate_missing=True)
    v2.refresh_from_db()
    r = v2.report
    assert r["created"] == 1 and r["updated"] == 1 and r["unchanged"] == 1
    assert r["deactivated"] == 2  # P-2 and V-1 are no longer in the file: kept, inactive
    assert PersonEntry.objects.filter(external_id="P-2", is_active=False).exists()
    assert VehicleEntry.objects.filter(external_id="V-1", is_active=False).exists()
    assert DocumentEntry.objects.get(external_id="D-1").status == "lost"
    assert not screen_person(names=["Rezan Khalil"], store_hits=False).hits


def test_malformed_file_changes_nothing(supervisor, wanted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(actor=supervisor, watchlist=wanted, fmt="ftm", uploaded_file=upload("broken.ftm.jsonl"))
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "line 2" in job.error
    assert PersonEntry.objects.count() == 0
    wanted.refresh_from_db()
    assert wanted.availability == Availability.AVAILABLE


def test_malformed_csv(supervisor, wanted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(actor=supervisor, watchlist=wanted, fmt="un_xml", uploaded_file=upload("persons.csv"))
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "XML" in job.error


def test_failure_midway_rolls_everything_back(supervisor, wanted, monkeypatch, django_capture_on_commit_callbacks):
    from watchlists.services import imports

    real = imports.vehicle_entry_create

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "vehicle_entry_create", explode)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(actor=supervisor, watchlist=wanted, fmt="csv", uploaded_file=upload("persons.csv"))
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "changed nothing" in job.error
    assert PersonEntry.objects.count() == 0 and DocumentEntry.objects.count() == 0
    monkeypatch.setattr(imports, "vehicle_entry_create", real)


def test_un_xml_import(supervisor, un_list, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(actor=supervisor, watchlist=un_list, fmt="un_xml",
                                uploaded_file=upload("un_consolidated_sample.xml"))
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED, job.error
    assert job.report["created"] == 2
    assert job.report["skipped"] == [{"row": 1, "external_id": "QDe.900", "reason": "entity (not a person)"}]
    e = PersonEntry.objects.get(external_id="QDi.900")
    names = set(e.names.values_list("full_name", flat=True))
    assert names == {"QUTAIBA SARMAD HAMOUDI", "قتيبة سرمد حمودي", "Abu Sarmad al-Iraqi"}
    assert (e.birth_year, e.birth_month, e.birth_day, e.gender, e.nationalities) == (1979, 6, 15, "M", ["IRQ"])
    assert e.document_numbers == ["G7654321"] and "Mosul" in e.place_of_birth
    e2 = PersonEntry.objects.get(external_id="QDi.901")
    assert e2.birth_year == 1968 and e2.nationalities == ["SYR"]
    assert screen_person(names=["Qutayba Sarmad"], date_of_birth="1979", store_hits=False).hits


def test_ftm_import(supervisor, un_list, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(actor=supervisor, watchlist=un_list, fmt="ftm",
                                uploaded_file=upload("opensanctions_sample.ftm.jsonl"))
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED, job.error
    assert job.report["created"] == 3  # two persons and a vehicle
    assert [s["reason"] for s in job.report["skipped"]] == ["schema Company is not screened"]
    e = PersonEntry.objects.get(external_id="test-ftm-1")
    assert e.nationalities == ["IRQ"] and e.gender == "M" and e.document_numbers == ["B1122334"]
    assert PersonEntry.objects.get(external_id="test-ftm-2").nationalities == ["IRN"]
    assert VehicleEntry.objects.get(external_id="test-ftm-4").plate_normalized == "BGD4455"
    assert screen_person(names=["حارث عادل اللامي"], store_hits=False).hits


def test_import_into_another_agencys_list_is_refused(supervisor, police_agency):
    from django.core.exceptions import PermissionDenied

    from watchlists.models import Watchlist

    other = Watchlist.objects.create(code="POL", name="Police", owner_agency=police_agency)
    with pytest.raises(PermissionDenied):
        import_job_create(actor=supervisor, watchlist=other, fmt="csv", uploaded_file=upload("persons.csv"))


def test_import_api_and_progress(api, make_partner, police_agency, django_capture_on_commit_callbacks):
    from watchlists.models import Watchlist

    Watchlist.objects.create(code="POL", name="Police", owner_agency=police_agency)
    _c, raw = make_partner(["watchlists:read", "watchlists:write"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/watchlists/POL/imports", {"format": "csv", "file": upload("persons.csv")}, format="multipart")
    assert r.status_code == 202, r.content
    job = api.get(f"/api/v1/imports/{r.json()['id']}").json()
    assert job["status"] == "succeeded" and job["progress"] == {"done": 6, "total": 6}
    r = api.post("/api/v1/watchlists/POL/imports", {"format": "pdf", "file": upload("persons.csv")}, format="multipart")
    assert r.status_code == 400 and "format" in r.json()["error"]["fields"]


def test_broken_csv_and_binary_files_change_nothing(supervisor, wanted, django_capture_on_commit_callbacks):
    for name, content in (("broken.csv", (FIXTURES / "broken.csv").read_bytes()), ("binary.csv", b"\xff\xfe\x00garbage")):
        with django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(actor=supervisor, watchlist=wanted, fmt="csv",
                                    uploaded_file=SimpleUploadedFile(name, content))
        job.refresh_from_db()
        assert job.status == ImportStatus.FAILED and "could not be read" in job.error
    assert PersonEntry.objects.count() == 0


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_import_runs_on_a_real_worker(supervisor, border_agency, celery_live_worker):
    import time

    from watchlists.models import Watchlist

    wl = Watchlist.objects.create(code="BRK", name="Broker test", owner_agency=border_agency)
    job = import_job_create(actor=supervisor, watchlist=wl, fmt="csv", uploaded_file=upload("persons.csv"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
            break
        time.sleep(0.2)
    assert job.status == ImportStatus.SUCCEEDED, job.error
    assert job.report["created"] == 4


def test_failed_import_logs_no_row_content(supervisor, wanted, border_agency, caplog,
                                           django_capture_on_commit_callbacks):
    """A real database error in the middle of an import (a uniqueness rule the models do not check;
    PostgreSQL's message names the key value) is logged by class, job id and location only."""
    from django.db import connection

    from watchlists.models import Watchlist
    from watchlists.services import document_entry_create

    with connection.cursor() as cur:
        cur.execute("CREATE UNIQUE INDEX test_one_number ON watchlists_documententry (number_normalized)")
    try:
        other = Watchlist.objects.create(code="OTHER", name="Other", owner_agency=border_agency, kind="documents")
        document_entry_create(actor=None, watchlist=other, number="N0123456", issuing_state="IRQ", status="stolen")
        with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(actor=supervisor, watchlist=wanted, fmt="csv", uploaded_file=upload("persons.csv"))
    finally:
        with connection.cursor() as cur:
            cur.execute("DROP INDEX test_one_number")
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "IntegrityError" in job.error
    assert PersonEntry.objects.filter(watchlist=wanted).count() == 0
    for secret in ("N0123456", "A1234567", "Khafaji", "الخفاجي", "Baghdad", "fraud"):
        assert secret not in caplog.text
        assert secret not in job.error
    assert all(rec.exc_info is None for rec in caplog.records)
    [line] = [r.getMessage() for r in caplog.records if r.name == "watchlists.services.imports"]
    assert line.startswith(f"import {job.pk} failed: IntegrityError at ")
