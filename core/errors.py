"""Errors the services raise that every interface (pages, API) reports the same way."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """A well-formed request that the state of the record refuses: an admission while hits are
    unresolved, a change to a closed record. The API answers 409 with the error body
    ``{"error": {"code": <code>, "message": <message>, "fields": <fields>}}``; pages show the
    message. A ValidationError, so code that reports field errors reports it too."""

    def __init__(self, code: str, message: str, fields: dict[str, list[str]] | None = None):
        self.conflict_code = code
        self.conflict_message = str(message)
        self.conflict_fields = {k: [str(v) for v in vs] for k, vs in (fields or {}).items()}
        super().__init__(self.conflict_message, code=code)
