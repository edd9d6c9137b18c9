"""The civil-registry adapter interface (pure; no Django) and the reference HTTP/JSON adapter.

    from travelers.civil_registry import Registry, RegisteredIdentity, RegistryUnavailable
    from travelers.civil_registry.http import HttpRegistry

BMIS code does not build an adapter itself: ``travelers.services.civil_registry`` builds the one
the settings name (``BMIS_CIVIL_REGISTRY_ADAPTER``, ``..._URL``, ``..._TOKEN``, ``..._TIMEOUT_SECONDS``),
caches its answers, audits every lookup and records "registry not checked" when it does not answer.
"""

from .base import RegisteredIdentity, Registry, RegistryUnavailable, differences

__all__ = ["RegisteredIdentity", "Registry", "RegistryUnavailable", "differences"]
