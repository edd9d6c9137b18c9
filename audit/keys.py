"""The audit key: the secret the chain's HMACs are computed with, kept outside the database.

``BMIS_AUDIT_KEY`` (or ``BMIS_AUDIT_KEY_FILE``) is required when DEBUG is off; in the embedded
development mode a fixed development key is used. After a rotation the keys used before stay in
``BMIS_AUDIT_PREVIOUS_KEYS`` (comma-separated, or ``_FILE``) so older events still verify.
"""

from __future__ import annotations

from django.conf import settings


def chain_key() -> bytes:
    """The key new events and anchors are written with."""
    return settings.BMIS_AUDIT_KEY.encode("utf-8")


def verification_keys() -> list[bytes]:
    """Every key an event or anchor may have been written with, the current one first."""
    return [chain_key()] + [k.encode("utf-8") for k in settings.BMIS_AUDIT_PREVIOUS_KEYS]
