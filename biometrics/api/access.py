"""The API face of ``biometrics.access``: a traveler, inspection or watchlist entry the caller may
not see (or that does not exist) is a 404 whose message names the field; a malformed id is a 400
naming it (Django's ValidationError, converted by the API's exception handler)."""

from __future__ import annotations

from rest_framework.exceptions import NotFound

from biometrics.access import Subject, SubjectNotFound, person_entry_resolve, subject_resolve
from core.selectors import post_by_code


def resolve_subject(request, *, person_id=None, inspection_id=None, person_required: bool = False) -> Subject:
    try:
        return subject_resolve(user=request.user, person_id=person_id, inspection_id=inspection_id,
                               person_required=person_required)
    except SubjectNotFound as exc:
        raise NotFound(f"{exc.field}: {exc.message}") from None


def resolve_person_entry(request, *, entry_id, action: str = "view", field: str = "person_entry_id"):
    try:
        return person_entry_resolve(user=request.user, entry_id=entry_id, action=action, field=field)
    except SubjectNotFound as exc:
        raise NotFound(f"{exc.field}: {exc.message}") from None


def post_named(request, code: str | None):
    """The border post a request names (a device or a partner at a post), None when it names none;
    a post that does not exist or that the caller may not see is a 400 on ``post``."""
    return post_by_code(user=request.user, code=code, field="post") if code else None
