"""Token format and hashing (pure: no Django)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

PREFIX = "bmis"
TOKEN_RE = re.compile(r"^bmis_([a-z0-9]{12})_([A-Za-z0-9_-]{40,64})$")


class MalformedToken(ValueError):
    pass


def new_token() -> tuple[str, str, str]:
    """(raw token, key id, secret hash). The raw token is shown once and never stored."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{PREFIX}_{key_id}_{secret}", key_id, hash_secret(secret)


def hash_secret(secret: str) -> str:
    # The secret has 256 bits of entropy: a fast hash is safe and keeps per-request cost low.
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def split_token(raw: str) -> tuple[str, str]:
    match = TOKEN_RE.match(raw)
    if not match:
        raise MalformedToken("expected a token of the form bmis_<key id>_<secret>")
    return match.group(1), match.group(2)


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
