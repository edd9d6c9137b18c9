"""Reachability of the configured services, for /healthz."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # any failure of a dependency is reported, never raised
        detail, ok = f"{type(exc).__name__}", False
    result = {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail:
        result["detail"] = detail
    return result


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _cache() -> str:
    key, value = f"healthz:{uuid.uuid4().hex}", "1"
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def _broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "not configured: tasks run eagerly in-process"
    from kombu import Connection

    timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout,
                    transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)
        return conn.transport.driver_name


def health_report() -> tuple[bool, dict]:
    checks = {"database": _timed(_database), "cache": _timed(_cache), "broker": _timed(_broker)}
    healthy = all(check["ok"] for check in checks.values())
    return healthy, {"status": "ok" if healthy else "fail", "checks": checks}
