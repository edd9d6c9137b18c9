"""The Celery application. Queues: default, biometrics, imports (routes in settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bmis.settings")

app = Celery("bmis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
