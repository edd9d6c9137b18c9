"""Moving a traveler's biometric records to another traveler record, and back (issue 15).

When two traveler records are merged (travelers' person_merge), every face image and template,
fingerprint capture and impression, and the 1:1 and 1:N requests made about the source traveler
now name the target. ``biometrics_move_person`` returns exactly what it changed (ids per kind);
``biometrics_restore_person`` puts those rows back, so that a merge can be undone.

Freshness of the in-memory indexes: the face index keys its vectors by template id and reads the
traveler of a template from the database, so a changed ``person_id`` is seen at once; the
fingerprint gallery re-reads the impressions whose ``updated_at`` changed, so every update here sets
it. An active fingerprint at a finger the target already has active would break the one-active-
finger rule: the source's is deactivated (listed under "fingerprint_impressions_deactivated") and
reactivated on restore. The biometric reference ``person:<source>`` (biometrics.abis) is renamed
``person:<target>`` when the target has none, and otherwise deactivated; both are undone on
restore. Runs inside the caller's transaction; the caller audits.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from biometrics.models.abis import AbisReference
from biometrics.models.face import FaceIdentification, FaceImage, FaceTemplate, FaceVerification
from biometrics.models.fingerprint import FingerprintCapture, FingerprintImpression, FingerprintSearch

# kind -> model whose person_id names the traveler (the impressions are handled apart).
_PLAIN = {
    "face_images": FaceImage,
    "face_templates": FaceTemplate,
    "face_verifications": FaceVerification,
    "face_identifications": FaceIdentification,
    "fingerprint_captures": FingerprintCapture,
    "fingerprint_searches": FingerprintSearch,
}


def _ids(qs) -> list[int]:
    return sorted(qs.values_list("pk", flat=True))


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("biometrics_move_person must run inside the caller's transaction")


def biometrics_move_person(*, source_id: int, target_id: int) -> dict[str, list]:
    """Re-point every biometric record of traveler ``source_id`` to ``target_id``; returns
    {kind: [ids]} of what changed (see the module's docstring)."""
    _require_transaction()
    now = timezone.now()
    moved: dict[str, list] = {}
    for kind, model in _PLAIN.items():
        ids = _ids(model.objects.filter(person_id=source_id))
        model.objects.filter(pk__in=ids).update(person_id=target_id)
        moved[kind] = ids

    impressions = FingerprintImpression.objects.select_for_update().filter(person_id=source_id)
    taken = set(FingerprintImpression.objects.filter(person_id=target_id, is_active=True)
                .values_list("position", flat=True))
    clash = _ids(impressions.filter(is_active=True, position__in=taken))
    FingerprintImpression.objects.filter(pk__in=clash).update(is_active=False, updated_at=now)
    ids = _ids(impressions)
    FingerprintImpression.objects.filter(pk__in=ids).update(person_id=target_id, updated_at=now)
    moved["fingerprint_impressions"] = ids
    moved["fingerprint_impressions_deactivated"] = clash

    source_ref, target_ref = f"person:{source_id}", f"person:{target_id}"
    renamed, deactivated = [], []
    row = AbisReference.objects.select_for_update().filter(reference_id=source_ref).first()
    if row is not None:
        if row.is_active and not AbisReference.objects.filter(reference_id=target_ref).exists():
            _rename_reference(row, source_ref, target_ref)
            renamed.append(row.pk)
        elif row.is_active:
            row.is_active = False
            row.save(update_fields=["is_active", "updated_at"])
            deactivated.append(row.pk)
    moved["abis_references_renamed"] = renamed
    moved["abis_references_deactivated"] = deactivated
    return moved


def _rename_reference(row: AbisReference, old: str, new: str) -> None:
    row.reference_id = new
    row.save(update_fields=["reference_id", "updated_at"])
    FaceImage.objects.filter(reference_id=old).update(reference_id=new)
    FingerprintCapture.objects.filter(reference_id=old).update(reference_id=new)
    FingerprintImpression.objects.filter(reference_id=old).update(reference_id=new, updated_at=timezone.now())


def biometrics_restore_person(*, moved: dict, source_id: int, target_id: int) -> None:
    """Undo :func:`biometrics_move_person`: the rows listed in ``moved`` that still name
    ``target_id`` name ``source_id`` again (records added to the target since stay with it)."""
    _require_transaction()
    now = timezone.now()
    for kind, model in _PLAIN.items():
        model.objects.filter(pk__in=moved.get(kind, []), person_id=target_id).update(person_id=source_id)
    FingerprintImpression.objects.filter(pk__in=moved.get("fingerprint_impressions", []), person_id=target_id).update(
        person_id=source_id, updated_at=now)
    # Reactivate only where the source has no active finger at that position since.
    for imp in FingerprintImpression.objects.filter(pk__in=moved.get("fingerprint_impressions_deactivated", [])):
        if not FingerprintImpression.objects.filter(person_id=source_id, position=imp.position,
                                                    is_active=True).exists():
            FingerprintImpression.objects.filter(pk=imp.pk).update(is_active=True, updated_at=now)
    for row in AbisReference.objects.filter(pk__in=moved.get("abis_references_renamed", [])):
        _rename_reference(row, f"person:{target_id}", f"person:{source_id}")
    AbisReference.objects.filter(pk__in=moved.get("abis_references_deactivated", [])).update(
        is_active=True, updated_at=now)
