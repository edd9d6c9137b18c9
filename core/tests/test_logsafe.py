"""Failures are logged with their class, location and ids, never with the data that caused them."""

import logging

import pytest
from django.db import connection

from core.logsafe import SafeExceptionFilter, exception_summary, log_failure
from watchlists.models import Watchlist
from watchlists.services import document_entry_create

NUMBER = "N7654321"


def _fail():
    raise ValueError(f"duplicate key: document number {NUMBER}")


def test_summary_names_class_and_location_only():
    try:
        _fail()
    except ValueError as exc:
        summary = exception_summary(exc)
    assert summary.startswith("ValueError at core/tests/test_logsafe.py:")
    assert NUMBER not in summary


def test_log_failure_leaves_out_message_and_traceback(caplog):
    logger = logging.getLogger("bmis.test")
    with caplog.at_level(logging.ERROR, logger="bmis.test"):
        try:
            _fail()
        except ValueError as exc:
            log_failure(logger, "job %s failed", 42, exc=exc)
    [record] = caplog.records
    assert record.exc_info is None
    assert record.getMessage().startswith("job 42 failed: ValueError at core/tests/test_logsafe.py:")
    assert NUMBER not in caplog.text


def test_filter_strips_tracebacks_logged_elsewhere():
    logger = logging.getLogger("bmis.test.filter")
    try:
        _fail()
    except ValueError:
        record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, "lookup %s failed", ("x",),
                                   exc_info=__import__("sys").exc_info())
    assert SafeExceptionFilter().filter(record)
    formatted = logging.Formatter("%(message)s").format(record)
    assert NUMBER not in formatted and "Traceback" not in formatted
    assert formatted.startswith("lookup x failed: ValueError at core/tests/test_logsafe.py:")


@pytest.fixture
def unique_document_numbers(db):
    """A real database uniqueness rule the models do not know about: inserting a duplicate raises
    IntegrityError, whose message names the key value on PostgreSQL."""
    with connection.cursor() as cur:
        cur.execute("CREATE UNIQUE INDEX test_one_number ON watchlists_documententry (number_normalized)")
    yield
    with connection.cursor() as cur:
        cur.execute("DROP INDEX test_one_number")


@pytest.mark.django_db
def test_api_500_logs_no_key_values(api, make_partner, border_agency, unique_document_numbers, caplog):
    other = Watchlist.objects.create(code="OTHER", name="Other", owner_agency=border_agency, kind="documents")
    document_entry_create(actor=None, watchlist=other, number=NUMBER, issuing_state="IRQ", status="stolen")
    _c, raw = make_partner(["watchlists:read", "watchlists:write"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = api.post("/api/v1/watchlists", {"code": "POLDOC", "name": "Police documents", "kind": "documents",
                                        "action": "refer"}, format="json")
    assert r.status_code == 201, r.content
    with caplog.at_level(logging.DEBUG):
        r = api.post("/api/v1/watchlists/POLDOC/documents", {"number": NUMBER, "issuing_state": "IRQ",
                                                             "status": "stolen"}, format="json",
                     HTTP_X_REQUEST_ID="req-12345678")
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "server_error"
    assert NUMBER not in caplog.text
    assert all(rec.exc_info is None for rec in caplog.records if rec.name == "bmis.api")
    [line] = [rec.getMessage() for rec in caplog.records if rec.name == "bmis.api"]
    assert "req-12345678" in line and "IntegrityError at " in line


def test_filter_scrubs_the_exception_text_from_celery_style_messages():
    logger = logging.getLogger("celery.app.trace")
    try:
        _fail()
    except ValueError as exc:
        context = {"name": "watchlists.import_file", "id": "abc", "description": "raised unexpected",
                   "exc": repr(exc)}
        record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1,
                                   "Task %(name)s[%(id)s] %(description)s: %(exc)s", (context,),
                                   exc_info=__import__("sys").exc_info())
    SafeExceptionFilter().filter(record)
    message = record.getMessage()
    assert NUMBER not in message
    assert message.startswith("Task watchlists.import_file[abc] raised unexpected: ValueError: ValueError at ")


def test_celery_worker_handlers_get_the_filter():
    from celery.signals import after_setup_task_logger

    logger = logging.getLogger("bmis.test.worker")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        after_setup_task_logger.send(sender=None, logger=logger, loglevel=logging.INFO, logfile=None,
                                     format="", colorize=False)
        assert any(isinstance(f, SafeExceptionFilter) for f in handler.filters)
    finally:
        logger.removeHandler(handler)
