"""The condition language and the pure evaluator (analytics.risk): every operator, the
combinations, unknown facts, and strict validation naming where a tree is wrong."""

import pytest

from analytics.risk import (
    ConditionError,
    RuleVersionSpec,
    age_band,
    crossing_windows,
    evaluate,
    fields_used,
    matches,
    max_crossing_days,
    validate,
)

FACTS = {
    "document.kind": "passport", "document.code": "P", "document.issuing_state": "SYR",
    "document.days_to_expiry": 20, "traveler.age": 22, "traveler.nationality": "SYR",
    "traveler.previous_refusals": 2, "traveler.overstays": 0, "traveler.hits": 1,
    "journey.direction": "entry", "journey.mode": "air", "journey.post": "BGW",
    "journey.carrier": "XY123", "journey.land_crossings": {1: 1, 7: 2, 30: 3, 365: 4},
}


def leaf(field, op, value, **extra):
    return validate({"field": field, "op": op, "value": value, **extra})


@pytest.mark.parametrize("field,op,value,expected", [
    ("traveler.nationality", "eq", "syr", True),
    ("traveler.nationality", "eq", "IRQ", False),
    ("traveler.nationality", "ne", "IRQ", True),
    ("traveler.nationality", "ne", "SYR", False),
    ("document.issuing_state", "in", ["IRQ", "syr"], True),
    ("document.issuing_state", "in", ["IRQ"], False),
    ("document.issuing_state", "not_in", ["IRQ"], True),
    ("document.issuing_state", "not_in", ["SYR"], False),
    ("document.days_to_expiry", "lt", 30, True),
    ("document.days_to_expiry", "lt", 20, False),
    ("document.days_to_expiry", "lte", 20, True),
    ("document.days_to_expiry", "lte", 19, False),
    ("traveler.previous_refusals", "gt", 1, True),
    ("traveler.previous_refusals", "gt", 2, False),
    ("traveler.previous_refusals", "gte", 2, True),
    ("traveler.previous_refusals", "gte", 3, False),
    ("traveler.age", "between", [18, 25], True),
    ("traveler.age", "between", [23, 25], False),
    ("traveler.age_band", "eq", "18-25", True),
    ("traveler.age_band", "in", ["41-60", "61+"], False),
    ("journey.carrier", "startswith", "xy", True),
    ("journey.carrier", "startswith", "ZZ", False),
    ("journey.mode", "eq", "air", True),
    ("journey.direction", "eq", "exit", False),
    ("document.kind", "eq", "passport", True),
    ("document.code", "eq", "P", True),
    ("journey.post", "in", ["BGW", "BSR"], True),
    ("traveler.overstays", "eq", 0, True),
    ("traveler.hits", "gte", 1, True),
])
def test_every_operator(field, op, value, expected):
    assert matches(leaf(field, op, value), FACTS) is expected


def test_land_crossings_count_the_last_n_days():
    assert matches(leaf("journey.land_crossings", "eq", 2, days=7), FACTS)
    assert matches(leaf("journey.land_crossings", "eq", 3, days=30), FACTS)
    assert matches(leaf("journey.land_crossings", "gte", 4, days=365), FACTS)
    assert not matches(leaf("journey.land_crossings", "gte", 1, days=1) | {"value": 2}, FACTS)


def test_combinations_all_any_not_and_nesting():
    syr = {"field": "traveler.nationality", "op": "eq", "value": "SYR"}
    irq = {"field": "traveler.nationality", "op": "eq", "value": "IRQ"}
    soon = {"field": "document.days_to_expiry", "op": "lt", "value": 30}
    assert matches(validate({"all": [syr, soon]}), FACTS)
    assert not matches(validate({"all": [irq, soon]}), FACTS)
    assert matches(validate({"any": [irq, soon]}), FACTS)
    assert not matches(validate({"any": [irq, {"not": soon}]}), FACTS)
    assert matches(validate({"not": irq}), FACTS)
    tree = validate({"all": [{"any": [irq, syr]}, {"not": {"all": [irq, soon]}}]})
    assert matches(tree, FACTS)
    assert fields_used(tree) == {"traveler.nationality", "document.days_to_expiry"}


def test_an_unknown_fact_is_false_and_not_of_it_true():
    unknown_age = {**FACTS, "traveler.age": None}
    minor = validate({"field": "traveler.age", "op": "lt", "value": 18})
    assert not matches(minor, unknown_age)
    assert matches(validate({"not": {"field": "traveler.age", "op": "lt", "value": 18}}), unknown_age)
    assert not matches(validate({"field": "traveler.age_band", "op": "eq", "value": "0-17"}), unknown_age)
    no_history = {k: v for k, v in FACTS.items() if k != "journey.land_crossings"}
    assert not matches(leaf("journey.land_crossings", "gte", 0, days=30), no_history)
    assert not matches(leaf("journey.carrier", "eq", "X"), {**FACTS, "journey.carrier": None})


def test_age_bands():
    assert [age_band(a) for a in (None, 0, 17, 18, 25, 26, 40, 41, 60, 61, 99)] == [
        None, "0-17", "0-17", "18-25", "18-25", "26-40", "26-40", "41-60", "41-60", "61+", "61+"]


@pytest.mark.parametrize("tree,path,words", [
    ({"field": "traveler.shoe_size", "op": "eq", "value": 1}, "conditions.field", "unknown field"),
    ({"field": "traveler.age", "op": "like", "value": 1}, "conditions.op", "unknown operator"),
    ({"field": "traveler.nationality", "op": "lt", "value": "SYR"}, "conditions.op", "does not apply"),
    ({"field": "traveler.age", "op": "gt"}, "conditions.value", "required"),
    ({"field": "traveler.age", "op": "gt", "value": "20"}, "conditions.value", "whole numbers"),
    ({"field": "traveler.age", "op": "gt", "value": True}, "conditions.value", "whole numbers"),
    ({"field": "traveler.nationality", "op": "eq", "value": 5}, "conditions.value", "text"),
    ({"field": "journey.mode", "op": "eq", "value": "horse"}, "conditions.value", "not one of"),
    ({"field": "traveler.age", "op": "in", "value": []}, "conditions.value", "non-empty list"),
    ({"field": "traveler.age", "op": "between", "value": [30, 20]}, "conditions.value", "low ≤ high"),
    ({"field": "traveler.age", "op": "between", "value": 3}, "conditions.value", "[low, high]"),
    ({"field": "traveler.age", "op": "in", "value": [1, "x"]}, "conditions.value[1]", "whole numbers"),
    ({"field": "journey.land_crossings", "op": "gt", "value": 1}, "conditions.days", "days"),
    ({"field": "journey.land_crossings", "op": "gt", "value": 1, "days": 400}, "conditions.days", "1 to 365"),
    ({"field": "traveler.age", "op": "gt", "value": 1, "days": 3}, "conditions.days", "applies only"),
    ({"field": "traveler.age", "op": "gt", "value": 1, "colour": "red"}, "conditions.colour", "unknown key"),
    ({"all": []}, "conditions.all", "non-empty list"),
    ({"any": {"field": "traveler.age"}}, "conditions.any", "non-empty list"),
    ({"all": [{"field": "traveler.age", "op": "gt", "value": 1}], "any": []}, "conditions.any", "stands alone"),
    ({"all": [{"field": "traveler.age", "op": "gt", "value": 1}, {"field": "x", "op": "eq", "value": 1}]},
     "conditions.all[1].field", "unknown field"),
    ({"not": {"any": [{"field": "traveler.age", "op": "~", "value": 1}]}}, "conditions.not.any[0].op",
     "unknown operator"),
    ([], "conditions", "a condition is an object"),
    ({}, "conditions", "a condition is an object"),
    ("traveler.age > 3", "conditions", "a condition is an object"),
])
def test_bad_conditions_name_the_place(tree, path, words):
    with pytest.raises(ConditionError) as exc:
        validate(tree)
    assert exc.value.path == path
    assert words in exc.value.message


def test_depth_and_size_are_bounded():
    tree = {"field": "traveler.age", "op": "gt", "value": 1}
    for _ in range(8):
        tree = {"not": tree}
    with pytest.raises(ConditionError, match="nest at most"):
        validate(tree)
    with pytest.raises(ConditionError, match="at most 50"):
        validate({"any": [{"field": "traveler.age", "op": "eq", "value": i} for i in range(51)]})


def test_crossing_windows():
    tree = validate({"any": [{"field": "journey.land_crossings", "op": "gt", "value": 1, "days": 30},
                             {"not": {"field": "journey.land_crossings", "op": "gt", "value": 5, "days": 90}}]})
    assert max_crossing_days(tree) == 90 and crossing_windows(tree) == {30, 90}
    assert max_crossing_days(validate({"field": "traveler.age", "op": "gt", "value": 1})) == 0


def test_evaluate_scores_and_orders_reasons():
    syr = validate({"field": "traveler.nationality", "op": "eq", "value": "SYR"})
    irq = validate({"field": "traveler.nationality", "op": "eq", "value": "IRQ"})
    soon = validate({"field": "document.days_to_expiry", "op": "lt", "value": 30})
    versions = [
        RuleVersionSpec(1, 3, syr, 10, "Nationality", "الجنسية"),
        RuleVersionSpec(2, 1, irq, 50, "Never", "أبداً", "refer"),
        RuleVersionSpec(3, 2, soon, 30, "Expiry soon", "انتهاء قريب", "refer"),
    ]
    result = evaluate(FACTS, versions)
    assert result["score"] == 40
    assert [(r["rule_id"], r["version"]) for r in result["reasons"]] == [(3, 2), (1, 3)]
    assert result["reasons"][0]["text_ar"] == "انتهاء قريب"
    assert result["action"] == "refer"
    assert evaluate(FACTS, versions[:1])["action"] == ""
    assert evaluate(FACTS, []) == {"score": 0, "reasons": [], "action": ""}
