"""Risk rules: the condition language and its evaluator (pure: no Django).

A rule version's conditions are a small JSON tree:

* a leaf ``{"field": "<field>", "op": "<operator>", "value": <value>}``; the field
  ``journey.land_crossings`` also takes ``"days": N`` (crossings at land posts in the last N days);
* ``{"all": [<condition>, ...]}`` (every one holds), ``{"any": [...]}`` (at least one holds),
  ``{"not": <condition>}``.

A fact that is unknown (a traveler whose date of birth was not read has no age) makes every
comparison on it false, and ``not`` of such a comparison true: ``{"not": {"field": "traveler.age",
"op": "lt", "value": 18}}`` also matches travelers of unknown age.

`validate(conditions)` checks a tree strictly and raises ConditionError naming the path of the
first problem (``conditions.all[1].op``); `evaluate(facts, versions)` returns the score (the sum of
the weights of the versions that fired) and the reasons, heaviest first.

The facts of one inspection are a flat dict (see FIELDS); ``journey.land_crossings`` is given as
``{N: count}`` for each N the rules ask (`crossing_windows`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# field -> (kind, description). Kinds: "text" (codes compared case-insensitively, stored upper
# case), "int" (whole numbers), "choice" (one of a closed list).
DIRECTIONS = ("entry", "exit")
MODES = ("air", "vehicle", "pedestrian", "sea", "rail")
DOCUMENT_KINDS = ("passport", "identity_card", "visa", "travel_document")
AGE_BANDS = ("0-17", "18-25", "26-40", "41-60", "61+")

FIELDS: dict[str, dict[str, Any]] = {
    "document.kind": {"kind": "choice", "choices": DOCUMENT_KINDS},
    "document.code": {"kind": "text"},
    "document.issuing_state": {"kind": "text"},
    "document.days_to_expiry": {"kind": "int"},
    "traveler.age": {"kind": "int"},
    "traveler.age_band": {"kind": "choice", "choices": AGE_BANDS},
    "traveler.nationality": {"kind": "text"},
    "traveler.previous_refusals": {"kind": "int"},
    "traveler.overstays": {"kind": "int"},
    "traveler.hits": {"kind": "int"},
    "journey.direction": {"kind": "choice", "choices": DIRECTIONS},
    "journey.mode": {"kind": "choice", "choices": MODES},
    "journey.post": {"kind": "text"},
    "journey.carrier": {"kind": "text"},
    "journey.land_crossings": {"kind": "int", "days": True},
}
# Not offered: "document.days_since_issue" — TravelDocument records no date of issue (the MRZ
# carries none; only the chip's DG11/DG12 may), so there is nothing to compare.

OPERATORS: dict[str, set[str]] = {
    "eq": {"text", "int", "choice"},
    "ne": {"text", "int", "choice"},
    "in": {"text", "int", "choice"},
    "not_in": {"text", "int", "choice"},
    "lt": {"int"},
    "lte": {"int"},
    "gt": {"int"},
    "gte": {"int"},
    "between": {"int"},
    "startswith": {"text"},
}
MAX_DAYS = 365
MAX_DEPTH = 6
MAX_LEAVES = 50


# The messages of ConditionError by code (English; analytics.rules translates them by code).
MESSAGES = {
    "not_object": "a condition is an object: {field, op, value} or {all|any: [...]} or {not: ...}",
    "too_deep": "conditions nest at most %(max)s deep",
    "alone": "%(key)s stands alone: unexpected key %(extra)s",
    "list_required": "%(key)s takes a non-empty list of conditions",
    "too_many": "at most %(max)s comparisons in one rule",
    "unknown_key": "unknown key %(key)s (allowed: field, op, value, days)",
    "unknown_field": "unknown field %(field)s",
    "unknown_operator": "unknown operator %(op)s",
    "operator_field": "operator %(op)s does not apply to %(field)s",
    "value_required": "a value is required",
    "list_value": "%(op)s takes a non-empty list",
    "between": "between takes [low, high]",
    "between_order": "between takes [low, high] with low ≤ high",
    "int_value": "%(field)s compares with whole numbers",
    "text_value": "%(field)s compares with text",
    "choice": "%(value)s is not one of %(choices)s",
    "days_required": "%(field)s needs days: a whole number from 1 to %(max)s",
    "days_not_here": "days applies only to journey.land_crossings, not %(field)s",
}


class ConditionError(ValueError):
    """A condition tree that is not valid; `path` names where (``conditions.all[0].op``), `code`
    what (MESSAGES), `params` the values in the message."""

    def __init__(self, path: str, code: str, **params):
        self.path = path
        self.code = code
        self.params = params
        self.message = MESSAGES[code] % params if params else MESSAGES[code]
        super().__init__(f"{path}: {self.message}")


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    for band in AGE_BANDS:
        low, _, high = band.partition("-")
        if band.endswith("+"):
            if age >= int(band[:-1]):
                return band
        elif int(low) <= age <= int(high):
            return band
    return None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_scalar(path: str, field: str, spec: dict, value) -> Any:
    kind = spec["kind"]
    if kind == "int":
        if not _is_int(value):
            raise ConditionError(path, "int_value", field=field)
        return value
    if not isinstance(value, str) or not value.strip():
        raise ConditionError(path, "text_value", field=field)
    if kind == "choice" and value not in spec["choices"]:
        raise ConditionError(path, "choice", value=repr(value), choices=", ".join(spec["choices"]))
    return value.strip().upper() if kind == "text" else value


def _normalise_leaf(node: dict, path: str) -> dict:
    allowed = {"field", "op", "value", "days"}
    unknown = sorted(set(node) - allowed)
    if unknown:
        raise ConditionError(f"{path}.{unknown[0]}", "unknown_key", key=repr(unknown[0]))
    field = node.get("field")
    if not isinstance(field, str) or field not in FIELDS:
        raise ConditionError(f"{path}.field", "unknown_field", field=repr(field))
    spec = FIELDS[field]
    op = node.get("op")
    if not isinstance(op, str) or op not in OPERATORS:
        raise ConditionError(f"{path}.op", "unknown_operator", op=repr(op))
    if spec["kind"] not in OPERATORS[op]:
        raise ConditionError(f"{path}.op", "operator_field", op=repr(op), field=field)
    if "value" not in node:
        raise ConditionError(f"{path}.value", "value_required")
    value = node["value"]
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{path}.value", "list_value", op=op)
        value = [_check_scalar(f"{path}.value[{i}]", field, spec, v) for i, v in enumerate(value)]
    elif op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise ConditionError(f"{path}.value", "between")
        value = [_check_scalar(f"{path}.value[{i}]", field, spec, v) for i, v in enumerate(value)]
        if value[0] > value[1]:
            raise ConditionError(f"{path}.value", "between_order")
    else:
        value = _check_scalar(f"{path}.value", field, spec, value)
    out = {"field": field, "op": op, "value": value}
    if spec.get("days"):
        days = node.get("days")
        if not _is_int(days) or not 1 <= days <= MAX_DAYS:
            raise ConditionError(f"{path}.days", "days_required", field=field, max=MAX_DAYS)
        out["days"] = days
    elif "days" in node:
        raise ConditionError(f"{path}.days", "days_not_here", field=field)
    return out


def validate(conditions, path: str = "conditions", _depth: int = 0, _count: list | None = None) -> dict:
    """The tree, checked and normalised (codes upper case); ConditionError on the first problem."""
    count = _count if _count is not None else [0]
    if _depth > MAX_DEPTH:
        raise ConditionError(path, "too_deep", max=MAX_DEPTH)
    if not isinstance(conditions, dict) or not conditions:
        raise ConditionError(path, "not_object")
    combinators = [k for k in ("all", "any", "not") if k in conditions]
    if combinators:
        key = combinators[0]
        if len(conditions) != 1:
            extra = sorted(k for k in conditions if k != key)[0]
            raise ConditionError(f"{path}.{extra}", "alone", key=key, extra=repr(extra))
        if key == "not":
            return {"not": validate(conditions["not"], f"{path}.not", _depth + 1, count)}
        items = conditions[key]
        if not isinstance(items, list) or not items:
            raise ConditionError(f"{path}.{key}", "list_required", key=key)
        return {key: [validate(item, f"{path}.{key}[{i}]", _depth + 1, count) for i, item in enumerate(items)]}
    count[0] += 1
    if count[0] > MAX_LEAVES:
        raise ConditionError(path, "too_many", max=MAX_LEAVES)
    return _normalise_leaf(conditions, path)


def fields_used(conditions: dict) -> set[str]:
    """The fields a (valid) tree reads: the facts the provider must gather."""
    if "all" in conditions or "any" in conditions:
        out: set[str] = set()
        for item in conditions.get("all") or conditions.get("any"):
            out |= fields_used(item)
        return out
    if "not" in conditions:
        return fields_used(conditions["not"])
    return {conditions["field"]}


def crossing_windows(conditions: dict) -> set[int]:
    """The N of every ``journey.land_crossings`` comparison in a (valid) tree."""
    if "all" in conditions or "any" in conditions:
        out: set[int] = set()
        for item in conditions.get("all") or conditions.get("any"):
            out |= crossing_windows(item)
        return out
    if "not" in conditions:
        return crossing_windows(conditions["not"])
    return {conditions["days"]} if "days" in conditions else set()


def max_crossing_days(conditions: dict) -> int:
    if "all" in conditions or "any" in conditions:
        return max((max_crossing_days(i) for i in conditions.get("all") or conditions.get("any")), default=0)
    if "not" in conditions:
        return max_crossing_days(conditions["not"])
    return conditions.get("days", 0)


def _fact(facts: dict, leaf: dict):
    field = leaf["field"]
    if field == "journey.land_crossings":
        return (facts.get("journey.land_crossings") or {}).get(leaf["days"])
    if field == "traveler.age_band":
        return age_band(facts.get("traveler.age"))
    value = facts.get(field)
    if isinstance(value, str) and FIELDS[field]["kind"] == "text":
        return value.upper()
    return value


def _leaf(facts: dict, leaf: dict) -> bool:
    actual = _fact(facts, leaf)
    if actual is None or actual == "":
        return False
    op, value = leaf["op"], leaf["value"]
    if op == "eq":
        return actual == value
    if op == "ne":
        return actual != value
    if op == "in":
        return actual in value
    if op == "not_in":
        return actual not in value
    if op == "lt":
        return actual < value
    if op == "lte":
        return actual <= value
    if op == "gt":
        return actual > value
    if op == "gte":
        return actual >= value
    if op == "between":
        return value[0] <= actual <= value[1]
    if op == "startswith":
        return actual.startswith(value)
    raise ConditionError("op", "unknown_operator", op=repr(op))  # validate() never lets one through


def matches(conditions: dict, facts: dict) -> bool:
    """Whether a validated tree holds for these facts."""
    if "all" in conditions:
        return all(matches(c, facts) for c in conditions["all"])
    if "any" in conditions:
        return any(matches(c, facts) for c in conditions["any"])
    if "not" in conditions:
        return not matches(conditions["not"], facts)
    return _leaf(facts, conditions)


@dataclass(frozen=True)
class RuleVersionSpec:
    """What the evaluator needs of one rule version (the service builds these from the models)."""

    rule_id: int
    version: int
    conditions: dict
    weight: int
    text: str
    text_ar: str
    action: str = ""  # "" or "refer" (refer to secondary inspection)


def evaluate(facts: dict, versions) -> dict:
    """Score and reasons of one inspection: {"score", "reasons": [{"rule_id", "version",
    "weight", "text", "text_ar", "action"}], "action"} — the action is "refer" when a version
    that fired carries it."""
    reasons = []
    for spec in versions:
        if matches(spec.conditions, facts):
            reasons.append({"rule_id": spec.rule_id, "version": spec.version, "weight": spec.weight,
                            "text": spec.text, "text_ar": spec.text_ar, "action": spec.action})
    reasons.sort(key=lambda r: (-r["weight"], r["rule_id"]))
    return {"score": sum(r["weight"] for r in reasons), "reasons": reasons,
            "action": "refer" if any(r["action"] == "refer" for r in reasons) else ""}
