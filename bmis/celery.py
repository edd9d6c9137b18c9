"""The Celery application. Queues: default, biometrics, imports (routes in settings)."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bmis.settings")

app = Celery("bmis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _safe_exceptions(logger, **_kwargs):
    """The worker's own log handlers: no tracebacks or exception texts (personal data), as in
    the settings' LOGGING (core.logsafe)."""
    from core.logsafe import SafeExceptionFilter

    for handler in logger.handlers:
        if not any(isinstance(f, SafeExceptionFilter) for f in handler.filters):
            handler.addFilter(SafeExceptionFilter())
