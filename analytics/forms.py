"""Filters of the trends, statistics and records pages and of the statistics API.

One form per question, used by the page and the API alike: a value it cannot take, an impossible
period or a parameter it does not know is an error naming its field (the message beside the field
on the page, 400 with the error body in the API), never a 500 and never a filter silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BorderPost, Direction, PostKind
from travelers.models import MovementDecision, TransportMode

UNKNOWN_FILTER = _("Unknown filter.")
BORDER_TYPES = [("air", _("Air")), ("land", _("Land")), ("sea", _("Sea"))]
# The border type of a post (EES Article 63: air, land or sea border); a green-border sector is land.
BORDER_TYPE_OF_KIND = {PostKind.AIRPORT: "air", PostKind.LAND: "land", PostKind.SEAPORT: "sea",
                       PostKind.GREEN_BORDER: "land"}
GROUPS = [("day", _("Day")), ("week", _("Week")), ("month", _("Month"))]


def max_days() -> int:
    return int(getattr(settings, "BMIS_ANALYTICS_MAX_DAYS", 731))


class _Strict(forms.Form):
    """Refuses parameters it does not declare (``page`` and ``format`` are the views' own)."""

    extra_known: tuple[str, ...] = ("page", "format", "lang")

    def __init__(self, data=None, *, user=None, **kwargs):
        self.user = user
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.data is not None:
            for key in self.data:
                if key not in self.fields and key not in self.extra_known:
                    self.add_error(None, forms.ValidationError(
                        _("Unknown filter: %(name)s.") % {"name": key[:40]}, code="unknown_filter"))
                    self.unknown = [*getattr(self, "unknown", []), key]
        return cleaned


class PeriodForm(_Strict):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("First day, e.g. 2026-11-01."))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("Last day, included."))
    post = forms.CharField(label=_("Posts"), required=False, max_length=400,
                           widget=forms.TextInput(attrs={"size": 12, "dir": "ltr"}),
                           help_text=_("Codes of posts you may see, separated by commas; empty for all."))
    border_type = forms.ChoiceField(label=_("Border type"), required=False,
                                    choices=[("", _("Any border type")), *BORDER_TYPES])

    default_days = 30

    def clean_post(self):
        raw = self.cleaned_data.get("post") or ""
        codes = [c.strip().upper() for c in raw.split(",") if c.strip()]
        if not codes:
            return []
        if self.user is None:
            visible = BorderPost.objects.none()
        else:
            visible = BorderPost.objects.restrict(self.user, "view")
        found = dict(visible.filter(code__in=codes).values_list("code", "pk"))
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(_("No post you may see has the code %(codes)s.")
                                        % {"codes": ", ".join(m[:16] for m in missing[:5])})
        return [found[c] for c in codes]

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        until = cleaned.get("until") or (today if "until" not in self.errors else None)
        since = cleaned.get("since") or (until - dt.timedelta(days=self.default_days - 1) if until else None)
        if since and until:
            if since > until:
                self.add_error("until", _("The period ends before it starts."))
            elif (until - since).days + 1 > max_days():
                self.add_error("until", _("The period is longer than %(n)s days.") % {"n": max_days()})
            elif since.year < 1900:
                self.add_error("since", _("Choose a date after 1900."))
        cleaned["since"], cleaned["until"] = since, until
        return cleaned

    # --- what the selectors need ---

    def period(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes in the site's time zone: midnight of ``since`` to
        midnight after ``until``."""
        tz = timezone.get_current_timezone()
        since, until = self.cleaned_data["since"], self.cleaned_data["until"]
        start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end

    def post_ids_for(self, allowed: list[int] | None) -> list[int] | None:
        """The posts to count: the chosen ones (already checked visible), else every post the
        reader may see (None: all), narrowed by border type."""
        chosen = self.cleaned_data.get("post") or None
        ids = chosen if chosen is not None else allowed
        border_type = self.cleaned_data.get("border_type")
        if border_type:
            kinds = [k for k, t in BORDER_TYPE_OF_KIND.items() if t == border_type]
            qs = BorderPost.objects.filter(kind__in=kinds)
            if ids is not None:
                qs = qs.filter(pk__in=ids)
            ids = list(qs.values_list("pk", flat=True))
        return ids


NATIONALITY_RE = re.compile(r"^[A-Z<]{1,3}$")


def _nationality(value: str) -> str:
    value = (value or "").strip().upper()
    if value and not NATIONALITY_RE.match(value):
        raise forms.ValidationError(_("A nationality is a three-letter code, e.g. IRQ."))
    return value


class TrendsForm(PeriodForm):
    group = forms.ChoiceField(label=_("By"), required=False, choices=GROUPS)
    nationality = forms.CharField(label=_("Nationality"), required=False, max_length=3,
                                  widget=forms.TextInput(attrs={"size": 4, "dir": "ltr"}))
    direction = forms.ChoiceField(label=_("Direction"), required=False,
                                  choices=[("", _("Entry and exit")), (Direction.ENTRY.value, Direction.ENTRY.label),
                                           (Direction.EXIT.value, Direction.EXIT.label)])
    transport_mode = forms.ChoiceField(label=_("Mode of transport"), required=False,
                                       choices=[("", _("Any mode")), *TransportMode.choices])
    decision = forms.ChoiceField(label=_("Decision"), required=False,
                                 choices=[("", _("Any decision")), *MovementDecision.choices])
    reason = forms.CharField(label=_("Refusal reason"), required=False, max_length=16,
                             widget=forms.TextInput(attrs={"size": 6, "dir": "ltr"}))

    default_days = 90

    def clean_nationality(self):
        return _nationality(self.cleaned_data.get("nationality"))

    def clean_reason(self):
        from travelers.models import ReasonCode

        code = (self.cleaned_data.get("reason") or "").strip().upper()
        if code and not ReasonCode.objects.filter(code__iexact=code).exists():
            raise forms.ValidationError(_("No reason has this code."))
        return ReasonCode.objects.filter(code__iexact=code).values_list("code", flat=True).first() or "" if code else ""

    def clean(self):
        cleaned = super().clean()
        cleaned["group"] = cleaned.get("group") or "day"
        return cleaned

    def dimension_filters(self) -> dict[str, str]:
        """Filters on the rollup's dimensions (only those chosen)."""
        c = self.cleaned_data
        out = {"nationality": c.get("nationality"), "direction": c.get("direction"),
               "transport_mode": c.get("transport_mode"), "decision": c.get("decision"),
               "reason_code": c.get("reason")}
        return {k: v for k, v in out.items() if v}


class StatisticsForm(PeriodForm):
    default_days = 30


RECORD_KINDS = [("movements", _("Movements")), ("overstays", _("Overstays")), ("hits", _("Hits"))]


class RecordsForm(TrendsForm):
    """The records behind a number of the trends page (movements, overstays or hits)."""

    kind = forms.ChoiceField(label=_("Records"), choices=RECORD_KINDS)
    list = forms.CharField(label=_("List"), required=False, max_length=16,
                           widget=forms.TextInput(attrs={"size": 8, "dir": "ltr"}))
    status = forms.ChoiceField(label=_("Hit status"), required=False,
                               choices=[("", _("Any status")), ("pending", _("Pending")),
                                        ("confirmed", _("Confirmed")), ("dismissed", _("Dismissed"))])
