"""The references enrolled through the biometric contract (``biometrics.abis``).

One row per opaque reference id ("person:12", "registration:45", "watchlist-entry:9"): what was
inserted (digests of the face and finger images, for idempotency), the face image and fingerprint
capture it produced, and whether it is still enrolled. The templates themselves stay in the face
and fingerprint tables, searched by the existing engines.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AbisReference"]


class AbisReference(models.Model):
    reference_id = models.CharField(_("biometric reference"), max_length=100, unique=True)
    kind = models.CharField(max_length=40, db_index=True)  # the part before the colon
    face_sha256 = models.CharField(max_length=64, blank=True)
    # sha256 over "position:sha256(image)" of every finger, in position order.
    fingers_sha256 = models.CharField(max_length=64, blank=True)
    face_image = models.ForeignKey(
        "biometrics.FaceImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fingerprint_capture = models.ForeignKey(
        "biometrics.FingerprintCapture", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("biometric reference")
        verbose_name_plural = _("biometric references")

    def __str__(self) -> str:
        return self.reference_id
