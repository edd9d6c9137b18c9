"""Device credential format (pure): `bmisdev_<key id>_<secret>`, hashed like partner tokens."""

from __future__ import annotations

import re
import secrets

from accounts.tokens import hash_secret, secret_matches

PREFIX = "bmisdev"
CREDENTIAL_RE = re.compile(r"^bmisdev_([a-f0-9]{12})_([A-Za-z0-9_-]{40,64})$")

__all__ = ["PREFIX", "new_credential", "split_credential", "secret_matches", "MalformedCredential"]


class MalformedCredential(ValueError):
    pass


def new_credential() -> tuple[str, str, str]:
    """(raw credential, key id, secret hash). The raw credential is shown once, never stored."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{PREFIX}_{key_id}_{secret}", key_id, hash_secret(secret)


def split_credential(raw: str) -> tuple[str, str]:
    match = CREDENTIAL_RE.match(raw)
    if not match:
        raise MalformedCredential("expected a device credential of the form bmisdev_<key id>_<secret>")
    return match.group(1), match.group(2)
