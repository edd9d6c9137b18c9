"""Reads for the face part of the inspection screen, through restricted querysets."""

from __future__ import annotations

from dataclasses import dataclass, field

from biometrics.models.face import (
    FaceIdentification,
    FaceImage,
    FacePurpose,
    FaceRequestStatus,
    FaceVerification,
)
from biometrics.visibility import visibility_for, visible_candidates


@dataclass
class FacePanel:
    inspection_id: int
    live: FaceImage | None = None
    document: FaceImage | None = None
    verification: FaceVerification | None = None
    identification: FaceIdentification | None = None
    candidates: list[dict] = field(default_factory=list)
    hits: list = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        """True while a 1:1 or 1:N result is still to come (the panel keeps polling)."""
        return any(
            r is not None and r.status in (FaceRequestStatus.PENDING, FaceRequestStatus.RUNNING)
            for r in (self.verification, self.identification)
        )

    @property
    def unavailable(self) -> bool:
        """A request the broker did not take: results are pending, matching unavailable."""
        return any(
            r is not None and r.status == FaceRequestStatus.PENDING and not r.queued
            for r in (self.verification, self.identification)
        )

    @property
    def images_with_issues(self) -> list[FaceImage]:
        """The compared images accepted with quality issues (photo policy): shown beside the verdict."""
        return [i for i in (self.live, self.document) if i is not None and (i.quality or {}).get("issues")]

    @property
    def empty(self) -> bool:
        return self.live is None and self.document is None and self.verification is None


def face_panel(*, user, inspection_id: int) -> FacePanel:
    from watchlists.models import Hit

    panel = FacePanel(inspection_id=inspection_id)
    images = FaceImage.objects.restrict(user, "view").filter(inspection_id=inspection_id).defer("jpeg")
    panel.live = images.filter(purpose=FacePurpose.LIVE).order_by("-created_at", "-pk").first()
    panel.document = images.filter(purpose=FacePurpose.DOCUMENT).order_by("-created_at", "-pk").first()
    panel.verification = (
        FaceVerification.objects.restrict(user, "view").filter(inspection_id=inspection_id)
        .order_by("-created_at", "-pk").first()
    )
    panel.identification = (
        FaceIdentification.objects.restrict(user, "view").filter(inspection_id=inspection_id)
        .order_by("-created_at", "-pk").first()
    )
    hits = {
        h.pk: h for h in Hit.objects.restrict(user, "view").filter(inspection_id=inspection_id, source="face")
        .select_related("watchlist", "person_entry")
    }
    panel.hits = sorted(hits.values(), key=lambda h: -h.score)
    if panel.identification is not None and panel.identification.status == FaceRequestStatus.DONE:
        # Travelers and list entries this user may not see are left out (biometrics.visibility).
        for c in visible_candidates(panel.identification.candidates, visibility_for(user)):
            panel.candidates.append({**c, "hit": hits.get(c.get("hit_id"))})
    return panel
