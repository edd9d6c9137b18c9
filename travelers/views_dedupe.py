"""The supervisors' adjudication queue of identity candidates: the pending pairs with their fused
score and the evidence per modality, the two persons side by side, and the decision (same person /
different persons, with a reason). Supervisors and administrators only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.permissions import Role, role_required
from core.errors import form_call
from travelers import selectors
from travelers.models import CandidateStatus, IdentityCandidate, Person
from travelers.services.dedupe import candidate_decide

ADJUDICATORS = (Role.SUPERVISOR, Role.ADMIN)
MODALITY_LABELS = {"name": gettext_lazy("Name and date of birth"), "face": gettext_lazy("Face"),
                   "fingerprint": gettext_lazy("Fingerprints")}
SUPPORT_LABELS = {
    "no support either way": gettext_lazy("no support either way"),
    "weak support for same person": gettext_lazy("weak support for same person"),
    "moderate support for same person": gettext_lazy("moderate support for same person"),
    "moderately strong support for same person": gettext_lazy("moderately strong support for same person"),
    "strong support for same person": gettext_lazy("strong support for same person"),
    "very strong support for same person": gettext_lazy("very strong support for same person"),
    "weak support for different persons": gettext_lazy("weak support for different persons"),
    "moderate support for different persons": gettext_lazy("moderate support for different persons"),
    "moderately strong support for different persons": gettext_lazy("moderately strong support for different persons"),
    "strong support for different persons": gettext_lazy("strong support for different persons"),
    "very strong support for different persons": gettext_lazy("very strong support for different persons"),
}


class CandidateDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect, choices=[
        ("same", gettext_lazy("Same person: merge the two records")),
        ("different", gettext_lazy("Different persons: do not ask again")),
    ])
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def evidence_rows(candidate: IdentityCandidate) -> list[dict]:
    """One row per modality: label, score as shown, LLR, the verbal support."""
    rows = []
    for ev in (candidate.explanation.get("fusion") or {}).get("modalities", []):
        score = ev["score"]
        if isinstance(score, dict):
            shown = ", ".join(f"{k}: {v:.3f}" for k, v in score.items())
        else:
            shown = f"{score:.3f}"
        rows.append({"modality": ev["modality"], "label": MODALITY_LABELS.get(ev["modality"], ev["modality"]),
                     "score": shown, "llr": ev["llr"], "support": SUPPORT_LABELS.get(ev["support"], ev["support"])})
    return rows


def _side(user, person: Person) -> dict:
    """What the comparison shows of one person: identities, documents, face images."""
    from biometrics.models.face import FaceImage

    identities = list(person.identities.all().order_by("recorded_at", "pk"))
    documents = list(person.documents.all().order_by("-created_at")[:10])
    faces = list(FaceImage.objects.restrict(user, "view").filter(person_id=person.pk).defer("jpeg")
                 .order_by("-created_at").values_list("pk", flat=True)[:3])
    return {"person": person, "identities": identities, "documents": documents, "faces": faces}


@role_required(*ADJUDICATORS)
@require_GET
def candidate_list(request):
    status = request.GET.get("status") or CandidateStatus.PENDING
    if status not in CandidateStatus.values:
        status = CandidateStatus.PENDING
    candidates = list(IdentityCandidate.objects.restrict(request.user, "view").filter(status=status)
                      .select_related("person", "other", "decided_by")[:200])
    selectors.audit_person_list(user=request.user, purpose="identity candidates",
                                person_ids=[c.person_id for c in candidates] + [c.other_id for c in candidates])
    rows = [{"candidate": c, "evidence": evidence_rows(c)} for c in candidates]
    return render(request, "travelers/candidate_list.html", {
        "rows": rows, "status": status, "statuses": CandidateStatus.choices,
    })


@role_required(*ADJUDICATORS)
def candidate_detail(request, pk: int):
    candidate = get_object_or_404(IdentityCandidate.objects.restrict(request.user, "view")
                                  .select_related("person", "other", "decided_by", "merge"), pk=pk)
    form = CandidateDecisionForm()
    if request.method == "POST":
        form = CandidateDecisionForm(request.POST)
        if form.is_valid():
            done = form_call(form, candidate_decide, actor=request.user, candidate_id=candidate.pk,
                             decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"])
            if done is not None:
                if done.status == CandidateStatus.SAME:
                    messages.success(request, _("Recorded: the same person. The records were merged (the merge "
                                                "can be undone from the person page)."))
                else:
                    messages.success(request, _("Recorded: different persons. This pair will not be asked again."))
                return redirect("travelers:candidate-list")
            candidate.refresh_from_db()
    selectors.audit_person_list(user=request.user, purpose="identity candidate",
                                person_ids=[candidate.person_id, candidate.other_id])
    return render(request, "travelers/candidate_detail.html", {
        "candidate": candidate, "form": form, "evidence": evidence_rows(candidate),
        "sides": [_side(request.user, candidate.person), _side(request.user, candidate.other)],
        "watchlist_matches": candidate.explanation.get("watchlist_matches") or [],
        "name": candidate.explanation.get("name") or {},
    })
