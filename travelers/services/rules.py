"""What the evidence of an inspection allows: the decisions open to the officer at the booth and
to the officer of secondary inspection, given the hits, the document checks and a supervisor's
override. Every interface (checkpoint screen, plain form post, API) goes through
`inspection_decide` / `secondary_decide`, which enforce these rules; the screen only shows them.

What stops an admission (a "block"):
- a hit whose action is arrest, refuse or refer (secondary), pending or confirmed; a dismissed
  ("not this person") hit no longer counts;
- a document that was not verified: expired, failing a check digit, an unknown code (opened on
  the officer's override), or an MRZ corrected by hand;
- a risk rule that fired with the action "refer to secondary inspection" (Inspection.risk,
  analytics' provider): at the booth the traveler is referred (or refused); secondary decides freely.
A supervisor's override (with a reason, audited) lifts every block.

Each block narrows the decisions still open; the decisions allowed are what every block allows.
At the booth referral to secondary inspection is always open, so the officer is never stuck; in
secondary inspection the hand-over to an agency always is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from travelers.models import Decision, Inspection, SecondaryOutcome
from watchlists.models import HitAction, HitStatus
from watchlists.selectors import hits_deciding_inspection

PRIMARY = frozenset(Decision.values)
SECONDARY = frozenset(SecondaryOutcome.values)

_ADMIT, _REFUSE, _REFER = Decision.ADMIT.value, Decision.REFUSE.value, Decision.REFER.value
_HANDOVER, _WITHDRAWN = SecondaryOutcome.HANDOVER.value, SecondaryOutcome.WITHDRAWN.value
_NOT_ADMITTED = frozenset({_REFUSE, _HANDOVER, _WITHDRAWN})

# (action, status) → decisions still open at the booth / in secondary inspection.
_PRIMARY_ALLOWED = {
    (HitAction.ARREST, HitStatus.PENDING): {_REFER},
    (HitAction.ARREST, HitStatus.CONFIRMED): {_REFER},
    (HitAction.REFUSE, HitStatus.PENDING): {_REFER, _REFUSE},
    (HitAction.REFUSE, HitStatus.CONFIRMED): {_REFUSE, _REFER},
    (HitAction.REFER, HitStatus.PENDING): {_REFER, _REFUSE},
    (HitAction.REFER, HitStatus.CONFIRMED): {_REFER},
}
_SECONDARY_ALLOWED = {
    (HitAction.ARREST, HitStatus.PENDING): {_HANDOVER},
    (HitAction.ARREST, HitStatus.CONFIRMED): {_HANDOVER},
    (HitAction.REFUSE, HitStatus.PENDING): _NOT_ADMITTED,
    (HitAction.REFUSE, HitStatus.CONFIRMED): _NOT_ADMITTED,
    (HitAction.REFER, HitStatus.PENDING): _NOT_ADMITTED,
    # a confirmed referral is what secondary inspection is for: its outcome is free
    (HitAction.REFER, HitStatus.CONFIRMED): SECONDARY,
}
_DOCUMENT_PRIMARY = {_REFUSE, _REFER}
_DOCUMENT_SECONDARY = _NOT_ADMITTED
_RISK_PRIMARY = {_REFER, _REFUSE}


@dataclass(frozen=True)
class Block:
    """One thing that stops an admission."""

    kind: str  # "hit", "document" or "risk"
    action: str  # the hit's action, or "document"
    status: str  # the hit's status, or "unverified"
    hit_id: int | None = None
    list_code: str | None = None
    refusal_reason: str = ""
    agency_id: int | None = None

    @property
    def unresolved(self) -> bool:
        return self.kind == "hit" and self.status == HitStatus.PENDING

    def as_dict(self) -> dict:
        return {"kind": self.kind, "action": self.action, "status": self.status, "hit_id": self.hit_id,
                "list": self.list_code, "message": str(self.message())}

    def message(self) -> str:
        if self.kind == "risk":
            return _("A risk rule requires secondary inspection: refer the traveler, or ask a supervisor to "
                     "override.")
        if self.kind == "document":
            return _("The document was not verified (expired, a failed check or corrected by hand): "
                     "only a supervisor's override allows admission.")
        if self.action == HitAction.ARREST:
            return (_("Unresolved arrest hit: refer to secondary inspection, or resolve it.") if self.unresolved
                    else _("Confirmed arrest hit: refer to secondary inspection for hand-over."))
        if self.action == HitAction.REFUSE:
            return (_("Unresolved refusal hit: refuse or refer, or resolve it.") if self.unresolved
                    else _("Confirmed refusal hit: refuse with the list's reason, or refer."))
        return (_("Unresolved referral hit: refer to secondary inspection, or resolve it.") if self.unresolved
                else _("Confirmed referral hit: refer to secondary inspection."))


@dataclass(frozen=True)
class Rules:
    """The decisions open for one inspection, and why."""

    blocks: tuple[Block, ...]
    allowed: frozenset[str]
    overridden: bool = False
    stage: str = "primary"
    lifted: tuple[Block, ...] = field(default=())  # blocks a supervisor's override lifted

    @property
    def admit_blocked(self) -> bool:
        return _ADMIT not in self.allowed

    @property
    def hit_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "hit"]

    @property
    def unresolved_hit_ids(self) -> list[int]:
        return [b.hit_id for b in self.blocks if b.unresolved]

    @property
    def most_serious_action(self) -> str:
        """The first block's action (blocks are ordered most serious first)."""
        return self.blocks[0].action if self.blocks else ""

    @property
    def refusal_reason(self) -> str:
        """The reason code of the first confirmed refusal hit's list, if it names one."""
        for b in self.blocks:
            if b.action == HitAction.REFUSE and b.status == HitStatus.CONFIRMED and b.refusal_reason:
                return b.refusal_reason
        return ""

    @property
    def handover_agency_id(self) -> int | None:
        """The agency owning the list of the first arrest hit: the traveler is handed over to it."""
        for b in self.blocks:
            if b.action == HitAction.ARREST and b.agency_id:
                return b.agency_id
        return None

    def as_dict(self) -> dict:
        return {"stage": self.stage, "allowed": sorted(self.allowed), "admit_blocked": self.admit_blocked,
                "overridden": self.overridden, "unresolved_hits": self.unresolved_hit_ids,
                "blocks": [b.as_dict() for b in self.blocks]}


def _blocks(inspection: Inspection, stage: str = "primary") -> list[Block]:
    blocks = [
        Block(kind="hit", action=h["action"], status=h["status"], hit_id=h["id"], list_code=h["list"],
              refusal_reason=h["refusal_reason"], agency_id=h["agency_id"])
        for h in hits_deciding_inspection(inspection_id=inspection.pk)
    ]
    if inspection.document_errors or inspection.corrected_fields:
        blocks.append(Block(kind="document", action="document", status="unverified"))
    if stage == "primary" and (inspection.risk or {}).get("action") == "refer":
        blocks.append(Block(kind="risk", action="risk_refer", status="risk"))
    return blocks


def decision_rules(inspection: Inspection, *, stage: str = "primary") -> Rules:
    """The rules of `inspection` now (at the booth, or in secondary inspection)."""
    everything, table, document = ((PRIMARY, _PRIMARY_ALLOWED, _DOCUMENT_PRIMARY) if stage == "primary"
                                   else (SECONDARY, _SECONDARY_ALLOWED, _DOCUMENT_SECONDARY))
    blocks = _blocks(inspection, stage)
    if inspection.supervisor_override_by_id:
        return Rules(blocks=(), allowed=everything, overridden=True, stage=stage, lifted=tuple(blocks))
    allowed = set(everything)
    for block in blocks:
        if block.kind == "risk":
            allowed &= _RISK_PRIMARY
        else:
            allowed &= document if block.kind == "document" else table.get((block.action, block.status), everything)
    return Rules(blocks=tuple(blocks), allowed=frozenset(allowed), stage=stage)
