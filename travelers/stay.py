"""Permission to stay: the verdict at entry and the stay computed at exit (pure Python).

Inputs are plain values so the rules can be tested with fixed clocks:

- the nationality's rule: regime (national, visa exempt, visa on arrival, visa required),
  maximum stay in days within a period of days;
- the person's visas and permits;
- the person's earlier stays (entry date, exit date or None while still inside).

Days are counted inclusively: arriving and leaving on the same day is a stay of one day, and a
traveler admitted for 30 days on 1 March may stay until 30 March.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

NATIONAL = "national"
VISA_EXEMPT = "visa_exempt"
VISA_ON_ARRIVAL = "visa_on_arrival"
VISA_REQUIRED = "visa_required"


@dataclass(frozen=True)
class Rule:
    regime: str
    max_stay_days: int | None = None
    period_days: int | None = None


@dataclass(frozen=True)
class VisaInfo:
    id: int | None
    category: str
    number: str
    valid_from: date
    valid_until: date
    entries_allowed: int  # 0: any number
    entries_used: int
    max_stay_days: int | None
    revoked: bool = False

    def usable_on(self, day: date) -> str | None:
        """Why this visa cannot be used for an entry on ``day``, or None if it can."""
        if self.revoked:
            return "revoked"
        if day < self.valid_from:
            return "not_yet_valid"
        if day > self.valid_until:
            return "expired"
        if self.entries_allowed and self.entries_used >= self.entries_allowed:
            return "entries_used"
        return None


@dataclass(frozen=True)
class Stay:
    entry: date
    exit: date | None = None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    code: str
    message: str
    until: date | None = None
    visa_id: int | None = None
    days_used: int = 0
    days_left: int | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["until"] = self.until.isoformat() if self.until else None
        return data


def days_present(stays: list[Stay], start: date, end: date) -> int:
    """Days within [start, end] on which the person was inside (stays may overlap the window)."""
    if end < start:
        return 0
    days: set[date] = set()
    for stay in stays:
        first = max(stay.entry, start)
        last = min(stay.exit or end, end)
        day = first
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return len(days)


def entry_verdict(
    *,
    rule: Rule,
    today: date,
    visas: list[VisaInfo] = (),
    past_stays: list[Stay] = (),
    document_expiry: date | None = None,
) -> Verdict:
    """Whether the traveler may enter today, and until when."""
    if rule.regime == NATIONAL:
        return Verdict(True, "national", "National: the right to enter, no limit of stay.")

    notes: list[str] = []
    days_used = 0
    quota_left: int | None = None
    if rule.max_stay_days and rule.period_days:
        window_start = today - timedelta(days=rule.period_days - 1)
        days_used = days_present(list(past_stays), window_start, today - timedelta(days=1))
        quota_left = rule.max_stay_days - days_used

    usable = [v for v in visas if v.usable_on(today) is None]
    if usable:
        # The visa that allows the longest stay.
        best, until = None, None
        for visa in usable:
            end = visa.valid_until
            if visa.max_stay_days:
                end = min(end, today + timedelta(days=visa.max_stay_days - 1))
            if until is None or end > until:
                best, until = visa, end
        until = _cap(until, document_expiry, notes)
        return Verdict(True, "visa", f"Admissible on {best.category.replace('_', ' ')} {best.number}.",
                       until=until, visa_id=best.id, days_used=days_used,
                       days_left=(until - today).days + 1, notes=notes)

    unusable = {v.number: v.usable_on(today) for v in visas}
    if rule.regime == VISA_REQUIRED:
        if unusable:
            notes.extend(f"visa {number}: {why.replace('_', ' ')}" for number, why in unusable.items())
        return Verdict(False, "visa_required", "A visa is required and none is valid today.",
                       days_used=days_used, notes=notes)

    if rule.regime not in (VISA_EXEMPT, VISA_ON_ARRIVAL) or not rule.max_stay_days:
        return Verdict(False, "no_rule", "No valid stay rule for this nationality.", notes=notes)
    allowed_days = rule.max_stay_days if quota_left is None else min(rule.max_stay_days, quota_left)
    if allowed_days <= 0:
        return Verdict(
            False, "stay_exhausted",
            f"The {rule.max_stay_days} days allowed within {rule.period_days} days are used up.",
            days_used=days_used, days_left=0, notes=notes,
        )
    until = _cap(today + timedelta(days=allowed_days - 1), document_expiry, notes)
    label = "Visa exempt" if rule.regime == VISA_EXEMPT else "Visa on arrival"
    return Verdict(True, rule.regime, f"{label}: up to {allowed_days} days.", until=until,
                   days_used=days_used, days_left=(until - today).days + 1, notes=notes)


def _cap(until: date, document_expiry: date | None, notes: list[str]) -> date:
    if document_expiry is not None and document_expiry < until:
        notes.append("permitted stay limited to the document's expiry")
        return document_expiry
    return until


@dataclass(frozen=True)
class ExitAssessment:
    stay_days: int | None
    overstay_days: int
    entry: date | None
    permitted_until: date | None

    @property
    def overstayed(self) -> bool:
        return self.overstay_days > 0

    def as_dict(self) -> dict:
        return {
            "stay_days": self.stay_days,
            "overstay_days": self.overstay_days,
            "entry": self.entry.isoformat() if self.entry else None,
            "permitted_until": self.permitted_until.isoformat() if self.permitted_until else None,
        }


def exit_assessment(*, entry: date | None, permitted_until: date | None, exit_day: date) -> ExitAssessment:
    """The stay ending today: its length, and the days beyond the permitted stay."""
    if entry is None:
        return ExitAssessment(None, 0, None, None)
    stay_days = (exit_day - entry).days + 1
    overstay = max(0, (exit_day - permitted_until).days) if permitted_until else 0
    return ExitAssessment(stay_days, overstay, entry, permitted_until)
