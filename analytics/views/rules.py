"""Supervisor pages for risk rules: the list with each rule's measured effect over the last 90
days, a new rule, a rule's page (edit = a new version, the version history, switching on and
off) and the backtest of a draft before it is saved or switched on."""

from __future__ import annotations

import json
from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import Role, role_required
from analytics.models import RiskRule
from analytics.models.rules import RiskAction
from analytics.risk import AGE_BANDS, DIRECTIONS, DOCUMENT_KINDS, FIELDS, MODES, OPERATORS
from analytics.rules import (
    BACKTEST_DAYS,
    RuleWarning,
    risk_rule_backtest,
    risk_rule_change,
    risk_rule_create,
    risk_rule_effect,
    risk_rule_enable,
)
from core.errors import form_add_errors

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)

FIELD_HELP = {
    "document.kind": gettext_lazy("Kind of document"),
    "document.code": gettext_lazy("Document code as in the MRZ (P, PD, I, ID…)"),
    "document.issuing_state": gettext_lazy("Issuing state (ICAO code)"),
    "document.days_to_expiry": gettext_lazy("Days from the crossing to the document's expiry"),
    "traveler.age": gettext_lazy("Age in years (unknown when the date of birth was not read)"),
    "traveler.age_band": gettext_lazy("Age band"),
    "traveler.nationality": gettext_lazy("Nationality (ICAO code)"),
    "traveler.previous_refusals": gettext_lazy("Refusals of entry or exit recorded before"),
    "traveler.overstays": gettext_lazy("Overstays recorded"),
    "traveler.hits": gettext_lazy("Watchlist hits of the traveler, not dismissed (this screening's included)"),
    "journey.direction": gettext_lazy("Entry or exit"),
    "journey.mode": gettext_lazy("Mode of transport"),
    "journey.post": gettext_lazy("Border post code"),
    "journey.carrier": gettext_lazy("Flight, vessel or vehicle plate"),
    "journey.land_crossings": gettext_lazy("Crossings admitted at land posts in the last N days (give \"days\": N)"),
}


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


class RuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    conditions = forms.JSONField(
        label=gettext_lazy("Conditions"),
        widget=forms.Textarea(attrs={"rows": 6, "dir": "ltr", "spellcheck": "false"}),
        help_text=gettext_lazy('JSON: {"field": …, "op": …, "value": …}, or {"all": [...]}, {"any": [...]}, '
                               '{"not": {...}}. The fields and operators are listed below.'),
    )
    weight = forms.IntegerField(label=gettext_lazy("Weight"), min_value=1, max_value=100,
                                help_text=gettext_lazy("Added to the score when the rule fires (1 to 100)."))
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=RiskAction.choices, required=False,
                               help_text=gettext_lazy("“Refer to secondary inspection”: the booth may not admit the "
                                                      "traveler (refer or refuse), unless a supervisor overrides."))
    reason = forms.CharField(label=gettext_lazy("Reason shown to the officer (English)"), max_length=300)
    reason_ar = forms.CharField(label=gettext_lazy("Reason shown to the officer (Arabic)"), max_length=300,
                                widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}))
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=gettext_lazy("Empty: from now."))
    valid_until = forms.DateField(label=gettext_lazy("Valid until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=gettext_lazy("Empty: no end."))
    note = forms.CharField(label=gettext_lazy("What changed and why"), max_length=300, required=False)
    confirm = forms.BooleanField(label=gettext_lazy("Save although the backtest flags everyone or no one"),
                                 required=False)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"conditions": data["conditions"], "weight": data["weight"], "action": data.get("action") or "",
                "reason": data["reason"], "reason_ar": data["reason_ar"],
                "valid_from": _day_start(data.get("valid_from")), "valid_until": _day_start(data.get("valid_until")),
                "note": data.get("note") or "", "confirm": bool(data.get("confirm"))}


def _reference() -> list[dict]:
    choices = {"document.kind": DOCUMENT_KINDS, "traveler.age_band": AGE_BANDS, "journey.direction": DIRECTIONS,
               "journey.mode": MODES}
    return [{"name": name, "help": FIELD_HELP[name], "kind": spec["kind"],
             "operators": [op for op, kinds in OPERATORS.items() if spec["kind"] in kinds],
             "choices": choices.get(name, ())} for name, spec in FIELDS.items()]


def _render_form(request, *, form, rule=None, backtest=None, warning=None, status=200):
    context = {"form": form, "rule": rule, "backtest": backtest, "warning": warning, "reference": _reference(),
               "days": BACKTEST_DAYS}
    if rule is not None:
        context["versions"] = [
            {"v": v, "conditions": json.dumps(v.conditions, ensure_ascii=False)}
            for v in rule.versions.select_related("created_by").order_by("-number")
        ]
        context["effect"] = risk_rule_effect(rules=[rule])[rule.pk]
    return render(request, "analytics/rule_form.html", context, status=status)


def _submit(request, form, rule=None):
    """Backtest (button "backtest") or save; returns a response."""
    if not form.is_valid():
        return _render_form(request, form=form, rule=rule, status=400)
    if "backtest" in request.POST:
        try:
            backtest = risk_rule_backtest(conditions=form.cleaned_data["conditions"])
        except ValidationError as exc:
            form_add_errors(form, exc)
            return _render_form(request, form=form, rule=rule, status=400)
        return _render_form(request, form=form, rule=rule, backtest=backtest)
    arguments = form.service_arguments()
    try:
        if rule is None:
            rule = risk_rule_create(actor=request.user, name=form.cleaned_data["name"],
                                    enabled=request.POST.get("enabled") == "on", **arguments)
            messages.success(request, _("Rule saved (version 1)."))
        else:
            current = rule.current_version
            for key in ("valid_from", "valid_until"):
                # The form shows days: the same day as the current version's keeps its exact time.
                kept = getattr(current, key)
                if kept is not None and form.cleaned_data.get(key) == timezone.localdate(kept):
                    arguments[key] = kept
            version = risk_rule_change(actor=request.user, rule=rule, **arguments)
            messages.success(request, _("Rule saved (version %(n)s).") % {"n": version.number})
    except RuleWarning as exc:
        form.add_error("confirm", exc.messages[0])
        return _render_form(request, form=form, rule=rule if rule and rule.pk else None, backtest=exc.backtest,
                            warning=exc.warning_code, status=400)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _render_form(request, form=form, rule=rule if rule and rule.pk else None, status=400)
    return redirect("analytics:rule-detail", rule.pk)


@role_required(*SUPERVISORS)
def rule_list(request):
    rules = list(RiskRule.objects.restrict(request.user, "view").select_related("current_version"))
    effect = risk_rule_effect(rules=rules)
    rows = [{"rule": r, "version": r.current_version, "effect": effect[r.pk]} for r in rules]
    return render(request, "analytics/rule_list.html", {"rows": rows, "days": BACKTEST_DAYS})


@role_required(*SUPERVISORS)
def rule_create(request):
    if request.method == "POST":
        return _submit(request, RuleForm(request.POST))
    return _render_form(request, form=RuleForm(initial={"weight": 10, "conditions": {
        "all": [{"field": "traveler.nationality", "op": "in", "value": ["XXX"]}]}}))


@role_required(*SUPERVISORS)
def rule_detail(request, pk: int):
    rule = get_object_or_404(RiskRule.objects.restrict(request.user, "view").select_related("current_version"), pk=pk)
    if request.method == "POST":
        form = RuleForm(request.POST)
        form.fields["name"].disabled = True
        form.fields["name"].initial = rule.name
        return _submit(request, form, rule)
    v = rule.current_version
    form = RuleForm(initial={
        "name": rule.name, "conditions": v.conditions, "weight": v.weight, "action": v.action, "reason": v.reason,
        "reason_ar": v.reason_ar, "valid_from": timezone.localdate(v.valid_from),
        "valid_until": timezone.localdate(v.valid_until) if v.valid_until else None,
    })
    form.fields["name"].disabled = True
    backtest = risk_rule_backtest(conditions=v.conditions) if request.GET.get("backtest") else None
    return _render_form(request, form=form, rule=rule, backtest=backtest)


@role_required(*SUPERVISORS)
@require_POST
def rule_enable(request, pk: int):
    rule = get_object_or_404(RiskRule.objects.restrict(request.user, "change"), pk=pk)
    enabled = request.POST.get("enabled") == "1"
    risk_rule_enable(actor=request.user, rule=rule, enabled=enabled)
    messages.success(request, _("Rule switched on.") if enabled else _("Rule switched off."))
    if request.POST.get("next") == "list":
        return redirect("analytics:rule-list")
    return redirect("analytics:rule-detail", rule.pk)
