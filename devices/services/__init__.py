"""Writes of the devices app (registry, events, health), re-exported for callers."""

from devices.services.events import (
    Incoming,
    device_event_accept,
    device_event_process,
    device_events_accept,
    event_time,
)
from devices.services.health import (
    device_alert_acknowledge,
    device_events_purge,
    devices_check_offline,
    heartbeat_apply,
)
from devices.services.registry import (
    CredentialRejected,
    device_credential_authenticate,
    device_credential_rotate,
    device_reactivate,
    device_register,
    device_revoke,
    device_update,
)

__all__ = [
    "CredentialRejected", "Incoming", "device_alert_acknowledge", "device_credential_authenticate",
    "device_credential_rotate", "device_event_accept", "device_event_process", "device_events_accept",
    "device_events_purge",
    "device_reactivate", "device_register", "device_revoke", "device_update", "devices_check_offline",
    "event_time", "heartbeat_apply",
]
