import time

import pytest
from django.db import transaction

from audit.models import AuditEvent
from audit.services import audit_log
from audit.tasks import verify_chain_task


@pytest.mark.django_db
def test_verify_task_records_its_result():
    with transaction.atomic():
        audit_log(actor=None, action="test.event")
    result = verify_chain_task.delay().get()
    assert result["ok"] is True and result["checked"] == 1
    event = AuditEvent.objects.get(action="audit.verify")
    assert event.metadata["ok"] is True


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_verify_task_runs_on_a_real_worker_through_the_broker(celery_live_worker):
    with transaction.atomic():
        audit_log(actor=None, action="test.event")
    verify_chain_task.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        event = AuditEvent.objects.filter(action="audit.verify").first()
        if event is not None:
            break
        time.sleep(0.2)
    assert event is not None, "the worker did not run the task within 30 s"
    assert event.metadata["ok"] is True and event.metadata["checked"] == 1
