"""API scopes: what a partner-agency client may read and write, and what each role implies.

A human user's scopes come from their role; a partner client's scopes are granted explicitly.
Every API endpoint declares the scopes it requires (accounts.permissions.ScopedPermission).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SCOPES: dict[str, str] = {
    "documents:parse": _("Parse and validate machine-readable zones of travel documents"),
    "inspections:read": _("Read inspections"),
    "inspections:write": _("Start inspections and record decisions"),
    "persons:read": _("Read traveler records"),
    "movements:read": _("Read entry and exit movements"),
    "screening:write": _("Screen persons, documents and vehicles against watchlists"),
    "watchlists:read": _("Read watchlists and their entries"),
    "watchlists:write": _("Create, change and import watchlist entries"),
    "hits:read": _("Read screening hits"),
    "hits:write": _("Adjudicate screening hits"),
    "biometrics:read": _("Read biometric results"),
    "biometrics:write": _("Enrol, verify and identify faces and fingerprints"),
    "statistics:read": _("Read flow and trend statistics"),
    "devices:write": _("Push device data and events"),
    "audit:read": _("Read the audit trail"),
    "incidents:read": _("Read green-border incidents and their outcomes"),
    "incidents:write": _("Dispatch patrols to green-border incidents and record outcomes"),
    "registrations:read": _("Read registrations of irregular migrants and their cases"),
    "registrations:write": _("Register irregular migrants and change their cases"),
}

_OFFICER = {
    "documents:parse",
    "inspections:read",
    "inspections:write",
    "persons:read",
    "movements:read",
    "screening:write",
    "watchlists:read",
    "hits:read",
    "biometrics:read",
    "biometrics:write",
    "registrations:read",
    "registrations:write",
}
_SUPERVISOR = _OFFICER | {"watchlists:write", "hits:write", "statistics:read", "audit:read",
                          "incidents:read", "incidents:write"}

ROLE_SCOPES: dict[str, frozenset[str]] = {
    "officer": frozenset(_OFFICER),
    "supervisor": frozenset(_SUPERVISOR),
    "admin": frozenset(SCOPES),
    "partner": frozenset(),  # granted per client
}


def validate_scopes(values) -> list[str]:
    """Sorted unique scopes; raises ValueError naming the unknown ones."""
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise ValueError("scopes must be a list of scope names")
    cleaned = sorted({str(v).strip() for v in values})
    unknown = [v for v in cleaned if v not in SCOPES]
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)}")
    return cleaned
