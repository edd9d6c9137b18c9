"""A worker killed in the middle of a face task loses no request.

A real Celery worker (prefork, one child) runs in a subprocess against the
test's PostgreSQL database and Redis broker.  The test waits until the child
is inside the 1:N task (the request row says ``running``, with the child's
pid), kills that child with SIGKILL, and checks that the broker hands the
same message to the replacement child, which completes the request.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from biometrics.models.face import FaceIdentification, FaceRequestStatus, FaceTemplate
from biometrics.services import face as services
from biometrics.tests.face.conftest import read_fixture

REPO = Path(__file__).resolve().parents[3]


def _database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, tmp_path):
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "BMIS_FACE_INDEX_DIR": str(tmp_path / "worker-index"),
            "BMIS_VAR_DIR": str(tmp_path / "worker-var"),
            "DJANGO_SETTINGS_MODULE": "bmis.settings",
        })
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "bmis", "worker", "-Q", "biometrics", "-c", "1", "-P", "prefork",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO", "-n", "facekill@%h"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_ready(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any("ready." in line for line in self.lines):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError("worker did not start:\n" + "".join(self.lines[-40:]))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.mark.postgres
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_identification_loses_nothing(tmp_path, post_a):
    from bmis.celery import app

    app.control.purge()
    worker = Worker(tmp_path)
    try:
        worker.wait_ready()
        # A capture without a traveler id: the 1:N task itself encodes the probe (about a second),
        # which leaves time to kill the child in the middle of it.
        result = services.face_capture(
            actor=None, data=read_fixture("img10.jpg"), purpose="live", source="browser", inspection_id=501,
            post=post_a,
        )
        assert result.accepted and result.queued
        ident_id = result.identification.pk
        killed = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and killed is None:
            row = FaceIdentification.objects.filter(pk=ident_id).values("status", "attempts", "worker_pid").first()
            if row["status"] == FaceRequestStatus.RUNNING and row["worker_pid"]:
                killed = row["worker_pid"]
                os.kill(killed, signal.SIGKILL)
            elif row["status"] == FaceRequestStatus.DONE:
                pytest.fail("the task finished before it could be killed; the test proves nothing")
            time.sleep(0.005)
        assert killed is not None, "the task never started:\n" + "".join(worker.lines[-40:])
        deadline = time.monotonic() + 120
        ident = FaceIdentification.objects.get(pk=ident_id)
        while ident.status != FaceRequestStatus.DONE and time.monotonic() < deadline:
            time.sleep(0.2)
            ident = FaceIdentification.objects.get(pk=ident_id)
        log = "".join(worker.lines)
        assert ident.status == FaceRequestStatus.DONE, log[-3000:]
        assert ident.attempts == 2  # the killed run, then the redelivered one
        assert ident.worker_pid != killed
        assert "WorkerLostError" in log or "exited prematurely" in log
        assert FaceTemplate.objects.filter(image_id=ident.probe_id).count() == 1
    finally:
        worker.stop()
