"""Errors raised by the pure fingerprint modules.

Each error names the input field it is about, so that the API and the capture screen can show
the message next to the right field (``image``, ``resolution_dpi``, ``position``...).
"""

from __future__ import annotations


class FingerprintError(ValueError):
    """A fingerprint input that cannot be processed, with a stable code and the field at fault."""

    def __init__(self, code: str, message: str, *, field: str = "image") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"FingerprintError(code={self.code!r}, field={self.field!r}, message={self.message!r})"


class TemplateFormatError(ValueError):
    """A serialised template that is truncated, corrupt or of an unknown version."""
