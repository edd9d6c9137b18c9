"""Civil-registry lookups: through the configured adapter, cached with an expiry, every lookup
audited (who, why, which number), "registry not checked" when the registry does not answer, and
retried later (travelers.tasks).

The network call is made outside any transaction; its outcome and audit event are written in one.
Nothing here logs personal data (the audit trail, which is protected, carries the number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from audit.services import audit_log
from travelers.civil_registry import RegisteredIdentity, Registry, RegistryUnavailable, differences
from travelers.models import (
    Inspection,
    Person,
    RegistryAnswer,
    RegistryCheck,
    RegistryStatus,
    TravelDocument,
)


def registry_from_settings() -> Registry | None:
    """The configured adapter, or None when no registry is configured."""
    if not settings.BMIS_CIVIL_REGISTRY_URL:
        return None
    adapter = import_string(settings.BMIS_CIVIL_REGISTRY_ADAPTER)
    return adapter(
        settings.BMIS_CIVIL_REGISTRY_URL, settings.BMIS_CIVIL_REGISTRY_TOKEN,
        timeout=settings.BMIS_CIVIL_REGISTRY_TIMEOUT_SECONDS,
    )


def registry_configured() -> bool:
    return bool(settings.BMIS_CIVIL_REGISTRY_URL)


@dataclass(frozen=True)
class _Answer:
    identity: RegisteredIdentity | None = None
    found: bool = False
    from_cache: bool = False
    error: str = ""  # set when the registry did not answer


def _ask(registry: Registry, number: str, now: datetime, *, use_cache: bool = True) -> _Answer:
    """The registry's answer for ``number``: from the cache while fresh, else asked (and cached
    when found). A registry that does not answer gives an _Answer with ``error`` set."""
    if use_cache:
        cached = RegistryAnswer.objects.filter(national_id_number=number, expires_at__gt=now).first()
        if cached is not None:
            face = bytes(cached.face_image) if cached.face_image is not None else None
            return _Answer(RegisteredIdentity.from_dict(cached.identity, face_image=face), True, True)
    try:
        identity = registry.lookup_by_national_id(number)
    except RegistryUnavailable as error:
        return _Answer(error=error.kind)
    if identity is None:
        return _Answer()
    ttl = settings.BMIS_CIVIL_REGISTRY_CACHE_SECONDS
    if ttl > 0:
        RegistryAnswer.objects.update_or_create(national_id_number=number, defaults={
            "identity": identity.as_dict(), "face_image": identity.face_image,
            "fetched_at": now, "expires_at": now + timedelta(seconds=ttl),
        })
    return _Answer(identity, True)


def _outcome(answer: _Answer, document: TravelDocument | None) -> tuple[str, list[str]]:
    if answer.error:
        return RegistryStatus.NOT_CHECKED, []
    if not answer.found:
        return RegistryStatus.NOT_FOUND, []
    if document is None:
        return RegistryStatus.MATCHES, []
    found = differences(
        answer.identity, surname=document.primary_identifier, given_names=document.secondary_identifier,
        date_of_birth=document.birth.isoformat(), sex=document.sex,
    )
    return (RegistryStatus.DIFFERS if found else RegistryStatus.MATCHES), found


def _retry_at(now: datetime) -> datetime:
    return now + timedelta(minutes=settings.BMIS_CIVIL_REGISTRY_RETRY_MINUTES)


def registry_check(
    *,
    actor,
    national_id_number: str,
    reason: str,
    inspection: Inspection | None = None,
    document: TravelDocument | None = None,
    person: Person | None = None,
    registry: Registry | None = None,
    now: datetime | None = None,
) -> RegistryCheck | None:
    """Check a national ID number against the civil registry and record the outcome (matches,
    differs with the fields, not found, or not checked: then retried later). None when no
    registry is configured. ``reason`` says why (``inspection``, ``registration``...)."""
    registry = registry or registry_from_settings()
    if registry is None:
        return None
    if inspection is not None:
        document = document or inspection.document
        person = person or inspection.person
    now = now or timezone.now()
    answer = _ask(registry, national_id_number, now)
    status, found = _outcome(answer, document)
    with transaction.atomic():
        check = RegistryCheck.objects.create(
            national_id_number=national_id_number, reason=reason[:40], inspection=inspection, person=person,
            document=document, requested_by=actor if getattr(actor, "pk", None) else None, status=status,
            differences=found, from_cache=answer.from_cache,
            face_shared=bool(answer.identity and answer.identity.face_shared), error=answer.error,
            created_at=now, checked_at=None if answer.error else now,
            next_attempt_at=_retry_at(now) if answer.error else None,
        )
        audit_log(actor=actor, action="civil_registry.lookup", obj=check, metadata={
            "national_id_number": national_id_number, "reason": reason, "outcome": status,
            "differences": found, "from_cache": answer.from_cache, "error": answer.error,
            "inspection_id": inspection.pk if inspection else None,
        })
    return check


def registry_check_retry(*, check_id: int, registry: Registry | None = None, now: datetime | None = None) -> RegistryCheck:
    """Ask the registry again for a check it did not answer; audited. A check already answered is
    returned as it is. Gives up (no next attempt) after BMIS_CIVIL_REGISTRY_MAX_ATTEMPTS."""
    registry = registry or registry_from_settings()
    check = RegistryCheck.objects.select_related("document").get(pk=check_id)
    if check.status != RegistryStatus.NOT_CHECKED or registry is None:
        return check
    now = now or timezone.now()
    answer = _ask(registry, check.national_id_number, now)
    status, found = _outcome(answer, check.document)
    with transaction.atomic():
        check = RegistryCheck.objects.select_for_update().get(pk=check_id)
        if check.status != RegistryStatus.NOT_CHECKED:  # another worker answered it meanwhile
            return check
        check.attempts += 1
        check.status, check.differences, check.from_cache, check.error = status, found, answer.from_cache, answer.error
        check.face_shared = bool(answer.identity and answer.identity.face_shared)
        check.checked_at = None if answer.error else now
        more = answer.error and check.attempts < settings.BMIS_CIVIL_REGISTRY_MAX_ATTEMPTS
        check.next_attempt_at = _retry_at(now) if more else None
        check.save()
        audit_log(actor=None, action="civil_registry.retry", obj=check, actor_label="civil-registry retry", metadata={
            "national_id_number": check.national_id_number, "reason": check.reason, "outcome": status,
            "differences": found, "from_cache": answer.from_cache, "error": answer.error, "attempt": check.attempts,
            "inspection_id": check.inspection_id,
        })
    return check


def registry_checks_due(now: datetime | None = None) -> list[int]:
    """Ids of the "not checked" checks whose next attempt is due."""
    now = now or timezone.now()
    return list(RegistryCheck.objects.filter(
        status=RegistryStatus.NOT_CHECKED, next_attempt_at__lte=now,
    ).order_by("next_attempt_at").values_list("pk", flat=True)[:500])


def registry_search(
    *, actor, reason: str, names: str, date_of_birth: date | None = None, sex: str = "",
    registry: Registry | None = None,
) -> list[RegisteredIdentity]:
    """Search the registry by biographic data (names in Latin or Arabic, date of birth, sex); audited
    with the criteria used and the numbers returned. Raises RegistryUnavailable when the registry
    does not answer (the caller records "registry not checked"); [] when none is configured."""
    registry = registry or registry_from_settings()
    if registry is None:
        return []
    outcome, results = "answered", []
    try:
        results = registry.search(names=names, date_of_birth=date_of_birth, sex=sex)
    except RegistryUnavailable as error:
        outcome = f"not_checked:{error.kind}"
        raise
    finally:
        with transaction.atomic():
            audit_log(actor=actor, action="civil_registry.search", object_type="civil_registry", metadata={
                "reason": reason, "criteria": {"names": names, "date_of_birth": str(date_of_birth or ""), "sex": sex},
                "outcome": outcome, "national_id_numbers": [r.national_id for r in results],
            })
    return results


def registry_answers_purge(now: datetime | None = None) -> int:
    """Delete the expired cached answers (they hold personal data); audited when any went."""
    now = now or timezone.now()
    with transaction.atomic():
        deleted, _ = RegistryAnswer.objects.filter(expires_at__lte=now).delete()
        if deleted:
            audit_log(actor=None, action="civil_registry.purge", object_type="civil_registry",
                      actor_label="civil-registry purge", metadata={"deleted": deleted})
    return deleted
