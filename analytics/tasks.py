"""Background jobs of the analytics app (Celery)."""

from __future__ import annotations

from celery import shared_task

from analytics.anomalies import anomalies_check


@shared_task(name="analytics.anomalies_check", acks_late=True)
def anomalies_check_task() -> int:
    """Hourly (beat, a few minutes past the hour): the flow of each post in the last complete
    hour and the running one against its seasonal band; returns the alerts raised or updated."""
    return len(anomalies_check())
