"""The risk-rule pages (supervisors only: list with effect, create and edit with errors by field,
the backtest and the match-all/none warning, versions, switching) and the officer's inspection
screen showing the score and the reasons, in English and in Arabic."""

import json

import pytest

from analytics.models import RiskRule
from analytics.rules import risk_rule_create
from audit.models import AuditEvent
from travelers.tests.factories import at, passport

pytestmark = pytest.mark.django_db

SYR = {"field": "traveler.nationality", "op": "eq", "value": "SYR"}


def form(**changes):
    data = {"name": "Syrian passports", "conditions": json.dumps(SYR), "weight": "20", "action": "",
            "reason": "Syrian passport: check the visa", "reason_ar": "جواز سوري: تحقق من التأشيرة",
            "valid_from": "", "valid_until": "", "note": ""}
    data.update(changes)
    return data


def test_officers_may_not_see_the_rules(client, login, officer_a, booth_a, supervisor):
    rule = risk_rule_create(actor=supervisor, name="r", conditions=SYR, weight=5, reason="r", reason_ar="ر",
                            confirm=True)
    login(officer_a, booth=booth_a)
    for url in ("/analytics/rules/", "/analytics/rules/new/", f"/analytics/rules/{rule.pk}/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/analytics/rules/{rule.pk}/enable/", {"enabled": "1"}).status_code == 403
    assert not RiskRule.objects.get().enabled


def test_supervisor_creates_backtests_and_switches_a_rule(client, login, supervisor):
    login(supervisor)
    page = client.get("/analytics/rules/")
    assert page.status_code == 200 and "No risk rule yet." in page.content.decode()
    assert client.get("/analytics/rules/new/").status_code == 200
    # The backtest button saves nothing and shows the figures (an empty period here).
    tried = client.post("/analytics/rules/new/", form(backtest="1"))
    assert tried.status_code == 200 and 'id="backtest"' in tried.content.decode()
    assert "No inspection in this period" in tried.content.decode() and not RiskRule.objects.exists()
    saved = client.post("/analytics/rules/new/", form(save="1"))
    assert saved.status_code == 302
    rule = RiskRule.objects.get()
    assert saved.url == f"/analytics/rules/{rule.pk}/" and not rule.enabled
    detail = client.get(saved.url).content.decode()
    assert 'data-version="1"' in detail and "Switch on" in detail
    assert 'id="backtest"' in client.get(saved.url + "?backtest=1").content.decode()
    shown = client.get(saved.url).content.decode()
    day = shown.split('name="valid_from" value="', 1)[1].split('"', 1)[0]
    assert client.post(saved.url, form(valid_from=day)).status_code == 302  # nothing changed: no version
    assert rule.versions.count() == 1
    changed = client.post(saved.url, form(weight="30", note="heavier", valid_from=day))
    assert changed.status_code == 302
    detail = client.get(saved.url).content.decode()
    assert 'data-version="2"' in detail and 'data-version="1"' in detail and "heavier" in detail
    assert client.post(f"/analytics/rules/{rule.pk}/enable/", {"enabled": "1", "next": "list"}).url == "/analytics/rules/"
    listing = client.get("/analytics/rules/").content.decode()
    assert f'data-rule="{rule.pk}"' in listing and "Switch off" in listing and "v2" in listing
    assert list(AuditEvent.objects.filter(action__startswith="riskrule").order_by("seq")
                .values_list("action", flat=True)) == ["riskrule.create", "riskrule.version", "riskrule.enable"]


@pytest.mark.parametrize("changes,field,words", [
    ({"conditions": "{not json"}, "conditions", "Enter a valid JSON"),
    ({"conditions": json.dumps({"field": "traveler.height", "op": "gt", "value": 1})}, "conditions",
     "conditions.field: unknown field"),
    ({"conditions": json.dumps({"any": [{"field": "traveler.age", "op": "near", "value": 1}]})}, "conditions",
     "conditions.any[0].op: unknown operator"),
    ({"weight": "0"}, "weight", ""),
    ({"weight": "abc"}, "weight", ""),
    ({"reason_ar": ""}, "reason_ar", ""),
    ({"name": ""}, "name", ""),
    ({"action": "arrest"}, "action", ""),
    ({"valid_from": "2026-05-01", "valid_until": "2026-04-01"}, "valid_until", "after its start"),
])
def test_bad_input_shows_errors_by_field(client, login, supervisor, changes, field, words):
    login(supervisor)
    response = client.post("/analytics/rules/new/", form(**changes))
    html = response.content.decode()
    assert response.status_code == 400
    block = html.split(f'data-field="{field}"', 1)[1].split("</div>", 1)[0]
    assert 'class="error"' in block and words in block
    assert not RiskRule.objects.exists()


def test_a_rule_matching_everyone_asks_for_confirmation(client, login, supervisor, officer_a, booth_a, stay_rules):
    from travelers.services import inspection_start

    inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry", mrz=passport())
    login(supervisor)
    everyone = form(conditions=json.dumps({"field": "journey.direction", "op": "eq", "value": "entry"}))
    response = client.post("/analytics/rules/new/", everyone)
    html = response.content.decode()
    assert response.status_code == 400 and "flagged every one of 1 travelers" in html and 'name="confirm"' in html
    assert not RiskRule.objects.exists()
    assert client.post("/analytics/rules/new/", {**everyone, "confirm": "on"}).status_code == 302
    assert RiskRule.objects.count() == 1


def test_the_officer_screen_shows_score_and_reasons_in_english_and_arabic(client, login, supervisor, officer_a,
                                                                           booth_a, stay_rules):
    rule = risk_rule_create(actor=supervisor, name="Syrian passports", conditions=SYR, weight=20, action="refer",
                            reason="Syrian passport: check the visa", reason_ar="جواز سوري: تحقق من التأشيرة",
                            enabled=True, confirm=True, valid_from=at(2020, 1, 1))
    login(officer_a, booth=booth_a)
    response = client.post("/travelers/checkpoint/read", {"mrz": passport(nationality="SYR", issuing_state="SYR"),
                                                          "direction": "entry"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-risk-score="20"' in html and "score 20" in html
    assert f'data-rule="{rule.pk}" data-version="1"' in html and "Syrian passport: check the visa" in html
    assert "risk rule: refer to secondary inspection" in html
    inspection_id = html.split('data-inspection="', 1)[1].split('"', 1)[0]
    client.post("/i18n/setlang/", {"language": "ar", "next": "/travelers/checkpoint/"})
    html = client.get(f"/travelers/inspections/{inspection_id}/").content.decode()
    assert "جواز سوري: تحقق من التأشيرة" in html and "Syrian passport: check the visa" not in html


def test_condition_errors_in_arabic(client, login, supervisor):
    login(supervisor)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/analytics/rules/"})
    response = client.post("/analytics/rules/new/", form(conditions=json.dumps({"field": "x", "op": "eq", "value": 1})))
    html = response.content.decode()
    assert response.status_code == 400 and "conditions.field: حقل غير معروف &#x27;x&#x27;" in html
    assert 'dir="rtl"' in html and "قاعدة مخاطر جديدة" in html
