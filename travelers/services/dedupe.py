"""Deduplication: is this person someone already known under another name?

:func:`person_dedupe` gathers the candidates of one person from

- the name index over every person (``travelers.person_index``: every identity's name in any
  script, the date of birth as precise as it was given, an estimated age as a window of years);
- the biometric contract (``biometrics.abis``): face and fingerprint 1:N over the travelers and
  earlier registrations (``person:<id>`` references and the persons gallery) and the watchlist
  galleries, with ``include_below_threshold`` so that a face just under its decision threshold
  still brings its evidence to the fusion;

fuses the evidence of each pair (``travelers.fusion``, calibrated on data:
``travelers/fusion_calibration.json``) and records an :class:`IdentityCandidate` per pair whose
fused log-likelihood ratio reaches ``BMIS_DEDUPE_REVIEW_LLR``. A pair decided "different" is never
asked again (one row per pair, ever). Watchlist matches are not persons to merge: they are named in
the candidates' explanation and in the audit event, and screening raises its own hits.

Automatic merge (reversible: it is a :class:`PersonMerge`, undone by ``person_unmerge``): only when
the face and at least two fingers each score above the highest score any impostor comparison
reached in the calibration data (the figures and their justification are in the calibration file's
``auto_merge`` section and in bench/README.md), and names never count towards it. Everything else
waits for a supervisor: :func:`candidate_decide`.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.permissions import Role
from audit.services import audit_log
from travelers.fusion import default_calibration
from travelers.models import CandidateSource, CandidateStatus, IdentityCandidate, Person
from travelers.models.dedupe import pair_key
from travelers.person_index import person_entries, person_index

logger = logging.getLogger(__name__)

DECISIONS = ("same", "different")
# Candidates asked of the biometric contract per modality, and name hits kept.
ABIS_CANDIDATES = 20
NAME_CANDIDATES = 20
# Fingerprint 1:N pre-selection for deduplication: the full MCC comparison is given to the 100
# best pre-selected gallery fingers per probe finger (the engine default is 500), and the fingers
# of every candidate the names or the face brought are compared 1:1 on top (a second, restricted
# identification), so a mate the face or the name found is scored whatever its pre-selection rank;
# the 1:N part is there for the mates only the fingers can find. bench/dedupe.py measures both
# paths (bench/README.md, deduplication).
FINGER_SHORTLIST = 100


def review_llr() -> float:
    """The fused LLR from which a pair goes to the supervisors: 3.0 (the evidence is 20 times more
    likely for one person than for two). Names alone reach it only when they agree closely (name
    score about 0.9 or more, with the date of birth; they can bring at most ~3.9, see the alias
    mixture in travelers.fusion), so a common given name does not fill the queue; any face or finger
    agreement does. bench/dedupe.py measures the FPIR and FNIR around it (bench/README.md)."""
    return float(getattr(settings, "BMIS_DEDUPE_REVIEW_LLR", 3.0))


def auto_merge_rule() -> dict:
    return dict(default_calibration().meta.get("auto_merge") or {})


def auto_merge_enabled() -> bool:
    return bool(getattr(settings, "BMIS_DEDUPE_AUTO_MERGE", True))


def _survivor(person_id: int) -> int:
    """Follow ``merged_into`` to the person that now holds a merged record."""
    seen = set()
    pid = person_id
    while pid not in seen:
        seen.add(pid)
        nxt = Person.objects.filter(pk=pid).values_list("merged_into_id", flat=True).first()
        if not nxt:
            return pid
        pid = nxt
    return pid


# -- biometrics ---------------------------------------------------------------------------------


def _stored_probe(person_id: int):
    """The person's enrolled face and active fingers as a probe (for a traveler enrolled at a
    checkpoint rather than through the contract)."""
    from biometrics.abis import BiometricData, Finger
    from biometrics.models.face import FaceImage, FacePurpose
    from biometrics.models.fingerprint import FingerprintImpression

    image = (FaceImage.objects.filter(person_id=person_id, purpose__in=[FacePurpose.ENROLMENT, FacePurpose.LIVE])
             .order_by("-pk").first())
    face = bytes(image.jpeg) if image is not None and image.jpeg else None
    fingers = tuple(
        Finger(position=imp.position, image=bytes(imp.image_png), impression_type=imp.impression_type or "plain",
               resolution_dpi=500)
        for imp in FingerprintImpression.objects.filter(person_id=person_id, is_active=True).order_by("position")
        if imp.image_png
    )
    if not face and not fingers:
        return None
    return BiometricData(face=face, face_source="upload", fingers=fingers)


def _finger_shortlist() -> int:
    return int(getattr(settings, "BMIS_DEDUPE_FINGER_SHORTLIST", FINGER_SHORTLIST))


def _identify_request(person: Person, face: bytes | None, fingers, gallery, *, finger_only: bool = False):
    """The contract request for this person's biometrics (``None`` when there are none), and how
    they were given: the images just taken, the enrolled reference, or the stored captures."""
    from biometrics.abis import PERSON, BiometricData, IdentifyRequest
    from biometrics.models.abis import AbisReference

    ref = f"{PERSON}:{person.pk}"
    common = {"gallery": gallery, "max_candidates": ABIS_CANDIDATES, "include_below_threshold": True,
              "finger_shortlist": _finger_shortlist()}
    if face or fingers:
        if finger_only and not fingers:
            return None, "probe"
        return IdentifyRequest(probe=BiometricData(face=None if finger_only else (face or None), face_source="upload",
                                                   fingers=tuple(fingers or ())), **common), "probe"
    if AbisReference.objects.filter(reference_id=ref, is_active=True).exists():
        return IdentifyRequest(reference_id=ref, **common), "reference"
    probe = _stored_probe(person.pk)
    if probe is None:
        return None, "none"
    return IdentifyRequest(probe=probe, **common), "stored"


def _verify_fingers(person: Person, face: bytes | None, fingers, others: set[int], bio: dict, actor) -> None:
    """Compare the person's fingers 1:1 with those of ``others`` (candidates the names or the face
    brought) and add the scores to ``bio`` (``{person_id: {modality: ModalityScore}}``)."""
    from biometrics.abis import PERSON, Gallery, abis

    if not others:
        return
    gallery = Gallery(kinds=frozenset({PERSON}), reference_ids=frozenset(f"{PERSON}:{pid}" for pid in others))
    request, _how = _identify_request(person, face, fingers, gallery, finger_only=True)
    if request is None:
        return
    with transaction.atomic():  # the contract audits the identification
        response = abis().identify(request, actor=actor)
    if not response.ok:
        logger.info("dedupe finger verification failed: %s", response.failure_reason)
        return
    for cand in response.candidates:
        kind, _sep, key = cand.reference_id.partition(":")
        fp = cand.scores.get("fingerprint")
        if kind != PERSON or not key.isdigit() or int(key) == person.pk or fp is None:
            continue
        scores = bio.setdefault(int(key), {})
        old = scores.get("fingerprint")
        if old is None:
            scores["fingerprint"] = fp
            continue
        # Keep the best score per finger of the two searches.
        per = dict(old.details.get("fingers") or {})
        for pos, sc in (fp.details.get("fingers") or {}).items():
            per[pos] = max(per.get(pos, 0.0), sc)
        best = max(per.values()) if per else max(old.score, fp.score)
        scores["fingerprint"] = type(fp)(modality="fingerprint", score=round(best, 4), threshold=fp.threshold,
                                         matched=best >= fp.threshold, details={**fp.details, "fingers": per})


def _identify(person: Person, face: bytes | None, fingers, actor) -> tuple[dict[int, dict], list[dict], str]:
    """``({person_id: {modality: ModalityScore}}, watchlist matches, how)`` from the contract."""
    from biometrics.abis import PERSON, WATCHLIST_ENTRY, Gallery, abis

    gallery = Gallery(kinds=frozenset({PERSON, WATCHLIST_ENTRY}))
    request, how = _identify_request(person, face, fingers, gallery)
    if request is None:
        return {}, [], how
    with transaction.atomic():  # the contract audits the identification
        response = abis().identify(request, actor=actor)
    if not response.ok:
        # An unusable image is the registration's business (it shows the reasons); dedupe goes on
        # with the names.
        logger.info("dedupe identify failed: %s", response.failure_reason)
        return {}, [], f"failed:{response.failure_reason}"
    persons: dict[int, dict] = {}
    watchlist: list[dict] = []
    for cand in response.candidates:
        kind, _sep, key = cand.reference_id.partition(":")
        if kind == PERSON and key.isdigit():
            pid = int(key)
            if pid == person.pk:
                continue
            persons[pid] = dict(cand.scores)
        elif kind == WATCHLIST_ENTRY and cand.modalities_matched:
            watchlist.append({
                "reference_id": cand.reference_id,
                "modalities": {m: {"score": s.score, "threshold": s.threshold, "matched": s.matched}
                               for m, s in cand.scores.items()},
            })
    return persons, watchlist, how


# -- names --------------------------------------------------------------------------------------


def _identities(person: Person) -> list:
    return list(person.identities.all().order_by("pk"))


def _name_score(query_entries, other: Person) -> tuple[float, dict]:
    """The best name score of ``other``'s entries against the query (for biometric candidates the
    name index did not shortlist)."""
    from watchlists.names.score import score_person

    best, best_expl = 0.0, {}
    for entry, e_window in person_entries(other, _identities(other)):
        for q, q_window in query_entries:
            if not q_window.overlaps(e_window):
                continue
            res = score_person(q, entry)
            if res.score > best:
                best, best_expl = res.score, res.explanation
    return best, best_expl


def _name_summary(explanation: dict) -> dict:
    if not explanation:
        return {}
    return {
        "query_name": explanation.get("query_name", ""), "matched_name": explanation.get("matched_name", ""),
        "name_score": explanation.get("name_score"), "score": explanation.get("score"),
        "evidence": [{"field": e["field"], "finding": e["finding"]} for e in explanation.get("evidence", [])],
    }


# -- the fusion of one pair ---------------------------------------------------------------------


def _auto_merge_check(scores: dict) -> tuple[bool, str]:
    rule = auto_merge_rule()
    if not rule:
        return False, "no automatic-merge rule in the calibration"
    face = scores.get("face")
    fingers = scores.get("fingerprint") or {}
    if face is None:
        return False, "no face comparison"
    if face <= rule["face_score_above"]:
        return False, "face below the automatic-merge line"
    above = [p for p, s in fingers.items() if s > rule["finger_score_above"]]
    if len(above) < rule["min_fingers"]:
        return False, f"{len(above)} of {rule['min_fingers']} fingers above the automatic-merge line"
    return True, "face and fingers above the automatic-merge line"


def pair_evidence(*, name: tuple[float, dict] | None, bio: dict) -> dict:
    """Scores, fused result and explanation of one pair."""
    cal = default_calibration()
    scores: dict = {}
    explanation: dict = {}
    if name is not None:
        scores["name"] = round(name[0], 4)
        explanation["name"] = _name_summary(name[1])
    face = bio.get("face")
    if face is not None:
        scores["face"] = face.score
        explanation["face"] = {"score": face.score, "threshold": face.threshold, "matched": face.matched,
                               "distance": face.details.get("distance"), "image_id": face.details.get("image_id")}
    fp = bio.get("fingerprint")
    if fp is not None:
        per = fp.details.get("fingers") or {"best": fp.score}
        scores["fingerprint"] = {str(k): float(v) for k, v in per.items()}
        explanation["fingerprint"] = {"fingers": scores["fingerprint"], "threshold": fp.threshold,
                                      "matched": fp.matched}
    fused = cal.fuse(name=scores.get("name"), face=scores.get("face"), fingerprint=scores.get("fingerprint"))
    explanation["fusion"] = fused.as_dict()
    auto, why = _auto_merge_check(scores)
    explanation["auto_merge"] = {"eligible": auto, "why": why}
    return {"scores": scores, "fused": fused, "explanation": explanation, "auto": auto}


# -- the service --------------------------------------------------------------------------------


def person_dedupe(*, person, actor=None, face: bytes | None = None, fingers=None,
                  source: str = CandidateSource.REGISTRATION) -> list[IdentityCandidate]:
    """Find the persons ``person`` may already be; record them as candidates (see module docstring).

    Returns the candidates of this person that are pending or were merged by this call, best first.
    ``face``/``fingers``: the images just taken (else the person's enrolled biometrics are used)."""
    person = Person.objects.get(pk=getattr(person, "pk", person))
    if person.merged_into_id:
        return []
    identities = _identities(person)
    index = person_index()
    index.touch([person.pk])
    query = person_entries(person, identities)
    name_hits = {h.person_id: h for h in index.search(query, exclude={person.pk}, limit=NAME_CANDIDATES)}
    bio, watchlist, how = _identify(person, face, fingers, actor)
    if getattr(settings, "BMIS_DEDUPE_FINGER_VERIFY", True) and how != "none" and not how.startswith("failed"):
        # The fingers of the candidates the names and the face shortlisted, compared 1:1.
        unscored = {pid for pid in set(name_hits) | set(bio)
                    if pid != person.pk and "fingerprint" not in bio.get(pid, {})}
        _verify_fingers(person, face, fingers, unscored, bio, actor)

    # Biometric candidates are recorded under the person that now holds them.
    merged_bio: dict[int, dict] = {}
    for pid, scores in bio.items():
        target = _survivor(pid)
        if target == person.pk:
            continue
        merged = merged_bio.setdefault(target, {})
        for m, s in scores.items():
            if m not in merged or s.score > merged[m].score:
                merged[m] = s
    ids = set(name_hits) | set(merged_bio)
    others = {p.pk: p for p in Person.objects.filter(pk__in=ids, merged_into__isnull=True)}
    threshold = review_llr()
    found = []
    for pid, other in others.items():
        if pid in name_hits:
            name = (name_hits[pid].score, name_hits[pid].explanation)
        else:
            name = _name_score(query, other)
        ev = pair_evidence(name=name, bio=merged_bio.get(pid, {}))
        if ev["fused"].llr < threshold:
            continue
        if watchlist:
            ev["explanation"]["watchlist_matches"] = watchlist
        found.append((other, ev))
    found.sort(key=lambda t: -t[1]["fused"].llr)

    out: list[IdentityCandidate] = []
    with transaction.atomic():
        merged_into = None
        for other, ev in found:
            pair = pair_key(person.pk, other.pk)
            cand = IdentityCandidate.objects.select_for_update().filter(pair=pair).first()
            fused = ev["fused"]
            if cand is not None:
                if cand.status != CandidateStatus.PENDING:
                    continue  # decided once: never asked again
                if fused.score > cand.fused:
                    cand.scores, cand.fused, cand.llr = ev["scores"], fused.score, fused.llr
                    cand.explanation = ev["explanation"]
                    cand.save(update_fields=["scores", "fused", "llr", "explanation", "updated_at"])
            else:
                newer, older = (person, other) if person.pk > other.pk else (other, person)
                cand = IdentityCandidate(person=newer, other=older, scores=ev["scores"], fused=fused.score,
                                         llr=fused.llr, explanation=ev["explanation"], source=source)
                cand.full_clean(exclude=["pair"])
                cand.save()
                audit_log(actor=actor, action="identitycandidate.create", obj=cand, metadata={
                    "person_id": newer.pk, "other_id": older.pk, "fused": round(fused.score, 6),
                    "llr": round(fused.llr, 3), "modalities": list(fused.modalities), "source": source,
                })
            if ev["auto"] and merged_into is None and auto_merge_enabled() and cand.status == CandidateStatus.PENDING:
                merged_into = _auto_merge(cand, actor)
            out.append(cand)
        audit_log(actor=actor, action="person.dedupe", obj=person, metadata={
            "candidates": [c.pk for c in out], "name_hits": len(name_hits), "biometric_hits": len(merged_bio),
            "biometrics": how, "watchlist_matches": [w["reference_id"] for w in watchlist],
            "auto_merged": merged_into.pk if merged_into is not None else None,
        })
    return out


def _auto_merge(cand: IdentityCandidate, actor):
    from travelers.services.identity import person_merge

    source, target = cand.person, cand.other  # the newer record goes into the older one
    try:
        with transaction.atomic():
            # The system merges, not whoever's capture started the search (an officer may not merge).
            merge = person_merge(actor=None, source=source, target=target, candidate_id=cand.pk,
                                 reason="automatic merge: " + cand.explanation.get("auto_merge", {}).get("why", ""))
    except (PermissionDenied, ValidationError) as exc:
        # Left to the supervisors, with the reason the merge was refused.
        cand.explanation.setdefault("auto_merge", {})["refused"] = "; ".join(
            exc.messages if isinstance(exc, ValidationError) else [str(exc)])
        cand.save(update_fields=["explanation", "updated_at"])
        return None
    cand.status, cand.merge, cand.decided_at = CandidateStatus.AUTO_MERGED, merge, timezone.now()
    cand.reason = "automatic: face and fingers above the calibrated automatic-merge line"
    cand.save(update_fields=["status", "merge", "decided_at", "reason", "updated_at"])
    audit_log(actor=actor, action="identitycandidate.auto_merge", obj=cand,
              metadata={"merge_id": merge.pk, "source": source.pk, "target": target.pk})
    transaction.on_commit(lambda: person_index().touch([source.pk, target.pk]))
    return merge


def _already_decided_message(cand: IdentityCandidate) -> str:
    who = cand.decided_by.get_username() if cand.decided_by_id else _("the system")
    when = date_format(timezone.localtime(cand.decided_at), "DATETIME_FORMAT") if cand.decided_at else "?"
    return _("This candidate was already decided by %(user)s at %(time)s (%(status)s).") % {
        "user": who, "time": when, "status": cand.get_status_display()}


def candidate_decide(*, actor, candidate_id: int, decision: str, reason: str) -> IdentityCandidate:
    """A supervisor's decision on a candidate: "same" merges ``person`` into ``other``
    (``person_merge``, reversible), "different" is recorded and the pair is never asked again.

    Two supervisors at once: the row is locked (select_for_update); the second finds it decided and
    gets ``ValidationError({"decision": "already decided by X at T"})``. Raises
    ``IdentityCandidate.DoesNotExist`` for a candidate the actor may not see and ``PermissionDenied``
    for a role that does not adjudicate."""
    if getattr(actor, "role", None) not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(_("Only supervisors and administrators decide identity candidates."))
    errors = {}
    if decision not in DECISIONS:
        errors["decision"] = _('Choose "same" or "different".')
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for the decision.")
    elif len(reason) > 2000:
        errors["reason"] = _("The reason is too long (at most 2000 characters).")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        cand = IdentityCandidate.objects.restrict(actor, "decide").select_for_update(of=("self",)).get(pk=candidate_id)
        if cand.status != CandidateStatus.PENDING:
            raise ValidationError({"decision": _already_decided_message(cand)})
        now = timezone.now()
        if decision == "same":
            from travelers.services.identity import person_merge

            source_id, target_id = _survivor(cand.person_id), _survivor(cand.other_id)
            if source_id != target_id:
                source = Person.objects.get(pk=source_id)
                target = Person.objects.get(pk=target_id)
                cand.merge = person_merge(actor=actor, source=source, target=target, reason=reason,
                                          candidate_id=cand.pk)
                ids = [source_id, target_id]
                transaction.on_commit(lambda: person_index().touch(ids))
            cand.status = CandidateStatus.SAME
        else:
            cand.status = CandidateStatus.DIFFERENT
        cand.decided_by, cand.decided_at, cand.reason = actor, now, reason
        cand.save(update_fields=["status", "decided_by", "decided_at", "reason", "merge", "updated_at"])
        audit_log(actor=actor, action="identitycandidate.decide", obj=cand, changes={"status": ["pending", cand.status]},
                  metadata={"decision": decision, "merge_id": cand.merge_id, "person_id": cand.person_id,
                            "other_id": cand.other_id})
    return cand
