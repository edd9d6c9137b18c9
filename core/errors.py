"""Errors the services raise that every interface (pages, API) reports the same way."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError


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


def field_errors(exc: ValidationError, default_field: str = "__all__") -> dict[str, list[str]]:
    """A ValidationError as {field: [messages]}: a field-keyed error as it is, a plain one under
    `default_field` (the form's non-field errors by default)."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {default_field: list(exc.messages)}


def form_add_errors(form, exc: ValidationError, *, phrase=None) -> None:
    """Put a service's ValidationError on a form: each message under its field when the form has
    that field, else among the form's non-field errors prefixed with the field's name. `phrase`
    translates a message the service wrote in English, where the caller has such a table."""
    for field, messages in field_errors(exc).items():
        target = field if field in form.fields else None
        for message in messages:
            text = phrase(message) if phrase is not None else message
            form.add_error(target, text if target is not None or field == "__all__" else f"{field}: {text}")


def form_call(form, service, /, **kwargs):
    """Call a service on behalf of a form: a refusal becomes the form's errors (a Conflict or a
    PermissionDenied among its non-field errors, a ValidationError under its fields) and the call
    returns None; otherwise the service's result."""
    try:
        return service(**kwargs)
    except Conflict as exc:
        form.add_error(None, exc.conflict_message)
    except ValidationError as exc:
        form_add_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    return None
